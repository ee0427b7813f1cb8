import Netlink
import Platform
import RecordFmt
#if canImport(Glibc)
import Glibc
#endif

/// The host's uplinks (`-enrichNic`): the NICs of its default routes, or
/// those `-uplinkInterfaces` names, the first `-uplinkCount` of them, as
/// the records' `uplink1_*`/`uplink2_*` NIC columns. The same for every row
/// of a host, so they go into the poll's template and are encoded once per
/// dump with the other per-poll fields. Read at start and again only when
/// the kernel says a link or a route changed (RTM_NEWLINK, RTM_DELLINK and
/// route messages on a NETLINK_ROUTE socket bound to their groups,
/// drained without waiting before each poll), never per poll.
public final class Uplinks {
    private let named: [String]
    private let count: Int
    private let sysfs: String
    private let procNet: String
    /// The link and route groups' socket; nil when it could not be had
    /// (then the uplinks are those read at start).
    private let changes: NetlinkSocket?
    public private(set) var nics: [UplinkNIC] = []
    /// Reads, and uplinks named or routed that could not be read (no such
    /// interface), since the last `takeCounts()`.
    private var counts = (reads: UInt64(0), failures: UInt64(0))
    /// Where link and route messages are drained to, made once.
    private var buffer = [UInt8](repeating: 0, count: 32 * 1024)

    public init(interfaces named: [String], count: Int, sysfs: String = "/sys/class/net", procNet: String = "/proc/net") {
        self.named = named
        self.count = count
        self.sysfs = sysfs
        self.procNet = procNet
        changes = try? NetlinkSocket.routeEvents(groups: NetlinkSocket.linkAndRouteGroups)
        read()
    }

    /// Reads the uplinks again when a link or route message came since the
    /// last call (or the socket overflowed: something did). True if so.
    @discardableResult
    public func refreshIfChanged() -> Bool {
        guard let changes else { return false }
        var changed = false
        drain: while true {
            do {
                switch try buffer.withUnsafeMutableBytes({ bytes throws(SystemError) in try changes.receive(into: bytes) }) {
                case .bytes(let count): if count > 0 { changed = true } else { break drain }
                case .wouldBlock: break drain
                }
            } catch let error as SystemError {
                // ENOBUFS: messages were lost, so something changed; any
                // other error: read again rather than trust the last read.
                changed = true
                if error.errno != ENOBUFS && error.errno != ENOSPC { break drain }
            } catch {
                changed = true
                break drain
            }
        }
        if changed { read() }
        return changed
    }

    /// Whether an uplink could not be read at the last read.
    public private(set) var missing = false

    /// The reads and failures since the last call (the read at start
    /// included in the first).
    public func takeCounts() -> (reads: UInt64, failures: UInt64) {
        defer { counts = (0, 0) }
        return counts
    }

    private func read() {
        counts.reads += 1
        let interfaces = named.isEmpty ? DefaultRoutes.interfaces(procNet: procNet) : named
        var found: [UplinkNIC] = []
        for interface in interfaces.prefix(count) {
            if let nic = UplinkNIC.read(interface, sysfs: sysfs) { found.append(nic) } else { counts.failures += 1 }
        }
        missing = found.count < min(interfaces.count, count)
        nics = found
    }

    /// Sets the uplink NIC columns of `record` (the template of a poll):
    /// the first uplink's in `uplink1_*`, the second's in `uplink2_*`,
    /// empty where there is none.
    public func stamp(_ record: inout FlatRecord) {
        for (index, columns) in UplinkColumns.all.enumerated() {
            columns.write(index < nics.count ? nics[index] : UplinkNIC(interface: ""), into: &record)
        }
    }
}

/// One uplink's NIC columns in the record.
struct UplinkColumns: Sendable {
    var ifname, driver, model, busInfo, firmware: WritableKeyPath<FlatRecord, String> & Sendable
    var pciVendor, pciDevice, speedMbps: WritableKeyPath<FlatRecord, UInt32> & Sendable

    static let all = [
        UplinkColumns(ifname: \.uplink1Ifname, driver: \.uplink1NicDriver, model: \.uplink1NicModel, busInfo: \.uplink1NicBusInfo,
                      firmware: \.uplink1NicFwVersion, pciVendor: \.uplink1NicPciVendor, pciDevice: \.uplink1NicPciDevice,
                      speedMbps: \.uplink1NicSpeedMbps),
        UplinkColumns(ifname: \.uplink2Ifname, driver: \.uplink2NicDriver, model: \.uplink2NicModel, busInfo: \.uplink2NicBusInfo,
                      firmware: \.uplink2NicFwVersion, pciVendor: \.uplink2NicPciVendor, pciDevice: \.uplink2NicPciDevice,
                      speedMbps: \.uplink2NicSpeedMbps),
    ]

    func write(_ nic: UplinkNIC, into record: inout FlatRecord) {
        record[keyPath: ifname] = nic.interface
        record[keyPath: driver] = nic.driver
        record[keyPath: model] = nic.model
        record[keyPath: busInfo] = nic.busInfo
        record[keyPath: firmware] = nic.firmware
        record[keyPath: pciVendor] = nic.pciVendor
        record[keyPath: pciDevice] = nic.pciDevice
        record[keyPath: speedMbps] = nic.speedMbps
    }
}
