import CProfiler

/// glibc malloc's own statistics (mallinfo2): how much the allocator holds
/// and how much of it is in use. Not a heap profile: it says how much, not
/// who allocated it, and it counts only the main arena and mmap'd blocks
/// in some fields (see mallinfo2(3)).
public enum MallocStatistics {
    /// Bytes allocated and not freed: in the arenas and in mmap'd blocks.
    public static func bytesInUse() -> UInt64 {
        var values = [UInt64](repeating: 0, count: 7)
        xtcp_malloc_statistics(&values)
        return values[4] + values[3]
    }

    public static func text() -> String {
        var values = [UInt64](repeating: 0, count: 7)
        xtcp_malloc_statistics(&values)
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
