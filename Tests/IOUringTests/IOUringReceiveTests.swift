import Glibc
import IOUring
import Platform
import Netlink
import RecordFmt
import Testing
import TestSupport

@Suite("io_uring receives netlink dumps (live kernel)", .serialized)
struct IOUringReceiveTests {
    /// Every socket's cookie from one dump of each family, received with
    /// recv(2) or through a ring.
    func cookies(namespacePath: String, ring: IOUring?) throws -> [UInt64] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 4096)
        defer { buffer.deallocate() }
        var cookies: [UInt64] = []
        for (index, family) in [InetDiagRequest.Family.inet, .inet6].enumerated() {
            let socket = try NetlinkSocket.inNamespace(path: namespacePath)
            let request = InetDiagRequest(family: family, attributes: .defaultSet, sequence: UInt32(7 + index))
            var decoder = DumpDecoder(attributes: .defaultSet)
            var record = FlatRecord()
            guard let ring else {
                let outcome = try socket.dump(request, buffer: buffer, decoder: &decoder, record: &record) {
                    cookies.append($0.inetDiagMsgSocketCookie)
                }
                #expect(outcome == .done)
                continue
            }
            try socket.send(request.bytes)
            decoder.expectedSequence = request.sequence
            var done = false
            while !done {
                #expect(ring.queueReceive(descriptor: socket.fileDescriptor, into: buffer, userData: 42))
                try ring.submit(waitingFor: 1)
                var completions: [IOUring.Completion] = []
                ring.reap { completions.append($0) }
                #expect(completions.count == 1 && completions[0].userData == 42)
                let received = Int(completions.first?.result ?? -1)
                #expect(received > 0, "recv through the ring: \(received)")
                guard received > 0 else { break }
                let progress = decoder.decode(UnsafeRawBufferPointer(rebasing: buffer[0..<received]), into: &record) {
                    cookies.append($0.inetDiagMsgSocketCookie)
                }
                if progress != .more { done = true }
            }
            #expect(decoder.stats.problems == 0)
        }
        return cookies
    }

    @Test("a dump received through a ring decodes to the same sockets as one received with recv(2)")
    func sameSocketsAsRecv() throws {
        try withSocketFarm("port_farm.py", ["10"]) { ns, farm in
            let ring = try IOUring(entries: 64)
            #expect(ring.supports(IOUring.opRecv))
            // Linux 6.18 takes the preferred flags: one issuer, deferred task work.
            #expect(ring.flags == IOUring.preferredFlagSets[0])
            let path = "/run/netns/\(ns.name)"
            let viaRecv = try cookies(namespacePath: path, ring: nil)
            let viaRing = try cookies(namespacePath: path, ring: ring)
            #expect(viaRecv.count == 2 * 10 * 41)
            #expect(Set(viaRing) == Set(viaRecv) && viaRing.count == viaRecv.count)
        }
    }

    /// Every socket's cookie from one dump of each family, each dump
    /// received by one multishot receive into `buffers` provided buffers,
    /// armed again whenever they run out; also how many times it was armed.
    func cookiesByMultishot(namespacePath: String, buffers count: Int) throws -> (cookies: [UInt64], arms: Int) {
        let ring = try IOUring(entries: 8)
        let buffers = try ring.provideBuffers(group: 3, count: count, size: 32 * 1024)
        var cookies: [UInt64] = []
        var arms = 0
        for (index, family) in [InetDiagRequest.Family.inet, .inet6].enumerated() {
            let socket = try NetlinkSocket.inNamespace(path: namespacePath)
            let request = InetDiagRequest(family: family, attributes: .defaultSet, sequence: UInt32(17 + index))
            var decoder = DumpDecoder(attributes: .defaultSet)
            decoder.expectedSequence = request.sequence
            var record = FlatRecord()
            try socket.send(request.bytes)
            var armed = false
            var done = false
            while !done {
                if !armed {
                    #expect(ring.queueMultishotReceive(descriptor: socket.fileDescriptor, buffers: buffers, userData: 9))
                    arms += 1
                    armed = true
                }
                try ring.submit(waitingFor: 1)
                var completions: [IOUring.Completion] = []
                ring.reap { completions.append($0) }
                for completion in completions {
                    armed = completion.hasMore  // the last completion says whether it is still armed
                    if completion.result == -ENOBUFS || done { continue }  // out of buffers: arm again
                    #expect(completion.result > 0, "multishot receive: \(completion.result)")
                    guard completion.result > 0, let id = completion.bufferID else { return (cookies, arms) }
                    let progress = decoder.decode(buffers.contents(of: id, byteCount: Int(completion.result)), into: &record) {
                        cookies.append($0.inetDiagMsgSocketCookie)
                    }
                    buffers.recycle(id)
                    if progress != .more { done = true }
                }
            }
            if armed {
                // Still armed after NLMSG_DONE: cancel it before the socket goes.
                #expect(ring.queueCancel(userData: 9))
                var ended = false
                while !ended {
                    try ring.submit(waitingFor: 1)
                    ring.reap { if $0.userData == 9 && !$0.hasMore { ended = true } }
                }
            }
            #expect(decoder.stats.problems == 0)
        }
        return (cookies, arms)
    }

    @Test("one multishot receive per dump, into provided buffers, decodes to the same sockets as recv(2), however few the buffers")
    func multishotSameSocketsAsRecv() throws {
        try withSocketFarm("port_farm.py", ["10"]) { ns, farm in
            let path = "/run/netns/\(ns.name)"
            let viaRecv = try cookies(namespacePath: path, ring: nil)
            let plenty = try cookiesByMultishot(namespacePath: path, buffers: 16)
            #expect(Set(plenty.cookies) == Set(viaRecv) && plenty.cookies.count == viaRecv.count)
            // 16 buffers hold each family's dump whole: one arming per dump.
            #expect(plenty.arms == 2, "armed \(plenty.arms) times")
            let scarce = try cookiesByMultishot(namespacePath: path, buffers: 1)
            #expect(Set(scarce.cookies) == Set(viaRecv) && scarce.cookies.count == viaRecv.count)
        }
    }

    @Test("a multishot receive stops with -ENOBUFS when the provided buffers run out, and loses nothing when armed again")
    func multishotRunsOutOfBuffers() throws {
        let ring = try IOUring(entries: 8)
        let buffers = try ring.provideBuffers(group: 5, count: 2, size: 64)
        let (receiver, sender) = try UDPPair()
        defer { close(receiver); close(sender) }
        for value in UInt8(1)...5 { try sendByte(value, from: sender) }
        var received: [UInt8] = []
        var endings: [Int32] = []
        while received.count < 5 {
            #expect(ring.queueMultishotReceive(descriptor: receiver, buffers: buffers, userData: 1))
            var armed = true
            while armed {
                try ring.submit(waitingFor: 1)
                ring.reap { completion in
                    armed = completion.hasMore
                    if let id = completion.bufferID {
                        received.append(buffers.contents(of: id, byteCount: Int(completion.result))[0])
                        buffers.recycle(id)
                    }
                    if !completion.hasMore { endings.append(completion.result) }
                }
                if armed && received.count == 5 {
                    #expect(ring.queueCancel(userData: 1))
                }
            }
        }
        #expect(received == [1, 2, 3, 4, 5])
        // Two buffers for five datagrams: out of buffers at least twice, then cancelled.
        #expect(endings.filter { $0 == -ENOBUFS }.count >= 2, "\(endings)")
        #expect(endings.last == -ECANCELED, "\(endings)")
    }

    @Test("a timed wait with nothing to complete returns false after its timeout")
    func timedWait() throws {
        let ring = try IOUring(entries: 8)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try ring.submit(waitingFor: 1, timeout: .milliseconds(50)) == false)
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(45) && elapsed < .seconds(2), "\(elapsed)")
    }

    /// Two UDP sockets on loopback, the first bound and the second
    /// connected to it.
    func UDPPair() throws -> (receiver: Int32, sender: Int32) {
        let receiver = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let sender = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(receiver, $0, length) == 0 && getsockname(receiver, $0, &length) == 0 && connect(sender, $0, length) == 0
            }
        }
        try #require(receiver >= 0 && sender >= 0 && status, "UDP pair: errno \(errno)")
        return (receiver, sender)
    }

    func sendByte(_ value: UInt8, from descriptor: Int32) throws {
        var byte = value
        try #require(send(descriptor, &byte, 1, 0) == 1)
    }

    @Test("a receive with nothing to read ends, cancelled, when its linked timeout fires")
    func linkedTimeout() throws {
        let ring = try IOUring(entries: 8)
        let socket = try NetlinkSocket()  // never asked anything: never readable
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { buffer.deallocate() }
        let clock = ContinuousClock()
        let start = clock.now
        #expect(ring.queueReceive(descriptor: socket.fileDescriptor, into: buffer, userData: 7, timeout: .milliseconds(50)))
        var completions: [IOUring.Completion] = []
        while completions.count < 2 {
            try ring.submit(waitingFor: 1)
            ring.reap { completions.append($0) }
        }
        let elapsed = clock.now - start
        let receive = completions.first { $0.userData == 7 }
        let timer = completions.first { $0.userData == IOUring.linkedTimeoutUserData }
        #expect(receive?.result == -ECANCELED, "\(completions)")
        #expect(timer?.result == -ETIME, "\(completions)")
        #expect(elapsed >= .milliseconds(50) && elapsed < .seconds(2))
    }

    @Test("out of locked memory for the ring (no CAP_IPC_LOCK, RLIMIT_MEMLOCK 0): -ioUring says ENOMEM once and polls through recvmsg")
    func fallsBackWithoutRingMemory() throws {
        let run = try Shell.capture(["setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "prlimit", "--memlock=0",
                                     Paths.xtcp, "-ioUring", "-maxLoops", "1", "-dest", "null", "-namespaces", "own"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.filter { $0.contains("cannot set up a ring") && $0.contains("Cannot allocate memory") }.count == 1, "\(run.stderr)")
        #expect(lines.contains { $0.contains("polling") && $0.contains("shared by every namespace (recvmsg)") && !$0.contains("io_uring") },
                "the start line names the recvmsg path: \(run.stderr)")
        #expect(run.stderr.contains("polls: sockets="), "\(run.stderr)")
    }

    @Test("with io_uring disabled (kernel.io_uring_disabled=2), -ioUring says so once and polls through recvmsg; with -ioUringFallback false it exits 1")
    func fallsBackWhenDisabled() throws {
        let before = try Shell.run(["sysctl", "-n", "kernel.io_uring_disabled"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try Shell.run(["sysctl", "-qw", "kernel.io_uring_disabled=2"])
        defer { _ = try? Shell.run(["sysctl", "-qw", "kernel.io_uring_disabled=\(before)"]) }
        #expect(throws: SystemError.self) { try IOUring(entries: 8) }
        let run = try Shell.capture([Paths.xtcp, "-ioUring", "-maxLoops", "1", "-dest", "null", "-namespaces", "own"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "-ioUring: cannot set up a ring").count == 2, "\(run.stderr)")
        #expect(run.stderr.contains("polls: sockets="), "\(run.stderr)")
        // Rings or nothing: one line, exit 1, no poll.
        let strict = try Shell.capture([Paths.xtcp, "-ioUring", "-ioUringFallback", "false", "-maxLoops", "1", "-dest", "null",
                                        "-namespaces", "own"])
        #expect(strict.status == 1, "\(strict.stderr)")
        #expect(strict.stderr.contains("cannot set up a ring") && strict.stderr.contains("-ioUringFallback is false"), "\(strict.stderr)")
        #expect(!strict.stderr.contains("polls: sockets="), "\(strict.stderr)")
    }
}
