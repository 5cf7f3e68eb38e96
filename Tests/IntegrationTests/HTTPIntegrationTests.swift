import Engine
import Foundation
import HTTPProbe
import Rules
import SansangCore
import TLSLab
import Testing

/// The HTTP probe and rules against real nginx sites on 127.0.0.1 (see `NginxLab`).
/// One nginx per test, stopped by pid at the end of the test.
@Suite(.serialized) struct HTTPIntegrationTests {
    static let nginx = "/usr/sbin/nginx"

    static func withLab(_ body: (NginxLab, LabPKI) async throws -> Void) async throws {
        let pki = try IntegrationLab.pki.get()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-it-nginx-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        let lab = try NginxLab(pki: pki, directory: directory, executable: nginx)
        defer {
            lab.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        try await body(lab, pki)
        #expect(lab.isRunning, "nginx died during the test: \(lab.errorLog)")
    }

    static func scan(_ url: String, caFile: String?, verify: Bool = true) async throws -> EndpointResult {
        var context = ProbeContext(connectionTimeout: .seconds(3), endpointTimeout: .seconds(60), caFile: caFile)
        context.verifyTLS = verify
        let runner = ScanRunner(options: ScanOptions(context: context, checks: ["http"]))
        return await runner.scan(try Endpoint.parse(url))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: nginx)))
    func goodSiteHasNoFindingsAboveInfo() async throws {
        try await Self.withLab { lab, pki in
            let result = try await Self.scan(lab.url(.good), caFile: pki.caPEMPath)
            let http = try #require(result.facts[HTTPFacts.self]?.facts, "\(String(describing: result.facts.failures))")
            #expect(http.main.last?.status == 200)
            #expect(http.headers?.hsts?.maxAge == 63_072_000)
            #expect(http.cookies.first?.name == "__Host-sid")
            #expect(http.requests <= 60)
            let serious = result.findings.filter { $0.severity > .info }
            #expect(serious.isEmpty, "\(serious.map { "\($0.ruleId): \($0.evidence)" })")
            #expect(result.inconclusive.isEmpty, "\(result.inconclusive.map { "\($0.ruleId): \($0.reason)" })")
            #expect(WebScore.evaluate(http).grade == "A+")
            #expect(result.passed.contains("http.path.git-config"))
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: nginx)))
    func bareSiteShowsEveryWeakness() async throws {
        try await Self.withLab { lab, pki in
            let result = try await Self.scan(lab.url(.bare), caFile: pki.caPEMPath)
            let expected: Set<String> = [
                "http.header.csp.missing", "http.header.hsts.short", "http.header.x-frame-options.missing",
                "http.header.x-content-type-options.missing", "http.header.referrer-policy.missing",
                "http.cookie.secure-missing", "http.cookie.httponly-missing", "http.cookie.samesite-missing",
                "http.cors.reflected-origin", "http.disclosure.server-version", "http.disclosure.powered-by",
                "http.disclosure.directory-listing", "http.path.git-config", "http.path.listing-files",
                "http.security-txt.missing", "http.grade",
            ]
            #expect(expected.subtracting(result.ruleIds) == [], "found: \(result.ruleIds.sorted())")
            let git = try #require(result.findings.first { $0.ruleId == "http.path.git-config" })
            #expect(git.severity == .critical)
            #expect(git.evidence.contains("GET https://127.0.0.1:") && git.evidence.contains("[core]"))
            let cors = try #require(result.findings.first { $0.ruleId == "http.cors.reflected-origin" })
            #expect(cors.severity == .high)
            let server = try #require(result.findings.first { $0.ruleId == "http.disclosure.server-version" })
            #expect(server.evidence.contains("nginx/"))
            // nginx answers TRACE with 405: no TRACE finding.
            #expect(!result.ruleIds.contains("http.method.trace"))
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: nginx)))
    func plainHTTPWithAndWithoutRedirect() async throws {
        try await Self.withLab { lab, pki in
            let redirected = try await Self.scan(lab.url(.redirect), caFile: pki.caPEMPath)
            let chain = try #require(redirected.facts[HTTPFacts.self]?.facts?.plainHTTP)
            #expect(chain.hops.first?.status == 301)
            #expect(chain.hops.last?.url.hasPrefix("https://127.0.0.1:") == true)
            #expect(redirected.passed.contains("http.redirect.missing"))
            #expect(redirected.passed.contains("http.redirect.not-https"))
            #expect(!redirected.ruleIds.contains("http.header.hsts.missing"))  // judged on the HTTPS page it landed on

            let plain = try await Self.scan(lab.url(.plain), caFile: pki.caPEMPath)
            #expect(plain.ruleIds.contains("http.redirect.missing"))
            let finding = try #require(plain.findings.first { $0.ruleId == "http.redirect.missing" })
            #expect(finding.severity == .high && finding.requirements == ["A06-01"])
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: nginx)))
    func softNotFoundSiteDoesNotFlood() async throws {
        try await Self.withLab { lab, pki in
            let result = try await Self.scan(lab.url(.soft404), caFile: pki.caPEMPath)
            let http = try #require(result.facts[HTTPFacts.self]?.facts)
            #expect(http.notFound?.status == 200)
            let paths = result.ruleIds.filter { $0.hasPrefix("http.path.") }
            #expect(paths.isEmpty, "soft 404 reported as exposures: \(paths.sorted())")
            #expect(http.paths.results.contains { $0.confirmed && $0.sameAsNotFound }, "the markers in the catch-all page should match and be discounted")
            #expect(result.ruleIds.contains("http.security-txt.missing"))
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: nginx)))
    func certificateVerificationAndInsecure() async throws {
        try await Self.withLab { lab, _ in
            // Without the lab CA the HTTPS page cannot be verified: the probe fails, rules are inconclusive.
            let strict = try await Self.scan(lab.url(.good), caFile: nil)
            let failure = try #require(strict.facts[HTTPFacts.self]?.failure)
            #expect(failure.kind == "tls")
            #expect(strict.findings.isEmpty && !strict.inconclusive.isEmpty)
            let insecure = try await Self.scan(lab.url(.good), caFile: nil, verify: false)
            #expect(insecure.facts[HTTPFacts.self]?.facts?.main.last?.status == 200)
        }
    }

    @Test func refusedPortFailsCleanly() async throws {
        let port = try unusedLoopbackPort()
        let result = try await Self.scan("http://127.0.0.1:\(port)/", caFile: nil)
        #expect(result.facts[HTTPFacts.self]?.failure?.kind == "refused")
        #expect(result.findings.isEmpty)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: nginx)))
    func requestCapIsHonoured() async throws {
        try await Self.withLab { lab, pki in
            var context = ProbeContext(connectionTimeout: .seconds(3), endpointTimeout: .seconds(60), caFile: pki.caPEMPath)
            context.maxRequestsPerEndpoint = 5
            let result = await ScanRunner(options: ScanOptions(context: context, checks: ["http"])).scan(try Endpoint.parse(lab.url(.bare)))
            let http = try #require(result.facts[HTTPFacts.self]?.facts)
            #expect(http.requests == 5 && http.limitReached)
            #expect(result.inconclusive.contains { $0.ruleId == "http.path.git-config" })
        }
    }
}
