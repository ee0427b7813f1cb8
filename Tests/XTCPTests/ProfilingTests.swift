import Foundation
import Testing
import TestSupport

@Suite("The profiling endpoints and -profile.mode (live kernel, go tool pprof)", .serialized)
struct ProfilingTests {
    func probe(_ namespace: TestNamespace, _ port: Int, _ path: String) throws -> String {
        try Shell.run(namespace.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "\(port)", "get", path]))
    }

    /// `go tool pprof -top`'s rows (flat, flat%, sum%, cum, cum%, name), in its order.
    func pprofTop(_ file: String, cumulative: Bool = false) throws -> (rows: [String], text: String) {
        let top = try Shell.capture(["go", "tool", "pprof", "-top"] + (cumulative ? ["-cum"] : []) + [file])
        #expect(top.status == 0, "go tool pprof: \(top.stderr)")
        let rows = top.stdout.split(separator: "\n").drop { !$0.contains("flat%") }.dropFirst().map(String.init)
        return (rows, top.stdout)
    }

    @Test("a 5 s profile of a busy farm names the decoder and encoder; polling and /metrics go on meanwhile; threads, malloc, index")
    func profileOfABusyFarm() throws {
        try withTestNamespace { ns in
            // 10,002 sockets polled every 250 ms (a debug build takes about 100 ms a poll):
            // busy enough for 100 Hz samples to find the decoder.
            let farm = try SocketFarm(in: ns, script: "loopback_farm.py", arguments: ["5000", "127.0.0.1", "900"])
            defer { farm.stop() }
            let port = 19_190
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "250ms", "-pollJitterPct", "0",
                                                "-dest", "null", "-promListen", "127.0.0.1:\(port)"]), readsStderr: true)
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil, "\(xtcp.lines)")

            let file = NSTemporaryDirectory() + "xtcp-profile-\(getpid()).pb.gz"
            defer { try? FileManager.default.removeItem(atPath: file) }
            let started = Date()
            let request = try LineProcess(ns.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "\(port)",
                                                    "save", "/debug/pprof/profile?seconds=5", file]))
            // While it samples (longer than the listener's 2 s request timeout):
            // metrics still answer, and a second profile is refused.
            Thread.sleep(forTimeInterval: 1)
            #expect(try probe(ns, port, "/metrics").hasPrefix("200\n"))
            #expect(try probe(ns, port, "/debug/pprof/profile?seconds=1").hasPrefix("409\n"))
            let threads = try probe(ns, port, "/debug/pprof/threads")
            #expect(threads.hasPrefix("200\n") && threads.contains("\"xtcp-nl-0\"") && threads.contains("XTCP.PollWorker"), "\(threads)")
            #expect(request.waitForLine { _ in true } == "200")
            #expect(request.finish() == 0)
            #expect(Date().timeIntervalSince(started) >= 5)

            // The file is a gzipped profile.proto that pprof reads unchanged,
            // with xtcp's own functions named and demangled.
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)).prefix(2) == Data([0x1F, 0x8B]))
            let (flat, text) = try pprofTop(file)
            #expect(text.contains("Type: cpu") && text.contains("Duration: 5"), "\(text)")
            let (cumulative, _) = try pprofTop(file, cumulative: true)
            let top = Array(flat.prefix(25)) + Array(cumulative.prefix(25))
            #expect(top.contains { $0.contains("Netlink.DumpDecoder.decode") }, "\(text)")
            #expect(top.contains { $0.contains("RecordFmt.") && $0.contains("encode") }, "\(text)")
            #expect(!text.contains("$s"), "every Swift name demangled")

            // The other endpoints, and polling undisturbed by all of it.
            #expect(try probe(ns, port, "/debug/pprof/").contains("/debug/pprof/profile"))
            let malloc = try probe(ns, port, "/debug/pprof/malloc")
            #expect(malloc.hasPrefix("200\n") && malloc.contains("not a sampled heap profile") && malloc.contains("uordblks "))
            #expect(try probe(ns, port, "/debug/pprof/heap").hasPrefix("404\n"))
            #expect(try probe(ns, port, "/debug/pprof/profile?seconds=0").hasPrefix("400\n"))
            #expect(try probe(ns, port, "/debug/pprof/profile?hz=5000&seconds=1").hasPrefix("400\n"))
            #expect(xtcp.waitForLine { $0.hasPrefix("poll ") && $0.contains("sockets=") } != nil)
            #expect(!xtcp.lines.contains { $0.contains("dumpsStalled") || $0.contains("dumpsTimedOut") || $0.contains("xtcp: ") && !$0.contains("polling") },
                    "\(xtcp.lines)")
        }
    }

    @Test("-profile.mode cpu writes the whole run's profile at the end; a path that cannot be written is an error at start")
    func wholeRun() throws {
        try withSocketFarm("loopback_farm.py", ["2000", "127.0.0.1", "900"]) { ns, farm in
            let file = NSTemporaryDirectory() + "xtcp-run-\(getpid()).pb.gz"
            defer { try? FileManager.default.removeItem(atPath: file) }
            let run = try Shell.capture(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "50ms", "-maxLoops", "40", "-dest", "null",
                                                 "-promListen", "off", "-profile.mode", "cpu", "-profile.path", file]))
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("CPU profile of the run:") && run.stderr.contains("written to \(file)"), "\(run.stderr)")
            let (flat, text) = try pprofTop(file, cumulative: true)
            #expect(flat.contains { $0.contains("XTCP.RecvReceiver.dump") }, "\(text)")

            let unwritable = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-dest", "null", "-promListen", "off",
                                                "-profile.mode", "cpu", "-profile.path", "/nonexistent/dir/cpu.pb.gz"])
            #expect(unwritable.status == 1 && unwritable.stderr.split(separator: "\n").count == 1
                    && unwritable.stderr.contains("-profile.path /nonexistent/dir/cpu.pb.gz: cannot open"), "\(unwritable.stderr)")
            let wrongMode = try Shell.capture([Paths.xtcp, "-profile.mode", "heap"])
            #expect(wrongMode.status == 2 && wrongMode.stderr.contains("-profile.mode heap: expected none or cpu"), "\(wrongMode.stderr)")
        }
    }

    @Test("a stripped binary, as packaged, names its functions from its detached debug file (the -dbgsym package), found by build id")
    func strippedBinaryUsesDebugFile() throws {
        let folder = NSTemporaryDirectory() + "xtcp-stripped-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let stripped = folder + "/xtcp", detached = folder + "/xtcp.debug"
        try Shell.run(["objcopy", "--only-keep-debug", Paths.xtcp, detached])
        try Shell.run(["strip", "--strip-unneeded", "-o", stripped, Paths.xtcp])
        #expect(try Shell.run(["file", stripped]).contains(", stripped"))
        let buildID = try Shell.run(["readelf", "-n", stripped]).split(separator: "\n")
            .first { $0.contains("Build ID:") }.map { String($0.split(separator: " ").last ?? "") } ?? ""
        #expect(buildID.count == 40, "\(buildID)")
        let debugFile = "/usr/lib/debug/.build-id/\(buildID.prefix(2))/\(buildID.dropFirst(2)).debug"
        #expect(!FileManager.default.fileExists(atPath: debugFile), "a debug file of this test build exists already")
        try withSocketFarm("loopback_farm.py", ["2000", "127.0.0.1", "900"]) { ns, farm in
            func topFunctions() throws -> String {
                let file = folder + "/cpu.pb.gz"
                let run = try Shell.capture(ns.exec([stripped, "-namespaces", "own", "-frequency", "50ms", "-maxLoops", "40", "-dest", "null",
                                                     "-promListen", "off", "-profile.mode", "cpu", "-profile.path", file]))
                #expect(run.status == 0, "\(run.stderr)")
                return try pprofTop(file, cumulative: true).text
            }
            // Without the debug file: addresses only, no function of xtcp's.
            let bare = try topFunctions()
            #expect(!bare.contains("XTCP.RecvReceiver.dump") && bare.contains("xtcp+0x"), "\(bare)")
            let debugFolder = (debugFile as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: debugFolder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: detached, toPath: debugFile)
            defer { try? FileManager.default.removeItem(atPath: debugFile); rmdir(debugFolder) }  // the folder only if empty
            let named = try topFunctions()
            #expect(named.contains("XTCP.RecvReceiver.dump"), "\(named)")
        }
    }
}
