import Foundation

/// Runs `body` in a network namespace made for it (`ip netns add`, loopback
/// up) and deletes the namespace afterwards, however `body` ends.
public func withTestNamespace<R>(prefix: String = "xtcp-test", _ body: (TestNamespace) throws -> R) throws -> R {
    let namespace = try TestNamespace(prefix: prefix)
    defer { namespace.remove() }
    return try body(namespace)
}

/// Runs `body` in a namespace made for it with the farm `script` of
/// `Tests/Scripts` running there (every socket open); stops the farm, then
/// deletes the namespace, however `body` ends.
public func withSocketFarm<R>(_ script: String, _ arguments: [String] = [], prefix: String = "xtcp-test",
                              _ body: (TestNamespace, SocketFarm) throws -> R) throws -> R {
    try withTestNamespace(prefix: prefix) { namespace in
        let farm = try SocketFarm(in: namespace, script: script, arguments: arguments)
        defer { farm.stop() }
        return try body(namespace, farm)
    }
}

/// The destinations' live tests: a namespace with 1,010 loopback
/// connections (2,020 sockets) open to port 907, and a scratch directory
/// for the peer's files; both removed however `body` ends.
public func withDestinationFarm<R>(prefix: String, _ body: (TestNamespace, String) throws -> R) throws -> R {
    try withSocketFarm("loopback_farm.py", ["1010", "127.0.0.1", "907"], prefix: prefix) { namespace, _ in
        let work = "/tmp/\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        return try body(namespace, work)
    }
}
