import Platform
#if canImport(Glibc)
import Glibc
#endif

/// The id this namespace has given another (what `ip netns list-id` shows):
/// RTM_GETNSID on a route netlink socket, naming the other namespace by an
/// open file (NETNSA_FD). Nil when none is assigned (the kernel answers -1)
/// or the question fails: xtcp reads ids, it never assigns them.
public enum NamespaceID {
    static let getNSID: UInt16 = 90       // RTM_GETNSID
    static let newNSID: UInt16 = 88       // RTM_NEWNSID
    static let attributeNSID: UInt16 = 1  // NETNSA_NSID (s32)
    static let attributeFD: UInt16 = 3    // NETNSA_FD (u32)

    public static func lookup(namespaceFile path: String) -> UInt32? {
        guard let namespace = try? Syscall.open(path: path, flags: O_RDONLY),
              let route = try? Syscall.socket(domain: AF_NETLINK, type: Int32(SOCK_RAW.rawValue)) else { return nil }  // NETLINK_ROUTE
        try? Syscall.setTimeout(descriptor: route.rawValue, option: SO_RCVTIMEO, .seconds(1))

        // nlmsghdr (16) + rtgenmsg padded (4) + one u32 attribute (8).
        var request = [UInt8](repeating: 0, count: 28)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { request.replaceSubrange(offset..<offset + $0.count, with: $0) }
        }
        put(UInt32(28), at: 0)
        put(getNSID, at: 4)
        put(UInt16(1), at: 6)            // NLM_F_REQUEST
        put(UInt32(1), at: 8)            // sequence
        put(UInt16(8), at: 20)           // nla_len
        put(attributeFD, at: 22)
        put(UInt32(bitPattern: namespace.rawValue), at: 24)
        guard case .processed(request.count)? = try? Syscall.send(descriptor: route.rawValue, bytes: request, flags: 0) else { return nil }

        var reply = [UInt8](repeating: 0, count: 1024)
        let fd = route.rawValue
        guard case .processed(let count)? = reply.withUnsafeMutableBytes({ try? Syscall.recv(descriptor: fd, into: $0) }), count >= 20
        else { return nil }
        return reply.withUnsafeBytes { raw -> UInt32? in
            // Safe: every read below is bounds-checked against `count`.
            guard raw.load(fromByteOffset: 4, as: UInt16.self) == newNSID else { return nil }
            let length = min(Int(raw.load(fromByteOffset: 0, as: UInt32.self)), count)
            var offset = 20
            while offset + 4 <= length {
                let attributeLength = Int(raw.load(fromByteOffset: offset, as: UInt16.self))
                let type = raw.load(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff
                guard attributeLength >= 4, offset + attributeLength <= length else { return nil }
                if type == attributeNSID, attributeLength >= 8 {
                    let id = raw.loadUnaligned(fromByteOffset: offset + 4, as: Int32.self)
                    return id >= 0 ? UInt32(id) : nil
                }
                offset += (attributeLength + 3) & ~3
            }
            return nil
        }
    }
}
