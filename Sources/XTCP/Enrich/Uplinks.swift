import Netlink
import Platform
import RecordFmt
#if canImport(Glibc)
import Glibc
#endif

/// The host's uplinks: the NICs of its default routes, or those
/// `-uplinkInterfaces` names, the first `-uplinkCount` of them, as the
/// records' `uplink1_*`/`uplink2_*` columns: the NIC's (`-enrichNic`) and
/// the LLDP neighbour's at its far end (`-enrichLldp`). The same for every
/// row of a host, so they go into the poll's template and are encoded once
/// per dump with the other per-poll fields. NICs are read at start and
/// again only when the kernel says a link or a route changed (RTM_NEWLINK,
/// RTM_DELLINK and route messages on a NETLINK_ROUTE socket bound to their
/// groups, drained without waiting before each poll), never per poll; the
/// neighbours are restamped when lldpd's notifications changed them.
public final class Uplinks {
    private let named: [String]
    private let count: Int
    private let sysfs: String
    private let procNet: String
    /// `-enrichNic`: the NICs' details, not only their names.
    private let readsNICs: Bool
    private let neighbours: LldpNeighbors?
    /// The neighbours' generation last stamped.
    private var neighboursSeen: UInt64?
    /// The link and route groups' socket; nil when it could not be had
    /// (then the uplinks are those read at start).
    private let changes: NetlinkSocket?
    public private(set) var nics: [UplinkNIC] = []
    /// Reads, and uplinks named or routed that could not be read (no such
    /// interface), since the last `takeCounts()`.
    private var counts = EnrichCounts.Source()
    /// Where link and route messages are drained to, made once.
    private var buffer = [UInt8](repeating: 0, count: 32 * 1024)

    public init(interfaces named: [String], count: Int, readsNICs: Bool = true, neighbours: LldpNeighbors? = nil,
                sysfs: String = "/sys/class/net", procNet: String = "/proc/net") {
        self.named = named
        self.count = count
        self.readsNICs = readsNICs
        self.neighbours = neighbours
        self.sysfs = sysfs
        self.procNet = procNet
        changes = try? NetlinkSocket.routeEvents(groups: NetlinkSocket.linkAndRouteGroups)
        read()
    }

    /// Reads the uplinks again when a link or route message came since the
    /// last call (or the socket overflowed: something did). True if so, or
    /// if lldpd's neighbours changed: the template wants stamping again.
    @discardableResult
    public func refreshIfChanged() -> Bool {
        let heard = neighbours.map(\.snapshot.generation)
        defer { neighboursSeen = heard }
        guard let changes else { return heard != neighboursSeen }
        let changed = heard != neighboursSeen
        var linked = false
        drain: while true {
            do {
                switch try buffer.withUnsafeMutableBytes({ bytes throws(SystemError) in try changes.receive(into: bytes) }) {
                case .bytes(let count): if count > 0 { linked = true } else { break drain }
                case .wouldBlock: break drain
                }
            } catch let error as SystemError {
                // ENOBUFS: messages were lost, so something changed; any
                // other error: read again rather than trust the last read.
                linked = true
                if error.errno != ENOBUFS && error.errno != ENOSPC { break drain }
            } catch {
                linked = true
                break drain
            }
        }
        if linked { read() }
        return changed || linked
    }

    /// Whether an uplink could not be read at the last read.
    public private(set) var missing = false

    /// The NICs' and lldpd's reads and failures since the last call (the
    /// reads at start included in the first).
    public func takeCounts() -> EnrichCounts {
        var taken = EnrichCounts()
        if readsNICs { taken.nic = counts }
        counts = .init()
        if let neighbours { taken.lldp = neighbours.takeCounts() }
        return taken
    }

    /// Starts following lldpd's notifications, when the neighbours are
    /// wanted.
    public func follow() throws(SystemError) { try neighbours?.follow() }

    /// What went wrong with lldpd since the last call.
    public func takeProblem() -> String? { neighbours?.takeProblem() }

    private func read() {
        counts.reads += 1
        let interfaces = named.isEmpty ? DefaultRoutes.interfaces(procNet: procNet) : named
        var found: [UplinkNIC] = []
        for interface in interfaces.prefix(count) {
            if !readsNICs {
                found.append(UplinkNIC(interface: interface))
            } else if let nic = UplinkNIC.read(interface, sysfs: sysfs) {
                found.append(nic)
            } else {
                counts.failures += 1
            }
        }
        missing = found.count < min(interfaces.count, count)
        nics = found
    }

    /// Sets the uplink columns of `record` (the template of a poll): the
    /// first uplink's in `uplink1_*`, the second's in `uplink2_*`, empty
    /// where there is none.
    public func stamp(_ record: inout FlatRecord) {
        let heard = neighbours?.snapshot.byInterface ?? [:]
        for (index, columns) in UplinkColumns.all.enumerated() {
            let nic = index < nics.count ? nics[index] : UplinkNIC(interface: "")
            columns.write(nic, heard[nic.interface] ?? LldpNeighbor(), into: &record)
        }
    }
}

/// One uplink's NIC and LLDP columns in the record.
struct UplinkColumns: Sendable {
    var ifname, driver, model, busInfo, firmware: WritableKeyPath<FlatRecord, String> & Sendable
    var pciVendor, pciDevice, speedMbps: WritableKeyPath<FlatRecord, UInt32> & Sendable
    var chassisName, chassisID, managementAddress, portID, portDescription: WritableKeyPath<FlatRecord, String> & Sendable

    static let all = [
        UplinkColumns(ifname: \.uplink1Ifname, driver: \.uplink1NicDriver, model: \.uplink1NicModel, busInfo: \.uplink1NicBusInfo,
                      firmware: \.uplink1NicFwVersion, pciVendor: \.uplink1NicPciVendor, pciDevice: \.uplink1NicPciDevice,
                      speedMbps: \.uplink1NicSpeedMbps, chassisName: \.uplink1LldpChassisName, chassisID: \.uplink1LldpChassisId,
                      managementAddress: \.uplink1LldpMgmtIp, portID: \.uplink1LldpPortId, portDescription: \.uplink1LldpPortDescr),
        UplinkColumns(ifname: \.uplink2Ifname, driver: \.uplink2NicDriver, model: \.uplink2NicModel, busInfo: \.uplink2NicBusInfo,
                      firmware: \.uplink2NicFwVersion, pciVendor: \.uplink2NicPciVendor, pciDevice: \.uplink2NicPciDevice,
                      speedMbps: \.uplink2NicSpeedMbps, chassisName: \.uplink2LldpChassisName, chassisID: \.uplink2LldpChassisId,
                      managementAddress: \.uplink2LldpMgmtIp, portID: \.uplink2LldpPortId, portDescription: \.uplink2LldpPortDescr),
    ]

    func write(_ nic: UplinkNIC, _ neighbour: LldpNeighbor, into record: inout FlatRecord) {
        record[keyPath: ifname] = nic.interface
        record[keyPath: driver] = nic.driver
        record[keyPath: model] = nic.model
        record[keyPath: busInfo] = nic.busInfo
        record[keyPath: firmware] = nic.firmware
        record[keyPath: pciVendor] = nic.pciVendor
        record[keyPath: pciDevice] = nic.pciDevice
        record[keyPath: speedMbps] = nic.speedMbps
        record[keyPath: chassisName] = neighbour.chassisName
        record[keyPath: chassisID] = neighbour.chassisID
        record[keyPath: managementAddress] = neighbour.managementAddress
        record[keyPath: portID] = neighbour.portID
        record[keyPath: portDescription] = neighbour.portDescription
    }
}
