import Foundation
import Testing
import TestSupport
@testable import Platform

/// The gauges alerts compare against: the cgroup's memory limit (read as
/// the kernel enforces it), -maxNamespaces, -frequency and the last poll's
/// time, in a live /metrics.
@Suite("Alert gauges: the memory limit of xtcp's cgroup, -maxNamespaces, the poll interval and the last poll (live)", .serialized)
struct AlertGaugesTests {
    /// The memory controller's folder: v1's on hybrid hosts like this one,
    /// else the v2 root.
    static let memoryRoot = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.limit_in_bytes")
        ? "/sys/fs/cgroup/memory" : "/sys/fs/cgroup"

    @Test("xtcp in a cgroup limited to 256 MiB: xtcp_memory_limit_bytes says so; the configuration's bounds and the last poll's time are there")
    func gaugesInALimitedCgroup() throws {
        let cgroup = Self.memoryRoot + "/xtcp-alert-test-\(getpid())"
        let v1 = Self.memoryRoot.hasSuffix("/memory")
        try FileManager.default.createDirectory(atPath: cgroup, withIntermediateDirectories: false)
        defer { rmdir(cgroup) }
        try "268435456".write(toFile: cgroup + (v1 ? "/memory.limit_in_bytes" : "/memory.max"), atomically: false, encoding: .utf8)
        do {
            // In this host's namespace: `ip netns exec` mounts a sysfs of
            // its own, without /sys/fs/cgroup. The shell joins the cgroup,
            // then becomes xtcp.
            let port = 19_193
            let xtcp = try LineProcess((["sh", "-c", "echo $$ > \(cgroup)/cgroup.procs && exec \"$0\" \"$@\"", Paths.xtcp,
                                                "-namespaces", "own", "-frequency", "200ms", "-maxNamespaces", "3", "-dest", "null",
                                                "-promListen", "127.0.0.1:\(port)"]), readsStderr: true)
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 2:") } != nil, "\(xtcp.lines)")
            let page = try Shell.run(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "\(port)", "get", "/metrics"])
            func value(_ name: String) -> Double? {
                page.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
            }
            #expect(value("xtcp_memory_limit_bytes") == 268_435_456, "\(page)")
            #expect(value("xtcp_max_namespaces") == 3 && value("xtcp_poll_interval_seconds") == 0.2)
            let now = Date().timeIntervalSince1970
            #expect(abs((value("xtcp_last_poll_timestamp_seconds") ?? 0) - now) < 5, "\(page)")
            #expect(try Promtool.complaints(about: String(page.dropFirst(4))).isEmpty)
        }
    }

    func limit(cgroups: String, mountinfo: String, read: (String) -> String?) -> Int? {
        CgroupMemoryLimit.least(of: CgroupMemoryLimit.limitFiles(member: CgroupMembership(cgroups: cgroups), mounts: CgroupMounts(mountinfo: mountinfo)),
                                read: read)
    }

    @Test("the limit is the least of the cgroup's and its ancestors', v2 (a container's root too) or v1; max and v1's 2^63 are none")
    func limitFiles() {
        let v2Mounts = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
        let files = ["/sys/fs/cgroup/kubepods.slice/memory.max": "1073741824",
                     "/sys/fs/cgroup/kubepods.slice/pod1.slice/memory.max": "max",
                     "/sys/fs/cgroup/kubepods.slice/pod1.slice/cri-containerd-ab.scope/memory.max": "2147483648",
                     "/sys/fs/cgroup/memory.max": "max"]
        #expect(limit(cgroups: "0::/kubepods.slice/pod1.slice/cri-containerd-ab.scope\n", mountinfo: v2Mounts) { files[$0] }
                == 1_073_741_824)
        // Inside a container, the cgroup namespace shows its own cgroup as / at the mount.
        #expect(limit(cgroups: "0::/\n", mountinfo: v2Mounts) { $0 == "/sys/fs/cgroup/memory.max" ? "536870912" : nil }
                == 536_870_912)
        let hybrid = "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
            + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
        let v1 = ["/sys/fs/cgroup/memory/system.slice/xtcp.service/memory.limit_in_bytes": "9223372036854771712",
                  "/sys/fs/cgroup/memory/system.slice/memory.limit_in_bytes": "402653184"]
        #expect(limit(cgroups: "4:memory:/system.slice/xtcp.service\n0::/system.slice/xtcp.service\n", mountinfo: hybrid) { v1[$0] }
                == 402_653_184)
        #expect(limit(cgroups: "0::/\n", mountinfo: v2Mounts) { _ in "max" } == nil)
    }
}
