import Netlink
import RecordFmt

/// Which rows a session keeps of what it decodes, where the kernel did not
/// choose already: `-filter` and `-states` are compiled into each dump's
/// request, so a live dump's selection is empty; close events (multicast
/// is not filtered) and a replayed capture (taken unfiltered) apply them
/// here, with the same meaning (`SocketFilter.matches` is tested against
/// the kernel's and ss's choices).
struct RowSelection: Sendable {
    var filter: SocketFilter?
    var states: TCPStateSet?

    static let everything = RowSelection()

    @inline(__always)
    func keeps(_ row: borrowing FlatRecord) -> Bool {
        if let states, !states.contains(state: row.inetDiagMsgState) { return false }
        if let filter, !filter.matches(row) { return false }
        return true
    }
}
