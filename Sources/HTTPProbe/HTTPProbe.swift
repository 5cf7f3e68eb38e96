public import Foundation
public import SansangCore

/// The HTTP probe: what every browser sees of a portal or API.
///
/// Facts (`HTTPFacts`): the page and its same-host redirects; plain HTTP and its redirects
/// (the target itself for `http://`, `http://host:80` for HTTPS on 443); security headers and
/// cookies, parsed; the answers to a foreign `Origin` and to `Origin: null`; a random path
/// (soft-404 baseline) and a malformed one (error page); TRACE; OPTIONS; security.txt; and
/// every check of the exposed-path file, confirmed by status and body markers.
///
/// Requests: about 10 plus one per exposed-path check, sequential, over one reused curl
/// handle, never more than `ProbeContext.maxRequestsPerEndpoint`, each within
/// `connectionTimeout`, all within `endpointTimeout`. Bodies are read up to 256 KiB.
/// Redirects are followed by hand, at most 5, and only on the same host.
public struct HTTPProbe: Probe {
    public static let id = "http"
    public static let maxRedirects = 5
    public static let bodyCap = 256 * 1024
    /// The foreign origin sent to test CORS (`.invalid` never resolves, RFC 2606).
    public static let foreignOrigin = "https://sansang-cors-check.invalid"

    /// The exposed-path checks this probe runs (the engine builds one rule per check).
    public let pathChecks: [ExposedPathCheck]
    let pathsFile: String?
    let pathsError: String?

    /// Loads the exposed-path file now: `pathsFile`, or `Checks/http/exposed-paths.json` found
    /// from the working directory or the executable upwards. A missing or invalid file is not
    /// fatal: the facts carry the error and the path rules are inconclusive.
    public init(pathsFile: String? = nil) {
        let loaded = Self.loadChecks(pathsFile)
        self.pathsFile = loaded.file
        switch loaded.result {
        case .success(let checks):
            pathChecks = checks
            pathsError = nil
        case .failure(let error):
            pathChecks = []
            pathsError = error.reason
        }
    }

    static let defaultRelativePath = "Checks/http/exposed-paths.json"

    static func loadChecks(_ explicit: String?) -> (file: String?, result: Result<[ExposedPathCheck], SansangError>) {
        let file: String
        if let explicit {
            file = explicit
        } else if let found = findDefaultFile() {
            file = found
        } else {
            return (nil, .failure(SansangError(.configuration, "\(defaultRelativePath) not found from \(FileManager.default.currentDirectoryPath) or the executable's folder; give --http-paths FILE")))
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            return (file, .failure(SansangError(.configuration, "\(file): cannot be read")))
        }
        do throws(SansangError) {
            return (file, .success(try ExposedPathCatalog.decode(data, file: file)))
        } catch {
            return (file, .failure(error))
        }
    }

    static func findDefaultFile() -> String? {
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        starts.append(URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent())
        for start in starts {
            var directory = start
            for _ in 0..<6 {
                let candidate = directory.appendingPathComponent(defaultRelativePath).path
                if FileManager.default.isReadableFile(atPath: candidate) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }

    public func gather(_ endpoint: Endpoint, _ context: ProbeContext, into facts: inout FactSet) async {
        facts.record(await scan(endpoint, context))
    }

    public func scan(_ endpoint: Endpoint, _ context: ProbeContext) async -> ProbeAttempt<HTTPFacts> {
        let started = ContinuousClock.now
        guard let easy = CurlEasy() else {
            return .failed(ProbeFailure(kind: "error", reason: "libcurl could not be initialised"))
        }
        let session = HTTPSession(easy: easy, context: context, deadline: started + context.endpointTimeout, host: endpoint.host)
        let scheme = endpoint.scheme == "http" ? "http" : "https"
        let target = Self.url(scheme: scheme, host: endpoint.host, port: endpoint.port, path: endpoint.path)
        var facts = HTTPFacts(target: target, requestLimit: context.maxRequestsPerEndpoint)
        facts.paths = PathProbeFacts(file: pathsFile, error: pathsError)

        facts.main = await session.follow(target)
        guard let landing = facts.main.last, landing.status != nil else {
            let failure = facts.main.last?.error ?? ProbeFailure(kind: "error", reason: "no request could be sent")
            return .failed(ProbeFailure(kind: failure.kind, reason: "\(target): \(failure.reason)"))
        }
        if scheme == "http" {
            facts.plainHTTP = facts.main
        } else if endpoint.port == 443 {
            facts.plainHTTP = await session.follow(Self.url(scheme: "http", host: endpoint.host, port: 80, path: endpoint.path))
        }
        facts.headers = HeaderParser.securityHeaders(landing)
        for hop in facts.main.hops {
            for value in hop.values("Set-Cookie") {
                if let cookie = HeaderParser.cookie(value, url: hop.url) { facts.cookies.append(cookie) }
            }
        }

        // Requests below go to where the page landed (same host), e.g. https after an http redirect.
        let landingURL = URL(string: landing.url)
        let base = landingURL.map { url in
            Self.url(scheme: url.scheme ?? scheme, host: endpoint.host, port: url.port ?? (url.scheme == "http" ? 80 : 443), path: "")
        } ?? Self.url(scheme: scheme, host: endpoint.host, port: endpoint.port, path: "")
        let landingPath = landingURL.map { $0.path.isEmpty ? "/" : $0.path } ?? endpoint.path

        for origin in [Self.foreignOrigin, "null"] {
            if let response = await session.send(HTTPRequest(url: landing.url, headers: [HTTPHeaderField(name: "Origin", value: origin)])) {
                facts.cors.append(response.exchange.trimmed(to: 512))
            }
        }
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let notFound = await session.send(HTTPRequest(url: base + "/sansang-\(random)-absent"))
        facts.notFound = notFound?.exchange.trimmed(to: 8192)
        facts.errorProbe = await session.send(HTTPRequest(url: base + "/sansang-\(random)/%ZZ%27%22?id=%27%22%3C"))?.exchange.trimmed(to: 8192)
        facts.trace = await session.send(HTTPRequest(method: "TRACE", url: landing.url, headers: [HTTPHeaderField(name: "X-Sansang-Trace", value: "echo-\(random)")]))?.exchange.trimmed(to: 1024)
        if let options = await session.send(HTTPRequest(method: "OPTIONS", url: landing.url))?.exchange {
            facts.options = options.trimmed(to: 512)
            let listed = options.values("Allow") + options.values("Access-Control-Allow-Methods")
            facts.allowedMethods = listed.isEmpty ? nil : HeaderParser.methods(listed)
        }
        facts.securityTxt = await session.send(HTTPRequest(url: base + "/.well-known/security.txt"))?.exchange.trimmed(to: 1024)

        for check in pathChecks {
            let url = check.path.hasPrefix("?") ? base + landingPath + check.path : base + check.path
            guard let response = await session.send(HTTPRequest(url: url)) else {
                facts.paths.results.append(PathProbeResult(id: check.ruleId, exchange: nil, confirmed: false, sameAsNotFound: false, skipped: session.stopReason ?? "request-limit"))
                continue
            }
            let body = String(decoding: response.body, as: UTF8.self)
            let confirmed = check.confirms(status: response.exchange.status, contentType: response.exchange.header("Content-Type"), body: body)
            let same = Self.looksAlike(response, notFound)
            facts.paths.results.append(PathProbeResult(id: check.ruleId, exchange: response.exchange.trimmed(to: 512), confirmed: confirmed, sameAsNotFound: same))
        }

        facts.requests = session.count
        facts.limitReached = session.stopReason != nil
        if let reason = session.stopReason { facts.notes.append("stopped early: \(reason)") }
        facts.durationMilliseconds = Int(started.duration(to: .now).milliseconds)
        return .completed(facts)
    }

    /// Same status and the same or nearly the same body as the random path: a catch-all answer.
    static func looksAlike(_ response: HTTPResponse, _ baseline: HTTPResponse?) -> Bool {
        guard let baseline, let status = response.exchange.status, status == baseline.exchange.status else { return false }
        if response.exchange.bodyDigest == baseline.exchange.bodyDigest { return true }
        let a = response.body.count, b = baseline.body.count
        return abs(a - b) <= max(32, max(a, b) / 20)
    }

    static func url(scheme: String, host: String, port: Int, path: String) -> String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "http" ? 80 : 443
        return "\(scheme)://\(hostPart)" + (port == defaultPort ? "" : ":\(port)") + path
    }
}

extension HTTPExchange {
    /// The same exchange with the body excerpt cut, so facts stay small.
    func trimmed(to limit: Int) -> HTTPExchange {
        var copy = self
        if copy.bodyExcerpt.utf8.count > limit {
            copy.bodyExcerpt = String(decoding: Array(copy.bodyExcerpt.utf8.prefix(limit)), as: UTF8.self)
        }
        return copy
    }
}

/// The requests of one endpoint: counted against the cap, within the deadline, paced by the delay.
final class HTTPSession: @unchecked Sendable {
    let easy: CurlEasy
    let context: ProbeContext
    let deadline: ContinuousClock.Instant
    let host: String
    private(set) var count = 0
    private(set) var stopReason: String?

    init(easy: CurlEasy, context: ProbeContext, deadline: ContinuousClock.Instant, host: String) {
        self.easy = easy
        self.context = context
        self.deadline = deadline
        self.host = host
    }

    /// Sends one request with the context's timeouts; nil (and `stopReason` set) when the cap or the deadline forbids it.
    func send(_ request: HTTPRequest) async -> HTTPResponse? {
        guard count < context.maxRequestsPerEndpoint else {
            stopReason = "request-limit (\(context.maxRequestsPerEndpoint) requests)"
            return nil
        }
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .milliseconds(50) else {
            stopReason = "deadline (endpoint timeout)"
            return nil
        }
        if count > 0, context.delayBetweenConnections > .zero {
            try? await Task.sleep(for: context.delayBetweenConnections)
        }
        count += 1
        var prepared = request
        prepared.connectTimeout = min(context.connectionTimeout, remaining)
        prepared.totalTimeout = min(context.connectionTimeout, remaining)
        prepared.verifyTLS = context.verifyTLS
        prepared.caFile = context.caFile
        prepared.bodyCap = HTTPProbe.bodyCap
        let easy = self.easy
        let sent = prepared
        var response = await CurlQueue.run { easy.perform(sent) }
        response.exchange.bodyExcerpt = String(decoding: response.body.prefix(8192), as: UTF8.self)
        return response
    }

    /// GETs `url` and follows redirects on the same host, at most `HTTPProbe.maxRedirects`.
    func follow(_ url: String) async -> RedirectChain {
        var chain = RedirectChain()
        var next = url
        var visited: Set<String> = []
        for hop in 0...HTTPProbe.maxRedirects {
            visited.insert(next)
            guard let response = await send(HTTPRequest(url: next)) else {
                chain.stoppedBecause = "request-limit"
                return chain
            }
            chain.hops.append(response.exchange.trimmed(to: 2048))
            guard let status = response.exchange.status, [301, 302, 303, 307, 308].contains(status) else {
                if response.exchange.status == nil { chain.stoppedBecause = "error" }
                return chain
            }
            guard let location = response.exchange.header("Location")?.trimmingCharacters(in: .whitespaces), !location.isEmpty else {
                chain.stoppedBecause = "no-location"
                return chain
            }
            guard let resolved = URL(string: location, relativeTo: URL(string: next))?.absoluteURL,
                  let scheme = resolved.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                chain.stoppedBecause = "bad-location"
                chain.unfollowedLocation = location
                return chain
            }
            let resolvedHost = (resolved.host ?? "").lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            guard resolvedHost == host.lowercased() else {
                chain.stoppedBecause = "other-host"
                chain.unfollowedLocation = resolved.absoluteString
                return chain
            }
            let absolute = resolved.absoluteString
            if visited.contains(absolute) {
                chain.stoppedBecause = "loop"
                chain.unfollowedLocation = absolute
                return chain
            }
            if hop == HTTPProbe.maxRedirects {
                chain.stoppedBecause = "limit"
                chain.unfollowedLocation = absolute
                return chain
            }
            next = absolute
        }
        return chain
    }
}
