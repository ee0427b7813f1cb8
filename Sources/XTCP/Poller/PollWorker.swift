import Dispatch
import Platform

/// A netlinker's OS thread and its hand-over with the poller: the thread
/// waits for `begin`, runs the poll, signals `finished` (shared by a
/// poller's netlinkers, which it waits on once per netlinker), and waits
/// again until `stop`.
final class PollWorker: @unchecked Sendable {  // `ticket` and `stopping` are written before `start` is signalled, read after
    private let start = DispatchSemaphore(value: 0)
    private let finished: DispatchSemaphore
    private var ticket: PollTicket?
    private var stopping = false
    private var thread: OSThread?

    init(finished: DispatchSemaphore) {
        self.finished = finished
    }

    /// Starts the thread named `name`. `setUp` runs on it first (what must
    /// be made on the thread that uses it); if it throws, the thread ends
    /// and this throws the same error. Then `poll` runs once per `begin`.
    func launch(name: String, setUp: @escaping () throws -> Void = {}, poll: @escaping (PollTicket) -> Void) throws {
        let ready = DispatchSemaphore(value: 0)
        final class Outcome: @unchecked Sendable { var error: (any Error)? }  // written before `ready` is signalled, read after
        let outcome = Outcome()
        thread = try OSThread(name: name) { [self] in
            do { try setUp() } catch { outcome.error = error }
            ready.signal()
            guard outcome.error == nil else { return }
            while true {
                start.wait()
                if stopping { return }
                guard let ticket else { continue }
                poll(ticket)
                finished.signal()
            }
        }
        ready.wait()
        if let error = outcome.error {
            thread?.join()
            throw error
        }
    }

    /// Starts a poll; `finished` is signalled when it is done.
    func begin(_ ticket: PollTicket) {
        self.ticket = ticket
        start.signal()
    }

    /// Ends the thread after the poll in progress, if any.
    func stop() {
        stopping = true
        start.signal()
        thread?.join()
    }
}
