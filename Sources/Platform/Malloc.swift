import CPlatform

/// glibc malloc's knobs and figures.
public enum Malloc {
    /// Allocations of at least `bytes` are mmapped and go back to the kernel
    /// when freed (a fixed threshold: glibc's sliding one moves freed large
    /// blocks to the heap, where they fragment and stay).
    public static func fixMmapThreshold(bytes: Int) { _ = xtcp_platform_malloc_fix_mmap_threshold(Int32(bytes)) }

    /// Gives free heap pages back to the kernel now.
    public static func trim() { _ = xtcp_platform_malloc_trim() }
}

/// glibc malloc's own statistics (mallinfo2): how much the allocator holds
/// and how much of it is in use. Not a heap profile: it says how much, not
/// who allocated it, and it counts only the main arena and mmap'd blocks
/// in some fields (see mallinfo2(3)).
public enum MallocStatistics {
    /// Bytes allocated and not freed: in the arenas and in mmap'd blocks.
    public static func bytesInUse() -> UInt64 {
        var values = [UInt64](repeating: 0, count: 7)
        xtcp_platform_malloc_statistics(&values)
        return values[4] + values[3]
    }

    public static func text() -> String {
        var values = [UInt64](repeating: 0, count: 7)
        xtcp_platform_malloc_statistics(&values)
        let rows = [
            ("arena", "bytes obtained from the system with brk/sbrk (main arena)", values[0]),
            ("ordblks", "free chunks", values[1]),
            ("hblks", "blocks allocated with mmap", values[2]),
            ("hblkhd", "bytes in blocks allocated with mmap", values[3]),
            ("uordblks", "bytes in use (allocated, not mmap'd)", values[4]),
            ("fordblks", "bytes free in the arenas", values[5]),
            ("keepcost", "releasable bytes at the top of the heap", values[6]),
        ]
        var out = "# glibc malloc statistics (mallinfo2); not a sampled heap profile: amounts, not call sites\n"
        for (name, meaning, value) in rows { out += "\(name) \(value)\t# \(meaning)\n" }
        return out
    }
}

/// CPUs this process may run on (its affinity mask: a cpuset counts).
public enum CPUs {
    public static var available: Int { Int(xtcp_platform_available_cpus()) }
}
