import CKernelABI

/// The inet_diag reply attributes xtcp decodes (`-deserializers`).
///
/// The first eight are asked for with a bit in `idiag_ext` (bit = type - 1);
/// the kernel sends the others unasked when it has them (MARK and some others
/// only to CAP_NET_ADMIN). A disabled attribute is skipped unread.
public enum DiagAttribute: UInt16, CaseIterable, Sendable {
    case meminfo = 1
    case info = 2
    case vegasinfo = 3
    case cong = 4
    case tos = 5
    case tclass = 6
    case skmeminfo = 7
    case shutdown = 8
    case dctcpinfo = 9
    case skv6only = 11
    case mark = 15
    case bbrinfo = 16
    case classid = 17
    case cgroupid = 21
    case sockopt = 22

    /// The name `-deserializers` takes.
    public var name: String { String(describing: self) }

    /// The `idiag_ext` bit that asks the kernel for this attribute, if any.
    /// DCTCP and BBR info come back for the VEGASINFO bit (the congestion
    /// module's get_info answers it with its own attribute type).
    public var requestExtBit: UInt8 {
        switch self {
        case .meminfo, .info, .vegasinfo, .cong, .tos, .tclass, .skmeminfo, .shutdown:
            return 1 << UInt8(rawValue - 1)
        case .dctcpinfo, .bbrinfo:
            return 1 << UInt8(DiagAttribute.vegasinfo.rawValue - 1)
        default:
            return 0
        }
    }
}

/// A set of enabled attribute decoders.
public struct DiagAttributeSet: Sendable, Equatable {
    public var bits: UInt32

    public init(_ attributes: [DiagAttribute]) {
        bits = attributes.reduce(0) { $0 | 1 << UInt32($1.rawValue) }
    }

    /// Everything but MEMINFO, as xtcp2 does: SKMEMINFO carries the same and more.
    public static let defaultSet = DiagAttributeSet(DiagAttribute.allCases.filter { $0 != .meminfo })
    public static let all = DiagAttributeSet(DiagAttribute.allCases)

    @inlinable
    public func contains(type: UInt16) -> Bool { type < 32 && bits & (1 << UInt32(type)) != 0 }

    public func contains(_ attribute: DiagAttribute) -> Bool { contains(type: attribute.rawValue) }

    public var members: [DiagAttribute] { DiagAttribute.allCases.filter { contains($0) } }

    /// `idiag_ext` for a request that should bring back these attributes.
    public var requestExt: UInt8 { members.reduce(0) { $0 | $1.requestExtBit } }

    public struct ParseError: Error, CustomStringConvertible {
        public var name: String
        public var description: String {
            "unknown deserializer \"\(name)\"; known: \(DiagAttribute.allCases.map(\.name).joined(separator: ","))"
        }
    }

    /// Parses `-deserializers`: a comma-separated list of names, or "all".
    public init(parsing list: String) throws {
        let names = list.split(separator: ",").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
        if names == ["all"] {
            self = .all
            return
        }
        var attributes: [DiagAttribute] = []
        for name in names {
            guard let attribute = DiagAttribute.allCases.first(where: { $0.name == name.lowercased() }) else {
                throw ParseError(name: name)
            }
            attributes.append(attribute)
        }
        self.init(attributes)
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

extension DiagAttributeSet: CustomStringConvertible {
    /// What `-deserializers` would take to give this set back.
    public var description: String { self == .all ? "all" : members.map(\.name).joined(separator: ",") }
}
