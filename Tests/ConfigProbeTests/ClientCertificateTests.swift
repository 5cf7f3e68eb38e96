import ConfigProbe
import Foundation
import SansangCore
import TLSLab
import TLSProbe
import Testing

@Suite struct ClientCertificateTests {
    static let pki: Result<LabPKI, any Error> = Result { try LabPKI(directory: try ConfigFixture.temporary("client-pki")) }

    func verdicts(cert: String, key: String?, ca: String?) -> (facts: ClientCertificateFacts, verdicts: [String: RuleVerdict]) {
        let facts = CertificateFileInspector.inspect(ClientCertificateSpec(cert: cert, key: key, ca: ca))
        let verdicts = ConfigFixture.verdicts(ConfigFacts(clientCertificate: facts)).filter { $0.key.hasPrefix("cert.client.") }
        return (facts, verdicts)
    }

    func failing(_ verdicts: [String: RuleVerdict]) -> Set<String> { Set(verdicts.filter { $0.value.failed }.map(\.key)) }

    @Test func aSoundClientCertificatePasses() throws {
        let pki = try Self.pki.get()
        chmod(pki.good.keyPEMPath, 0o600)
        let (facts, verdicts) = verdicts(cert: pki.good.chainPEMPath, key: pki.good.keyPEMPath, ca: pki.caPEMPath)
        #expect(facts.trusted == true && facts.keyMatches == true && facts.keyFileMode == "0600")
        #expect(facts.certificate?.extendedKeyUsage.contains("clientAuth") == true && facts.chain.count == 1)
        for (id, verdict) in verdicts { #expect(verdict == .pass, "\(id): \(verdict)") }
    }

    @Test func aWorldReadableKeyFailsThePermissionsRule() throws {
        let pki = try Self.pki.get()
        let directory = try ConfigFixture.temporary("perm")
        let key = directory.appendingPathComponent("client.key").path
        try FileManager.default.copyItem(atPath: pki.good.keyPEMPath, toPath: key)
        chmod(key, 0o644)
        let (facts, verdicts) = verdicts(cert: pki.good.chainPEMPath, key: key, ca: pki.caPEMPath)
        #expect(facts.keyFileMode == "0644")
        #expect(failing(verdicts) == ["cert.client.key-permissions"])
        #expect(verdicts["cert.client.key-permissions"]?.drafts.first?.evidence.contains("0644") == true)
    }

    @Test func expiredWeakMismatchedAndUntrusted() throws {
        let pki = try Self.pki.get()
        #expect(failing(verdicts(cert: pki.expired.chainPEMPath, key: pki.expired.keyPEMPath, ca: pki.caPEMPath).verdicts) == ["cert.client.expired"])
        #expect(failing(verdicts(cert: pki.rsa1024.chainPEMPath, key: pki.rsa1024.keyPEMPath, ca: pki.caPEMPath).verdicts) == ["cert.client.weak-key"])
        #expect(failing(verdicts(cert: pki.good.chainPEMPath, key: pki.ecdsa.keyPEMPath, ca: pki.caPEMPath).verdicts) == ["cert.client.key-mismatch"])
        // The leaf alone, without its intermediate, does not chain to the root.
        let untrusted = verdicts(cert: pki.good.certPEMPath, key: pki.good.keyPEMPath, ca: pki.caPEMPath)
        #expect(failing(untrusted.verdicts) == ["cert.client.untrusted"])
        #expect(untrusted.facts.verifyError?.contains("issuer") == true)
        #expect(failing(verdicts(cert: pki.selfSigned.certPEMPath, key: pki.selfSigned.keyPEMPath, ca: pki.caPEMPath).verdicts) == ["cert.client.untrusted"])
    }

    @Test func aServerOnlyCertificateLacksClientAuth() throws {
        let pki = try Self.pki.get()
        let directory = try ConfigFixture.temporary("eku")
        let server = try CertificateFactory.issue(CertificateSpec(name: "server-only", commonName: "lgsp.example", extendedKeyUsage: ["serverAuth"]), by: pki.intermediate, in: directory)
        let result = verdicts(cert: server.chainPEMPath, key: server.keyPEMPath, ca: pki.caPEMPath)
        // OpenSSL's sslclient purpose check refuses it too: the chain is not valid for a client.
        #expect(failing(result.verdicts) == ["cert.client.no-client-auth", "cert.client.untrusted"])
        #expect(result.facts.verifyError?.contains("purpose") == true, "\(result.facts.verifyError ?? "")")
    }

    @Test func garbageAndMissingFilesAreFindingsNotCrashes() throws {
        let directory = try ConfigFixture.temporary("garbage")
        let cert = directory.appendingPathComponent("cert.pem").path
        try "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n".write(toFile: cert, atomically: true, encoding: .utf8)
        let (facts, verdicts) = verdicts(cert: cert, key: directory.appendingPathComponent("missing.key").path, ca: nil)
        #expect(facts.certificate == nil && facts.certificateError != nil && facts.keyError != nil)
        #expect(failing(verdicts) == ["cert.client.unreadable"])
        #expect(verdicts["cert.client.unreadable"]?.drafts.count == 2)
        if case .inconclusive? = verdicts["cert.client.expired"] {} else { Issue.record("expected inconclusive") }
    }
}
