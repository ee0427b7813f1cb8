#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

// librdkafka's flag macros that Swift does not import, as named constants.
static const int xtcp_rd_kafka_msg_f_copy = RD_KAFKA_MSG_F_COPY;
static const int xtcp_rd_kafka_purge_f_queue = RD_KAFKA_PURGE_F_QUEUE;
static const int xtcp_rd_kafka_purge_f_inflight = RD_KAFKA_PURGE_F_INFLIGHT;
static const int32_t xtcp_rd_kafka_partition_ua = RD_KAFKA_PARTITION_UA;
