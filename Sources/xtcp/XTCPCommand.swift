import ArgumentParser
import Netlink
import RecordFmt
import XTCP
#if canImport(Glibc)
import Glibc
#endif

/// xtcp2-style flags: one dash (`-replay`), two accepted too (`--replay`).
func flag(_ name: String) -> NameSpecification {
    [.customLong(name, withSingleDash: true), .customLong(name)]
}

struct XTCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xtcp",
        abstract: "Stream the kernel's TCP socket diagnostics (ss -tiem) as protobuf records.",
        discussion: """
            Replay a capture:   xtcp -replay dump.pcap -dest stdout -marshal jsonl
            Capture this host:  xtcp -capture dump.pcap
            Exit codes: 0 success, 1 runtime failure, 2 usage error.
            """
    )

    @Option(name: flag("replay"), help: "Decode a recorded dump (LINKTYPE_NETLINK pcap or `ss -D` file) instead of polling.")
    var replay: String?

    @Option(name: flag("capture"), help: "Dump this network namespace once and record the netlink traffic to a pcap.")
    var capture: String?

    @Option(name: flag("dest"), help: "Destination: stdout, null or file:PATH.")
    var dest: String = "stdout"

    @Option(name: flag("marshal"), help: "Output format: \(MarshalFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var marshal: String = "protobufList"

    @Option(name: flag("deserializers"), help: "Attributes to decode, comma-separated, or all (default: all but meminfo).")
    var deserializers: String?

    @Option(name: flag("envelopeFlushRows"), help: "Flush an envelope at this many rows.")
    var envelopeFlushRows: Int = 10_000

    @Option(name: flag("envelopeFlushBytes"), help: "Flush an envelope at this many bytes.")
    var envelopeFlushBytes: Int = 768 * 1024

    @Option(name: flag("hostname"), help: "Hostname stamped into records (default: this host's).")
    var hostname: String?

    @Option(name: flag("location"), help: "Location stamped into records.")
    var location: String = ""

    @Option(name: flag("label"), help: "Label stamped into records.")
    var label: String = ""

    @Option(name: flag("tag"), help: "Tag stamped into records.")
    var tag: String = ""

    @Flag(name: [.customShort("v"), .customLong("version")], help: "Print the version and exit.")
    var version = false

    func validate() throws {
        guard MarshalFormat(rawValue: marshal) != nil else {
            throw ValidationError("-marshal \(marshal): expected one of \(MarshalFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        do { _ = try DestinationSpec(parsing: dest) } catch { throw ValidationError("-dest: \(error)") }
        if let deserializers {
            do { _ = try DiagAttributeSet(parsing: deserializers) } catch { throw ValidationError("-deserializers: \(error)") }
        }
        guard envelopeFlushRows >= 1 else { throw ValidationError("-envelopeFlushRows must be at least 1") }
        guard envelopeFlushBytes >= 1024 else { throw ValidationError("-envelopeFlushBytes must be at least 1024") }
    }

    /// Checked after parsing, so that an unknown flag is reported as such
    /// rather than as a missing mode.
    func validateMode() throws {
        if !version, replay == nil, capture == nil {
            throw ValidationError("nothing to do: give -replay FILE or -capture FILE (live polling arrives with the daemon)")
        }
    }

    func run() throws {
        if version {
            print("xtcp \(XTCPVersion.daemon) (schema \(XTCPVersion.schema))")
            return
        }
        let attributes = try deserializers.map(DiagAttributeSet.init(parsing:)) ?? .defaultSet
        var identity = RecordIdentity(hostname: hostname ?? Self.systemHostname())
        identity.location = location
        identity.label = label
        identity.tag = tag

        if let capture {
            let writer = try PcapWriter(path: capture)
            var record = FlatRecord()
            var count = 0
            let stats = try OneShotDump(attributes: attributes).run(record: &record, capture: writer) { _ in count += 1 }
            printError("xtcp: captured \(count) sockets to \(capture) (\(stats.problems) problems)")
            return
        }
        if let replay {
            let destination = try DestinationSpec(parsing: dest).open()
            let format = MarshalFormat(rawValue: marshal)!
            let pipeline = BatchPipeline(
                marshaller: format.makeMarshaller(initialCapacity: envelopeFlushBytes + 64 * 1024),
                destination: destination, flushRows: envelopeFlushRows, flushBytes: envelopeFlushBytes)
            let summary = try ReplayRunner(identity: identity, attributes: attributes).run(path: replay, into: pipeline)
            try destination.close()
            var line = "xtcp: replayed \(summary.decode.sockets) sockets from \(replay) (\(summary.format.rawValue)) in \(summary.pipeline.batches) batches"
            if summary.decode.problems > 0 { line += "; \(summary.decode.problems) bad messages or attributes skipped: \(summary.decode)" }
            if summary.trailingBytes > 0 { line += "; capture truncated: \(summary.trailingBytes) trailing bytes ignored" }
            printError(line)
        }
    }

    static func systemHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

