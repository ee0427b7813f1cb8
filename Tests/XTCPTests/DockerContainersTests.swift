import Foundation
import Testing
import TestSupport
@testable import Platform
@testable import XTCP
import RecordFmt

/// Container names and images from Docker's Engine API. No Docker engine
/// runs on these machines, so the peer is the one fake these tests allow:
/// `Tests/Scripts/docker_engine.py`, answering on a unix socket from a
/// recorded exchange (`Tests/Fixtures/docker-engine`) framed as Docker 24
/// frames it. The cgroups the names are stamped through are real.
@Suite("Docker names and images: the Engine API client against a recorded exchange on a unix socket (a fake engine; real cgroups)", .serialized)
struct DockerContainersTests {
    static let web = "4f9e5c2a0b7d1e3f6a8c9b0d2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f"
    static let cache = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
    static let db = "0d1c2b3a49586776a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00f1e"

    /// The fake engine on a socket of its own; `quit` in a defer.
    final class Engine {
        let folder = NSTemporaryDirectory() + "xtcp-docker-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var socket: String { folder + "/docker.sock" }
        let process: LineProcess

        init() throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            process = try LineProcess(["python3", Paths.packageRoot + "/Tests/Scripts/docker_engine.py", folder + "/docker.sock",
                                       Paths.packageRoot + "/Tests/Fixtures/docker-engine"])
            guard process.waitForLine(where: { $0 == "ready" }) != nil else {
                throw Shell.Failure(command: ["docker_engine.py"], status: -1, stderr: "the fake engine did not start")
            }
        }

        /// A command, answered "ok" once done.
        func command(_ line: String) {
            process.write(line)
            process.waitForLine { $0 == "ok" }
        }

        func quit() {
            process.write("quit")
            process.finish()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// A cgroup named as Docker names a container's, in a tree of the
    /// test's own in the v2 hierarchy; `remove()` in a defer.
    struct DockerScope {
        let top: String
        let folder: String

        init(mount: CgroupMounts.Mount, id: String) throws {
            top = mount.point + "/xtcp-docker-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            folder = top + "/system.slice/docker-\(id).scope"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }

        func remove() { CgroupIndexTests.removeTree(top) }
    }

    @Test("the list: every container's name (its slash dropped) and image, read at start from a chunked body")
    func list() throws {
        let engine = try Engine()
        defer { engine.quit() }
        let containers = DockerContainers(socket: engine.socket)
        #expect(containers.containers.isEmpty, "nothing asked before the thread starts")
        try containers.follow()
        defer { containers.stop() }
        #expect(containers.containers == [Self.web: .init(name: "web-1", image: "nginx:1.25-alpine"),
                                          Self.cache: .init(name: "cache", image: "redis:7.2")])
        #expect(containers.nameAndImage(of: Self.web)! == ("web-1", "nginx:1.25-alpine"))
        #expect(containers.nameAndImage(of: Self.db) == nil)
        #expect(containers.takeCounts() == EnrichCounts.Source(reads: 1, failures: 0))
        #expect(containers.generation == 1)
    }

    @Test("events: a rename, a create and a destroy applied as they come; an exec passed over; the stream's end heard, the list read again")
    func events() throws {
        let engine = try Engine()
        defer { engine.quit() }
        let containers = DockerContainers(socket: engine.socket)
        try containers.follow()
        defer { containers.stop() }
        #expect(engine.process.waitForLine { $0 == "events" } != nil)
        #expect(engine.process.waitForLine { $0 == "list" } != nil, "listed again once the stream is live")
        let before = containers.generation
        engine.command("send rename")
        #expect(eventually { containers.nameAndImage(of: Self.web)?.name == "web-frontend" })
        engine.command("send create")
        engine.command("send exec_start")
        engine.command("send destroy")
        #expect(eventually { containers.containers[Self.cache] == nil && containers.containers[Self.db] != nil }, "\(containers.containers)")
        #expect(containers.containers[Self.db] == .init(name: "db", image: "postgres:16"))
        #expect(containers.generation == before + 3, "rename, create, destroy: three changes")

        // The engine restarting: the stream ends, is opened again, and the
        // recording's list (web-1 and cache again) is read.
        engine.command("close")
        #expect(engine.process.waitForLine { $0 == "events" } != nil)
        #expect(eventually { containers.nameAndImage(of: Self.web)?.name == "web-1" && containers.containers[Self.cache] != nil })
        let counts = containers.takeCounts()
        #expect(counts.failures == 1 && counts.reads == 3, "a list per stream opened, the ended stream: \(counts)")
        #expect(containers.takeProblem()?.contains("docker at \(engine.socket): GET /events") == true)
    }

    @Test("bad answers: a 500, a torn body, no answer within the timeout, no engine: counted, said once, names kept; no socket: nothing tried")
    func badAnswers() throws {
        let engine = try Engine()
        let containers = DockerContainers(socket: engine.socket)
        try containers.follow()
        #expect(containers.containers.count == 2)
        #expect(engine.process.waitForLine { $0 == "list" } != nil)
        _ = containers.takeCounts()
        // The engine restarting into one that answers lists with a 500,
        // then with a torn body: the stream's end said once, each failure
        // counted, the names kept.
        engine.command("mode error")
        engine.command("close")
        #expect(engine.process.waitForLine { $0 == "list" } != nil)
        var failed = EnrichCounts.Source()
        #expect(eventually { failed += containers.takeCounts(); return failed.failures >= 2 }, "the stream's end and the 500: \(failed)")
        #expect(containers.takeProblem()?.contains("docker at \(engine.socket): GET /events") == true)
        engine.command("mode garbage")
        engine.command("close")
        #expect(engine.process.waitForLine { $0 == "list" } != nil)
        failed = EnrichCounts.Source()
        #expect(eventually { failed += containers.takeCounts(); return failed.failures >= 2 }, "the stream's end and the torn list: \(failed)")
        containers.stop()
        #expect(containers.takeProblem() == nil, "said once per stretch of failures")
        #expect(containers.containers.count == 2, "kept through failures")

        // One answer at a time, no thread: the client alone.
        engine.command("mode hang")
        var client = UnixHTTPClient(socket: engine.socket, timeout: .milliseconds(300))
        #expect(throws: UnixHTTPClient.Failure.self) { try client.get("/containers/json") }
        engine.command("mode error")
        let (status, body) = try client.get("/containers/json")
        #expect(status == 500 && String(decoding: body, as: UTF8.self).contains("a recorded failure"), "read by its Content-Length")
        engine.command("mode garbage")
        let torn = try client.get("/containers/json")
        #expect(torn.status == 200 && torn.body.count == 12)
        #expect(throws: JSONValue.ParseError.self) { try DockerContainers.containers(fromList: torn.body) }
        engine.quit()
        client.timeout = .seconds(1)
        #expect(throws: UnixHTTPClient.Failure.self) { try client.get("/containers/json") }

        let absent = DockerContainers(socket: engine.socket)
        try absent.follow()
        defer { absent.stop() }
        #expect(absent.containers.isEmpty && absent.takeCounts() == EnrichCounts.Source())
    }

    @Test("the cgroup index: a Docker scope's owner named as listed, restamped once when a rename moves the names on")
    func restamped() throws {
        let engine = try Engine()
        defer { engine.quit() }
        let mount = try #require(CgroupMounts.host.v2, "no cgroup v2 mount")
        let scope = try DockerScope(mount: mount, id: Self.web)
        defer { scope.remove() }
        let inode = try #require(try FileManager.default.attributesOfItem(atPath: scope.folder)[.systemFileNumber] as? UInt64)
        let containers = DockerContainers(socket: engine.socket)
        try containers.follow()
        defer { containers.stop() }
        let index = CgroupIndex(mount: mount, names: containers)
        #expect(index.stamp(of: inode).owner == SocketOwner(containerID: Self.web, containerRuntime: "docker", containerName: "web-1",
                                                            containerImage: "nginx:1.25-alpine"))
        #expect(!index.refreshNames(), "nothing new: no restamp")
        #expect(engine.process.waitForLine { $0 == "events" } != nil)
        engine.command("send rename")
        #expect(eventually { containers.nameAndImage(of: Self.web)?.name == "web-frontend" })
        #expect(index.refreshNames() && !index.refreshNames(), "restamped once")
        #expect(index.stamp(of: inode).owner.containerName == "web-frontend")
    }

    @Test("a hung engine (lists never answered): follow() returns before the list does, which times out and is counted")
    func hungEngine() throws {
        let engine = try Engine()
        defer { engine.quit() }
        engine.command("mode hang")
        let containers = DockerContainers(socket: engine.socket)
        try containers.follow()
        defer { containers.stop() }
        #expect(containers.containers.isEmpty && containers.takeCounts() == EnrichCounts.Source(), "returned with the list still asked")
        var counted = EnrichCounts.Source()
        #expect(eventually { counted += containers.takeCounts(); return counted.failures >= 1 }, "\(counted)")
        #expect(containers.takeProblem()?.contains("no answer within the timeout") == true)
    }

    @Test("records: a socket in a Docker scope's cgroup carries the container's name and image as the engine lists them")
    func recordColumns() throws {
        let engine = try Engine()
        defer { engine.quit() }
        let mount = try #require(CgroupMounts.host.v2, "no cgroup v2 mount")
        let scope = try DockerScope(mount: mount, id: Self.web)
        defer { scope.remove() }
        let listener = try LineProcess(["sh", "-c", "echo $$ > \(scope.folder)/cgroup.procs && exec python3 -c \"import socket,sys,time; s=socket.socket(); s.bind(('127.0.0.1', 47961)); s.listen(); print('ready', flush=True); time.sleep(30)\""])
        defer { kill(listener.processIdentifier, SIGKILL); listener.finish() }
        #expect(listener.waitForLine { $0 == "ready" } != nil)
        let dump = try Shell.run([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "stdout", "-marshal", "jsonl",
                                  "-dockerSocket", engine.socket])
        let line = try #require(dump.split(separator: "\n").first { $0.contains("\"inet_diag_msg_socket_source_port\":47961") })
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(record["container_id"] as? String == Self.web && record["container_runtime"] as? String == "docker")
        #expect(record["container_name"] as? String == "web-1" && record["container_image"] as? String == "nginx:1.25-alpine", "\(line)")
        // Off: the id from the cgroup, no name.
        let off = try Shell.run([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "stdout", "-marshal", "jsonl",
                                 "-dockerSocket", engine.socket, "-enrichContainer", "false"])
        let plain = try #require(off.split(separator: "\n").first { $0.contains("\"inet_diag_msg_socket_source_port\":47961") })
        #expect(plain.contains("\"container_id\":\"\(Self.web)\"") && plain.contains("\"container_name\":\"\""), "\(plain)")
    }
}
