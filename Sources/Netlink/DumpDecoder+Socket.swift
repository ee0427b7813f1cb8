import CKernelABI
import RecordFmt

extension DumpDecoder {
    /// Fills the per-socket fields of `record` from one SOCK_DIAG_BY_FAMILY
    /// payload: the inet_diag_msg, then its attributes. The caller checked
    /// that `length` ≥ sizeof(inet_diag_msg) bytes are readable at `msg`.
    @inlinable
    mutating func decodeSocket(_ msg: UnsafeRawPointer, length: Int, into r: inout FlatRecord) {
        // struct inet_diag_msg (72 bytes); offsets checked in kernel_abi_checks.c.
        let family = RawBytes.u8(msg, 0)
        r.inetDiagMsgFamily = UInt32(family)
        r.inetDiagMsgState = UInt32(RawBytes.u8(msg, 1))
        r.inetDiagMsgTimer = UInt32(RawBytes.u8(msg, 2))
        r.inetDiagMsgRetrans = UInt32(RawBytes.u8(msg, 3))
        r.inetDiagMsgSocketSourcePort = UInt32(UInt16(bigEndian: RawBytes.u16(msg, 4)))
        r.inetDiagMsgSocketDestinationPort = UInt32(UInt16(bigEndian: RawBytes.u16(msg, 6)))
        if family == 10 {  // AF_INET6
            r.inetDiagMsgSocketSource = .ipv6(high: RawBytes.u64(msg, 8), low: RawBytes.u64(msg, 16))
            r.inetDiagMsgSocketDestination = .ipv6(high: RawBytes.u64(msg, 24), low: RawBytes.u64(msg, 32))
        } else {
            r.inetDiagMsgSocketSource = .ipv4(networkOrder: RawBytes.u32(msg, 8))
            r.inetDiagMsgSocketDestination = .ipv4(networkOrder: RawBytes.u32(msg, 24))
        }
        r.inetDiagMsgSocketInterface = RawBytes.u32(msg, 40)
        r.inetDiagMsgSocketCookie = UInt64(RawBytes.u32(msg, 44)) | UInt64(RawBytes.u32(msg, 48)) << 32
        r.inetDiagMsgExpires = RawBytes.u32(msg, 52)
        r.inetDiagMsgRqueue = RawBytes.u32(msg, 56)
        r.inetDiagMsgWqueue = RawBytes.u32(msg, 60)
        r.inetDiagMsgUid = RawBytes.u32(msg, 64)
        r.inetDiagMsgInode = RawBytes.u32(msg, 68)

        // Attributes: struct rtattr { u16 len; u16 type; } + payload, 4-aligned.
        var offset = MemoryLayout<xtcp_inet_diag_msg>.size
        var remaining = length &- offset
        while remaining >= 4 {
            let attribute = msg + offset
            let attributeLength = Int(RawBytes.u16(attribute, 0))
            guard attributeLength >= 4, attributeLength <= remaining else {
                stats.malformedAttributes &+= 1
                return
            }
            let type = RawBytes.u16(attribute, 2) & UInt16(XTCP_NLA_TYPE_MASK)
            if attributes.contains(type: type) {
                decodeAttribute(type: type, payload: attribute + 4, length: attributeLength &- 4, into: &r)
            } else if !DiagAttributeSet.all.contains(type: type) {
                stats.unknownAttributes &+= 1
            }
            let advance = min(RawBytes.align4(attributeLength), remaining)
            offset &+= advance
            remaining &-= advance
        }
    }

    /// The fewest payload bytes each fixed-size attribute needs; shorter ones
    /// are counted and skipped before any field is read. INFO and CONG take
    /// any length (tcp_info is zero-filled, the name stops at the end).
    @inlinable
    static func minimumPayload(type: UInt16) -> Int {
        switch Int32(type) {
        case Int32(XTCP_INET_DIAG_MEMINFO), Int32(XTCP_INET_DIAG_VEGASINFO), Int32(XTCP_INET_DIAG_DCTCPINFO): return 16
        case Int32(XTCP_INET_DIAG_BBRINFO): return 20
        case Int32(XTCP_INET_DIAG_SKMEMINFO): return 32  // SK_MEMINFO_BACKLOG and before
        case Int32(XTCP_INET_DIAG_CGROUP_ID): return 8
        case Int32(XTCP_INET_DIAG_MARK), Int32(XTCP_INET_DIAG_CLASS_ID): return 4
        case Int32(XTCP_INET_DIAG_SOCKOPT): return 2
        case Int32(XTCP_INET_DIAG_TOS), Int32(XTCP_INET_DIAG_TCLASS), Int32(XTCP_INET_DIAG_SHUTDOWN), Int32(XTCP_INET_DIAG_SKV6ONLY): return 1
        default: return 0
        }
    }

    /// One known attribute; `length` payload bytes are readable at `p`.
    @inlinable
    mutating func decodeAttribute(type: UInt16, payload p: UnsafeRawPointer, length: Int, into r: inout FlatRecord) {
        guard length >= Self.minimumPayload(type: type) else {
            stats.shortAttributes &+= 1
            return
        }
        switch Int32(type) {
        case Int32(XTCP_INET_DIAG_INFO):
            decodeTCPInfo(p, length: length, into: &r)
        case Int32(XTCP_INET_DIAG_CONG):
            decodeCongestion(p, length: length, into: &r)
        case Int32(XTCP_INET_DIAG_SKMEMINFO):
            // A u32 array whose length tells how many SK_MEMINFO_* the kernel has.
            let count = length / 4
            r.skMemInfoRmemAlloc = RawBytes.u32(p, 0)
            r.skMemInfoRcvBuf = RawBytes.u32(p, 4)
            r.skMemInfoWmemAlloc = RawBytes.u32(p, 8)
            r.skMemInfoSndBuf = RawBytes.u32(p, 12)
            r.skMemInfoFwdAlloc = RawBytes.u32(p, 16)
            r.skMemInfoWmemQueued = RawBytes.u32(p, 20)
            r.skMemInfoOptmem = RawBytes.u32(p, 24)
            r.skMemInfoBacklog = RawBytes.u32(p, 28)
            if count >= 9 { r.skMemInfoDrops = RawBytes.u32(p, 32) }
        case Int32(XTCP_INET_DIAG_MEMINFO):
            r.memInfoRmem = RawBytes.u32(p, 0)
            r.memInfoWmem = RawBytes.u32(p, 4)
            r.memInfoFmem = RawBytes.u32(p, 8)
            r.memInfoTmem = RawBytes.u32(p, 12)
        case Int32(XTCP_INET_DIAG_TOS):
            r.typeOfService = UInt32(RawBytes.u8(p, 0))
        case Int32(XTCP_INET_DIAG_TCLASS):
            r.trafficClass = UInt32(RawBytes.u8(p, 0))
        case Int32(XTCP_INET_DIAG_SHUTDOWN):
            r.shutdownState = UInt32(RawBytes.u8(p, 0))
        case Int32(XTCP_INET_DIAG_SKV6ONLY):
            r.skv6only = UInt32(RawBytes.u8(p, 0))
        case Int32(XTCP_INET_DIAG_VEGASINFO):
            r.vegasInfoEnabled = RawBytes.u32(p, 0)
            r.vegasInfoRttCnt = RawBytes.u32(p, 4)
            r.vegasInfoRtt = RawBytes.u32(p, 8)
            r.vegasInfoMinRtt = RawBytes.u32(p, 12)
        case Int32(XTCP_INET_DIAG_DCTCPINFO):
            r.dctcpInfoEnabled = UInt32(RawBytes.u16(p, 0))
            r.dctcpInfoCeState = UInt32(RawBytes.u16(p, 2))
            r.dctcpInfoAlpha = RawBytes.u32(p, 4)
            r.dctcpInfoAbEcn = RawBytes.u32(p, 8)
            r.dctcpInfoAbTot = RawBytes.u32(p, 12)
        case Int32(XTCP_INET_DIAG_BBRINFO):
            r.bbrInfoBwLo = RawBytes.u32(p, 0)
            r.bbrInfoBwHi = RawBytes.u32(p, 4)
            r.bbrInfoMinRtt = RawBytes.u32(p, 8)
            r.bbrInfoPacingGain = RawBytes.u32(p, 12)
            r.bbrInfoCwndGain = RawBytes.u32(p, 16)
        case Int32(XTCP_INET_DIAG_MARK):
            r.mark = RawBytes.u32(p, 0)
        case Int32(XTCP_INET_DIAG_CLASS_ID):
            r.classId = RawBytes.u32(p, 0)
        case Int32(XTCP_INET_DIAG_CGROUP_ID):
            r.cGroup = RawBytes.u64(p, 0)
        case Int32(XTCP_INET_DIAG_SOCKOPT):
            // struct inet_diag_sockopt: 16 bits of flags, kept as they come.
            r.sockOpt = UInt32(RawBytes.u16(p, 0))
        default:
            break
        }
    }

    /// INET_DIAG_CONG: the algorithm's name, NUL-terminated, at most 16 bytes.
    @inlinable
    mutating func decodeCongestion(_ p: UnsafeRawPointer, length: Int, into r: inout FlatRecord) {
        var nameLength = 0
        while nameLength < length, nameLength < 16, RawBytes.u8(p, nameLength) != 0 { nameLength &+= 1 }
        let name = UnsafeRawBufferPointer(start: p, count: nameLength)
        let known = CongestionName.lookup(name)
        r.congestionAlgorithmEnum = known.algorithm
        // Names up to 15 bytes are stored inline in a Swift String: no allocation.
        r.congestionAlgorithmString = known.name ?? String(decoding: name, as: UTF8.self)
    }
}
