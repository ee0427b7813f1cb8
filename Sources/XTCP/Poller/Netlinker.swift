import Dispatch

/// One OS thread that, at each poll, dumps the jobs dealt to it (shards of
/// any number of namespaces) through its receiver into its own session,
/// which decodes straight from the receive buffer into its own record and
/// envelope. Nothing on its path is shared but the destination's write.
final class Netlinker: @unchecked Sendable {  // its state is touched by its thread only, between semaphores
    let id: Int
    let session: DumpSession
    let receiver: any DumpReceiver
    private let worker: PollWorker
    /// The jobs of the next poll (set by the poller between polls).
    var jobs: [DumpJob] = []
    /// The last poll's counts and problems; read by the poller after
    /// `finished` is signalled.
    private(set) var result: (counts: PollCounts, problems: [String]) = (PollCounts(), [])

    init(id: Int, session: DumpSession, receiver: any DumpReceiver, finished: DispatchSemaphore) {
        self.id = id
        self.session = session
        self.receiver = receiver
        worker = PollWorker(finished: finished)
    }

    /// Starts the thread and sets its receiver up there; throws what the
    /// setup threw.
    func startThread() throws {
        try worker.launch(name: "\(receiver.threadPrefix)-\(id)", setUp: receiver.setUp) { [self] ticket in
            session.beginPoll(deadline: ticket.deadline)
            receiver.dump(jobs, poll: ticket, into: session)
            result = session.endPoll()
        }
    }

    /// Starts a poll; `finished` is signalled when it is done.
    func begin(_ ticket: PollTicket) { worker.begin(ticket) }

    /// Ends the thread after the poll in progress, if any.
    func stop() { worker.stop() }
}
