import Foundation
import Testing
@testable import HTTPProbe
import SansangCore

@Suite struct HSTSParserTests {
    @Test func full() throws {
        let hsts = try #require(HeaderParser.hsts(["max-age=31536000; includeSubDomains; preload"]))
        #expect(hsts.maxAge == 31_536_000)
        #expect(hsts.includeSubDomains && hsts.preload)
        #expect(hsts.problems.isEmpty)
    }

    @Test func quotedAndCaseInsensitive() throws {
        let hsts = try #require(HeaderParser.hsts(["MAX-AGE=\"600\" ; INCLUDESUBDOMAINS"]))
        #expect(hsts.maxAge == 600)
        #expect(hsts.includeSubDomains)
    }

    @Test(arguments: ["max-age=abc", "max-age=", "includeSubDomains", "max-age=1; max-age=2", ";;;", "max-age=-5"])
    func invalid(_ value: String) throws {
        let hsts = try #require(HeaderParser.hsts([value]))
        #expect(!hsts.problems.isEmpty)
    }

    @Test func hugeMaxAgeDoesNotOverflow() throws {
        let hsts = try #require(HeaderParser.hsts(["max-age=99999999999999999999999999"]))
        #expect(hsts.maxAge == Int.max)
    }

    @Test func firstHeaderCounts() throws {
        let hsts = try #require(HeaderParser.hsts(["max-age=10", "max-age=31536000"]))
        #expect(hsts.maxAge == 10)
        #expect(hsts.headerCount == 2)
        #expect(HeaderParser.hsts([]) == nil)
    }
}

@Suite struct CSPParserTests {
    @Test func directives() throws {
        let csp = try #require(HeaderParser.csp(["default-src 'self'; Script-Src 'self' 'unsafe-inline'  https://cdn.example ; object-src 'none'"]))
        #expect(csp.policies.count == 1)
        #expect(csp.policies[0]["script-src"] == ["'self'", "'unsafe-inline'", "https://cdn.example"])
        #expect(csp.policies[0]["object-src"] == ["'none'"])
    }

    @Test func repeatedDirectiveIgnoredAndSeveralPolicies() throws {
        let csp = try #require(HeaderParser.csp(["script-src 'self'; script-src *", "default-src 'none', img-src *"]))
        #expect(csp.policies.count == 3)
        #expect(csp.policies[0]["script-src"] == ["'self'"])
        #expect(csp.policies[2]["img-src"] == ["*"])
    }

    @Test(arguments: ["", ";", " ; ; ", "\u{00}\u{01}", "sc\u{FFFD}ript-src x", ",,,"])
    func garbage(_ value: String) throws {
        let csp = try #require(HeaderParser.csp([value]))
        #expect(csp.policies.allSatisfy { policy in policy.keys.allSatisfy { $0.allSatisfy(\.isASCII) } })
    }

    @Test func everyTruncatedPrefixParses() {
        let full = "default-src 'self'; script-src 'self' 'nonce-abc'; frame-ancestors 'none'"
        for length in 0...full.count {
            _ = HeaderParser.csp([String(full.prefix(length))])
        }
    }
}

@Suite struct CookieParserTests {
    @Test func flags() throws {
        let cookie = try #require(HeaderParser.cookie("SID=abc123; Path=/; Secure; HttpOnly; SameSite=Lax; Domain=.example.gov.vn", url: "https://x/"))
        #expect(cookie.name == "SID")
        #expect(cookie.secure && cookie.httpOnly)
        #expect(cookie.sameSite == "Lax")
        #expect(cookie.domain == ".example.gov.vn")
        #expect(cookie.path == "/")
        #expect(!cookie.persistent)
        #expect(!cookie.redacted.contains("abc123"))
    }

    @Test func persistentAndCase() throws {
        let cookie = try #require(HeaderParser.cookie("pref=1; max-age=3600; SECURE", url: "https://x/"))
        #expect(cookie.persistent && cookie.maxAge == 3600 && cookie.secure && !cookie.httpOnly && cookie.sameSite == nil)
    }

    @Test(arguments: ["", ";", "=", " ; Secure", "=;"])
    func empty(_ value: String) {
        #expect(HeaderParser.cookie(value, url: "u") == nil)
    }

    @Test(arguments: ["novalue", "a=b=c; =; ;;Secure=yes", "x=\u{0}; max-age=99999999999999999999999", "\u{FFFD}\u{FFFD}=1"])
    func garbageDoesNotCrash(_ value: String) {
        _ = HeaderParser.cookie(value, url: "u")
    }

    @Test func everyTruncatedPrefix() {
        let full = "__Host-id=1; Path=/; Secure; HttpOnly; SameSite=Strict"
        for length in 0...full.count { _ = HeaderParser.cookie(String(full.prefix(length)), url: "u") }
    }
}

@Suite struct FieldAndMethodTests {
    @Test func fieldsWithFoldingAndGarbage() {
        let fields = HeaderParser.fields(["Server: nginx", "X-Long: a", "\tcontinued", "garbage line", ": empty name", "Bad Name: x"])
        #expect(fields.map(\.name) == ["Server", "X-Long"])
        #expect(fields[1].value == "a continued")
    }

    @Test func methods() {
        #expect(HeaderParser.methods(["GET, HEAD,post", "TRACE,, GET", "<script>"]) == ["GET", "HEAD", "POST", "TRACE"])
    }

    @Test func securityHeadersFromExchange() {
        let exchange = HTTPExchange(method: "GET", url: "https://x/", status: 200, headers: [
            HTTPHeaderField(name: "referrer-policy", value: "no-referrer, Strict-Origin"),
            HTTPHeaderField(name: "X-Frame-Options", value: "DENY"),
            HTTPHeaderField(name: "Cache-Control", value: "no-store, max-age=0"),
        ])
        let headers = HeaderParser.securityHeaders(exchange)
        #expect(headers.referrerPolicy == ["no-referrer", "strict-origin"])
        #expect(headers.xFrameOptions == "DENY")
        #expect(headers.cacheControl == ["no-store", "max-age=0"])
        #expect(headers.csp == nil && headers.hsts == nil)
    }
}

@Suite struct ExposedPathFileTests {
    static let good = """
    {"version": 1, "checks": [
      {"id": "git-config", "path": "/.git/config", "severity": "critical",
       "title": {"vi": "Lộ kho Git", "en": "Git exposed"}, "remediation": {"vi": "Chặn", "en": "Block"},
       "requirements": ["A05-06"], "confirm": {"status": [200], "bodyContains": ["[core]"]}}
    ]}
    """

    @Test func shippedFileLoads() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Checks/http/exposed-paths.json")
        let checks = try ExposedPathCatalog.decode(try Data(contentsOf: url), file: url.path)
        #expect(checks.count >= 20)
        #expect(checks.contains { $0.ruleId == "http.path.git-config" })
    }

    @Test func confirmsNeedsMarker() throws {
        let checks = try ExposedPathCatalog.decode(Data(Self.good.utf8), file: "x.json")
        let check = try #require(checks.first)
        #expect(check.confirms(status: 200, contentType: "text/plain", body: "[core]\n\trepositoryformatversion = 0"))
        #expect(!check.confirms(status: 200, contentType: "text/html", body: "<html>ok</html>"))
        #expect(!check.confirms(status: 404, contentType: nil, body: "[core]"))
    }

    @Test func syntaxErrorNamesFileAndLine() {
        let broken = "{\n  \"version\": 1,\n  \"checks\": [\n    {\"id\": \"x\",, }\n  ]\n}"
        #expect {
            _ = try ExposedPathCatalog.decode(Data(broken.utf8), file: "paths.json")
        } throws: { error in
            let reason = (error as? SansangError)?.reason ?? ""
            return reason.hasPrefix("paths.json") && reason.contains("4")
        }
    }

    @Test(arguments: [
        ("\"severity\": \"critical\"", "\"severity\": \"urgent\""),
        ("\"bodyContains\": [\"[core]\"]", "\"bodyContains\": []"),
        ("\"/.git/config\"", "\"no-slash\""),
        ("\"git-config\"", "\"Git Config\""),
    ])
    func invalidEntries(_ replacement: (String, String)) {
        let text = Self.good.replacingOccurrences(of: replacement.0, with: replacement.1)
        #expect(throws: SansangError.self) { _ = try ExposedPathCatalog.decode(Data(text.utf8), file: "p.json") }
    }
}
