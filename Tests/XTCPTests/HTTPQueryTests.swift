import Foundation
import Testing
import TestSupport
@testable import XTCP

@Suite("Query strings of the HTTP listener: any query is parsed, none crashes the daemon", .serialized)
struct HTTPQueryTests {
    /// Queries with an empty key: `=` split with empty parts omitted gave no
    /// part at all, and indexing the first one trapped the daemon (SIGILL).
    @Test("an empty key or value is a key or value, not a trap", arguments: [
        ("=", ["": ""]),
        ("&=", ["": ""]),
        ("seconds=1&=", ["seconds": "1", "": ""]),
        ("=1", ["": "1"]),
        ("seconds=", ["seconds": ""]),
        ("hz", ["hz": ""]),
        ("&&", [:]),
        ("", [:]),
    ])
    func parameters(query: String, expected: [String: String]) {
        #expect(HTTPQuery.parameters(query) == expected)
    }

    @Test("GET /debug/pprof/profile with an empty key is answered, and the daemon lives on")
    func emptyKeyOverHTTP() throws {
        try withTestNamespace { ns in
            let port = 19_191
            let xtcp = try LineProcess(ns.exec([Paths.xtcp, "-namespaces", "own", "-frequency", "300ms", "-pollJitterPct", "0",
                                                "-dest", "null", "-promListen", "127.0.0.1:\(port)"]), readsStderr: true)
            defer { kill(xtcp.processIdentifier, SIGTERM); xtcp.finish() }
            #expect(xtcp.waitForLine { $0.hasPrefix("poll 1:") } != nil, "\(xtcp.lines)")
            func probe(_ arguments: [String]) throws -> String {
                try Shell.run(ns.exec(["python3", Paths.packageRoot + "/Tests/Scripts/http_probe.py", "127.0.0.1", "\(port)"] + arguments))
            }
            for query in ["=&seconds=1", "&=&seconds=1", "seconds=1&="] {
                // A 1 s profile (gzipped bytes, saved and thrown away).
                let status = try probe(["save", "/debug/pprof/profile?" + query, "/dev/null"])
                #expect(status == "200\n", "?\(query): \(status)")
                #expect(try probe(["get", "/healthz"]) == "200\nok\n", "after ?\(query)")
            }
            kill(xtcp.processIdentifier, SIGTERM)
            #expect(xtcp.finish() == 0, "\(xtcp.lines.suffix(5))")
        }
    }
}
