import Foundation
internal import CCurl
import SansangCore

/// One HTTP request as the probe wants it sent.
struct HTTPRequest: Sendable {
    var method: String = "GET"
    var url: String
    var headers: [HTTPHeaderField] = []
    /// Set by the session from the probe context.
    var connectTimeout: Duration = .seconds(5)
    var totalTimeout: Duration = .seconds(5)
    var verifyTLS: Bool = true
    var caFile: String?
    /// Body bytes kept; reading stops (and the answer is marked truncated) past this.
    var bodyCap: Int = 256 * 1024
}

/// An answer: the exchange as facts, and the body read (up to the cap) for matching.
struct HTTPResponse: Sendable {
    var exchange: HTTPExchange
    var body: [UInt8]
}

/// libcurl needs `curl_global_init` once before any handle, from one thread.
enum CurlGlobal {
    static let ready: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

/// What the C callbacks write into; reached through the userdata pointer while `perform` runs.
final class ResponseSink {
    let cap: Int
    var body: [UInt8] = []
    var truncated = false
    var headerLines: [String] = []
    var headerBytes = 0
    var headerOverflow = false
    static let headerCap = 64 * 1024

    init(cap: Int) { self.cap = cap }
}

/// The one owner of a CURL easy handle. Used by one request at a time (the probe awaits each),
/// so it is handed between dispatch threads but never shared concurrently.
final class CurlEasy: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    init?() {
        guard CurlGlobal.ready, let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends one request and reads the answer. Blocking: call through `CurlQueue`.
    /// Never throws; a transport error is in `exchange.error`.
    func perform(_ request: HTTPRequest) -> HTTPResponse {
        curl_easy_reset(handle)  // keeps the connection cache, so requests reuse connections
        let started = ContinuousClock.now
        let sink = ResponseSink(cap: request.bodyCap)
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var list: UnsafeMutablePointer<curl_slist>?
        for field in request.headers {
            list = curl_slist_append(list, "\(field.name): \(field.value)")
        }
        defer { curl_slist_free_all(list) }

        let code: CURLcode = withExtendedLifetime(sink) {
            errorBuffer.withUnsafeMutableBufferPointer { errorPointer -> CURLcode in
                let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
                sansang_curl_setopt_string(handle, CURLOPT_URL, request.url)
                sansang_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
                sansang_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                sansang_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
                sansang_curl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1)
                sansang_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
                sansang_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(request.connectTimeout.milliseconds)))
                sansang_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(request.totalTimeout.milliseconds)))
                sansang_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, request.verifyTLS ? 1 : 0)
                sansang_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, request.verifyTLS ? 2 : 0)
                if let caFile = request.caFile { sansang_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
                sansang_curl_setopt_string(handle, CURLOPT_USERAGENT, "sansang/\(SansangVersion.current) (security audit; +non-intrusive)")
                if request.method == "HEAD" {
                    sansang_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
                } else if request.method != "GET" {
                    sansang_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
                }
                sansang_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
                sansang_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
                sansang_curl_setopt_write_function(handle, curlWriteBody)
                sansang_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
                sansang_curl_setopt_header_function(handle, curlWriteHeader)
                sansang_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer)
                return curl_easy_perform(handle)
            }
        }

        var status = 0
        sansang_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let bodyStoppedByUs = code == CURLE_WRITE_ERROR && sink.truncated
        var exchange = HTTPExchange(
            method: request.method, url: request.url, requestHeaders: request.headers,
            headers: HeaderParser.fields(sink.headerLines), bodyBytes: sink.body.count, bodyTruncated: sink.truncated,
            bodyDigest: FNV.hex128(String(decoding: sink.body, as: UTF8.self)),
            durationMilliseconds: Int(started.duration(to: .now).milliseconds)
        )
        if (code == CURLE_OK || bodyStoppedByUs) && status > 0 {
            exchange.status = status
        } else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let text = String(cString: curl_easy_strerror(code))
            exchange.error = ProbeFailure(kind: Self.kind(code), reason: detail.isEmpty ? text : "\(text): \(detail)")
            if status > 0 { exchange.status = status }
        }
        if sink.headerOverflow { exchange.error = ProbeFailure(kind: "limit", reason: "more than \(ResponseSink.headerCap) bytes of headers") }
        return HTTPResponse(exchange: exchange, body: sink.body)
    }

    static func kind(_ code: CURLcode) -> String {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: "timeout"
        case CURLE_COULDNT_CONNECT: "refused"
        case CURLE_COULDNT_RESOLVE_HOST: "resolution"
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE: "tls"
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_WEIRD_SERVER_REPLY, CURLE_UNSUPPORTED_PROTOCOL: "malformed"
        case CURLE_WRITE_ERROR: "limit"
        default: "error"
        }
    }
}

/// Body callback: keeps bytes up to the cap, then stops the transfer (returning less than given).
private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    guard length > 0, let data else { return length }
    let room = sink.cap - sink.body.count
    let keep = min(room, length)
    if keep > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: keep) { sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: keep)) }
    }
    if keep < length {
        sink.truncated = true
        return 0
    }
    return length
}

/// Header callback: one raw line per call; a status line starts a new response (after 1xx or a proxy).
private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    guard length > 0, let data else { return length }
    sink.headerBytes += length
    if sink.headerBytes > ResponseSink.headerCap {
        sink.headerOverflow = true
        return 0
    }
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    let trimmed = line.trimmingCharacters(in: CharacterSet(charactersIn: "\r\n"))
    if trimmed.hasPrefix("HTTP/") {
        sink.headerLines = []
    } else if !trimmed.isEmpty {
        sink.headerLines.append(trimmed)
    }
    return length
}

/// Runs blocking curl calls off Swift's cooperative pool, on a dispatch queue.
enum CurlQueue {
    private static let queue = DispatchQueue(label: "sansang.http.curl", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
