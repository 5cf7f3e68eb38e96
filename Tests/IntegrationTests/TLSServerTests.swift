import Foundation
import Testing
import Rules
import SansangCore
import TLSLab

/// The TLS probe against real `openssl s_server` processes on loopback, with certificates
/// generated for the test run.
@Suite(.serialized) struct TLSServerTests {
    static let modernCiphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305"

    @Test func wellConfiguredServerPasses() async throws {
        let pki = try IntegrationLab.pki.get()
        let server = try IntegrationLab.server(\.good, ["-cipher", Self.modernCiphers, "-no_tls1", "-no_tls1_1", "-serverpref"])
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target, caFile: pki.caPEMPath)
        let tls = try #require(result.tls)
        #expect(tls.protocols.supported == [.tls12, .tls13])
        for version in [TLSVersion.ssl2, .ssl3, .tls10, .tls11] { #expect(tls.protocols[version] == false, "\(version)") }
        #expect(Set(result.names(.tls12)) == [
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ])
        #expect(result.names(.tls12).first == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")  // -serverpref keeps the configured order
        #expect(tls.cipherPreference["TLSv1.2"] == "server")
        #expect(Set(result.names(.tls13)) == ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"])
        let certificate = try #require(tls.certificate)
        #expect(certificate.trusted)
        #expect(certificate.hostnameMatch)
        #expect(certificate.chainComplete)
        #expect(!certificate.expired && !certificate.selfSigned)
        #expect(certificate.leaf?.keyType == "RSA" && certificate.leaf?.keyBits == 2048)
        #expect(certificate.source == "handshake")
        #expect(tls.secureRenegotiation == true)
        #expect(tls.compression == false)
        #expect(tls.fallbackSCSV == true)
        #expect(tls.groups.contains("x25519"))
        #expect(tls.clientCertificate == "none")
        #expect(tls.sessionResumption?.ticket == true)
        let serious = result.findings.filter { $0.severity >= .medium }
        #expect(serious.isEmpty, "\(serious.map(\.ruleId))")
        #expect(result.inconclusive.isEmpty, "\(result.inconclusive.map(\.ruleId))")
    }

    @Test func legacyServerShowsEverySuiteOpenSSLEnables() async throws {
        let cipherString = "ALL:COMPLEMENTOFALL:@SECLEVEL=0"
        let server = try IntegrationLab.server(\.good, ["-cipher", cipherString, "-min_protocol", "TLSv1", "-no_tls1_3"])
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target)
        let tls = try #require(result.tls)
        #expect(tls.protocols.supported == [.tls10, .tls11, .tls12])
        #expect(tls.protocols[.tls13] == false)
        // OpenSSL's own list, less what an RSA-certificate server without PSK/SRP cannot negotiate.
        let expected = try opensslCipherNames(cipherString).filter { name in
            !name.contains("ECDSA") && !name.contains("PSK") && !name.contains("SRP") && !name.contains("_DSS_") && !name.contains("ECDH_RSA")
        }
        #expect(Set(result.names(.tls12)) == expected)
        #expect(result.ruleIds.isSuperset(of: ["tls.protocol.tls10", "tls.protocol.tls11", "tls.cipher.null", "tls.cipher.anonymous", "tls.cipher.no-forward-secrecy", "tls.kex.dh-weak"]))
        #expect(tls.dhBits == 1024)
    }

    @Test(arguments: [
        ("expired", true, "tls.cert.expired"),
        ("notYetValid", true, "tls.cert.not-yet-valid"),
        ("selfSigned", false, "tls.cert.self-signed"),
        ("wrongHost", true, "tls.cert.hostname-mismatch"),
        ("sha1", true, "tls.cert.weak-signature"),
        ("rsa1024", true, "tls.cert.weak-key"),
        ("good", false, "tls.cert.chain-incomplete"),
        ("expiringSoon", true, "tls.cert.expiring-soon"),
    ])
    func certificateProblemsAreFound(certificate: String, chain: Bool, rule: String) async throws {
        let pki = try IntegrationLab.pki.get()
        let keyPath: KeyPath<LabPKI, IssuedCertificate> = switch certificate {
        case "expired": \.expired
        case "notYetValid": \.notYetValid
        case "selfSigned": \.selfSigned
        case "wrongHost": \.wrongHost
        case "sha1": \.sha1
        case "rsa1024": \.rsa1024
        case "expiringSoon": \.expiringSoon
        default: \.good
        }
        let server = try IntegrationLab.server(keyPath, chain: chain, ["-cipher", "DEFAULT:@SECLEVEL=0"])
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target, caFile: pki.caPEMPath)
        #expect(result.ruleIds.contains(rule), "found \(result.ruleIds.sorted())")
        let certificateRules = result.ruleIds.filter { $0.hasPrefix("tls.cert.") && $0 != "tls.cert.ocsp-stapling-missing" }
        #expect(certificateRules == [rule], "only \(rule) expected among certificate rules, found \(certificateRules.sorted())")
    }

    @Test func untrustedWithoutTheCAFile() async throws {
        let server = try IntegrationLab.server(\.good)
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target)
        #expect(result.ruleIds.contains("tls.cert.untrusted"))
        #expect(result.tls?.certificate?.verifyCode == 20)
    }

    @Test func ecdsaCertificate() async throws {
        let pki = try IntegrationLab.pki.get()
        let server = try IntegrationLab.server(\.ecdsa, ["-no_tls1_3"])
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target, caFile: pki.caPEMPath)
        let leaf = try #require(result.tls?.certificate?.leaf)
        #expect(leaf.keyType == "EC" && leaf.keyBits == 256 && leaf.curve == "prime256v1")
        #expect(result.names(.tls12).allSatisfy { !$0.contains("_RSA_WITH") || $0.hasPrefix("TLS_RSA") == false })
        #expect(result.names(.tls12).contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))
        #expect(result.tls?.protocols[.tls13] == false)
    }

    @Test func requiredClientCertificateIsNoticed() async throws {
        let pki = try IntegrationLab.pki.get()
        let server = try IntegrationLab.server(\.good, ["-Verify", "1", "-CAfile", pki.caPEMPath])
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target, caFile: pki.caPEMPath)
        #expect(result.tls?.clientCertificate == "required")
        #expect(result.tls?.certificate?.trusted == true)
    }

    @Test func alpnIsReported() async throws {
        let server = try IntegrationLab.server(\.good, ["-alpn", "h2,http/1.1"])
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target)
        #expect(result.tls?.alpn == ["h2", "http/1.1"])
    }

    @Test func ipv6LiteralWithNothingListeningIsARefusal() async throws {
        let pki = try IntegrationLab.pki.get()
        let server = try OpenSSLServer(certificate: pki.good, chainPath: pki.intermediatePEMPath, extraArguments: [])
        defer { server.stop() }
        // s_server above listens on 127.0.0.1; a closed IPv6 port must be reported as refused, not crash.
        let result = try await IntegrationLab.scan("[::1]:\(server.port)")
        #expect(result.failures["tls"] != nil)
    }
}

/// The whole TLS audit over STARTTLS: a plaintext front speaks the dialogue, then relays to s_server.
@Suite struct StartTLSTests {
    @Test(arguments: ["smtp", "imap", "pop3", "ftp", "ldap", "postgres"])
    func auditRunsAfterTheUpgrade(protocolName: String) async throws {
        let pki = try IntegrationLab.pki.get()
        let backend = try IntegrationLab.server(\.good, ["-no_tls1_3", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA"])
        defer { backend.stop() }
        let front = try StartTLSFront(protocolName: protocolName, backendPort: backend.port)
        defer { front.stop() }
        let result = try await IntegrationLab.scan("\(protocolName)://127.0.0.1:\(front.port)", caFile: pki.caPEMPath)
        let tls = try #require(result.tls, "\(result.failures)")
        #expect(tls.protocols.supported == [.tls12])
        #expect(Set(result.names(.tls12)) == ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"])
        #expect(tls.certificate?.trusted == true)
        #expect(result.ruleIds.contains("tls.cipher.no-forward-secrecy"))
    }

    @Test func smtpWithoutStartTLSIsAClearFailure() async throws {
        let backend = try IntegrationLab.server(\.good)
        defer { backend.stop() }
        let front = try StartTLSFront(protocolName: "smtp", backendPort: backend.port, offersStartTLS: false)
        defer { front.stop() }
        let result = try await IntegrationLab.scan("smtp://127.0.0.1:\(front.port)")
        let failure = try #require(result.failures["tls"])
        #expect(failure.reason.contains("does not offer STARTTLS"), "\(failure.reason)")
    }

    @Test func startTLSSchemesHaveTheirDefaultPorts() throws {
        #expect(try Endpoint.parse("smtp://mail.example").port == 25)
        #expect(try Endpoint.parse("submission://mail.example").startTLS == "smtp")
        #expect(try Endpoint.parse("postgres://db.example").port == 5432)
        #expect(try Endpoint.parse("ldap://dir.example:1389").startTLS == "ldap")
        #expect(try Endpoint.parse("example:443").startTLS == nil)
    }
}
