import Foundation
import Testing
import Engine
import Rules
import SansangCore
import TLSLab

/// What Debian's OpenSSL cannot serve (SSLv2, SSLv3, RC4, EXPORT, 3DES-only, anonymous DH),
/// answered by the lab's fake server, and servers that misbehave on purpose.
@Suite struct LegacyServerTests {
    func fake(_ config: FakeTLSConfig) throws -> FakeTLSServer {
        try FakeTLSServer(config: config)
    }

    @Test func sslv3WithRC4AndExport() async throws {
        let pki = try IntegrationLab.pki.get()
        let server = try fake(FakeTLSConfig(
            versions: [0x0300, 0x0301], cipherSuites: [0x0005, 0x0004, 0x000A, 0x0003],
            certificateChainPEM: pki.good.chainPEMPath, compression: true
        ))
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target, caFile: pki.caPEMPath)
        let tls = try #require(result.tls)
        #expect(tls.protocols[.ssl3] == true)
        #expect(tls.protocols[.tls10] == true)
        #expect(tls.protocols[.tls11] == false)
        #expect(tls.protocols[.tls12] == false)
        #expect(tls.protocols[.tls13] == false)
        #expect(tls.protocols[.ssl2] == false)
        #expect(result.names(.ssl3) == ["TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_RC4_128_MD5", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_EXPORT_WITH_RC4_40_MD5"])
        #expect(tls.cipherPreference["SSLv3"] == "server")
        #expect(tls.secureRenegotiation == false)
        #expect(tls.compression == true)
        #expect(tls.certificate?.source == "raw")
        #expect(tls.certificate?.trusted == true)
        #expect(result.ruleIds.isSuperset(of: [
            "tls.protocol.sslv3", "tls.protocol.tls10", "tls.cipher.rc4", "tls.cipher.3des", "tls.cipher.export",
            "tls.renegotiation.insecure", "tls.compression.enabled", "tls.protocol.no-modern",
        ]))
    }

    @Test func sslv2IsDetectedFromItsOwnHello() async throws {
        let pki = try IntegrationLab.pki.get()
        let server = try fake(FakeTLSConfig(
            versions: [0x0002, 0x0300], cipherSuites: [0x000A, 0x0005], sslv2CipherKinds: [0x010080, 0x0700C0, 0x020080],
            certificateChainPEM: pki.good.chainPEMPath
        ))
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target, caFile: pki.caPEMPath)
        let tls = try #require(result.tls)
        #expect(tls.protocols[.ssl2] == true)
        #expect(Set(result.names(.ssl2)) == ["SSL_CK_RC4_128_WITH_MD5", "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "SSL_CK_RC4_128_EXPORT40_WITH_MD5"])
        #expect(tls.protocols[.ssl3] == true)
        #expect(result.ruleIds.contains("tls.protocol.sslv2"))
    }

    @Test func anonymousNullAndClientPreference() async throws {
        let server = try fake(FakeTLSConfig(
            versions: [0x0301, 0x0302, 0x0303], cipherSuites: [0x0018, 0x0034, 0x0002, 0x0014], dhBits: 512,
            honorClientPreference: true, secureRenegotiation: true, supportsFallbackSCSV: false
        ))
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target)
        let tls = try #require(result.tls)
        #expect(Set(result.names(.tls12)) == ["TLS_DH_anon_WITH_RC4_128_MD5", "TLS_DH_anon_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_NULL_SHA", "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"])
        #expect(tls.cipherPreference["TLSv1.2"] == "client")
        #expect(tls.dhBits == 512)
        #expect(tls.fallbackSCSV == false)
        #expect(result.ruleIds.isSuperset(of: ["tls.cipher.anonymous", "tls.cipher.null", "tls.cipher.export", "tls.kex.dh-weak", "tls.fallback-scsv.missing", "tls.cipher.client-preference"]))
        #expect(result.findings.first { $0.ruleId == "tls.kex.dh-weak" }?.severity == .high)
    }

    /// An old stack that drops big ClientHellos: the lean-hello fallback still finds every suite.
    @Test func intolerantServerIsEnumeratedWithLeanHellos() async throws {
        var config = FakeTLSConfig(versions: [0x0300, 0x0301], cipherSuites: [0x0005, 0x000A, 0x002F, 0x0035, 0xC013], secureRenegotiation: true)
        config.maxClientSuites = 64
        let server = try fake(config)
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target)
        let tls = try #require(result.tls)
        #expect(tls.protocols[.ssl3] == true)
        #expect(tls.protocols[.tls10] == true)
        #expect(tls.protocols[.tls12] == false)
        #expect(result.names(.tls10) == ["TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"])
        #expect(tls.cipherPreference["TLSv1.0"] == "server")
        #expect(tls.notes.contains { $0.contains("lean one") })
    }

    @Test func fallbackProtectionIsRecognised() async throws {
        let server = try fake(FakeTLSConfig(versions: [0x0301, 0x0303], cipherSuites: [0xC02F, 0x002F], secureRenegotiation: true, supportsFallbackSCSV: true))
        defer { server.stop() }
        let result = try await IntegrationLab.scan(server.target)
        #expect(result.tls?.fallbackSCSV == true)
        #expect(result.tls?.protocols[.tls11] == false)
    }
}

@Suite struct HostileServerTests {
    /// Every hostile server ends as "could not test, because …" within the time budget, never a crash or a hang.
    @Test(arguments: [
        (FakeTLSConfig.Behaviour.garbage, "not a TLS record"),
        (.silent, "no answer"),
        (.reset, "reset"),
        (.absurdRecordLength, "over the limit"),
        (.hugeCertificate, "over the limit"),
        (.plaintextHTTP, "plain text"),
        (.closeImmediately, "reset the connection|closed the connection"),  // EOF or RST, by timing
    ])
    func misbehavingServerIsReportedNotFatal(behaviour: FakeTLSConfig.Behaviour, reason: String) async throws {
        let server = try FakeTLSServer(config: FakeTLSConfig(versions: [0x0303], cipherSuites: [0x002F], behaviour: behaviour))
        defer { server.stop() }
        let reasons = reason.split(separator: "|").map(String.init)
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await IntegrationLab.scan(server.target, connectionTimeout: .seconds(2), endpointTimeout: .seconds(20))
        let elapsed = started.duration(to: clock.now)
        #expect(elapsed < .seconds(25), "took \(elapsed): the 20 s endpoint budget was not enforced")
        if case .completed(let tls)? = result.facts[TLSFacts.self] {
            // Some protocols may be judged; none may be claimed unsupported without an answer.
            let untested = TLSVersion.allCases.filter { tls.protocols[$0] == nil }
            #expect(!untested.isEmpty)
            #expect(untested.allSatisfy { version in reasons.contains { (tls.protocolErrors[version.rawValue] ?? "").contains($0) } }, "\(tls.protocolErrors)")
        } else {
            let failure = try #require(result.failures["tls"])
            #expect(failure.reason.hasPrefix("could not test TLS, because"))
            #expect(reasons.contains { failure.reason.contains($0) }, "\(failure.reason)")
        }
        #expect(!result.complete || !result.inconclusive.isEmpty)
    }

    @Test func refusedConnectionIsAClearFailure() async throws {
        let port = try unusedLoopbackPort()
        let result = try await IntegrationLab.scan("127.0.0.1:\(port)")
        let failure = try #require(result.failures["tls"])
        #expect(failure.reason.contains("refused"))
        #expect(result.findings.isEmpty)
        #expect(!result.inconclusive.isEmpty)
    }

    @Test func politenessCapIsHonoured() async throws {
        let server = try FakeTLSServer(config: FakeTLSConfig(versions: [0x0301, 0x0302, 0x0303], cipherSuites: [0x002F, 0x0035, 0x000A, 0xC013, 0xC014]))
        defer { server.stop() }
        let context = ProbeContext(connectionTimeout: .seconds(3), maxConnectionsPerHost: 1, maxConnections: 1)
        let runner = ScanRunner(options: ScanOptions(context: context))
        let result = await runner.scan(try Endpoint.parse(server.target))
        #expect(result.tls?.protocols.supported == [.tls10, .tls11, .tls12])
        #expect(server.maxConcurrentConnections <= 1, "the server saw \(server.maxConcurrentConnections) simultaneous connections")
        #expect(result.tls?.connections == server.acceptedConnections)
    }
}
