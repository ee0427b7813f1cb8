import CPlatform
#if canImport(Glibc)
import Glibc
#endif

/// What an I/O call did: moved this much, or would have had to wait
/// (EAGAIN on a non-blocking descriptor, or a receive timeout ran out).
public enum IOResult<Value: Sendable>: Sendable {
    case processed(Value)
    case wouldBlock
}

extension IOResult: Equatable where Value: Equatable {}

/// Every system call xtcp makes, in one place (swift-nio's `System.swift`
/// style): static functions named after the call, with labels. Each one
///
/// - retries EINTR (`retrying`), so no caller loops on it;
/// - returns EAGAIN as `.wouldBlock` where waiting is a normal outcome (the
///   I/O calls), and throws it elsewhere;
/// - captures errno at once, into a `SystemError` that names the call;
/// - asks `SyscallSeam` first, so that tests can inject faults.
///
/// EFAULT is a programmer error (a bad pointer) and traps with the call's
/// name. EBADF is not trapped, as swift-nio does: xtcp writes to
/// descriptors it inherits (stdout), which the parent may have closed.
public enum Syscall {
    // MARK: The retry helper

    /// Calls `body` until it does not fail with EINTR. A result of -1 is a
    /// failure with `errno`; EAGAIN comes back as `.wouldBlock` where
    /// `wouldBlockIsValue` says waiting is normal, and is thrown elsewhere.
    @inline(__always)
    static func retrying<R: BinaryInteger & Sendable>(
        _ call: SystemCall, descriptor: Int32 = -1, subject: @autoclosure () -> String? = nil, wouldBlockIsValue: Bool = false,
        fault: InjectedFault? = nil, _ body: () -> R
    ) throws(SystemError) -> IOResult<R> {
        // A test's fault, asked for once per call (by the caller when it
        // also limits the call's length): it replaces the first attempt.
        var injected = fault ?? SyscallSeam.fault(call, descriptor)
        while true {
            if case .fail(let errno)? = injected {
                injected = nil
                if errno == EINTR { continue }
                if wouldBlockIsValue, errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
                throw SystemError(call, errno: errno, subject: subject())
            }
            let result = body()
            if result != -1 { return .processed(result) }
            let error = errno
            switch error {
            case EINTR: continue
            case EAGAIN where wouldBlockIsValue: return .wouldBlock
            case EFAULT: preconditionFailure("\(call.rawValue): EFAULT (a bad pointer: a bug in xtcp)")
            default: throw SystemError(call, errno: error, subject: subject())
            }
        }
    }

    /// A call whose EAGAIN is an error too: the value, or a throw.
    @inline(__always)
    static func checked<R: BinaryInteger & Sendable>(
        _ call: SystemCall, descriptor: Int32 = -1, subject: @autoclosure () -> String? = nil, _ body: () -> R
    ) throws(SystemError) -> R {
        guard case .processed(let value) = try retrying(call, descriptor: descriptor, subject: subject(), body) else {
            preconditionFailure("unreachable: EAGAIN is thrown here")
        }
        return value
    }

    /// A read or write's fault, asked for once, and the length it may move:
    /// all of it, unless the fault is a short transfer.
    @inline(__always)
    static func transfer(_ count: Int, _ call: SystemCall, _ descriptor: Int32) -> (count: Int, fault: InjectedFault?) {
        let fault = SyscallSeam.fault(call, descriptor)
        if case .shortTransfer(let most)? = fault { return (min(count, max(0, most)), nil) }
        return (count, fault)
    }

    /// For calls that return -errno instead of setting errno (liburing's):
    /// the same retry of EINTR and the same seam. A result of `-accepting`
    /// is returned as it is (an expected outcome, such as -ETIME for a
    /// wait that timed out); any other negative result is thrown.
    public static func negatedErrno(_ call: SystemCall, accepting: Int32? = nil, _ body: () -> Int32) throws(SystemError) -> Int32 {
        while true {
            if let fault = SyscallSeam.fault(call, -1), case .fail(let injected) = fault {
                if injected == EINTR { continue }
                if injected == accepting { return -injected }
                throw SystemError(call, errno: injected)
            }
            let result = body()
            if result >= 0 { return result }
            if result == -EINTR { continue }
            if let accepting, result == -accepting { return result }
            throw SystemError(call, errno: -result)
        }
    }

    // MARK: Files

    /// open(2). O_CLOEXEC is always added.
    public static func open(path: String, flags: Int32, mode: mode_t = 0) throws(SystemError) -> FileDescriptor {
        FileDescriptor(adopting: try checked(.open, subject: path) { Glibc.open(path, flags | O_CLOEXEC, mode) })
    }

    /// close(2), once: on Linux the descriptor is gone even when close
    /// fails, so EINTR is not retried. What it says is returned, for the
    /// few callers that report it (a file's last write error).
    @discardableResult
    public static func close(descriptor: Int32) -> Int32? {
        Glibc.close(descriptor) == 0 ? nil : errno
    }

    public static func read(descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        let (count, fault) = transfer(buffer.count, .read, descriptor)
        return try retrying(.read, descriptor: descriptor, wouldBlockIsValue: true, fault: fault) { Glibc.read(descriptor, buffer.baseAddress, count) }
    }

    public static func pread(descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, offset: Int64) throws(SystemError) -> Int {
        let (count, fault) = transfer(buffer.count, .pread, descriptor)
        guard case .processed(let read) = try retrying(.pread, descriptor: descriptor, fault: fault, {
            Glibc.pread(descriptor, buffer.baseAddress, count, off_t(offset))
        }) else { preconditionFailure("unreachable: EAGAIN is thrown here") }
        return read
    }

    public static func write(descriptor: Int32, bytes: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        let (count, fault) = transfer(bytes.count, .write, descriptor)
        return try retrying(.write, descriptor: descriptor, wouldBlockIsValue: true, fault: fault) { Glibc.write(descriptor, bytes.baseAddress, count) }
    }

    /// Writes all of `bytes`, continuing after short writes. A descriptor
    /// that would block (non-blocking, full) is an error here: EAGAIN.
    public static func writeAll(descriptor: Int32, bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            guard case .processed(let count) = try write(descriptor: descriptor, bytes: UnsafeRawBufferPointer(rebasing: bytes[offset...])) else {
                throw SystemError(.write, errno: EAGAIN)
            }
            offset += count
        }
    }

    /// `writeAll` of an array's bytes.
    public static func writeAll(descriptor: Int32, bytes: [UInt8]) throws(SystemError) {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(SystemError) in try writeAll(descriptor: descriptor, bytes: raw) }
        }.get()
    }

    /// What stat(2) says of a file, in the parts xtcp asks about.
    public struct FileStatus: Sendable, Equatable {
        public var inode: UInt64
        public var device: UInt64
        public var owner: UInt32
        /// The file type and permission bits (st_mode).
        public var mode: UInt32
        public var size: Int64

        init(_ info: Glibc.stat) {
            inode = UInt64(info.st_ino)
            device = UInt64(info.st_dev)
            owner = info.st_uid
            mode = info.st_mode
            size = Int64(info.st_size)
        }

        public var isRegularFile: Bool { mode & S_IFMT == S_IFREG }
        public var isFIFO: Bool { mode & S_IFMT == S_IFIFO }
        public var isSocket: Bool { mode & S_IFMT == S_IFSOCK }
    }

    /// Whether `descriptor` is a terminal (isatty(3)).
    public static func isTerminal(descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// What `path` names (stat follows /proc's magic links to the
    /// namespace itself).
    public static func fileStatus(path: String) throws(SystemError) -> FileStatus {
        var info = Glibc.stat()
        _ = try checked(.stat, subject: path) { stat(path, &info) }
        return FileStatus(info)
    }

    /// What an open descriptor names (fstat).
    public static func fileStatus(descriptor: Int32) throws(SystemError) -> FileStatus {
        var info = Glibc.stat()
        _ = try checked(.stat, descriptor: descriptor) { fstat(descriptor, &info) }
        return FileStatus(info)
    }

    /// Cuts the file to `length` bytes (ftruncate).
    public static func truncate(descriptor: Int32, length: Int64) throws(SystemError) {
        _ = try checked(.ftruncate, descriptor: descriptor) { ftruncate(descriptor, off_t(length)) }
    }

    public static func fcntl(descriptor: Int32, command: Int32, value: Int32 = 0) throws(SystemError) -> Int32 {
        try checked(.fcntl, descriptor: descriptor) { Glibc.fcntl(descriptor, command, value) }
    }

    /// pipe2(O_CLOEXEC).
    public static func pipe() throws(SystemError) -> Pipe {
        var ends: [Int32] = [-1, -1]
        _ = try checked(.pipe) { xtcp_platform_pipe_cloexec(&ends) }
        return Pipe(read: FileDescriptor(adopting: ends[0]), write: FileDescriptor(adopting: ends[1]))
    }

    /// A pipe's two ends, each owned.
    public struct Pipe: ~Copyable {
        public var read: FileDescriptor
        public var write: FileDescriptor
    }

    // MARK: Sockets

    /// socket(2), close-on-exec.
    public static func socket(domain: Int32, type: Int32, protocol: Int32 = 0) throws(SystemError) -> FileDescriptor {
        FileDescriptor(adopting: try checked(.socket) { Glibc.socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), `protocol`) })
    }

    public static func bind(descriptor: Int32, address: UnsafePointer<sockaddr>, length: socklen_t) throws(SystemError) {
        _ = try checked(.bind, descriptor: descriptor) { Glibc.bind(descriptor, address, length) }
    }

    public static func connect(descriptor: Int32, address: UnsafePointer<sockaddr>, length: socklen_t) throws(SystemError) {
        _ = try checked(.connect, descriptor: descriptor) { Glibc.connect(descriptor, address, length) }
    }

    public static func listen(descriptor: Int32, backlog: Int32) throws(SystemError) {
        _ = try checked(.listen, descriptor: descriptor) { Glibc.listen(descriptor, backlog) }
    }

    /// SIOCOUTQ: the bytes of a socket's send queue its peer has not taken:
    /// for TCP, not yet acknowledged; for a unix stream, the memory of the
    /// buffers not yet read (an upper bound of their bytes).
    public static func sendQueueBytes(descriptor: Int32) throws(SystemError) -> Int {
        var bytes: Int32 = 0
        _ = try checked(.ioctl, descriptor: descriptor) { xtcp_platform_send_queue_bytes(descriptor, &bytes) }
        return Int(bytes)
    }

    /// What ETHTOOL_GDRVINFO says of an interface: its driver, the
    /// driver's version, the firmware's, and the bus address.
    public static func ethtoolDriverInfo(descriptor: Int32, interface: String)
        throws(SystemError) -> (driver: String, version: String, firmware: String, bus: String) {
        var driver = [CChar](repeating: 0, count: 32), version = driver, firmware = driver, bus = driver
        _ = try checked(.ioctl, descriptor: descriptor, subject: interface) {
            // Safe: each buffer is the 32 bytes the C side writes at most.
            xtcp_platform_ethtool_drvinfo(descriptor, interface, &driver, &version, &firmware, &bus)
        }
        func text(_ chars: [CChar]) -> String { String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return (text(driver), text(version), text(firmware), text(bus))
    }

    /// accept4(SOCK_CLOEXEC); nil on a non-blocking listener with nobody
    /// waiting.
    public static func accept(descriptor: Int32) throws(SystemError) -> FileDescriptor? {
        switch try retrying(.accept, descriptor: descriptor, wouldBlockIsValue: true, { xtcp_platform_accept_cloexec(descriptor) }) {
        case .processed(let fd): return FileDescriptor(adopting: fd)
        case .wouldBlock: return nil
        }
    }

    /// The port a bound socket got (sin_port and sin6_port sit alike).
    public static func boundPort(descriptor: Int32) throws(SystemError) -> UInt16 {
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        // Safe: sockaddr_storage holds any address getsockname returns.
        _ = try checked(.getsockname, descriptor: descriptor) {
            withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        }
        return withUnsafeBytes(of: &bound) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
    }

    public static func send(descriptor: Int32, bytes: UnsafeRawBufferPointer, flags: Int32 = Int32(MSG_NOSIGNAL)) throws(SystemError) -> IOResult<Int> {
        let (count, fault) = transfer(bytes.count, .send, descriptor)
        return try retrying(.send, descriptor: descriptor, wouldBlockIsValue: true, fault: fault) { Glibc.send(descriptor, bytes.baseAddress, count, flags) }
    }

    /// sendto(2): one datagram to `address` on an unconnected socket.
    public static func sendTo(descriptor: Int32, bytes: UnsafeRawBufferPointer, address: UnsafePointer<sockaddr>, length: socklen_t,
                              flags: Int32 = Int32(MSG_NOSIGNAL)) throws(SystemError) -> IOResult<Int> {
        try retrying(.send, descriptor: descriptor, wouldBlockIsValue: true, fault: nil) {
            Glibc.sendto(descriptor, bytes.baseAddress, bytes.count, flags, address, length)
        }
    }

    /// `send` of an array's bytes.
    public static func send(descriptor: Int32, bytes: [UInt8], flags: Int32 = Int32(MSG_NOSIGNAL)) throws(SystemError) -> IOResult<Int> {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(SystemError) in try send(descriptor: descriptor, bytes: raw, flags: flags) }
        }.get()
    }

    public static func recv(descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, flags: Int32 = 0) throws(SystemError) -> IOResult<Int> {
        let (count, fault) = transfer(buffer.count, .recv, descriptor)
        return try retrying(.recv, descriptor: descriptor, wouldBlockIsValue: true, fault: fault) { Glibc.recv(descriptor, buffer.baseAddress, count, flags) }
    }

    /// One datagram, and whether it was longer than the buffer (MSG_TRUNC:
    /// the rest is lost). `.wouldBlock` when a receive timeout ran out.
    public static func receiveDatagram(descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError)
        -> IOResult<(count: Int, truncated: Bool)>
    {
        let (count, fault) = transfer(buffer.count, .recvmsg, descriptor)
        var vector = iovec(iov_base: buffer.baseAddress, iov_len: count)
        var truncated = false
        let result = try retrying(.recvmsg, descriptor: descriptor, wouldBlockIsValue: true, fault: fault) { () -> Int in
            // Safe: `vector` outlives the call, and the message names no
            // other memory.
            withUnsafeMutablePointer(to: &vector) { vector -> Int in
                var message = msghdr()
                message.msg_iov = vector
                message.msg_iovlen = 1
                let n = Glibc.recvmsg(descriptor, &message, 0)
                truncated = message.msg_flags & Int32(MSG_TRUNC) != 0
                return n
            }
        }
        switch result {
        case .processed(let n): return .processed((n, truncated))
        case .wouldBlock: return .wouldBlock
        }
    }

    /// Up to `lengths.count` datagrams without waiting (recvmmsg), into
    /// consecutive `slot`-byte slots of `buffer`: see
    /// `xtcp_platform_recvmmsg`. `.wouldBlock` when none is waiting.
    public static func receiveDatagrams(descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, slot: Int,
                                        lengths: UnsafeMutableBufferPointer<UInt32>,
                                        truncated: UnsafeMutableBufferPointer<UInt8>) throws(SystemError) -> IOResult<Int> {
        precondition(slot > 0 && buffer.count >= slot * lengths.count && truncated.count >= lengths.count)
        return try retrying(.recvmmsg, descriptor: descriptor, wouldBlockIsValue: true) {
            Int(xtcp_platform_recvmmsg(descriptor, buffer.baseAddress!, UInt32(slot), UInt32(lengths.count), lengths.baseAddress!, truncated.baseAddress!))
        }
    }

    public static func setsockopt<T: BitwiseCopyable>(descriptor: Int32, level: Int32, option: Int32, value: T, name: @autoclosure () -> String) throws(SystemError) {
        var value = value
        _ = try checked(.setsockopt, descriptor: descriptor, subject: name()) {
            Glibc.setsockopt(descriptor, level, option, &value, socklen_t(MemoryLayout<T>.size))
        }
    }

    /// getsockopt into `value`'s bytes; returns how many the kernel wrote.
    public static func getsockopt(descriptor: Int32, level: Int32, option: Int32, into value: UnsafeMutableRawBufferPointer,
                                  name: @autoclosure () -> String) throws(SystemError) -> Int {
        var length = socklen_t(value.count)
        _ = try checked(.getsockopt, descriptor: descriptor, subject: name()) {
            Glibc.getsockopt(descriptor, level, option, value.baseAddress, &length)
        }
        return Int(length)
    }

    /// Sets a receive (SO_RCVTIMEO) or send (SO_SNDTIMEO) timeout.
    public static func setTimeout(descriptor: Int32, option: Int32, _ timeout: Duration) throws(SystemError) {
        let (seconds, attoseconds) = timeout.components
        let value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        try setsockopt(descriptor: descriptor, level: SOL_SOCKET, option: option,
                       value: value, name: option == SO_RCVTIMEO ? "SO_RCVTIMEO" : "SO_SNDTIMEO")
    }

    /// poll(2) on `descriptors` until one is ready or `milliseconds` pass
    /// (-1: forever); the number ready (0: time ran out).
    public static func poll(_ descriptors: inout [pollfd], milliseconds: Int32) throws(SystemError) -> Int {
        let count = nfds_t(descriptors.count)
        return try descriptors.withUnsafeMutableBufferPointer { (fds) throws(SystemError) -> Int in
            Int(try checked(.poll) { Glibc.poll(fds.baseAddress, count, milliseconds) })
        }
    }

    // MARK: epoll and inotify

    public static func epollCreate() throws(SystemError) -> FileDescriptor {
        FileDescriptor(adopting: try checked(.epollCreate) { xtcp_platform_epoll_create() })
    }

    /// Watches `descriptor` for input, or with `output` for room to write.
    public static func epollAdd(epoll: Int32, descriptor: Int32, token: UInt64, output: Bool = false) throws(SystemError) {
        _ = try checked(.epollCtl, descriptor: descriptor, subject: "ADD") { xtcp_platform_epoll_add(epoll, descriptor, token, output ? 1 : 0) }
    }

    public static func epollModify(epoll: Int32, descriptor: Int32, token: UInt64, output: Bool) throws(SystemError) {
        _ = try checked(.epollCtl, descriptor: descriptor, subject: "MOD") { xtcp_platform_epoll_modify(epoll, descriptor, token, output ? 1 : 0) }
    }

    public static func epollRemove(epoll: Int32, descriptor: Int32) {
        _ = try? checked(.epollCtl, descriptor: descriptor, subject: "DEL") { xtcp_platform_epoll_remove(epoll, descriptor) }
    }

    /// Tokens of descriptors with input, at most `tokens.count`, within
    /// `milliseconds`; 0 when the time ran out. EINTR is a short wait:
    /// returned as 0 rather than retried, so that a caller's deadline holds.
    public static func epollWait(epoll: Int32, tokens: UnsafeMutableBufferPointer<UInt64>, milliseconds: Int32) -> Int {
        let count = xtcp_platform_epoll_wait(epoll, tokens.baseAddress!, Int32(tokens.count), milliseconds)
        return count > 0 ? Int(count) : 0
    }

    public static func inotifyInit(flags: Int32) throws(SystemError) -> FileDescriptor {
        FileDescriptor(adopting: try checked(.inotifyInit) { inotify_init1(flags | Int32(IN_CLOEXEC)) })
    }

    public static func inotifyAddWatch(descriptor: Int32, path: String, events: UInt32) throws(SystemError) {
        _ = try checked(.inotifyAddWatch, descriptor: descriptor, subject: path) { inotify_add_watch(descriptor, path, events) }
    }

    // MARK: Namespaces, time

    /// setns(fd, CLONE_NEWNET) for the calling thread; `subject` names the
    /// namespace file in the error.
    public static func enterNetworkNamespace(descriptor: Int32, subject: String) throws(SystemError) {
        _ = try checked(.setns, descriptor: descriptor, subject: subject) { xtcp_platform_enter_network_namespace(descriptor) }
    }

    /// Sleeps `duration`, all of it (an interrupted sleep goes on with what
    /// is left).
    public static func sleep(_ duration: Duration) {
        var wait = timespec(duration)
        var remaining = timespec()
        while nanosleep(&wait, &remaining) != 0, errno == EINTR { wait = remaining }
    }

    /// Waits up to `timeout` for one of `signals` (blocked in every thread);
    /// the signal taken, or nil when the time ran out. An interruption by
    /// another signal is a short wait: nil.
    public static func waitForSignal(_ signals: sigset_t, timeout: Duration) -> Int32? {
        var signals = signals
        var wait = timespec(timeout)
        let taken = sigtimedwait(&signals, nil, &wait)
        return taken > 0 ? taken : nil
    }
}
