import Foundation
import Testing
import TLSLab

@Suite struct FakeTLSServerTests {
    @Test func sslv3ServerChoosesRC4() throws {
        let pki = try Lab.pki.get()
        let server = try FakeTLSServer(config: FakeTLSConfig(
            versions: [0x0300], cipherSuites: [0x0005, 0x0004], certificateChainPEM: pki.good.chainPEMPath
        ))
        defer { server.stop() }
        let reply = Lab.exchange(port: server.port, send: Hello.tls(version: 0x0300, suites: [0x002F, 0x0005, 0x000A]), complete: Reply.serverHelloDone)
        // Record: handshake, SSLv3; message: ServerHello with version 0x0300 and suite 0x0005.
        try #require(reply.count > 5 + 4 + 2 + 32 + 1 + 32 + 2)
        #expect(Array(reply[0..<3]) == [22, 0x03, 0x00])
        #expect(reply[5] == 2)
        #expect(Array(reply[9..<11]) == [0x03, 0x00])
        let sessionLength = Int(reply[43])
        #expect(Array(reply[44 + sessionLength..<46 + sessionLength]) == [0x00, 0x05])
        // The Certificate message follows with the two certificates of the chain.
        let next = 5 + (Int(reply[3]) << 8 | Int(reply[4]))
        #expect(reply[next] == 22 && reply[next + 5] == 11)
    }

    @Test func clientBelowEveryVersionGetsProtocolVersionAlert() throws {
        let server = try FakeTLSServer(config: FakeTLSConfig(versions: [0x0303], cipherSuites: [0x002F]))
        defer { server.stop() }
        let reply = Lab.exchange(port: server.port, send: Hello.tls(version: 0x0301, suites: [0x002F]))
        #expect(reply == [21, 0x03, 0x01, 0x00, 0x02, 2, 70])
        let noSuite = Lab.exchange(port: server.port, send: Hello.tls(version: 0x0303, suites: [0x0005]))
        #expect(noSuite == [21, 0x03, 0x03, 0x00, 0x02, 2, 40])
        #expect(server.acceptedConnections == 2)
        #expect(server.maxConcurrentConnections == 1)
    }

    @Test func sslv2ServerAnswersServerHello() throws {
        let pki = try Lab.pki.get()
        let server = try FakeTLSServer(config: FakeTLSConfig(
            versions: [0x0002], sslv2CipherKinds: [0x010080, 0x0700C0], certificateChainPEM: pki.good.chainPEMPath
        ))
        defer { server.stop() }
        let reply = Lab.exchange(port: server.port, send: Hello.sslv2(kinds: [0x0700C0, 0x060040]), complete: Reply.sslv2Record)
        try #require(reply.count > 13)
        #expect(reply[0] & 0x80 != 0)
        #expect(reply[2] == 4)                           // SERVER-HELLO
        #expect(Array(reply[5..<7]) == [0x00, 0x02])     // SSL 2.0
        let certificateLength = Int(reply[7]) << 8 | Int(reply[8])
        #expect(certificateLength == pki.good.der.count)
        #expect(Array(reply[9..<11]) == [0x00, 0x03])     // one cipher kind
        #expect(Array(reply[13 + certificateLength..<16 + certificateLength]) == [0x07, 0x00, 0xC0])
        let none = Lab.exchange(port: server.port, send: Hello.sslv2(kinds: [0x060040]))
        #expect(none == [0x80, 0x03, 0x00, 0x00, 0x01])  // ERROR: NO-CIPHER
    }

    @Test func plaintextHTTPBehaviour() throws {
        let server = try FakeTLSServer(config: FakeTLSConfig(versions: [0x0303], behaviour: .plaintextHTTP))
        defer { server.stop() }
        let reply = Lab.exchange(port: server.port, send: Hello.tls(version: 0x0303, suites: [0xC02F]))
        #expect(String(decoding: reply, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
    }

    /// The politeness tests of the scanner rely on this count: a client that closes before it
    /// reconnects must not look concurrent, even while our worker is still draining.
    @Test func sequentialClientsAreNotConcurrent() throws {
        let server = try FakeTLSServer(config: FakeTLSConfig(versions: [0x0301], cipherSuites: [0x002F]))
        defer { server.stop() }
        for _ in 0..<5 {
            let reply = Lab.exchange(port: server.port, send: Hello.tls(version: 0x0301, suites: [0x002F]), complete: Reply.serverHelloDone)
            #expect(Reply.serverHelloDone(reply))
        }
        #expect(server.acceptedConnections == 5)
        #expect(server.maxConcurrentConnections == 1)
    }
}
