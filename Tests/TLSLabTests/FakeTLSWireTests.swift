import Foundation
import Testing
@testable import TLSLab

/// Parsers of peer bytes must fail, not crash, on every truncated prefix.
@Suite struct FakeTLSWireTests {
    @Test func everyTruncatedClientHelloFails() throws {
        let record = Hello.tls(version: 0x0303, suites: [0xC02F, 0x00FF], extensions: [0xFF, 0x01, 0x00, 0x01, 0x00])
        let body = Array(record[9...])
        let hello = try ClientHello.parse(body: body)
        #expect(hello.version == 0x0303)
        #expect(hello.cipherSuites == [0xC02F, 0x00FF])
        #expect(hello.hasExtension(0xFF01))
        let withoutExtensions = body.count - 2 - 5
        for length in 0..<body.count where length != withoutExtensions {
            #expect(throws: (any Error).self) { try ClientHello.parse(body: Array(body.prefix(length))) }
        }
    }

    @Test func everyTruncatedSSLv2HelloFails() throws {
        let record = Hello.sslv2(version: 0x0301, kinds: [0x010080, 0x00002F])
        let body = Array(record[2...])
        let hello = try SSLv2ClientHello.parse(body: body)
        #expect(hello.tlsCipherSuites == [0x002F])
        for length in 0..<body.count {
            #expect(throws: (any Error).self) { try SSLv2ClientHello.parse(body: Array(body.prefix(length))) }
        }
    }

    @Test func secureRenegotiationAndFallback() throws {
        let responder = FakeTLSResponder(
            config: FakeTLSConfig(versions: [0x0301, 0x0302], cipherSuites: [0x002F], secureRenegotiation: true, supportsFallbackSCSV: true),
            chain: []
        )
        let scsv = try ClientHello.parse(body: Array(Hello.tls(version: 0x0302, suites: [0x002F, 0x00FF])[9...]))
        guard case .handshake(_, let serverHello, let version) = responder.respond(to: scsv, recordVersion: 0x0301) else {
            Issue.record("expected a handshake")
            return
        }
        #expect(version == 0x0302)
        #expect(serverHello.suffix(7) == [0x00, 0x05, 0xFF, 0x01, 0x00, 0x01, 0x00])
        let fallback = try ClientHello.parse(body: Array(Hello.tls(version: 0x0301, suites: [0x002F, 0x5600])[9...]))
        #expect(responder.respond(to: fallback, recordVersion: 0x0301) == .alert([21, 0x03, 0x01, 0x00, 0x02, 2, 86]))
    }

    @Test func configDecodesHexAndRefusesUnknownVersions() throws {
        let json = #"{"versions": ["0x0300", 769], "cipherSuites": ["0x0005", 4], "sslv2CipherKinds": ["0x010080"]}"#
        let config = try JSONDecoder().decode(FakeTLSConfig.self, from: Data(json.utf8))
        #expect(config.versions == [0x0300, 0x0301])
        #expect(config.cipherSuites == [0x0005, 0x0004])
        #expect(config.sslv2CipherKinds == [0x010080])
        #expect(config.behaviour == .normal && config.dhBits == 1024)
        #expect(throws: (any Error).self) { try FakeTLSServer(config: FakeTLSConfig(versions: [0x0304], cipherSuites: [0x1301])) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(FakeTLSConfig.self, from: Data(#"{"versions": ["0x10000"]}"#.utf8)) }
    }
}
