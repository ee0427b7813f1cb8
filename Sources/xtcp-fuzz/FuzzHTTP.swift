// The `http` fuzz target: the operator's HTTP listener's request-head
// parser over any bytes, whole and cut at every point a client could stop
// sending, and the query parser over what it finds.
import XTCP

func fuzzHTTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let head = HTTPRequestHead(parsing: bytes)
    switch head {
    case .incomplete:
        if bytes.count > HTTPRequestHead.maxBytes { fatalError("\(bytes.count) bytes and still incomplete") }
    case .refused(let status, _):
        if ![400, 405, 431].contains(status) { fatalError("refused with \(status)") }
    case .request(let request):
        guard ["GET", "HEAD"].contains(request.method), request.path.hasPrefix("/"), !request.path.contains("?") else {
            fatalError("accepted \(request)")
        }
        for (key, value) in HTTPQuery.parameters(request.query) where key.contains("&") || value.contains("&") {
            fatalError("query \(request.query): \(key)=\(value)")
        }
    }
    // A head refused or accepted stays so as more bytes come: the
    // listener decides once.
    if head != .incomplete, HTTPRequestHead(parsing: bytes + Array("X\r\n\r\n".utf8)) != head, bytes.count <= HTTPRequestHead.maxBytes {
        fatalError("more bytes changed the verdict on \(bytes.count) bytes")
    }
    return 0
}

/// Seeds for `http`: requests as clients send them, whole and odd.
let httpSeeds = [
    "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD /healthz HTTP/1.0\r\n\r\n",
    "GET /debug/pprof/profile?seconds=1&hz=100 HTTP/1.1\r\n\r\n", "GET /debug/pprof/profile?=&&= HTTP/1.1\r\n\r\n",
    "POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", "GET /healthz HTTP/1.1\r\n\r\nGET /metr", "garbage\r\n\r\n",
    "GET / HTTP/2\r\n\r\n", "GET /readyz HTTP/1.1\r\n",
]
