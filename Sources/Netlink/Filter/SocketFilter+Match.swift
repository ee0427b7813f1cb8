import RecordFmt

extension SocketFilter {
    /// Whether a record's socket passes the filter, as the kernel's
    /// `inet_diag_bc_run` would decide: for messages no bytecode filtered
    /// (close events come by multicast, unfiltered).
    public func matches(_ r: borrowing FlatRecord) -> Bool {
        switch self {
        case .and(let a, let b): return a.matches(r) && b.matches(r)
        case .or(let a, let b): return a.matches(r) || b.matches(r)
        case .not(let a): return !a.matches(r)
        case .port(let side, let comparison, let port):
            let value = UInt16(truncatingIfNeeded: side == .source ? r.inetDiagMsgSocketSourcePort : r.inetDiagMsgSocketDestinationPort)
            switch comparison {
            case .equal: return value == port
            case .notEqual: return value != port
            case .less: return value < port
            case .lessOrEqual: return value <= port
            case .greater: return value > port
            case .greaterOrEqual: return value >= port
            }
        case .host(let side, let prefix):
            let port = side == .source ? r.inetDiagMsgSocketSourcePort : r.inetDiagMsgSocketDestinationPort
            if let wanted = prefix.port, UInt32(wanted) != port { return false }
            return prefix.contains(side == .source ? r.inetDiagMsgSocketSource : r.inetDiagMsgSocketDestination)
        }
    }
}

extension HostPrefix {
    /// Whether `address` lies in the prefix; an IPv4 prefix also holds
    /// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d), as in the kernel.
    func contains(_ address: InetAddressBytes) -> Bool {
        guard let family, prefixLength > 0 else { return true }
        return withUnsafeBytes(of: address.storage) { raw -> Bool in
            var offset = 0
            if family == .inet, address.count == 16 {
                for index in 0..<10 where raw[index] != 0 { return false }
                guard raw[10] == 0xFF, raw[11] == 0xFF else { return false }
                offset = 12
            } else if address.count != self.address.count {
                return false
            }
            var bits = prefixLength
            var index = 0
            while bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if raw[offset + index] & mask != self.address[index] & mask { return false }
                bits -= 8
                index += 1
            }
            return true
        }
    }
}
