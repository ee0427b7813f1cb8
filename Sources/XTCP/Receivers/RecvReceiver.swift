import Netlink
import Platform

/// The recvmsg receive path: one dump at a time, each on its own socket,
/// read with a blocking receive whose timeout (SO_RCVTIMEO, `-nltimeout`)
/// says it stalled. Its jobs come from every namespace, so the threads do
/// not grow with namespaces. Also `-capture`'s dump, with the session's tap
/// recording each datagram.
final class RecvReceiver: DumpReceiver {
    let threadPrefix = "xtcp-nl"
    private let buffer: UnsafeMutableRawBufferPointer

    init(packetSize: Int) {
        buffer = .allocate(byteCount: packetSize, alignment: 4096)
    }

    deinit { buffer.deallocate() }

    func dump(_ jobs: [DumpJob], poll ticket: PollTicket, into session: DumpSession) {
        for job in jobs { dump(job, poll: ticket, into: session) }
    }

    private func dump(_ job: DumpJob, poll ticket: PollTicket, into session: DumpSession) {
        guard let socket = session.start(job, poll: ticket) else { return }
        while true {
            do {
                guard case .bytes(let count) = try socket.receive(into: buffer) else { return session.stalled(job) }
                if session.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), for: job) == .ended { return }
            } catch {
                return session.receiveFailed(job, errno: error.errno)
            }
        }
    }
}
