@_implementationOnly import CURing  // as in IOUring.swift: CURing must not reach importers
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// A ring of provided buffers (IORING_REGISTER_PBUF_RING, Linux 5.19): a
/// receive that selects its buffer (a multishot one must) takes the next
/// free one, and its completion names it (`Completion.bufferID`). The owner
/// hands each buffer back with `recycle` once it has read it. Owned by the
/// ring's thread, like the ring.
public final class ProvidedBuffers {
    /// The buffer group id receives name in their submission.
    public let group: UInt16
    /// Buffers in the ring (a power of two) and the bytes of each.
    public let count: Int
    public let size: Int
    /// The ring of buffer descriptors the kernel reads (`io_uring_buf_ring`,
    /// page aligned as registration requires), and the buffers themselves.
    private let descriptors: UnsafeMutableRawPointer
    private let memory: UnsafeMutableRawBufferPointer
    private var bufferRing: UnsafeMutablePointer<io_uring_buf_ring> { descriptors.assumingMemoryBound(to: io_uring_buf_ring.self) }

    /// Registers `count` (rounded up to a power of two) buffers of `size`
    /// bytes as group `group` of `ring`; throws when the kernel refuses
    /// (before 5.19, or out of locked memory).
    init(ring: IOUring, group: UInt16, count requested: Int, size: Int) throws(SystemError) {
        var count = 1
        while count < requested { count <<= 1 }
        self.group = group
        self.count = count
        self.size = size
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let descriptorBytes = count * MemoryLayout<io_uring_buf>.stride
        descriptors = UnsafeMutableRawPointer.allocate(byteCount: descriptorBytes, alignment: page)
        descriptors.initializeMemory(as: UInt8.self, repeating: 0, count: descriptorBytes)
        memory = UnsafeMutableRawBufferPointer.allocate(byteCount: count * size, alignment: page)
        var registration = io_uring_buf_reg()
        registration.ring_addr = UInt64(UInt(bitPattern: descriptors))
        registration.ring_entries = UInt32(count)
        registration.bgid = group
        let result = io_uring_register_buf_ring(ring.ring, &registration, 0)
        guard result == 0 else {
            descriptors.deallocate()
            memory.deallocate()
            throw SystemError(.ioUringRegisterBuffers, errno: -result, subject: "\(count) × \(size) bytes")
        }
        io_uring_buf_ring_init(bufferRing)
        for id in 0..<count { add(UInt16(id), at: id) }
        io_uring_buf_ring_advance(bufferRing, Int32(count))
    }

    /// Freed only after the ring is torn down (`IOUring` keeps every
    /// `ProvidedBuffers` it registered until its own deinit), so the kernel
    /// never writes into freed memory.
    deinit {
        descriptors.deallocate()
        memory.deallocate()
    }

    /// The first `byteCount` bytes of buffer `id`, which a completion named.
    public func contents(of id: UInt16, byteCount: Int) -> UnsafeRawBufferPointer {
        // Safe: `id` comes from the kernel's completion, below `count`, and
        // `byteCount` is the completion's result, at most `size`.
        UnsafeRawBufferPointer(start: memory.baseAddress! + Int(id) * size, count: min(byteCount, size))
    }

    /// Hands buffer `id` back to the kernel.
    public func recycle(_ id: UInt16) {
        add(id, at: 0)
        io_uring_buf_ring_advance(bufferRing, 1)
    }

    private func add(_ id: UInt16, at offset: Int) {
        io_uring_buf_ring_add(bufferRing, memory.baseAddress! + Int(id) * size, UInt32(size), id,
                              io_uring_buf_ring_mask(UInt32(count)), Int32(offset))
    }
}

extension IOUring {
    /// Registers a ring of `count` provided buffers of `size` bytes as
    /// group `group` (see `ProvidedBuffers`); the ring keeps it alive.
    public func provideBuffers(group: UInt16, count: Int, size: Int) throws(SystemError) -> ProvidedBuffers {
        let buffers = try ProvidedBuffers(ring: self, group: group, count: count, size: size)
        bufferRings.append(buffers)
        return buffers
    }
}
