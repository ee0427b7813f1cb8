import Netlink

/// Fields of /proc/self/status (`Name:\tvalue`) from one read of the file,
/// each value trimmed; a field that cannot be read is absent.
func procSelfStatus(_ names: Set<String>) -> [String: Substring] { ProcFiles.statusFields("/proc/self/status", names) }

/// One field of /proc/self/status; nil when it cannot be read.
func procSelfStatus(_ name: String) -> Substring? { procSelfStatus([name])[name] }
