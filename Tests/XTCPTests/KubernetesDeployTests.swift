import Foundation
import Testing
import TestSupport
import XTCP

/// deploy/kubernetes/daemonset.yaml and deploy/Containerfile, checked
/// against what xtcp needs, since no container engine or cluster runs here:
/// every namespace directory mounted, the capabilities exactly the
/// README's, the probes' command and port those of a real xtcp, every
/// variable and argument one xtcp takes.
@Suite("deploy/kubernetes and deploy/Containerfile: what xtcp needs (live xtcp for the probe)", .serialized)
struct KubernetesDeployTests {
    static let manifest = Paths.packageRoot + "/deploy/kubernetes/daemonset.yaml"
    static let containerfile = Paths.packageRoot + "/deploy/Containerfile"

    /// The DaemonSet's container and pod spec, read by PyYAML.
    static func daemonSet() throws -> (pod: [String: Any], container: [String: Any]) {
        let json = try Shell.run(["python3", "-c", "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))", manifest])
        let documents = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        let set = try #require(documents.first { $0["kind"] as? String == "DaemonSet" })
        let pod = try #require(((set["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        return (pod, container)
    }

    /// The container's variables, `$(NAME)` references left as they are.
    static func environment(_ container: [String: Any]) -> [String: String] {
        (container["env"] as? [[String: Any]] ?? []).reduce(into: [:]) { all, entry in
            if let name = entry["name"] as? String, let value = entry["value"] as? String { all[name] = value }
        }
    }

    @Test("hostPID; every -netnsDirs directory mounted read-only from the host with propagation; capabilities exactly the README's three; resources set")
    func needs() throws {
        let (pod, container) = try Self.daemonSet()
        #expect(pod["hostPID"] as? Bool == true && pod["hostNetwork"] as? Bool == true)
        let directories = (Self.environment(container)["XTCP_NETNSDIRS"] ?? "").split(separator: ",").map(String.init)
        #expect(Set(directories) == Set(NamespaceDiscovery.defaultDirectories), "\(directories)")
        let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
        let volumes = pod["volumes"] as? [[String: Any]] ?? []
        for directory in directories {
            let mount = mounts.first { $0["mountPath"] as? String == directory }
            #expect(mount?["readOnly"] as? Bool == true && mount?["mountPropagation"] as? String == "HostToContainer", "\(directory)")
            let volume = volumes.first { $0["name"] as? String == mount?["name"] as? String }
            #expect((volume?["hostPath"] as? [String: Any])?["path"] as? String == directory, "\(directory)")
        }
        let security = container["securityContext"] as? [String: Any] ?? [:]
        let capabilities = security["capabilities"] as? [String: Any] ?? [:]
        let readme = try String(contentsOfFile: Paths.packageRoot + "/README.md", encoding: .utf8)
        let named = readme.matches(of: /\| every namespace \| ([^|]*)\|/).first.map { String($0.output.1) } ?? ""
        let readmeCapabilities = Set(named.matches(of: /CAP_([A-Z_]+)/).map { String($0.output.1) })
        #expect(readmeCapabilities == ["NET_ADMIN", "SYS_ADMIN", "SYS_PTRACE"])
        #expect(Set(capabilities["add"] as? [String] ?? []) == readmeCapabilities && capabilities["drop"] as? [String] == ["ALL"], "\(capabilities)")
        #expect(security["allowPrivilegeEscalation"] as? Bool == false && security["readOnlyRootFilesystem"] as? Bool == true)
        let resources = container["resources"] as? [String: [String: Any]] ?? [:]
        #expect(resources["requests"]?["memory"] != nil && resources["limits"]?["memory"] != nil && resources["requests"]?["cpu"] != nil)
    }

    @Test("every XTCP_ variable and argument of the DaemonSet, and the image's CMD, is one xtcp takes without a warning")
    func settingsAreXTCPs() throws {
        let (_, container) = try Self.daemonSet()
        var environment = Self.environment(container)
        environment["NODE_IP"] = "192.0.2.7"
        environment["NODE_NAME"] = "node-7"
        // Kubernetes' $(NAME) references, as the kubelet expands them.
        let expanded = environment.mapValues { value in
            environment.reduce(value) { $0.replacingOccurrences(of: "$(\($1.key))", with: $1.value) }
        }
        #expect(expanded["XTCP_PROMLISTEN"] == "192.0.2.7:9088" && expanded["XTCP_HOSTNAME"] == "node-7")
        let variables = expanded.filter { $0.key.hasPrefix("XTCP_") }.map { "\($0.key)=\($0.value)" }
        let args = container["args"] as? [String] ?? []
        let run = try Shell.capture(["env", "-i"] + variables + [Paths.xtcp] + args + ["-conf"])
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run.status): \(run.stderr)")
        #expect(run.stdout.contains("promListen 192.0.2.7:9088") && run.stdout.contains("logFormat json"), "\(run.stdout)")

        let image = try String(contentsOfFile: Self.containerfile, encoding: .utf8)
        let stages = image.matches(of: /(?m)^FROM (\S+)/).map { String($0.output.1) }
        #expect(stages.count == 2 && stages.last == "docker.io/library/debian:bookworm-slim", "\(stages)")
        #expect(image.contains("RUN scripts/package.sh") && image.contains("apt-get install -y --no-install-recommends /tmp/dist/xtcp_*_amd64.deb"))
        #expect(image.contains(#"ENTRYPOINT ["/usr/bin/xtcp"]"#))
        let command = try #require(image.matches(of: /(?m)^CMD (\[.*\])$/).first.map { String($0.output.1) })
        let cmd = try JSONSerialization.jsonObject(with: Data(command.utf8)) as? [String] ?? []
        let imageRun = try Shell.capture([Paths.xtcp] + cmd + ["-conf"])
        #expect(!cmd.isEmpty && imageRun.status == 0 && imageRun.stderr.isEmpty, "\(imageRun.stderr)")
    }

    @Test("the liveness probe's command, with the container's XTCP_PROMLISTEN, says a running xtcp is alive and a dead one is not; readiness asks /readyz on the listener's port")
    func probes() throws {
        let (_, container) = try Self.daemonSet()
        let liveness = try #require(((container["livenessProbe"] as? [String: Any])?["exec"] as? [String: Any])?["command"] as? [String])
        #expect(liveness.first == "/usr/bin/xtcp")
        let readiness = (container["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any]
        let listen = Self.environment(container)["XTCP_PROMLISTEN"] ?? ""
        #expect(readiness?["path"] as? String == "/readyz" && listen.hasSuffix(":\(readiness?["port"] as? Int ?? -1)"), "\(String(describing: readiness)) \(listen)")

        try withTestNamespace { ns in
            let address = "127.0.0.1:19195"
            let probe = ["env", "XTCP_PROMLISTEN=\(address)", Paths.xtcp] + liveness.dropFirst()
            let dead = try Shell.capture(ns.exec(probe))
            #expect(dead.status == 1, "no daemon: \(dead.stderr)")
            let xtcp = try LineProcess(ns.exec(["env", "XTCP_PROMLISTEN=\(address)", Paths.xtcp, "-namespaces", "own", "-frequency", "200ms",
                                                "-dest", "null"]), readsStderr: true)
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil)
            let alive = try Shell.capture(ns.exec(probe))
            #expect(alive.status == 0, "\(alive.stderr)")
            let ready = try Shell.run(ns.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "19195", "get", "/readyz"]))
            #expect(ready.hasPrefix("200\n"), "\(ready)")
        }
    }
}
