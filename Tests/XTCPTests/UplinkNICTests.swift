import Foundation
import Testing
import TestSupport
@testable import XTCP

/// The NIC columns' sources, read live: this host's default-route uplink
/// against `ethtool -i` and sysfs, its PCI model against pci.ids read by
/// awk; a namespace's default routes (IPv4 and IPv6) through a veth pair
/// from the kernel's own route tables.
@Suite("Uplink NICs: default routes, ETHTOOL_GDRVINFO, sysfs and pci.ids (live)", .serialized)
struct UplinkNICTests {
    @Test("this host's uplink: driver, bus and firmware as ethtool -i says, operstate and speed as sysfs, the PCI model as pci.ids names it")
    func hostUplink() throws {
        let uplinks = DefaultRoutes.interfaces()
        let uplink = try #require(uplinks.first, "this host has a default route")
        let nic = try #require(UplinkNIC.read(uplink))
        let ethtool = try Shell.run(["ethtool", "-i", uplink])
        func said(_ key: String) -> String {
            ethtool.split(separator: "\n").first { $0.hasPrefix(key + ": ") }.map { String($0.dropFirst(key.count + 2)) } ?? ""
        }
        #expect(!nic.driver.isEmpty && nic.driver == said("driver") && nic.busInfo == said("bus-info") && nic.firmware == said("firmware-version"),
                "\(nic) vs \(ethtool)")
        let sysfs = "/sys/class/net/\(uplink)"
        #expect(nic.operState == (try String(contentsOfFile: sysfs + "/operstate", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines))
        let speed = Int((try? String(contentsOfFile: sysfs + "/speed", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
        #expect(nic.speedMbps == (speed > 0 ? UInt32(speed) : 0), "sysfs speed \(speed)")
        let pci = "/sys/bus/pci/devices/" + said("bus-info")
        if !said("bus-info").isEmpty, let vendor = try? String(contentsOfFile: pci + "/vendor", encoding: .utf8) {
            let vendorHex = String(vendor.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(2))
            let deviceHex = String((try String(contentsOfFile: pci + "/device", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(2))
            #expect(nic.pciVendor == UInt32(vendorHex, radix: 16) && nic.pciDevice == UInt32(deviceHex, radix: 16))
            // pci.ids read by awk: the vendor's line, then its device's.
            let names = try Shell.run(["awk", "-v", "v=\(vendorHex)", "-v", "d=\(deviceHex)", #"""
                /^C / { exit } /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { in_vendor = ($1 == v); if (in_vendor) vendor = substr($0, 7) }
                in_vendor && $0 ~ "^\t" d "  " { print vendor " " substr($0, 8); exit }
                """#, "/usr/share/misc/pci.ids"]).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!names.isEmpty && nic.model == names, "\(nic.model) vs \(names)")
        } else {
            #expect(nic.pciVendor == 0 && nic.model.isEmpty)
        }
        #expect(UplinkNIC.read("no-such-nic0") == nil)
    }

    @Test("a namespace whose default routes, IPv4 and IPv6, leave by a veth: that interface once, read from the kernel's route tables; veth's driver")
    func namespaceRoutes() throws {
        try withTestNamespace { ns in
            let peer = "xtcp-up\(getpid() % 10000)"
            try Shell.run(["ip", "link", "add", "up0", "netns", ns.name, "type", "veth", "peer", "name", peer])
            defer { _ = try? Shell.run(["ip", "link", "delete", peer]) }
            for command in [["ip", "link", "set", "up0", "up"], ["ip", "addr", "add", "10.77.0.2/24", "dev", "up0"],
                            ["ip", "-6", "addr", "add", "fd77::2/64", "dev", "up0", "nodad"],
                            ["ip", "route", "add", "default", "via", "10.77.0.1"], ["ip", "-6", "route", "add", "default", "via", "fd77::1", "dev", "up0"]] {
                try Shell.run(ns.exec(command))
            }
            // The kernel's tables as this namespace shows them.
            let folder = NSTemporaryDirectory() + "xtcp-routes-\(getpid())"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            for table in ["route", "ipv6_route"] {
                try Shell.run(ns.exec(["cat", "/proc/net/\(table)"])).write(toFile: folder + "/" + table, atomically: true, encoding: .utf8)
            }
            #expect(DefaultRoutes.interfaces(procNet: folder) == ["up0"])
            #expect(try Shell.run(ns.exec(["ethtool", "-i", "up0"])).contains("driver: veth"))
        }
    }

    @Test("records: uplink1 is the default route's veth as ethtool -i and sysfs say; an uplink that appears while xtcp runs is in the polls after it (RTM_NEWLINK)")
    func recordColumns() throws {
        try withTestNamespace { ns in
            let peer = "xtcp-ur\(getpid() % 10000)", later = "xtcp-ul\(getpid() % 10000)"
            try Shell.run(["ip", "link", "add", "up0", "netns", ns.name, "type", "veth", "peer", "name", peer])
            defer {
                _ = try? Shell.run(["ip", "link", "delete", peer])
                _ = try? Shell.run(["ip", "link", "delete", later])
            }
            for command in [["ip", "link", "set", "up0", "up"], ["ip", "addr", "add", "10.79.0.2/24", "dev", "up0"],
                            ["ip", "route", "add", "default", "via", "10.79.0.1"]] {
                try Shell.run(ns.exec(command))
            }
            let work = NSTemporaryDirectory() + "xtcp-uplinks-\(getpid())"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: work) }
            // A listener for a record a poll; xtcp polls 4 times a second; up1
            // is made after a second, in the middle of the run.
            let script = """
                python3 -c "import socket,time; l=socket.socket(); l.bind(('127.0.0.1', 5999)); l.listen(); time.sleep(5)" &
                sleep 0.3
                \(Paths.xtcp) -namespaces own -frequency 250ms -pollJitterPct 0 -maxLoops 10 -promListen off -marshal jsonl \
                    -uplinkInterfaces up0,up1 > \(work)/records.jsonl 2> \(work)/log &
                sleep 1.2
                ip link add up1 type veth peer name \(later) netns 1
                wait %2
                """
            try Shell.run(ns.exec(["sh", "-c", script]))
            let records = try String(contentsOfFile: work + "/records.jsonl", encoding: .utf8).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { ($0["inet_diag_msg_socket_source_port"] as? Int) == 5999 }
            #expect(records.count == 10, "a record a poll: \(records.count); \((try? String(contentsOfFile: work + "/log", encoding: .utf8)) ?? "")")
            let driver = try Shell.run(ns.exec(["ethtool", "-i", "up0"])).firstMatch(of: /driver: (\S+)/).map { String($0.output.1) }
            let speed = try Shell.run(ns.exec(["cat", "/sys/class/net/up0/speed"])).trimmingCharacters(in: .whitespacesAndNewlines)
            for record in records {
                #expect(record["uplink1_ifname"] as? String == "up0")
                #expect(record["uplink1_nic_driver"] as? String == driver && driver == "veth")
                #expect((record["uplink1_nic_speed_mbps"] as? Int).map(String.init) == speed)
            }
            #expect(records.first?["uplink2_ifname"] as? String == "", "up1 is not there at the first poll")
            #expect(records.last?["uplink2_ifname"] as? String == "up1" && records.last?["uplink2_nic_driver"] as? String == "veth",
                    "up1 at the last: \(records.map { $0["uplink2_ifname"] as? String ?? "?" })")
        }
    }

    @Test("pci.ids: a vendor and its device named, the vendor alone for an unlisted device, nothing for an unlisted vendor; subsystems and classes skipped")
    func models() {
        let ids = PCIModels(text: "# comment\n1af4  Red Hat, Inc.\n\t0001  Virtio network device\n\t\t1af4 0001  Virtio network device\n"
                            + "8086  Intel Corporation\n\t10d3  82574L Gigabit Network Connection\nC 02  Network controller\n\t00  Ethernet controller\n")
        #expect(ids.name(vendor: 0x1af4, device: 0x0001) == "Red Hat, Inc. Virtio network device")
        #expect(ids.name(vendor: 0x8086, device: 0x10d3) == "Intel Corporation 82574L Gigabit Network Connection")
        #expect(ids.name(vendor: 0x8086, device: 0xffff) == "Intel Corporation")
        #expect(ids.name(vendor: 0x1234, device: 0x0001) == nil)
    }
}
