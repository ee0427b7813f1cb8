/// How a netlinker receives its dumps: with recvmsg (`RecvReceiver`) or
/// through an io_uring ring (`RingReceiver`). Either only feeds the
/// netlinker's `DumpSession`: a job to start, each datagram, a stall or a
/// failed receive. Everything else (decoding, selection, batching, how a
/// dump ended, counting) is the session's.
protocol DumpReceiver: AnyObject {
    /// The netlinker threads' names: `xtcp-nl-0`, `xtcp-ring-0`.
    var threadPrefix: String { get }
    /// Runs on the netlinker's thread before its first poll (a
    /// single-issuer ring must be made by the thread that uses it).
    func setUp() throws
    /// Receives the dump of every job of this poll into `session`.
    func dump(_ jobs: [DumpJob], poll ticket: PollTicket, into session: DumpSession)
}

extension DumpReceiver {
    func setUp() throws {}
}
