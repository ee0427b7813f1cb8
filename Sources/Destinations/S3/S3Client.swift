import CCurl
import Platform

/// S3's two requests xtcp makes, signed (SigV4) by libcurl: HEAD of the
/// bucket at start, PUT of an object. Path-style URLs. Not thread-safe:
/// the uploader thread makes every request but the probe, made before it
/// starts.
final class S3Client {
    enum Answer: Equatable {
        /// An HTTP status, and S3's error code when the body had one.
        case status(Int, code: String?)
        /// No answer: refused, reset, timed out, TLS failed; `mayHaveArrived`
        /// when the request may have reached the server before it went
        /// quiet (a timeout, a reset): the object may be stored.
        case none(String, mayHaveArrived: Bool)

        var isSuccess: Bool { if case .status(let status, _) = self { (200..<300).contains(status) } else { false } }

        /// Worth another try: no answer, a server error, a timeout or
        /// throttling; not a refusal (403, 404, 400: trying again gets the same).
        var isRetryable: Bool {
            switch self {
            case .none: true
            case .status(let status, _): status >= 500 || status == 408 || status == 429
            }
        }

        var description: String {
            switch self {
            case .none(let why, _): "no answer (\(why))"
            case .status(let status, let code): "HTTP \(status)" + (code.map { " \($0)" } ?? "")
            }
        }
    }

    private let handle: UnsafeMutableRawPointer
    private let base: String

    init(settings: S3Settings, caFile: String?) throws(DestinationUnavailable) {
        guard xtcp_curl_global_init() == 0,
              let handle = xtcp_curl_s3_open(settings.region, settings.accessKey, settings.secretKey, caFile, 2000)
        else { throw DestinationUnavailable(description: "-dest s3: libcurl could not make a handle") }
        self.handle = handle
        var endpoint = settings.endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        base = endpoint + "/" + S3ObjectKey.escaped(settings.bucket)
    }

    deinit { xtcp_curl_close(handle) }

    func headBucket(timeout: Duration) -> Answer {
        request("HEAD", url: base, body: UnsafeRawBufferPointer(start: nil, count: 0), contentType: "application/octet-stream", timeout: timeout)
    }

    func put(key: String, body: UnsafeRawBufferPointer, contentType: String, timeout: Duration) -> Answer {
        // Each segment percent-encoded ("=" as %3D), as SigV4's canonical
        // URI has it: libcurl 7.88 signs the path as it is given.
        let path = key.split(separator: "/", omittingEmptySubsequences: false).map { S3ObjectKey.escaped(String($0)) }.joined(separator: "/")
        return request("PUT", url: base + "/" + path, body: body, contentType: contentType, timeout: timeout)
    }

    private func request(_ method: String, url: String, body: UnsafeRawBufferPointer, contentType: String, timeout: Duration) -> Answer {
        var status = 0
        var error = [CChar](repeating: 0, count: 256)
        var answer = [CChar](repeating: 0, count: 1024)
        let code = xtcp_curl_s3_request(handle, method, url, body.baseAddress, body.count, contentType, max(1, timeout.roundedMilliseconds),
                                        &status, &error, error.count, &answer, answer.count)
        guard code == 0 else {
            let refused = code == xtcp_curle_couldnt_connect || code == xtcp_curle_couldnt_resolve_host
            return .none(Self.text(error), mayHaveArrived: !refused)
        }
        return .status(status, code: Self.errorCode(inXML: Self.text(answer)))
    }

    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `<Code>SignatureDoesNotMatch</Code>` of S3's error document.
    static func errorCode(inXML xml: String) -> String? {
        guard let open = xml.firstRange(of: "<Code>"), let close = xml[open.upperBound...].firstRange(of: "</Code>") else { return nil }
        return String(xml[open.upperBound..<close.lowerBound].prefix(64))
    }
}
