#if canImport(Glibc)
import Glibc
#endif

/// How the delimited formats (csv, tsv) print the fields a person reads
/// better as words than as numbers, as xtcp2's csv does: the socket states
/// by the kernel's names (`include/net/tcp_states.h`), the congestion-
/// avoidance state by `tcp.h`'s, the record's time as RFC 3339 UTC with
/// nanoseconds. Every other field prints as jsonl prints it.
public enum HumanisedFields {
    /// What a field index is humanised as, if it is.
    enum Kind { case socketState, congestionAvoidanceState, time }

    static let kinds: [Int: Kind] = {
        var kinds: [Int: Kind] = [:]
        for (index, field) in FlatRecord.fieldDescriptors.enumerated() {
            switch field.name {
            case "inet_diag_msg_state", "tcp_info_state": kinds[index] = .socketState
            case "tcp_info_ca_state": kinds[index] = .congestionAvoidanceState
            case "timestamp_ns": kinds[index] = .time
            default: break
            }
        }
        return kinds
    }()

    /// `TCP_ESTABLISHED` (1) … `TCP_BOUND_INACTIVE` (13), without `TCP_`.
    public static let socketStates = [
        "UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
        "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE",
    ]
    /// `TCP_CA_Open` (0) … `TCP_CA_Loss` (4), without `TCP_CA_`.
    public static let congestionAvoidanceStates = ["Open", "Disorder", "CWR", "Recovery", "Loss"]

    /// A state's name; the number itself when the kernel has a newer one.
    static func name(_ value: UInt32, in names: [String]) -> String? {
        value < names.count ? names[Int(value)] : nil
    }

    /// `2026-12-04T01:08:06.286123456Z`: RFC 3339, UTC, nanoseconds (what
    /// Go's time.RFC3339Nano prints, less its trimmed zeros, so that every
    /// row is as wide). No allocation: written digit by digit.
    static func writeTime(nanoseconds: Int64, to sink: inout TextSink) {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        let fraction = nanoseconds - seconds * 1_000_000_000
        let (year, month, day) = civilDate(daysSinceEpoch: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = seconds - (seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400) * 86_400
        sink.write(digits: year, width: 4)
        sink.bytes.append(UInt8(ascii: "-"))
        sink.write(digits: month, width: 2)
        sink.bytes.append(UInt8(ascii: "-"))
        sink.write(digits: day, width: 2)
        sink.bytes.append(UInt8(ascii: "T"))
        sink.write(digits: secondOfDay / 3600, width: 2)
        sink.bytes.append(UInt8(ascii: ":"))
        sink.write(digits: secondOfDay / 60 % 60, width: 2)
        sink.bytes.append(UInt8(ascii: ":"))
        sink.write(digits: secondOfDay % 60, width: 2)
        sink.bytes.append(UInt8(ascii: "."))
        sink.write(digits: fraction, width: 9)
        sink.bytes.append(UInt8(ascii: "Z"))
    }

    /// Howard Hinnant's days-to-civil: the proleptic Gregorian date of a
    /// day counted from 1970-01-01.
    public static func civilDate(daysSinceEpoch days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
