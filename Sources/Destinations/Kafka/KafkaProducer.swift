import CRdKafka
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// A thin face over a librdkafka producer handle: the only place xtcp calls
/// librdkafka. Callbacks land in the `KafkaDestination`, found through the
/// handle's opaque pointer; the destination outlives the handle (it calls
/// `destroy()` in its `close()`).
final class KafkaProducer: @unchecked Sendable {  // librdkafka handles are thread-safe
    let handle: OpaquePointer
    let topic: OpaquePointer

    enum ProduceResult: Equatable {
        case queued
        case queueFull
        case failed(String, code: String, tooLarge: Bool)
    }

    init(properties: [KafkaSettings.Property], topic name: String, events: KafkaDestination) throws {
        var errorText = [CChar](repeating: 0, count: 512)
        let conf = rd_kafka_conf_new()
        for property in properties {
            let result = rd_kafka_conf_set(conf, property.key, property.value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                // An unknown key's value is not said (a misspelt
                // `sasl.pasword` is still a password); the nearest known
                // key is.
                let refused = result == RD_KAFKA_CONF_UNKNOWN
                    ? "kafka property \(property.key): not a librdkafka property" + (Self.nearestKnown(to: property.key).map { " (did you mean \($0)?)" } ?? "")
                    : "kafka property \(property): \(property.isSecret ? "refused" : Self.text(errorText))"
                rd_kafka_conf_destroy(conf)
                throw KafkaConfigurationError(description: refused)
            }
        }
        // Safe: `events` outlives the handle (see the type's comment); the
        // pointer is not retained, so no cycle keeps either alive.
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(events).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
            guard let message, let opaque else { return }
            let events = Unmanaged<KafkaDestination>.fromOpaque(opaque).takeUnretainedValue()
            let err = message.pointee.err
            events.delivered(opaque: message.pointee._private, error: err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(err),
                             possiblyPersisted: rd_kafka_message_status(message) == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED)
        }
        rd_kafka_conf_set_error_cb(conf) { _, err, reason, opaque in
            guard let opaque else { return }
            let events = Unmanaged<KafkaDestination>.fromOpaque(opaque).takeUnretainedValue()
            let code = String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(err)))
            events.countError(source: "client", code: code)
            events.problem("kafka: \(reason.map { String(cString: $0) } ?? code) (\(code))")
        }
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, text in
            // Errors only, and not FAIL (a connection failure the error
            // callback reports too); librdkafka's own stderr lines would
            // not say they come from xtcp nor be folded per poll.
            guard level <= 3, let handle, let opaque = rd_kafka_opaque(handle),
                  facility.map({ String(cString: $0) }) != "FAIL" else { return }
            let events = Unmanaged<KafkaDestination>.fromOpaque(opaque).takeUnretainedValue()
            events.problem("kafka \(facility.map { String(cString: $0) } ?? ""): \(text.map { String(cString: $0) } ?? "")")
        }
        // On success rd_kafka_new takes `conf`; on failure it is still ours.
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaConfigurationError(description: "kafka producer: \(Self.text(errorText))")
        }
        guard let topic = rd_kafka_topic_new(handle, name, nil) else {
            let reason = String(cString: rd_kafka_err2str(rd_kafka_last_error()))
            rd_kafka_destroy(handle)
            throw KafkaConfigurationError(description: "kafka topic \(name): \(reason)")
        }
        self.handle = handle
        self.topic = topic
    }

    /// Asks any broker for metadata: nil when one answered within `timeout`,
    /// else why not.
    func reachBroker(timeoutMilliseconds: Int32) -> String? {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 0, nil, &metadata, timeoutMilliseconds)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        return err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : String(cString: rd_kafka_err2str(err))
    }

    /// Queues `payload` for the topic. With `copy` librdkafka copies it;
    /// without, the bytes must stay valid and untouched until the delivery
    /// report for `opaque` arrives.
    func produce(_ payload: UnsafeRawBufferPointer, copy: Bool, opaque: UnsafeMutableRawPointer?) -> ProduceResult {
        let partitionUnassigned = xtcp_rd_kafka_partition_ua  // the partitioner picks
        let flags: Int32 = copy ? xtcp_rd_kafka_msg_f_copy : 0
        // librdkafka reads `payload` and (without F_COPY) keeps the pointer;
        // it never writes through it despite the mutable type.
        let result = rd_kafka_produce(
            topic, partitionUnassigned, flags, UnsafeMutableRawPointer(mutating: payload.baseAddress),
            payload.count, nil, 0, opaque)
        if result == 0 { return .queued }
        let err = rd_kafka_last_error()
        if err == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        let error = KafkaError(err)
        return .failed(error.text, code: error.name, tooLarge: err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
    }

    /// Serves delivery reports and error callbacks for up to `milliseconds`.
    func poll(milliseconds: Int32) { rd_kafka_poll(handle, milliseconds) }

    /// Waits up to `milliseconds` for every queued envelope to be delivered
    /// or to fail; true when none is left.
    func flush(milliseconds: Int32) -> Bool { rd_kafka_flush(handle, milliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR }

    /// Fails what is still queued or in flight (their delivery reports say
    /// "purged").
    func purge() { _ = rd_kafka_purge(handle, xtcp_rd_kafka_purge_f_queue | xtcp_rd_kafka_purge_f_inflight) }

    var queueLength: Int { Int(rd_kafka_outq_len(handle)) }

    func destroy() {
        rd_kafka_topic_destroy(topic)
        rd_kafka_destroy(handle)
    }

    /// librdkafka's name of the queue-full error (`_QUEUE_FULL`).
    static let queueFullName = KafkaError(RD_KAFKA_RESP_ERR__QUEUE_FULL).name

    /// The property of librdkafka's nearest to a misspelt `key`, if one is near.
    static func nearestKnown(to key: String) -> String? {
        NearestName.to(key, among: knownProperties)
    }

    /// Every property librdkafka knows, from its own table
    /// (rd_kafka_conf_properties_show's Markdown, written to memory: the
    /// names begin its rows).
    static let knownProperties: [String] = {
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        guard let stream = open_memstream(&buffer, &size) else { return [] }
        rd_kafka_conf_properties_show(stream)
        fclose(stream)
        guard let buffer else { return [] }
        defer { free(buffer) }
        return String(cString: buffer).split(separator: "\n").compactMap { row -> String? in
            guard let bar = row.firstIndex(of: "|") else { return nil }
            let name = row[..<bar].trimmingWhitespace
            return name.isEmpty || name.contains(" ") || name.hasPrefix("-") ? nil : name
        }
    }()

    static func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A `-kafkaProperty` librdkafka refused, or a producer it could not make:
/// a usage error.
public struct KafkaConfigurationError: Error, CustomStringConvertible {
    public var description: String
}

/// A librdkafka error code as plain values, for the destination: the only
/// way `rd_kafka_resp_err_t` leaves this file.
struct KafkaError: Sendable, Equatable {
    /// librdkafka's name of the code (`_MSG_TIMED_OUT`), a bounded label value.
    var name: String
    /// Its words (`Local: Message timed out`).
    var text: String
    /// A purge at shutdown failed the message (`_PURGE_QUEUE`, `_PURGE_INFLIGHT`).
    var isPurge: Bool

    init(_ err: rd_kafka_resp_err_t) {
        name = String(cString: rd_kafka_err2name(err))
        text = String(cString: rd_kafka_err2str(err))
        isPurge = err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT
    }
}
