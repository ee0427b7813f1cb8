import Platform
import Synchronization

/// Containers' names and images from Docker's Engine API
/// (`-enrichContainer`, `-dockerSocket`), for the cgroup index to stamp
/// into `container_name` and `container_image`. On a thread of its own:
/// `GET /events` opened (container events: create, start and rename name
/// a container, destroy forgets it), then the containers listed, again
/// each time the stream is (re)opened so nothing between two streams is
/// missed; the first list is waited for at most 2 s, so that the first
/// poll has the names and a hung engine does not hold the daemon's start.
/// While the Engine cannot be reached the names are kept (containers
/// outlive a restarting engine) and each failed attempt is counted; the
/// thread tries again with backoff. A socket that does not exist (no
/// Docker on this host) is looked for again every 30 s and is no failure.
public final class DockerContainers: ContainerNames, FollowedSource {
    public struct Named: Sendable, Equatable {
        public var name: String
        public var image: String

        public init(name: String, image: String) {
            self.name = name
            self.image = image
        }
    }

    public let socket: String
    private let known = Mutex<(byID: [String: Named], generation: UInt64)>(([:], 0))
    let health: SourceHealth
    /// The container events the stream is asked for, URL-encoded:
    /// `{"type":["container"]}`.
    static let eventsTarget = "/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D"

    public init(socket: String) {
        self.socket = socket
        health = SourceHealth(socket: socket, peer: "docker", consequence: "container_name and container_image stay as last listed")
    }

    /// Starts the thread that lists the containers and follows the events,
    /// and waits for its first list (at most 2 s).
    public func follow() throws(SystemError) {
        try health.follow(name: "xtcp-docker") { [self] in watch() }
    }

    public var generation: UInt64 { known.withLock { $0.generation } }

    public func nameAndImage(of containerID: String) -> (name: String, image: String)? {
        known.withLock { $0.byID[containerID].map { ($0.name, $0.image) } }
    }

    public var containers: [String: Named] { known.withLock { $0.byID } }

    private func watch() {
        var backoff = Backoff()
        let events = UnixHTTPClient(socket: socket)
        while !health.isStopped {
            guard health.socketPresent else {
                health.settle()
                health.pause(.seconds(30))
                continue
            }
            do {
                var answered = 0
                try events.stream(Self.eventsTarget, opened: { status in
                    answered = status
                    guard status == 200 else { return false }
                    // The stream is live: what the list misses, it tells.
                    if list() { backoff.reset() }
                    health.settle()
                    return true
                }, line: { line in
                    apply(event: line)
                    return !health.isStopped
                })
                if health.isStopped { return }
                health.failed("GET /events: status \(answered)")
            } catch {
                if health.isStopped { return }
                health.failed("GET /events: \(error)")
            }
            health.settle()
            health.pause(backoff.next())
        }
    }

    /// Lists every container; whether the Engine answered.
    @discardableResult
    private func list() -> Bool {
        do {
            let (status, body) = try UnixHTTPClient(socket: socket).get("/containers/json?all=1")
            guard status == 200 else {
                health.failed("GET /containers/json: status \(status)")
                return false
            }
            let listed = try Self.containers(fromList: body)
            health.succeeded()
            publish(listed)
            return true
        } catch {
            health.failed("GET /containers/json: \(error)")
            return false
        }
    }

    private func publish(_ byID: [String: Named]) {
        known.withLock { known in
            if known.byID != byID {
                known.byID = byID
                known.generation &+= 1
            }
        }
    }

    /// One event of the stream: `{"Type":"container","Action":"rename",
    /// "Actor":{"ID":…,"Attributes":{"name":…,"image":…}},…}`. Events that
    /// are not JSON, or not of a container's name, are passed over.
    private func apply(event line: [UInt8]) {
        guard let event = try? JSONValue.parse(line), event["Type"]?.string ?? "container" == "container",
              let action = event["Action"]?.string, let id = event["Actor"]?["ID"]?.string else { return }
        let attributes = event["Actor"]?["Attributes"]
        var next = containers
        switch action {
        case "create", "start", "rename":
            guard let name = attributes?["name"]?.string else { return }
            next[id] = Named(name: name, image: attributes?["image"]?.string ?? next[id]?.image ?? "")
        case "destroy":
            next[id] = nil
        default:
            return
        }
        // Only this thread writes the names: reading, then publishing, is
        // no race.
        publish(next)
    }

    /// `GET /containers/json`'s body: `[{"Id":…,"Names":["/web"],"Image":…},…]`.
    static func containers(fromList body: [UInt8]) throws(JSONValue.ParseError) -> [String: Named] {
        guard let items = try JSONValue.parse(body).array else { throw JSONValue.ParseError(offset: 0, reason: "not a list of containers") }
        var found: [String: Named] = [:]
        for item in items {
            guard let id = item["Id"]?.string, !id.isEmpty else { continue }
            // The first name is the container's own; Docker writes it with
            // a leading slash.
            let name = item["Names"]?.array?.first?.string ?? ""
            found[id] = Named(name: name.hasPrefix("/") ? String(name.dropFirst()) : name, image: item["Image"]?.string ?? "")
        }
        return found
    }
}
