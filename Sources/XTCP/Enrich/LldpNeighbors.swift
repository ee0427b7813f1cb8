import CLldpctl
import Platform
import Synchronization

/// What lldpd heard from the far end of an uplink: the switch (chassis) and
/// the port on it, as the record's `uplink*_lldp_*` columns carry them.
public struct LldpNeighbor: Sendable, Equatable {
    public var chassisName = ""
    /// As lldpd prints it, without its subtype (a MAC is `f2:65:cc:01:d7:72`).
    public var chassisID = ""
    /// The first management address the neighbour advertises.
    public var managementAddress = ""
    public var portID = ""
    public var portDescription = ""

    public init(chassisName: String = "", chassisID: String = "", managementAddress: String = "", portID: String = "", portDescription: String = "") {
        self.chassisName = chassisName
        self.chassisID = chassisID
        self.managementAddress = managementAddress
        self.portID = portID
        self.portDescription = portDescription
    }
}

/// The LLDP neighbours of this host's interfaces (`-enrichLldp`), through
/// lldpd's own client library (liblldpctl, loaded at run time: see
/// CLldpctl) on its control socket (`-lldpdSocket`).
/// Read on a thread of its own (liblldpctl's reads block: a hung lldpd
/// holds that thread only), first when it starts (waited for at most 2 s,
/// so that the first poll has them), then each time `lldpctl_watch`
/// returns with one of lldpd's change notifications. While lldpd cannot be reached the neighbours are
/// forgotten (their columns empty), each failed attempt is counted, and the
/// thread tries again with backoff; a control socket that does not exist
/// (no lldpd on this host) is looked for again every 30 s and is no failure.
public final class LldpNeighbors: FollowedSource, Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// By local interface name.
        public var byInterface: [String: LldpNeighbor] = [:]
        /// Moves on whenever `byInterface` changes.
        public var generation: UInt64 = 0
    }

    public let socket: String
    private let heard = Mutex(Snapshot())
    let health: SourceHealth

    public init(socket: String) {
        self.socket = socket
        health = SourceHealth(socket: socket, peer: "lldpd", consequence: "the uplink*_lldp_* columns stay empty")
    }

    /// Starts the thread that reads lldpd and follows its notifications,
    /// and waits for its first read (at most 2 s).
    public func follow() throws(SystemError) {
        try health.follow(name: "xtcp-lldp") { [self] in watch() }
    }


    public var snapshot: Snapshot { heard.withLock { $0 } }

    private func watch() {
        var backoff = Backoff()
        while !health.isStopped {
            if !health.socketPresent {
                publish([:])
                health.settle()
                health.pause(.seconds(30))
                continue
            }
            // An lldpd socket but not its library (loaded at run time): said
            // and counted, as lldpd not answering would be.
            guard xtcp_lldpctl_load() == 0 else {
                failed(LldpError(reason: Self.text(xtcp_lldpctl_load_error())))
                health.settle()
                health.pause(backoff.next())
                continue
            }
            // Liblldpctl's own blocking transport on the unix socket.
            guard let connection = xtcp_lldpctl_new_name(socket) else {
                failed(LldpError(reason: "out of memory"))
                health.settle()
                health.pause(backoff.next())
                continue
            }
            // Watching first, reading second: a change between the two is
            // one more read, not a missed one.
            let watching = xtcp_lldpctl_watch_changes(connection) == 0
            if !watching { failed(Self.lastError(connection)) }
            var healthy = watching && refresh()
            health.settle()
            if healthy { backoff.reset() }
            while healthy, !health.isStopped {
                guard xtcp_lldpctl_watch(connection) >= 0 else {
                    if !health.isStopped { failed(Self.lastError(connection)) }
                    break
                }
                healthy = refresh()
            }
            xtcp_lldpctl_release(connection)
            health.pause(backoff.next())
        }
    }

    /// Reads every interface's neighbour and publishes them; whether lldpd
    /// answered.
    @discardableResult
    private func refresh() -> Bool {
        guard health.socketPresent else {
            publish([:])
            return false
        }
        switch Self.read(socket: socket) {
        case .success(let found):
            health.succeeded()
            publish(found)
            return true
        case .failure(let error):
            failed(error)
            return false
        }
    }

    /// Counted, and the neighbours forgotten: lldpd no longer vouches for them.
    private func failed(_ error: LldpError) {
        health.failed(error.reason)
        publish([:])
    }

    private func publish(_ neighbours: [String: LldpNeighbor]) {
        heard.withLock { heard in
            if neighbours != heard.byInterface {
                heard.byInterface = neighbours
                heard.generation &+= 1
            }
        }
    }

    struct LldpError: Error {
        var reason: String
    }

    /// One synchronous exchange with lldpd: its interfaces, each one's
    /// port, each port's first neighbour.
    static func read(socket: String) -> Result<[String: LldpNeighbor], LldpError> {
        guard xtcp_lldpctl_load() == 0 else { return .failure(LldpError(reason: text(xtcp_lldpctl_load_error()))) }
        guard let connection = xtcp_lldpctl_new_name(socket) else { return .failure(LldpError(reason: "out of memory")) }
        defer { xtcp_lldpctl_release(connection) }
        func failure() -> Result<[String: LldpNeighbor], LldpError> { .failure(lastError(connection)) }
        guard let interfaces = xtcp_lldpctl_get_interfaces(connection) else { return failure() }
        defer { xtcp_lldpctl_atom_dec_ref(interfaces) }
        var found: [String: LldpNeighbor] = [:]
        var failed = false
        each(interfaces) { interface in
            let name = text(xtcp_lldpctl_atom_get_str(interface, lldpctl_k_interface_name))
            // The port's details are a second request to lldpd.
            guard let port = xtcp_lldpctl_get_port(interface) else {
                failed = true
                return false
            }
            defer { xtcp_lldpctl_atom_dec_ref(port) }
            guard let neighbours = xtcp_lldpctl_atom_get(port, lldpctl_k_port_neighbors) else { return true }
            defer { xtcp_lldpctl_atom_dec_ref(neighbours) }
            each(neighbours) { neighbour in
                var heard = LldpNeighbor(
                    chassisName: text(xtcp_lldpctl_atom_get_str(neighbour, lldpctl_k_chassis_name)),
                    chassisID: text(xtcp_lldpctl_atom_get_str(neighbour, lldpctl_k_chassis_id)),
                    portID: text(xtcp_lldpctl_atom_get_str(neighbour, lldpctl_k_port_id)),
                    portDescription: text(xtcp_lldpctl_atom_get_str(neighbour, lldpctl_k_port_descr)))
                if let addresses = xtcp_lldpctl_atom_get(neighbour, lldpctl_k_chassis_mgmt) {
                    each(addresses) { address in
                        heard.managementAddress = text(xtcp_lldpctl_atom_get_str(address, lldpctl_k_mgmt_ip))
                        return heard.managementAddress.isEmpty
                    }
                    xtcp_lldpctl_atom_dec_ref(addresses)
                }
                found[name] = heard
                return false  // the first neighbour: what lldpd's default (-H 0) shows first
            }
            return true
        }
        return failed ? failure() : .success(found)
    }

    /// Calls `body` with each atom of `list` (borrowed: valid during the
    /// call) until it returns false; what lldpctl_atom_foreach does, whose
    /// macro Swift cannot import.
    private static func each(_ list: OpaquePointer, _ body: (OpaquePointer) -> Bool) {
        var iterator = xtcp_lldpctl_atom_iter(list)
        while let at = iterator, let value = xtcp_lldpctl_atom_iter_value(list, at) {
            let more = body(value)
            if more { iterator = xtcp_lldpctl_atom_iter_next(list, at) }
            xtcp_lldpctl_atom_dec_ref(value)
            if !more { return }
        }
    }

    private static func lastError(_ connection: OpaquePointer) -> LldpError {
        LldpError(reason: text(xtcp_lldpctl_last_strerror(connection)))
    }

    private static func text(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
}
