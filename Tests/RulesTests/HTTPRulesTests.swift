import Foundation
import Testing
@testable import Rules
import SansangCore

/// HTTP fact fixtures, shaped as the probe reports them.
enum HTTPFixture {
    static let endpoint = Endpoint(host: "dvc.example.gov.vn", port: 443, scheme: "https")

    static func exchange(_ url: String, status: Int? = 200, _ headers: [(String, String)] = [], body: String = "", method: String = "GET", sent: [(String, String)] = []) -> HTTPExchange {
        HTTPExchange(
            method: method, url: url, requestHeaders: sent.map { HTTPHeaderField(name: $0.0, value: $0.1) }, status: status,
            headers: headers.map { HTTPHeaderField(name: $0.0, value: $0.1) }, bodyExcerpt: body, bodyBytes: body.utf8.count,
            bodyDigest: FNV.hex128(body)
        )
    }

    static let goodHeaders: [(String, String)] = [
        ("Server", "nginx"),
        ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
        ("Content-Security-Policy", "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"),
        ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=()"), ("Cross-Origin-Opener-Policy", "same-origin"), ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Cache-Control", "no-store"), ("Set-Cookie", "__Host-sid=1; Path=/; Secure; HttpOnly; SameSite=Strict"),
    ]

    static func cookie(_ name: String, secure: Bool, httpOnly: Bool, sameSite: String?, domain: String? = nil, path: String? = "/") -> CookieFacts {
        CookieFacts(name: name, secure: secure, httpOnly: httpOnly, sameSite: sameSite, domain: domain, path: path, persistent: false, url: "https://dvc.example.gov.vn/", redacted: "\(name)=…")
    }

    static func facts(headers: [(String, String)], cookies: [CookieFacts], plain: RedirectChain?, cors: [HTTPExchange] = [], paths: [PathProbeResult] = [], notFoundBody: String = "not found", trace: HTTPExchange? = nil, allow: [String]? = nil, securityTxt: Int = 200) -> HTTPFacts {
        let landing = exchange("https://dvc.example.gov.vn/", headers)
        var securityHeaders = SecurityHeaders()
        let get = { (name: String) in headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        if let hsts = get("Strict-Transport-Security") {
            let maxAge = hsts.split(separator: ";").first.flatMap { Int($0.replacingOccurrences(of: "max-age=", with: "").trimmingCharacters(in: .whitespaces)) }
            securityHeaders.hsts = HSTSFacts(raw: hsts, maxAge: maxAge, includeSubDomains: hsts.contains("includeSubDomains"), preload: hsts.contains("preload"))
        }
        if let csp = get("Content-Security-Policy") {
            var policy: [String: [String]] = [:]
            for part in csp.split(separator: ";") {
                let words = part.split(separator: " ").map(String.init)
                if let first = words.first { policy[first.lowercased()] = Array(words.dropFirst()) }
            }
            securityHeaders.csp = CSPFacts(raw: csp, policies: [policy])
        }
        securityHeaders.xFrameOptions = get("X-Frame-Options")
        securityHeaders.xContentTypeOptions = get("X-Content-Type-Options")
        securityHeaders.referrerPolicy = get("Referrer-Policy").map { [$0.lowercased()] }
        securityHeaders.permissionsPolicy = get("Permissions-Policy")
        securityHeaders.crossOriginOpenerPolicy = get("Cross-Origin-Opener-Policy")
        securityHeaders.crossOriginResourcePolicy = get("Cross-Origin-Resource-Policy")
        securityHeaders.cacheControl = get("Cache-Control").map { [$0.lowercased()] }
        return HTTPFacts(
            target: "https://dvc.example.gov.vn/", main: RedirectChain(hops: [landing]), plainHTTP: plain, headers: securityHeaders,
            cookies: cookies, cors: cors, notFound: exchange("https://dvc.example.gov.vn/sansang-x", status: 404, body: notFoundBody),
            trace: trace ?? exchange("https://dvc.example.gov.vn/", status: 405, method: "TRACE"),
            options: exchange("https://dvc.example.gov.vn/", status: 204, method: "OPTIONS"), allowedMethods: allow,
            securityTxt: exchange("https://dvc.example.gov.vn/.well-known/security.txt", status: securityTxt, body: securityTxt == 200 ? "Contact: mailto:soc@example.gov.vn" : ""),
            paths: PathProbeFacts(file: "paths.json", results: paths), requests: 20, requestLimit: 60
        )
    }

    static let redirecting = RedirectChain(hops: [
        exchange("http://dvc.example.gov.vn/", status: 301, [("Location", "https://dvc.example.gov.vn/")]),
        exchange("https://dvc.example.gov.vn/"),
    ])

    static var good: HTTPFacts {
        facts(headers: goodHeaders, cookies: [cookie("__Host-sid", secure: true, httpOnly: true, sameSite: "Strict")], plain: redirecting)
    }

    static var bad: HTTPFacts {
        let plain = RedirectChain(hops: [exchange("http://dvc.example.gov.vn/", status: 200)])
        let reflected = exchange("https://dvc.example.gov.vn/", [("Access-Control-Allow-Origin", "https://sansang-cors-check.invalid"), ("Access-Control-Allow-Credentials", "true")], sent: [("Origin", "https://sansang-cors-check.invalid")])
        let trace = exchange("https://dvc.example.gov.vn/", status: 200, body: "TRACE / HTTP/1.1\r\nX-Sansang-Trace: echo", method: "TRACE")
        let git = PathProbeResult(id: "http.path.git-config", exchange: exchange("https://dvc.example.gov.vn/.git/config", body: "[core]"), confirmed: true, sameAsNotFound: false)
        return facts(
            headers: [("Server", "nginx/1.22.1"), ("X-Powered-By", "PHP/8.1.2"), ("Strict-Transport-Security", "max-age=300"), ("Referrer-Policy", "unsafe-url")],
            cookies: [cookie("PHPSESSID", secure: false, httpOnly: false, sameSite: nil, domain: ".example.gov.vn")], plain: plain, cors: [reflected],
            paths: [git], notFoundBody: "<b>Fatal error</b>: Uncaught Exception in /var/www/index.php", trace: trace, allow: ["GET", "PROPFIND", "TRACE"], securityTxt: 404
        )
    }

    static func verdicts(_ attempt: ProbeAttempt<HTTPFacts>?, extra: [any Rule] = []) -> [String: RuleVerdict] {
        var facts = FactSet()
        if let attempt { facts.record(attempt) }
        let input = RuleInput(endpoint: endpoint, facts: facts, settings: RuleSettings())
        var out: [String: RuleVerdict] = [:]
        for rule in HTTPRules.all + extra { out[rule.meta.id] = rule.evaluate(input) }
        return out
    }

    static func failing(_ verdicts: [String: RuleVerdict]) -> Set<String> {
        Set(verdicts.compactMap { id, verdict in if case .fail = verdict { id } else { nil } })
    }
}

@Suite struct HTTPRulesTests {
    static let gitRule = HTTPRules.exposedPathRules([ExposedPathCheck(
        id: "git-config", path: "/.git/config", severity: .critical, title: Localized(vi: "Lộ Git", en: "Git exposed"),
        remediation: Localized(vi: "Chặn", en: "Block"), requirements: ["A05-06"], confirm: .init(status: [200], bodyContains: ["[core]"])
    )])

    @Test func goodSitePassesEverything() {
        let verdicts = HTTPFixture.verdicts(.completed(HTTPFixture.good), extra: Self.gitRule)
        #expect(HTTPFixture.failing(verdicts) == [])
        #expect(WebScore.evaluate(HTTPFixture.good).grade == "A+")
    }

    @Test func badSiteFailsWhereExpected() {
        let failing = HTTPFixture.failing(HTTPFixture.verdicts(.completed(HTTPFixture.bad), extra: Self.gitRule))
        let expected: Set<String> = [
            "http.redirect.missing", "http.header.hsts.short", "http.header.csp.missing", "http.header.x-frame-options.missing",
            "http.header.x-content-type-options.missing", "http.header.referrer-policy.unsafe", "http.header.permissions-policy.missing",
            "http.cookie.secure-missing", "http.cookie.httponly-missing", "http.cookie.samesite-missing", "http.cookie.domain-broad",
            "http.cors.reflected-origin", "http.disclosure.server-version", "http.disclosure.powered-by", "http.disclosure.stack-trace",
            "http.method.trace", "http.method.unexpected", "http.path.git-config", "http.security-txt.missing", "http.grade",
            "http.header.cache-control.sensitive", "http.header.coop.missing", "http.header.corp.missing",
            "http.header.hsts.no-subdomains", "http.header.hsts.no-preload",
        ]
        #expect(expected.subtracting(failing) == [])
        #expect(failing.subtracting(expected) == [])
    }

    @Test func credentialedReflectionIsHigh() {
        let verdicts = HTTPFixture.verdicts(.completed(HTTPFixture.bad))
        guard case .fail(let drafts)? = verdicts["http.cors.reflected-origin"] else { Issue.record("no CORS finding"); return }
        #expect(drafts.first?.severity == .high)
        #expect(drafts.first?.evidence.contains("Origin: https://sansang-cors-check.invalid") == true)
    }

    @Test func missingFactsNeverPass() {
        for (id, verdict) in HTTPFixture.verdicts(nil, extra: Self.gitRule) {
            #expect(verdict == .notApplicable, "\(id)")
        }
        for (id, verdict) in HTTPFixture.verdicts(.failed(ProbeFailure(kind: "refused", reason: "connection refused")), extra: Self.gitRule) {
            #expect(verdict == .inconclusive("connection refused"), "\(id)")
        }
    }

    @Test func softNotFoundIsNotAnExposure() {
        var facts = HTTPFixture.good
        facts.paths.results = [PathProbeResult(id: "http.path.git-config", exchange: HTTPFixture.exchange("https://x/.git/config", body: "[core]"), confirmed: true, sameAsNotFound: true)]
        #expect(HTTPFixture.verdicts(.completed(facts), extra: Self.gitRule)["http.path.git-config"] == .pass)
        facts.paths.results = [PathProbeResult(id: "http.path.git-config", exchange: nil, confirmed: false, sameAsNotFound: false, skipped: "request-limit")]
        #expect(HTTPFixture.verdicts(.completed(facts), extra: Self.gitRule)["http.path.git-config"] == .inconclusive("not requested: request-limit"))
    }

    @Test(arguments: [
        ("script-src 'self' 'unsafe-inline'", true),
        ("script-src 'self' 'unsafe-inline' 'nonce-abc'", false),
        ("default-src 'self' 'unsafe-inline'", true),
        ("img-src *", true),
        ("default-src 'self'; script-src 'self'", false),
    ])
    func unsafeInline(_ policy: String, _ fails: Bool) {
        let csp = HeaderPolicy.parse(policy)
        #expect(CSPAnalysis.everyPolicy(csp, allows: CSPAnalysis.allowsUnsafeInline) == fails)
    }

    @Test func twoPoliciesMustBothAllow() {
        let csp = CSPFacts(raw: "", policies: [["script-src": ["'unsafe-inline'"]], ["script-src": ["'self'"]]])
        #expect(!CSPAnalysis.everyPolicy(csp, allows: CSPAnalysis.allowsUnsafeInline))
        #expect(CSPAnalysis.broadSources(["'self'", "data:", "*.com", "https://cdn.example"]) == ["data:", "*.com"])
    }

    @Test func gradeBandsAndDeductions() {
        let bad = WebScore.evaluate(HTTPFixture.bad)
        #expect(bad.score == 0 && bad.grade == "F")
        #expect(bad.summary.contains("csp: no Content-Security-Policy"))
        #expect(WebScore.grade(70) == "B" && WebScore.grade(69) == "B-" && WebScore.grade(24) == "F" && WebScore.grade(135) == "A+")
    }

    @Test func plainHTTPRefusedIsFine() {
        var facts = HTTPFixture.good
        facts.plainHTTP = RedirectChain(hops: [HTTPExchange(method: "GET", url: "http://dvc.example.gov.vn/", error: ProbeFailure(kind: "refused", reason: "refused"))], stoppedBecause: "error")
        #expect(HTTPFixture.verdicts(.completed(facts))["http.redirect.missing"] == .pass)
    }

    @Test func everyRuleIsBilingualAndMapped() {
        for rule in HTTPRules.all {
            #expect(rule.meta.id.hasPrefix("http."))
            #expect(!rule.meta.title.vi.isEmpty && !rule.meta.title.en.isEmpty && rule.meta.title.vi != rule.meta.title.en)
            #expect(!rule.meta.requirements.isEmpty)
        }
        #expect(Set(HTTPRules.all.map(\.meta.id)).count == HTTPRules.all.count)
    }
}

/// A tiny CSP splitter for test vectors (the probe's parser is tested in HTTPProbeTests).
enum HeaderPolicy {
    static func parse(_ text: String) -> CSPFacts {
        var policy: [String: [String]] = [:]
        for part in text.split(separator: ";") {
            let words = part.split(separator: " ").map(String.init)
            if let first = words.first { policy[first] = Array(words.dropFirst()) }
        }
        return CSPFacts(raw: text, policies: [policy])
    }
}
