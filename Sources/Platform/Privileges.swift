/// The capabilities xtcp has, read from /proc/self/status, checked at start
/// so that a missing one is one clear line (exit 4) instead of records that
/// are silently incomplete.
public struct Privileges: Sendable {
    /// The effective capability set, as a bit mask (bit n = capability n).
    public var effective: UInt64

    /// CAP_NET_ADMIN: the kernel sends socket marks (INET_DIAG_MARK) and
    /// class ids only to a dumper that has it.
    public static let netAdmin = 12

    /// This process's; none when /proc/self/status cannot be read.
    public static func current() -> Privileges {
        Privileges(effective: ProcFiles.selfStatus("CapEff").flatMap { UInt64($0, radix: 16) } ?? 0)
    }

    /// CAP_SYS_ADMIN: setns into another namespace. CAP_SYS_PTRACE: open
    /// /proc/PID/ns/net of another user's process.
    public static let sysAdmin = 21
    public static let sysPtrace = 19

    /// What is missing to poll other namespaces, in one phrase; nil if nothing.
    public var missingForOtherNamespaces: String? {
        let missing = [(Self.sysAdmin, "CAP_SYS_ADMIN"), (Self.sysPtrace, "CAP_SYS_PTRACE")].filter { !has($0.0) }.map(\.1)
        return missing.isEmpty ? nil : "missing \(missing.joined(separator: " and ")) to enter other namespaces"
    }

    public func has(_ capability: Int) -> Bool { effective & (1 << UInt64(capability)) != 0 }

    /// Polling needs CAP_NET_ADMIN (complete records).
    public func requireForPolling() throws {
        guard has(Self.netAdmin) else {
            throw InsufficientPrivilege(
                description: "polling needs CAP_NET_ADMIN (the kernel withholds socket marks without it): run xtcp as root, "
                    + "or give it CAP_NET_ADMIN (and CAP_SYS_ADMIN and CAP_SYS_PTRACE for other namespaces)")
        }
    }
}

/// Exit code 4.
public struct InsufficientPrivilege: Error, CustomStringConvertible {
    public var description: String
}
