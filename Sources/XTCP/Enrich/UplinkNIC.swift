import Platform
#if canImport(Glibc)
import Glibc
#endif

/// What xtcp2's `uplink*_nic_*` columns say of an uplink interface: its
/// driver, bus address and firmware (ETHTOOL_GDRVINFO), its speed and
/// operational state and, for a PCI device, its vendor and device ids
/// (sysfs, at the PCI address ethtool gives), and the model those ids name in Debian's pci.ids, when
/// installed. Read for the network namespace the calling thread is in.
public struct UplinkNIC: Sendable, Equatable {
    public var interface: String
    public var driver = ""
    public var busInfo = ""
    public var firmware = ""
    /// Mb/s; 0 when the interface does not say (down, virtual, -1 in sysfs).
    public var speedMbps: UInt32 = 0
    public var operState = ""
    public var pciVendor: UInt32 = 0
    public var pciDevice: UInt32 = 0
    public var model = ""

    public init(interface: String) { self.interface = interface }

    /// Nil when there is no such interface.
    public static func read(_ interface: String, sysfs: String = "/sys/class/net", pciDevices: String = "/sys/bus/pci/devices",
                            models: PCIModels? = .debian) -> UplinkNIC? {
        let folder = sysfs + "/" + interface
        guard !interface.contains("/"), let state = ProcFiles.firstLine(folder + "/operstate") else { return nil }
        var nic = UplinkNIC(interface: interface)
        nic.operState = state
        if let socket = try? Syscall.socket(domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue)),
           let info = try? Syscall.ethtoolDriverInfo(descriptor: socket.rawValue, interface: interface) {
            (nic.driver, nic.busInfo, nic.firmware) = (info.driver, info.bus, info.firmware)
        }
        if let speed = ProcFiles.firstLine(folder + "/speed").flatMap({ Int64($0) }), speed > 0, speed <= Int64(UInt32.max) { nic.speedMbps = UInt32(speed) }
        // The PCI function ethtool names (`0000:00:03.0`), not sysfs's
        // `device` link: for virtio that is the virtio device, whose ids
        // are virtio's.
        if isPCIAddress(nic.busInfo) {
            let pci = pciDevices + "/" + nic.busInfo
            nic.pciVendor = ProcFiles.firstLine(pci + "/vendor").flatMap(hex) ?? 0
            nic.pciDevice = ProcFiles.firstLine(pci + "/device").flatMap(hex) ?? 0
        }
        if nic.pciVendor != 0 { nic.model = models?.name(vendor: nic.pciVendor, device: nic.pciDevice) ?? "" }
        return nic
    }

    /// `0000:00:03.0`: domain, bus, device and function, in hex.
    static func isPCIAddress(_ text: String) -> Bool {
        let parts = text.split(separator: ":")
        return parts.count == 3 && parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 4 && parts[2].dropFirst(2).first == "."
            && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }

    /// sysfs's `0x1af4`.
    static func hex(_ text: String) -> UInt32? { text.hasPrefix("0x") ? UInt32(text.dropFirst(2), radix: 16) : nil }
}

/// The interfaces of this namespace's default routes, IPv4's first, then
/// IPv6's (`/proc/net/route`, `/proc/net/ipv6_route`), each once: the
/// uplinks when `-uplinkInterfaces` names none.
public enum DefaultRoutes {
    public static func interfaces(procNet: String = "/proc/net") -> [String] {
        var found: [String] = []
        // route: Iface Destination Gateway Flags RefCnt Use Metric Mask ...
        for line in ((try? ProcFiles.text(procNet + "/route")) ?? "").split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count > 7, fields[1] == "00000000", fields[7] == "00000000", !found.contains(String(fields[0])) { found.append(String(fields[0])) }
        }
        // ipv6_route: destination prefix-length source prefix-length next-hop metric refcnt use flags interface
        for line in ((try? ProcFiles.text(procNet + "/ipv6_route")) ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 10, fields[0].allSatisfy({ $0 == "0" }), fields[1] == "00", fields[9] != "lo", !found.contains(String(fields[9])) {
                found.append(String(fields[9]))
            }
        }
        return found
    }
}

/// Model names from a pci.ids file (vendor lines `1af4  Red Hat, Inc.`,
/// device lines under them `\t0001  Virtio network device`): Debian's from
/// pciutils or hwdata, never one of xtcp's own.
public struct PCIModels: Sendable {
    private let vendors: [UInt32: (name: String, devices: [UInt32: String])]

    public static let debian: PCIModels? = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"].lazy
        .compactMap { try? ProcFiles.text($0) }.first.map(PCIModels.init(text:))

    public init(text: String) {
        var vendors: [UInt32: (name: String, devices: [UInt32: String])] = [:]
        var vendor: UInt32?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("C ") { break }  // the device classes follow the vendors
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("\t\t") { continue }  // subsystems
            if line.hasPrefix("\t") {
                if let vendor, let (id, name) = Self.entry(line.dropFirst()) { vendors[vendor]?.devices[id] = name }
            } else if let (id, name) = Self.entry(line) {
                vendor = id
                vendors[id] = (name, [:])
            } else {
                vendor = nil
            }
        }
        self.vendors = vendors
    }

    /// "Red Hat, Inc. Virtio network device"; the vendor alone when the
    /// device is not listed; nil for a vendor not listed.
    public func name(vendor: UInt32, device: UInt32) -> String? {
        guard let known = vendors[vendor] else { return nil }
        return known.devices[device].map { known.name + " " + $0 } ?? known.name
    }

    /// `1af4  Red Hat, Inc.`: four hex digits, two spaces, the name.
    static func entry(_ line: Substring) -> (UInt32, String)? {
        guard line.utf8.count > 6, let id = UInt32(line.prefix(4), radix: 16), line.dropFirst(4).hasPrefix("  ") else { return nil }
        return (id, String(line.dropFirst(6)))
    }
}
