import Netlink
import Platform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A fake of the kernel's sock_diag for the in-process test tier: each
/// socket it hands out is one end of a SOCK_SEQPACKET socket pair (which
/// keeps datagram boundaries, as netlink does), and a thread of the fake
/// answers the other end request by request, as `script` says: canned
/// multipart replies, NLMSG_ERROR with an errno, NLM_F_DUMP_INTR, a stall,
/// a slow dump. A namespace in `vanished` cannot be opened, as a file that
/// is gone cannot (`open: ENOENT`). Close-event subscriptions are socket
/// pairs too, into which a test emits destroy messages.
///
/// This stands in for the kernel where a real one cannot be made to fail
/// on demand; the live-kernel suite runs the same paths against the real one.
public final class FakeKernel: @unchecked Sendable {  // mutable state is behind `state`
    /// How the fake answers one dump request.
    public enum Answer: Sendable, Equatable {
        /// This many sockets, `perDatagram` to a datagram, then NLMSG_DONE;
        /// each message flagged NLM_F_DUMP_INTR when `interrupted`.
        case sockets(Int, perDatagram: Int = 16, interrupted: Bool = false)
        /// NLMSG_ERROR with this errno, nothing else.
        case error(Int32)
        /// This many sockets, then nothing more: the dump stalls.
        case stall(afterSockets: Int)
        /// This many sockets, one datagram of one socket every `pause`,
        /// then NLMSG_DONE: a dump that outlasts a deadline.
        case slow(Int, pause: Duration)
    }

    /// What to answer namespace `namespace`'s request for `family` (2 or
    /// 10), its `dump`-th request for that family (from 0, on whichever
    /// socket: a replaced one goes on counting).
    public typealias Script = @Sendable (_ namespace: String, _ family: UInt8, _ dump: Int) -> Answer

    private struct State {
        var vanished: Set<String> = []
        var requests = 0
        var dumps: [String: Int] = [:]
        var opened: [String: Int] = [:]
        var subscriptions: [String: Int32] = [:]
        var kernelEnds: [Int32] = []
        var threads: [OSThread] = []
    }

    private let script: Script
    private let state = Mutex(State())

    public init(script: @escaping Script) {
        self.script = script
    }

    deinit { stop() }

    /// Namespaces whose sockets can no longer be opened.
    public func vanish(_ namespace: String) { state.withLock { _ = $0.vanished.insert(namespace) } }

    /// Dump requests answered so far.
    public var requests: Int { state.withLock { $0.requests } }

    /// Sockets opened in `namespace` so far (a dump that stalled or failed
    /// has its socket replaced: one more).
    public func socketsOpened(in namespace: String) -> Int { state.withLock { $0.opened[namespace] ?? 0 } }

    /// A dump socket in `namespace`, answered by the script.
    public func open(namespace: String) throws -> NetlinkSocket {
        if state.withLock({ $0.vanished.contains(namespace) }) {
            throw SystemError(.open, errno: ENOENT, subject: "/fake/netns/\(namespace)")
        }
        let (ours, theirs) = try Self.socketPair()
        state.withLock { state in
            state.opened[namespace, default: 0] += 1
            state.kernelEnds.append(ours)
        }
        let thread = try OSThread(name: "fake-kernel") { [self] in serve(ours, namespace: namespace) }
        state.withLock { $0.threads.append(thread) }
        return NetlinkSocket(adopting: FileDescriptor(adopting: theirs))
    }

    /// A close-event subscription in `namespace`: what `emitCloses` writes
    /// to it arrives as the kernel's destroy messages do, one a datagram.
    public func subscribe(namespace: String) throws -> NetlinkSocket {
        if state.withLock({ $0.vanished.contains(namespace) }) {
            throw SystemError(.open, errno: ENOENT, subject: "/fake/netns/\(namespace)")
        }
        let (ours, theirs) = try Self.socketPair()
        state.withLock { state in
            state.subscriptions[namespace] = ours
            state.kernelEnds.append(ours)
        }
        return NetlinkSocket(adopting: FileDescriptor(adopting: theirs))
    }

    /// Sends `count` destroy messages into `namespace`'s subscription
    /// (sockets numbered from `first`); with `oversized`, one more
    /// message longer than any receive slot.
    public func emitCloses(_ namespace: String, count: Int, first: Int = 0, oversized: Bool = false) {
        guard let fd = state.withLock({ $0.subscriptions[namespace] }) else { return }
        for i in first..<(first + count) {
            send(fd, Self.socketMessage(family: i % 2 == 0 ? 2 : 10, sequence: 0, namespace: namespace, index: i, flags: 0))
        }
        if oversized { send(fd, Self.socketMessage(family: 2, sequence: 0, namespace: namespace, index: first + count, flags: 0, padding: 4096)) }
    }

    /// Ends every thread of the fake (each sees its socket shut).
    public func stop() {
        let (ends, threads) = state.withLock { state in
            defer {
                state.kernelEnds.removeAll()
                state.threads.removeAll()
            }
            return (state.kernelEnds, state.threads)
        }
        for fd in ends { shutdown(fd, Int32(SHUT_RDWR)) }
        for thread in threads { thread.join() }
        for fd in ends { close(fd) }
    }

    // MARK: The kernel's side

    private func serve(_ fd: Int32, namespace: String) {
        var request = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &request, request.count, 0)
            guard count >= 20 else { return }  // EOF: the daemon closed its end
            let sequence = request.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) }
            let family = request[16]
            let dump = state.withLock { state in
                state.requests += 1
                defer { state.dumps["\(namespace) \(family)", default: 0] += 1 }
                return state.dumps["\(namespace) \(family)", default: 0]
            }
            let answer = script(namespace, family, dump)
            switch answer {
            case .sockets(let sockets, let perDatagram, let interrupted):
                let flags: UInt16 = 0x2 | (interrupted ? 0x10 : 0)  // NLM_F_MULTI, NLM_F_DUMP_INTR
                var next = 0
                while next < sockets {
                    let last = min(sockets, next + perDatagram)
                    send(fd, (next..<last).flatMap { Self.socketMessage(family: family, sequence: sequence, namespace: namespace, index: $0, flags: flags) })
                    next = last
                }
                send(fd, Self.done(sequence: sequence, flags: flags))
            case .error(let errno):
                send(fd, Self.error(errno, sequence: sequence))
            case .stall(let sockets):
                if sockets > 0 {
                    send(fd, (0..<sockets).flatMap { Self.socketMessage(family: family, sequence: sequence, namespace: namespace, index: $0, flags: 0x2) })
                }
            case .slow(let sockets, let pause):
                for i in 0..<sockets {
                    send(fd, Self.socketMessage(family: family, sequence: sequence, namespace: namespace, index: i, flags: 0x2))
                    Syscall.sleep(pause)
                }
                send(fd, Self.done(sequence: sequence, flags: 0x2))
            }
        }
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw SystemError(.socket, errno: errno, subject: "socketpair")
        }
        return (fds[0], fds[1])
    }

    // MARK: Messages, as the kernel lays them out

    /// The cookie of socket `index` of `namespace` and `family`: the same
    /// at every poll, distinct across namespaces and families.
    public static func cookie(namespace: String, family: UInt8, index: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in namespace.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (hash & 0xFFFF_FFFF_0000_0000) | UInt64(family) << 24 | UInt64(index)
    }

    /// The source port of socket `index`: 40000 on.
    public static func sourcePort(index: Int) -> UInt16 { UInt16(40_000 + index % 20_000) }

    /// A SOCK_DIAG_BY_FAMILY reply: nlmsghdr, inet_diag_msg (ESTABLISHED,
    /// loopback, destination port 80) and an INET_DIAG_INFO of the newest
    /// tcp_info's length, then `padding` bytes of an attribute xtcp skips.
    /// `accecnWord` is tcp_info's u32 at 248, whose layout is the kernel's
    /// (6.18: u16 accecn_fail_mode, u16 accecn_opt_seen; 7.0: bit fields).
    public static func socketMessage(family: UInt8, sequence: UInt32, namespace: String, index: Int, flags: UInt16, padding: Int = 0,
                                     accecnWord: UInt32 = 0) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: 16 + 72 + 4 + 280 + (padding > 0 ? 4 + padding : 0))
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { message.replaceSubrange(offset..<offset + $0.count, with: $0) }
        }
        put(UInt32(message.count), at: 0)
        put(UInt16(20), at: 4)  // SOCK_DIAG_BY_FAMILY
        put(flags, at: 6)
        put(sequence, at: 8)
        let diag = 16
        message[diag] = family
        message[diag + 1] = 1  // TCP_ESTABLISHED
        put(sourcePort(index: index).bigEndian, at: diag + 4)
        put(UInt16(80).bigEndian, at: diag + 6)
        if family == 2 {
            put(UInt32(0x7F00_0001).bigEndian, at: diag + 8)
            put(UInt32(0x7F00_0001).bigEndian, at: diag + 24)
        } else {
            message[diag + 8 + 15] = 1  // ::1
            message[diag + 24 + 15] = 1
        }
        let cookie = cookie(namespace: namespace, family: family, index: index)
        put(UInt32(truncatingIfNeeded: cookie), at: diag + 44)
        put(UInt32(truncatingIfNeeded: cookie >> 32), at: diag + 48)
        let info = diag + 72
        put(UInt16(4 + 280), at: info)
        put(UInt16(2), at: info + 2)  // INET_DIAG_INFO
        message[info + 4] = 1  // tcpi_state
        put(accecnWord, at: info + 4 + 248)
        if padding > 0 {
            put(UInt16(4 + padding), at: info + 4 + 280)
            put(UInt16(200), at: info + 4 + 280 + 2)  // a type no kernel sends yet
        }
        return message
    }

    public static func done(sequence: UInt32, flags: UInt16 = 0x2) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: 20)
        withUnsafeBytes(of: UInt32(20).littleEndian) { message.replaceSubrange(0..<4, with: $0) }
        withUnsafeBytes(of: UInt16(3).littleEndian) { message.replaceSubrange(4..<6, with: $0) }  // NLMSG_DONE
        withUnsafeBytes(of: flags.littleEndian) { message.replaceSubrange(6..<8, with: $0) }
        withUnsafeBytes(of: sequence.littleEndian) { message.replaceSubrange(8..<12, with: $0) }
        return message
    }

    /// NLMSG_ERROR: `struct nlmsgerr { int error; struct nlmsghdr msg; }`.
    public static func error(_ errno: Int32, sequence: UInt32) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: 36)
        withUnsafeBytes(of: UInt32(36).littleEndian) { message.replaceSubrange(0..<4, with: $0) }
        withUnsafeBytes(of: UInt16(2).littleEndian) { message.replaceSubrange(4..<6, with: $0) }  // NLMSG_ERROR
        withUnsafeBytes(of: sequence.littleEndian) { message.replaceSubrange(8..<12, with: $0) }
        withUnsafeBytes(of: (-errno).littleEndian) { message.replaceSubrange(16..<20, with: $0) }
        return message
    }
}

/// A seam interposer for the fake-kernel tier: makes the next `times`
/// calls of one kind (on one descriptor, or any) fail with `errno`.
public final class FaultInjector: SyscallInterposer, @unchecked Sendable {  // `rules` is behind a Mutex
    private struct Rule {
        var call: SystemCall
        var descriptor: Int32?
        var fault: InjectedFault
        var times: Int
    }

    private let rules = Mutex<[Rule]>([])
    private let injected = Atomic<Int>(0)

    public init() {}

    /// The next `times` calls of `call` (on `descriptor`, if given) meet `fault`.
    public func add(_ call: SystemCall, descriptor: Int32? = nil, _ fault: InjectedFault, times: Int = 1) {
        rules.withLock { $0.append(Rule(call: call, descriptor: descriptor, fault: fault, times: times)) }
    }

    /// Faults made so far.
    public var count: Int { injected.load(ordering: .relaxed) }

    public func fault(for call: SystemCall, descriptor: Int32) -> InjectedFault? {
        let fault = rules.withLock { rules -> InjectedFault? in
            guard let index = rules.firstIndex(where: { $0.call == call && $0.times > 0 && ($0.descriptor == nil || $0.descriptor == descriptor) })
            else { return nil }
            rules[index].times -= 1
            return rules[index].fault
        }
        if fault != nil { injected.wrappingAdd(1, ordering: .relaxed) }
        return fault
    }
}
