import Foundation
import Testing
@testable import Rules
import SansangCore
import Inventory

/// Fact fixtures, built the way the probe would report them.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // fixed clock
    static let endpoint = Endpoint(host: "portal.example", port: 443)

    static func suite(_ name: String, code: String, kx: String = "ECDHE", enc: String = "AES-GCM", bits: Int = 128, mac: String = "AEAD", fs: Bool = true, export: Bool = false, anon: Bool = false) -> CipherSuiteFact {
        CipherSuiteFact(code: code, name: name, keyExchange: kx, authentication: anon ? "anon" : "RSA", encryption: enc, bits: bits, mac: mac, forwardSecrecy: fs, aead: mac == "AEAD", export: export, anonymous: anon)
    }

    static let strong = suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", code: "0xC02F")
    static let tls13 = suite("TLS_AES_128_GCM_SHA256", code: "0x1301", kx: "ANY")
    static let rc4 = suite("TLS_RSA_WITH_RC4_128_SHA", code: "0x0005", kx: "RSA", enc: "RC4", mac: "SHA1", fs: false)
    static let tripleDES = suite("TLS_RSA_WITH_3DES_EDE_CBC_SHA", code: "0x000A", kx: "RSA", enc: "3DES-CBC", bits: 112, mac: "SHA1", fs: false)
    static let export = suite("TLS_RSA_EXPORT_WITH_RC4_40_MD5", code: "0x0003", kx: "RSA", enc: "RC4", bits: 40, mac: "MD5", fs: false, export: true)
    static let null = suite("TLS_RSA_WITH_NULL_SHA", code: "0x0002", kx: "RSA", enc: "NULL", bits: 0, mac: "SHA1", fs: false)
    static let anon = suite("TLS_DH_anon_WITH_AES_128_CBC_SHA", code: "0x0034", kx: "DH", enc: "AES-CBC", mac: "SHA1", fs: false, anon: true)
    static let cbc = suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", code: "0xC013", enc: "AES-CBC", mac: "SHA1")

    static func certificate(notBefore: TimeInterval = -86400 * 30, notAfter: TimeInterval = 86400 * 200, keyType: String = "RSA", keyBits: Int = 2048, signature: String = "sha256WithRSAEncryption", trusted: Bool = true, selfSigned: Bool = false, hostnameMatch: Bool = true, chainComplete: Bool = true, stapled: Bool? = true) -> CertificateFacts {
        let leaf = CertificateSummary(
            subject: "CN=portal.example", issuer: selfSigned ? "CN=portal.example" : "CN=Demo CA", serialNumber: "01",
            notBefore: now.addingTimeInterval(notBefore), notAfter: now.addingTimeInterval(notAfter), keyType: keyType, keyBits: keyBits,
            curve: nil, signatureAlgorithm: signature, sha256: "ab", selfIssued: selfSigned, isCA: false,
            subjectAltNames: ["DNS:portal.example"], extendedKeyUsage: ["serverAuth"]
        )
        return CertificateFacts(
            source: "handshake", observedAt: now, chain: [leaf], trusted: trusted, verifyError: trusted ? nil : "unable to get local issuer certificate",
            verifyCode: trusted ? nil : 20, checkedName: "portal.example", hostnameMatch: hostnameMatch, expired: false, notYetValid: false,
            daysUntilExpiry: Int(notAfter / 86400), selfSigned: selfSigned, chainComplete: chainComplete, ocspStapled: stapled,
            negotiatedProtocol: "TLSv1.3", negotiatedCipher: "TLS_AES_128_GCM_SHA256"
        )
    }

    /// A server that meets the default policy.
    static var good: TLSFacts {
        var tls = TLSFacts()
        for version in TLSVersion.allCases { tls.protocols[version] = version >= .tls12 }
        tls.cipherSuites = ["TLSv1.2": [strong], "TLSv1.3": [tls13]]
        tls.cipherPreference = ["TLSv1.2": "server", "TLSv1.3": "client"]
        tls.groups = ["x25519", "secp256r1"]
        tls.certificate = certificate()
        tls.secureRenegotiation = true
        tls.compression = false
        tls.fallbackSCSV = true
        return tls
    }

    static func verdicts(_ tls: TLSFacts, policy: TLSPolicy = .csdlqgLevel3) -> [String: RuleVerdict] {
        var facts = FactSet()
        facts.record(ProbeAttempt<TLSFacts>.completed(tls))
        let input = RuleInput(endpoint: endpoint, facts: facts, settings: RuleSettings(now: now))
        var out: [String: RuleVerdict] = [:]
        for rule in RuleCatalog.rules(tlsPolicy: policy) + declarativeRules { out[rule.meta.id] = rule.evaluate(input) }
        return out
    }

    /// The declarative rules of the repository (`Checks/rules`: tls.protocol.sslv2 … tls11 moved there).
    static let declarativeRules: [any Rule] = {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Checks/rules").standardized.path
        return DeclarativeRuleLoader.load(directory: directory).rules.map(DeclarativeRule.init)
    }()
}

extension RuleVerdict {
    var failed: Bool { if case .fail = self { true } else { false } }
    var drafts: [FindingDraft] { if case .fail(let drafts) = self { drafts } else { [] } }
}

@Suite struct TLSRulesTests {
    @Test func aGoodServerFailsNothing() {
        let failed = Fixture.verdicts(Fixture.good).filter { $0.value.failed }.map(\.key)
        #expect(failed.isEmpty, "unexpected failures: \(failed)")
    }

    @Test(arguments: [
        (TLSVersion.ssl2, "tls.protocol.sslv2"), (.ssl3, "tls.protocol.sslv3"), (.tls10, "tls.protocol.tls10"), (.tls11, "tls.protocol.tls11"),
    ])
    func oldProtocolsFail(version: TLSVersion, rule: String) {
        var tls = Fixture.good
        tls.protocols[version] = true
        let verdicts = Fixture.verdicts(tls)
        #expect(verdicts[rule]?.failed == true)
        #expect(verdicts["tls.policy.csdlqg-level3"]?.failed == true)
    }

    @Test func anUntestedProtocolIsInconclusiveNeverPassed() {
        var tls = Fixture.good
        tls.protocols[.ssl3] = nil
        tls.protocolErrors["SSLv3"] = "no answer within 5 s"
        let verdict = Fixture.verdicts(tls)["tls.protocol.sslv3"]
        #expect(verdict == .inconclusive("SSLv3 could not be tested: no answer within 5 s"))
    }

    @Test func aFailedProbeMakesEveryRuleInconclusive() {
        var facts = FactSet()
        facts.record(ProbeAttempt<TLSFacts>.failed(ProbeFailure(kind: "refused", reason: "connection refused")))
        let input = RuleInput(endpoint: Fixture.endpoint, facts: facts, settings: RuleSettings(now: Fixture.now))
        for rule in RuleCatalog.rules(tlsPolicy: .csdlqgLevel3) where rule.meta.probe == "tls" {
            #expect(rule.evaluate(input) == .inconclusive("connection refused"), "\(rule.meta.id)")
        }
    }

    @Test(arguments: [
        ("tls.cipher.rc4", Fixture.rc4), ("tls.cipher.3des", Fixture.tripleDES), ("tls.cipher.export", Fixture.export),
        ("tls.cipher.null", Fixture.null), ("tls.cipher.anonymous", Fixture.anon), ("tls.cipher.cbc", Fixture.cbc),
        ("tls.cipher.no-forward-secrecy", Fixture.tripleDES),
    ])
    func weakSuitesFail(rule: String, suite: CipherSuiteFact) {
        var tls = Fixture.good
        tls.cipherSuites["TLSv1.2", default: []].append(suite)
        let verdict = Fixture.verdicts(tls)[rule]
        #expect(verdict?.failed == true)
        #expect(verdict?.drafts.first?.evidence.contains(suite.name) == true)
    }

    @Test func certificateProblemsAreJudgedAgainstTheClock() {
        func failing(_ certificate: CertificateFacts) -> Set<String> {
            var tls = Fixture.good
            tls.certificate = certificate
            return Set(Fixture.verdicts(tls).filter { $0.value.failed && $0.key.hasPrefix("tls.cert.") }.map(\.key))
        }
        #expect(failing(Fixture.certificate(notAfter: -86400)) == ["tls.cert.expired"])
        #expect(failing(Fixture.certificate(notBefore: 86400)) == ["tls.cert.not-yet-valid"])
        #expect(failing(Fixture.certificate(notAfter: 86400 * 10)) == ["tls.cert.expiring-soon"])
        #expect(failing(Fixture.certificate(trusted: false, selfSigned: true, stapled: false)) == ["tls.cert.self-signed"])
        #expect(failing(Fixture.certificate(trusted: false)) == ["tls.cert.untrusted"])
        #expect(failing(Fixture.certificate(hostnameMatch: false)) == ["tls.cert.hostname-mismatch"])
        #expect(failing(Fixture.certificate(chainComplete: false)) == ["tls.cert.chain-incomplete"])
        #expect(failing(Fixture.certificate(keyBits: 1024)) == ["tls.cert.weak-key"])
        #expect(failing(Fixture.certificate(keyType: "EC", keyBits: 256, signature: "ecdsa-with-SHA256")) == [])
        #expect(failing(Fixture.certificate(signature: "sha1WithRSAEncryption")) == ["tls.cert.weak-signature"])
        #expect(failing(Fixture.certificate(stapled: false)) == ["tls.cert.ocsp-stapling-missing"])
    }

    @Test func expiringSoonBecomesHighInTheLastWeek() {
        var tls = Fixture.good
        tls.certificate = Fixture.certificate(notAfter: 86400 * 3)
        #expect(Fixture.verdicts(tls)["tls.cert.expiring-soon"]?.drafts.first?.severity == .high)
    }

    @Test func handshakeFeatures() {
        var tls = Fixture.good
        tls.secureRenegotiation = false
        tls.compression = true
        tls.fallbackSCSV = false
        tls.dhBits = 1024
        let verdicts = Fixture.verdicts(tls)
        #expect(verdicts["tls.renegotiation.insecure"]?.failed == true)
        #expect(verdicts["tls.compression.enabled"]?.failed == true)
        #expect(verdicts["tls.fallback-scsv.missing"]?.failed == true)
        #expect(verdicts["tls.kex.dh-weak"]?.failed == true)
        tls.dhBits = 512
        #expect(Fixture.verdicts(tls)["tls.kex.dh-weak"]?.drafts.first?.severity == .high)
    }

    @Test func mozillaModernRejectsTLS12AndRSA() {
        let drafts = Fixture.verdicts(Fixture.good, policy: .mozillaModern)["tls.policy.mozilla-modern"]?.drafts ?? []
        let subjects = Set(drafts.map(\.subject))
        #expect(subjects.contains("protocol:TLSv1.2"))
        #expect(subjects.contains("certificate-type"))
        #expect(subjects.contains("certificate-lifetime"))
    }

    @Test func mozillaIntermediateAcceptsAGoodServer() {
        var tls = Fixture.good
        tls.certificate = Fixture.certificate(notBefore: -86400, notAfter: 86400 * 300)
        #expect(Fixture.verdicts(tls, policy: .mozillaIntermediate)["tls.policy.mozilla-intermediate"] == .pass)
        tls.cipherSuites["TLSv1.2", default: []].append(Fixture.cbc)
        let drafts = Fixture.verdicts(tls, policy: .mozillaIntermediate)["tls.policy.mozilla-intermediate"]?.drafts ?? []
        #expect(drafts.map(\.subject) == ["ciphers:TLSv1.2"])
        #expect(Fixture.verdicts(tls, policy: .mozillaOld)["tls.policy.mozilla-old"] == .pass)
    }

    @Test func ruleIdsAreUniqueAndDescribedInBothLanguages() {
        let metas = RuleCatalog.everything.map(\.meta).filter { $0.probe == "tls" }
        #expect(Set(metas.map(\.id)).count == metas.count)
        for meta in metas {
            #expect(!meta.title.vi.isEmpty && !meta.title.en.isEmpty && meta.title.vi != meta.title.en, "\(meta.id)")
            #expect(!meta.remediation.vi.isEmpty && !meta.remediation.en.isEmpty, "\(meta.id)")
            #expect(!meta.requirements.isEmpty, "\(meta.id)")
            #expect(meta.id.hasPrefix("tls."))
        }
    }
}
