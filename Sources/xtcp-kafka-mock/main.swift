// A Kafka-protocol broker for trying xtcp and for its tests: librdkafka's
// mock cluster (rdkafka_mock.h, Debian's librdkafka 2.0.2) in a process of
// its own. It prints `bootstrap HOST:PORT[,…]` on stdout, then takes
// commands on stdin, one per line, answering each with `ok` or `error: …`:
//
//   down N      broker N stops answering (as if killed)
//   up N        broker N answers again, on the same port
//   rtt N MS    broker N answers MS milliseconds late
//   quit        (or end of stdin) stop
//
// Restarting a mock process would move it to new ports, so "killing the
// broker" in tests is `down`, then `up`.
//
// usage: xtcp-kafka-mock [BROKERS] [TOPIC PARTITIONS]
import CRdKafka
#if canImport(Glibc)
import Glibc
#endif

/// One line to a file descriptor, unbuffered: the test reading stdout sees
/// each answer at once.
func say(_ line: String, to descriptor: Int32 = STDOUT_FILENO) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    say("xtcp-kafka-mock: \(message)", to: STDERR_FILENO)
    exit(message.hasPrefix("usage") ? 2 : 1)
}

func text(_ chars: [CChar]) -> String {
    String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 0 || arguments.count == 1 || arguments.count == 3,
      let brokers = Int32(arguments.first ?? "1"), (1...9).contains(brokers)
else { fail("usage: xtcp-kafka-mock [BROKERS 1-9] [TOPIC PARTITIONS]") }

var errorText = [CChar](repeating: 0, count: 512)
let conf = rd_kafka_conf_new()
// The handle only hosts the cluster: it connects nowhere, so its warning
// that no bootstrap.servers is set is noise.
_ = rd_kafka_conf_set(conf, "log_level", "3", &errorText, errorText.count)
guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
    fail("rd_kafka_new: \(text(errorText))")
}
guard let cluster = rd_kafka_mock_cluster_new(handle, brokers) else { fail("cannot start the mock cluster") }
if arguments.count == 3 {
    guard let partitions = Int32(arguments[2]), partitions > 0 else { fail("usage: PARTITIONS is a number above 0") }
    let err = rd_kafka_mock_topic_create(cluster, arguments[1], partitions, min(brokers, 3))
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { fail("topic \(arguments[1]): \(String(cString: rd_kafka_err2str(err)))") }
}
say("bootstrap \(String(cString: rd_kafka_mock_cluster_bootstraps(cluster)))")

while let line = readLine() {
    let words = line.split(separator: " ").map(String.init)
    var err = RD_KAFKA_RESP_ERR_NO_ERROR
    switch (words.first, words.count) {
    case ("quit", _):
        break
    case ("down", 2):
        err = rd_kafka_mock_broker_set_down(cluster, Int32(words[1]) ?? -1)
    case ("up", 2):
        err = rd_kafka_mock_broker_set_up(cluster, Int32(words[1]) ?? -1)
    case ("rtt", 3):
        err = rd_kafka_mock_broker_set_rtt(cluster, Int32(words[1]) ?? -1, Int32(words[2]) ?? 0)
    default:
        say("error: unknown command \"\(line)\" (down N, up N, rtt N MS, quit)")
        continue
    }
    if words.first == "quit" { break }
    say(err == RD_KAFKA_RESP_ERR_NO_ERROR ? "ok" : "error: \(String(cString: rd_kafka_err2str(err)))")
}
rd_kafka_mock_cluster_destroy(cluster)
rd_kafka_destroy(handle)
