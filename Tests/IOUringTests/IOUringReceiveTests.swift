import Glibc
import IOUring
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
        let ns = try TestNamespace()
        defer { ns.remove() }
        let farm = try SocketFarm(in: ns, script: "port_farm.py", arguments: ["10"])
        defer { farm.stop() }
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

    @Test("with io_uring disabled (kernel.io_uring_disabled=2), -ioUring says so once and polls through recvmsg")
    func fallsBackWhenDisabled() throws {
        let before = try Shell.run(["sysctl", "-n", "kernel.io_uring_disabled"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try Shell.run(["sysctl", "-qw", "kernel.io_uring_disabled=2"])
        defer { _ = try? Shell.run(["sysctl", "-qw", "kernel.io_uring_disabled=\(before)"]) }
        #expect(throws: IOUring.SystemError.self) { try IOUring(entries: 8) }
        let run = try Shell.capture([Paths.xtcp, "-ioUring", "-maxLoops", "1", "-dest", "null", "-namespaces", "own"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "-ioUring: cannot set up a ring").count == 2, "\(run.stderr)")
        #expect(run.stderr.contains("polls: sockets="), "\(run.stderr)")
    }
}
