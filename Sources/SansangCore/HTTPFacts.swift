public import Foundation

/// What the HTTP probe saw on one endpoint: the answers to a fixed, small set of requests
/// (the page, the plain-HTTP redirect chain, a foreign `Origin`, a random path, TRACE,
/// OPTIONS, security.txt and the exposed-path list), with the security headers and cookies
/// parsed. Observations only; rules judge them.
public struct HTTPFacts: Facts {
    public static let key = "http"

    /// The URL probed first (`https://host:port/path`).
    public var target: String
    /// GET of the target and each same-host redirect followed from it.
    public var main: RedirectChain
    /// GET over plain HTTP (the target itself when it is `http://`, `http://host:80` for HTTPS
    /// on 443) and the redirects followed from it; nil when not probed.
    public var plainHTTP: RedirectChain?
    /// Security headers of the last answer of `main`, parsed.
    public var headers: SecurityHeaders?
    /// Every Set-Cookie seen along `main`.
    public var cookies: [CookieFacts]
    /// GETs of the final URL with a foreign `Origin` and with `Origin: null`.
    public var cors: [HTTPExchange]
    /// GET of a random path that should not exist (soft-404 baseline, error page).
    public var notFound: HTTPExchange?
    /// GET of a malformed path, to provoke a framework error page.
    public var errorProbe: HTTPExchange?
    public var trace: HTTPExchange?
    public var options: HTTPExchange?
    /// Methods the server lists in `Allow` (or `Access-Control-Allow-Methods`) to OPTIONS, upper-cased.
    public var allowedMethods: [String]?
    public var securityTxt: HTTPExchange?
    public var paths: PathProbeFacts
    /// Requests sent to this endpoint, and the cap they were held to.
    public var requests: Int
    public var requestLimit: Int
    /// True when the cap or the endpoint deadline stopped the probe before it was done.
    public var limitReached: Bool
    public var durationMilliseconds: Int
    public var notes: [String]

    public init(
        target: String, main: RedirectChain = RedirectChain(), plainHTTP: RedirectChain? = nil, headers: SecurityHeaders? = nil,
        cookies: [CookieFacts] = [], cors: [HTTPExchange] = [], notFound: HTTPExchange? = nil, errorProbe: HTTPExchange? = nil,
        trace: HTTPExchange? = nil, options: HTTPExchange? = nil, allowedMethods: [String]? = nil, securityTxt: HTTPExchange? = nil,
        paths: PathProbeFacts = PathProbeFacts(), requests: Int = 0, requestLimit: Int = 0, limitReached: Bool = false,
        durationMilliseconds: Int = 0, notes: [String] = []
    ) {
        self.target = target
        self.main = main
        self.plainHTTP = plainHTTP
        self.headers = headers
        self.cookies = cookies
        self.cors = cors
        self.notFound = notFound
        self.errorProbe = errorProbe
        self.trace = trace
        self.options = options
        self.allowedMethods = allowedMethods
        self.securityTxt = securityTxt
        self.paths = paths
        self.requests = requests
        self.requestLimit = requestLimit
        self.limitReached = limitReached
        self.durationMilliseconds = durationMilliseconds
        self.notes = notes
    }
}

/// One header line as received (name case kept, value trimmed).
public struct HTTPHeaderField: Codable, Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One request and what came back (or why nothing did).
public struct HTTPExchange: Codable, Sendable, Hashable {
    public var method: String
    public var url: String
    /// Headers we added to the request (`Origin`), for evidence.
    public var requestHeaders: [HTTPHeaderField]
    /// nil when no answer arrived; `error` says why.
    public var status: Int?
    public var headers: [HTTPHeaderField]
    /// The first bytes of the body (lossy UTF-8), for evidence and markers.
    public var bodyExcerpt: String
    /// Bytes of body read (at most the probe's cap).
    public var bodyBytes: Int
    /// True when the body was longer than the cap and reading stopped.
    public var bodyTruncated: Bool
    /// FNV-1a of the body bytes read, to compare answers (soft 404).
    public var bodyDigest: String
    public var error: ProbeFailure?
    public var durationMilliseconds: Int

    public init(
        method: String, url: String, requestHeaders: [HTTPHeaderField] = [], status: Int? = nil, headers: [HTTPHeaderField] = [],
        bodyExcerpt: String = "", bodyBytes: Int = 0, bodyTruncated: Bool = false, bodyDigest: String = "",
        error: ProbeFailure? = nil, durationMilliseconds: Int = 0
    ) {
        self.method = method
        self.url = url
        self.requestHeaders = requestHeaders
        self.status = status
        self.headers = headers
        self.bodyExcerpt = bodyExcerpt
        self.bodyBytes = bodyBytes
        self.bodyTruncated = bodyTruncated
        self.bodyDigest = bodyDigest
        self.error = error
        self.durationMilliseconds = durationMilliseconds
    }

    /// Every value of a header, case-insensitively, in order.
    public func values(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// The header's values joined by ", " (RFC 9110 list semantics), nil when absent.
    public func header(_ name: String) -> String? {
        let all = values(name)
        return all.isEmpty ? nil : all.joined(separator: ", ")
    }

    /// `GET https://host/path → 301` in one line, for evidence.
    public var summary: String {
        let answer = status.map(String.init) ?? "no answer (\(error?.reason ?? "unknown"))"
        return "\(method) \(url) → \(answer)"
    }
}

/// A GET and the redirects followed from it, with why following stopped.
public struct RedirectChain: Codable, Sendable, Hashable {
    public var hops: [HTTPExchange]
    /// nil when the last hop was not a redirect; otherwise `limit`, `loop`, `other-host`,
    /// `no-location`, `request-limit` or `error`.
    public var stoppedBecause: String?
    /// The Location of the last redirect when it was not followed.
    public var unfollowedLocation: String?

    public init(hops: [HTTPExchange] = [], stoppedBecause: String? = nil, unfollowedLocation: String? = nil) {
        self.hops = hops
        self.stoppedBecause = stoppedBecause
        self.unfollowedLocation = unfollowedLocation
    }

    public var first: HTTPExchange? { hops.first }
    public var last: HTTPExchange? { hops.last }
}

/// The security headers of one answer, parsed.
public struct SecurityHeaders: Codable, Sendable, Hashable {
    public var hsts: HSTSFacts?
    public var csp: CSPFacts?
    public var cspReportOnly: CSPFacts?
    public var xFrameOptions: String?
    public var xContentTypeOptions: String?
    public var referrerPolicy: [String]?
    public var permissionsPolicy: String?
    public var crossOriginOpenerPolicy: String?
    public var crossOriginResourcePolicy: String?
    public var crossOriginEmbedderPolicy: String?
    public var cacheControl: [String]?
    public var pragma: String?

    public init() {}
}

/// Strict-Transport-Security as parsed (RFC 6797 §6.1): the first header counts.
public struct HSTSFacts: Codable, Sendable, Hashable {
    public var raw: String
    /// nil when max-age is missing or not a number.
    public var maxAge: Int?
    public var includeSubDomains: Bool
    public var preload: Bool
    /// How many Strict-Transport-Security headers came (more than one is a misconfiguration).
    public var headerCount: Int
    /// Syntax problems met while parsing (duplicate directive, bad max-age …).
    public var problems: [String]

    public init(raw: String, maxAge: Int?, includeSubDomains: Bool, preload: Bool, headerCount: Int = 1, problems: [String] = []) {
        self.raw = raw
        self.maxAge = maxAge
        self.includeSubDomains = includeSubDomains
        self.preload = preload
        self.headerCount = headerCount
        self.problems = problems
    }
}

/// One Content-Security-Policy: directive name (lower-case) → source list, as received.
/// Several policies (several headers, or comma-separated) are kept apart: each is enforced.
public struct CSPFacts: Codable, Sendable, Hashable {
    public var raw: String
    public var policies: [[String: [String]]]

    public init(raw: String, policies: [[String: [String]]]) {
        self.raw = raw
        self.policies = policies
    }
}

/// One Set-Cookie, parsed (RFC 6265bis); the value itself is not kept.
public struct CookieFacts: Codable, Sendable, Hashable {
    public var name: String
    public var secure: Bool
    public var httpOnly: Bool
    /// `Strict`, `Lax`, `None`, another value as sent, or nil when absent.
    public var sameSite: String?
    public var domain: String?
    public var path: String?
    /// True when Expires or Max-Age is present (a persistent cookie), false for a session cookie.
    public var persistent: Bool
    public var maxAge: Int?
    /// The URL whose answer set it.
    public var url: String
    /// The attributes as sent, the value replaced by `…`.
    public var redacted: String

    public init(
        name: String, secure: Bool, httpOnly: Bool, sameSite: String?, domain: String?, path: String?,
        persistent: Bool, maxAge: Int? = nil, url: String, redacted: String
    ) {
        self.name = name
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        self.domain = domain
        self.path = path
        self.persistent = persistent
        self.maxAge = maxAge
        self.url = url
        self.redacted = redacted
    }
}

/// The exposed-path checks run: which file they came from, and each result.
public struct PathProbeFacts: Codable, Sendable, Hashable {
    /// The check file read, nil when none was found.
    public var file: String?
    /// Why the file could not be used (missing, or a JSON error with its line); nil when loaded.
    public var error: String?
    public var results: [PathProbeResult]

    public init(file: String? = nil, error: String? = nil, results: [PathProbeResult] = []) {
        self.file = file
        self.error = error
        self.results = results
    }
}

/// What one exposed-path check saw.
public struct PathProbeResult: Codable, Sendable, Hashable {
    /// The check's rule id (`http.path.git-config`).
    public var id: String
    public var exchange: HTTPExchange?
    /// True when every condition of the check held (status, markers, content type).
    public var confirmed: Bool
    /// True when the answer looks like the random-path answer (same status and body), i.e. a soft 404.
    public var sameAsNotFound: Bool
    /// Why the check was not run (`request-limit`, `deadline`), nil when it was.
    public var skipped: String?

    public init(id: String, exchange: HTTPExchange?, confirmed: Bool, sameAsNotFound: Bool, skipped: String? = nil) {
        self.id = id
        self.exchange = exchange
        self.confirmed = confirmed
        self.sameAsNotFound = sameAsNotFound
        self.skipped = skipped
    }
}
