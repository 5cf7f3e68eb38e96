import Foundation
import Testing
import SansangCore

@Suite struct EndpointTests {
    @Test(arguments: [
        ("https://portal.example.gov.vn", "portal.example.gov.vn", 443, "https"),
        ("https://portal.example.gov.vn:8443/dvc", "portal.example.gov.vn", 8443, "https"),
        ("http://lgsp.local", "lgsp.local", 80, "http"),
        ("lgsp.local:9443", "lgsp.local", 9443, "tls"),
        ("lgsp.local", "lgsp.local", 443, "tls"),
        ("127.0.0.1", "127.0.0.1", 443, "tls"),
        ("127.0.0.1:8443", "127.0.0.1", 8443, "tls"),
        ("[::1]:8443", "::1", 8443, "tls"),
        ("::1", "::1", 443, "tls"),
        ("https://[::1]/", "::1", 443, "https"),
        ("https://user:secret@host.example:444", "host.example", 444, "https"),
        ("HTTPS://Host.Example", "host.example", 443, "https"),
    ])
    func parsesTargets(text: String, host: String, port: Int, scheme: String) throws {
        let endpoint = try Endpoint.parse(text)
        #expect(endpoint.host == host)
        #expect(endpoint.port == port)
        #expect(endpoint.scheme == scheme)
        #expect(!endpoint.description.contains("secret"))
    }

    @Test(arguments: ["", "gopher://host", "host:0", "host:70000", "host:abc", "[::1", "[::1]x", "bad host", "-host", "1:2:3:4:5:6:7:8:9", "http://"])
    func rejectsBadTargets(text: String) {
        #expect(throws: SansangError(.invalidTarget, "")) { try Endpoint.parse(text) }
    }

    @Test func serverNameIsNotSentForLiterals() throws {
        #expect(try Endpoint.parse("127.0.0.1:443").serverName == nil)
        #expect(try Endpoint.parse("[::1]:443").serverName == nil)
        #expect(try Endpoint.parse("portal.example:443").serverName == "portal.example")
        #expect(try Endpoint.parse("[::1]:443").authority == "[::1]:443")
    }

    @Test func severityOrders() {
        #expect(Severity.critical > .high)
        #expect(Severity.low < .medium)
        #expect(Severity.allCases.sorted() == [.info, .low, .medium, .high, .critical])
    }

    @Test func fingerprintIsStableAndDistinct() throws {
        let endpoint = try Endpoint.parse("127.0.0.1:443")
        let meta = RuleMeta(id: "tls.protocol.tls10", severity: .high, title: Localized(vi: "a", en: "a"), remediation: Localized(vi: "b", en: "b"), probe: "tls")
        let a = Finding(rule: meta, draft: FindingDraft(subject: "TLSv1.0", evidence: "x"), endpoint: endpoint)
        let b = Finding(rule: meta, draft: FindingDraft(subject: "TLSv1.0", evidence: "different evidence"), endpoint: endpoint)
        let c = Finding(rule: meta, draft: FindingDraft(subject: "TLSv1.1", evidence: "x"), endpoint: endpoint)
        #expect(a.fingerprint() == b.fingerprint())
        #expect(a.fingerprint() != c.fingerprint())
        #expect(a.fingerprint(system: "lgsp") != a.fingerprint(system: "tthc"))
        #expect(a.fingerprint().count == 32)
    }
}

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(input: String, digest: String) {
        #expect(SHA256Digest.hex(Data(input.utf8)) == digest)
    }
}
