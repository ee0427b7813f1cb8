import RecordFmt

/// `-changesOnly`: what was last sent for each socket of one shard of one
/// namespace, keyed by socket cookie, so that a poll sends only the sockets
/// that changed significantly since their last record.
///
/// Significant: the TCP state and congestion state, the queues, cwnd and
/// ssthresh, and every counter of traffic and loss (bytes, segments,
/// retransmissions, deliveries, reordering, RTOs), compared exactly; the
/// smoothed RTT when it moved by more than `rttPercent` from the value last
/// sent. Not significant: the `last_*` timers, rates and windows, which move
/// on an idle socket or follow the counters.
///
/// Memory: one 16-byte entry per socket in a Swift Dictionary keyed by the
/// 8-byte cookie (24 bytes a slot at a load of 3/8 to 3/4): measured by
/// ChangeOnlyTests at under 80 bytes per socket. An entry is dropped after
/// the first complete dump that no longer sees its socket.
struct ChangeTable {
    struct Entry {
        /// A hash of the fields compared exactly.
        var fingerprint: UInt64
        /// tcpi_rtt (µs) when the socket was last sent.
        var rtt: UInt32
        /// The last dump that saw the socket.
        var seen: UInt32
    }

    let rttPercent: UInt32
    private var entries: [UInt64: Entry] = [:]
    private var dump: UInt32 = 0
    /// Cookies to drop, kept to reuse its storage.
    private var stale: [UInt64] = []
    /// No dump has completed yet: the next one sends every socket.
    private var isFresh = true

    init(rttPercent: Int) {
        self.rttPercent = UInt32(rttPercent)
    }

    var count: Int { entries.count }

    /// Starts a dump. Returns whether it sends every socket: when it is a
    /// snapshot poll's, or no dump has completed yet.
    @discardableResult
    mutating func begin(snapshot: Bool = false) -> Bool {
        dump &+= 1
        return snapshot || isFresh
    }

    /// Whether `record` should be sent: always on a full poll, else when it
    /// is new or changed significantly. Remembers what is sent.
    mutating func shouldSend(_ record: borrowing FlatRecord, full: Bool) -> Bool {
        let fresh = Entry(fingerprint: Self.fingerprint(record), rtt: record.tcpInfoRtt, seen: dump)
        // One hash lookup whatever the case (a changed socket cost two,
        // 0.89 to 0.92 times the time: pgo-notes.md). A socket not in the
        // table starts from an entry whose fingerprint cannot match, so it
        // is sent.
        return Self.update(&entries[record.inetDiagMsgSocketCookie, default: Entry(fingerprint: ~fresh.fingerprint, rtt: 0, seen: 0)],
                           to: fresh, full: full, rttPercent: rttPercent)
    }

    private static func update(_ entry: inout Entry, to fresh: Entry, full: Bool, rttPercent: UInt32) -> Bool {
        if !full, entry.fingerprint == fresh.fingerprint, !rttMoved(from: entry.rtt, to: fresh.rtt, percent: rttPercent) {
            entry.seen = fresh.seen
            return false
        }
        entry = fresh
        return true
    }

    /// Ends a dump: when it saw every socket, forgets those it did not see
    /// (closed). An incomplete dump forgets nothing.
    mutating func end(complete: Bool) {
        guard complete else { return }
        isFresh = false
        stale.removeAll(keepingCapacity: true)
        for (cookie, entry) in entries where entry.seen != dump { stale.append(cookie) }
        for cookie in stale { entries.removeValue(forKey: cookie) }
    }

    static func rttMoved(from old: UInt32, to new: UInt32, percent: UInt32) -> Bool {
        let difference = UInt64(old > new ? old - new : new - old)
        return difference * 100 > UInt64(percent) * UInt64(old)
    }

    /// A 64-bit mix of the exactly compared fields (a collision would hide
    /// one change of one socket until its next: odds of 2^-64 each).
    static func fingerprint(_ r: borrowing FlatRecord) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func mix(_ value: UInt64) {
            h = (h ^ value) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
        }
        mix(UInt64(r.inetDiagMsgState) | UInt64(r.tcpInfoCaState) << 8 | UInt64(r.tcpInfoRetransmits) << 16
            | UInt64(r.tcpInfoProbes) << 24 | UInt64(r.tcpInfoBackoff) << 32)
        mix(UInt64(r.inetDiagMsgRqueue) | UInt64(r.inetDiagMsgWqueue) << 32)
        mix(UInt64(r.tcpInfoSndCwnd) | UInt64(r.tcpInfoSndSsthresh) << 32)
        mix(r.tcpInfoBytesAcked)
        mix(r.tcpInfoBytesReceived)
        mix(r.tcpInfoBytesSent)
        mix(r.tcpInfoBytesRetrans)
        mix(UInt64(r.tcpInfoSegsOut) | UInt64(r.tcpInfoSegsIn) << 32)
        mix(UInt64(r.tcpInfoDataSegsOut) | UInt64(r.tcpInfoDataSegsIn) << 32)
        mix(UInt64(r.tcpInfoTotalRetrans) | UInt64(r.tcpInfoLost) << 32)
        mix(UInt64(r.tcpInfoRetrans) | UInt64(r.tcpInfoUnacked) << 32)
        mix(UInt64(r.tcpInfoDelivered) | UInt64(r.tcpInfoDeliveredCe) << 32)
        mix(UInt64(r.tcpInfoDsackDups) | UInt64(r.tcpInfoReordSeen) << 32)
        mix(UInt64(r.tcpInfoRcvOoopack) | UInt64(r.tcpInfoTotalRto) << 32)
        mix(UInt64(r.tcpInfoTotalRtoRecoveries) | UInt64(r.shutdownState) << 32)
        return h
    }
}
