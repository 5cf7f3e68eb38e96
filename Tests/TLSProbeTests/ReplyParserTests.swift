import Testing
@testable import TLSProbe
import SansangCore

/// Builds server replies byte by byte, as a server would send them.
enum Wire {
    static func record(_ type: UInt8, _ version: UInt16, _ payload: [UInt8]) -> [UInt8] {
        [type, UInt8(version >> 8), UInt8(version & 0xFF), UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
    }

    static func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        [type, UInt8(body.count >> 16), UInt8((body.count >> 8) & 0xFF), UInt8(body.count & 0xFF)] + body
    }

    static func serverHello(version: UInt16, cipher: UInt16, extensions: [(UInt16, [UInt8])] = [], random: [UInt8]? = nil) -> [UInt8] {
        var body: [UInt8] = [UInt8(version >> 8), UInt8(version & 0xFF)]
        body += random ?? [UInt8](repeating: 0x42, count: 32)
        body += [0]  // empty session id
        body += [UInt8(cipher >> 8), UInt8(cipher & 0xFF), 0]
        if !extensions.isEmpty {
            var list: [UInt8] = []
            for (type, data) in extensions {
                list += [UInt8(type >> 8), UInt8(type & 0xFF), UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
            }
            body += [UInt8(list.count >> 8), UInt8(list.count & 0xFF)] + list
        }
        return handshake(2, body)
    }

    static func certificate(_ certs: [[UInt8]]) -> [UInt8] {
        var list: [UInt8] = []
        for cert in certs { list += [0, UInt8(cert.count >> 8), UInt8(cert.count & 0xFF)] + cert }
        return handshake(11, [0, UInt8(list.count >> 8), UInt8(list.count & 0xFF)] + list)
    }

    /// A TLS 1.2 flight: ServerHello, Certificate, ServerKeyExchange (ECDHE secp256r1), ServerHelloDone.
    static var tls12Flight: [UInt8] {
        let messages = serverHello(version: 0x0303, cipher: 0xC02F, extensions: [(0xFF01, [0])])
            + certificate([[0x30, 0x03, 0x02, 0x01, 0x01]])
            + handshake(12, [3, 0x00, 0x17, 1, 4])
            + handshake(14, [])
        return record(22, 0x0303, messages)
    }
}

@Suite struct ReplyParserTests {
    @Test func parsesACompleteFlight() throws {
        var parser = ReplyParser(stop: .serverHelloDone)
        #expect(try parser.feed(Wire.tls12Flight))
        let flight = parser.flight
        #expect(flight.serverHello?.version == 0x0303)
        #expect(flight.serverHello?.cipherSuite == 0xC02F)
        #expect(flight.serverHello?.extensions[0xFF01] == [0])
        #expect(flight.certificates.count == 1)
        #expect(flight.serverKeyExchange == [3, 0x00, 0x17, 1, 4])
        #expect(flight.serverHelloDone)
        let suite = try #require(CipherSuiteRegistry.suite(0xC02F))
        #expect(KeyExchangeParameters.parse(flight.serverKeyExchange ?? [], suite: suite).group == "secp256r1")
    }

    @Test func everyTruncatedPrefixIsIncompleteNotACrash() throws {
        let bytes = Wire.tls12Flight
        for length in 0..<bytes.count {
            var parser = ReplyParser(stop: .serverHelloDone)
            let done = try parser.feed(Array(bytes.prefix(length)))
            #expect(!done, "prefix of \(length) bytes must not complete")
        }
    }

    @Test func bytesArrivingOneAtATimeGiveTheSameResult() throws {
        var parser = ReplyParser(stop: .serverHelloDone)
        var done = false
        for byte in Wire.tls12Flight where !done { done = try parser.feed([byte]) }
        #expect(done)
        #expect(parser.flight.serverHello?.cipherSuite == 0xC02F)
    }

    @Test func trailingBytesAfterTheFlightAreIgnored() throws {
        var parser = ReplyParser(stop: .serverHelloDone)
        #expect(try parser.feed(Wire.tls12Flight + [0xDE, 0xAD, 0xBE, 0xEF]))
        #expect(parser.flight.serverHelloDone)
    }

    @Test func truncatedServerHelloBodyIsMalformed() {
        let hello = Wire.serverHello(version: 0x0303, cipher: 0x002F)
        for cut in 4..<(hello.count - 1) {
            // A handshake header that claims the full length but a body cut short inside a complete record.
            var body = Array(hello.prefix(cut))
            let length = body.count - 4
            body[1] = 0; body[2] = UInt8(length >> 8); body[3] = UInt8(length & 0xFF)
            var parser = ReplyParser(stop: .serverHello)
            #expect(throws: SansangError.self) { _ = try parser.feed(Wire.record(22, 0x0303, body)) }
        }
    }

    @Test func alertEndsTheReply() throws {
        var parser = ReplyParser(stop: .serverHelloDone)
        #expect(try parser.feed(Wire.record(21, 0x0301, [2, 70])))
        #expect(parser.flight.alert?.description == 70)
        #expect(parser.flight.serverHello == nil)
    }

    @Test func plainTextIsNamed() {
        var parser = ReplyParser(stop: .serverHello)
        #expect {
            _ = try parser.feed(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8))
        } throws: { error in
            (error as? SansangError)?.reason.contains("plain text") == true
        }
    }

    @Test func absurdRecordLengthIsRefused() {
        var parser = ReplyParser(stop: .serverHello)
        #expect(throws: SansangError.self) { _ = try parser.feed([22, 3, 3, 0xFF, 0xFF, 1, 2, 3]) }
    }

    @Test func hugeHandshakeMessageIsRefusedBeforeItArrives() throws {
        var parser = ReplyParser(stop: .serverHelloDone)
        let hello = Wire.record(22, 0x0303, Wire.serverHello(version: 0x0303, cipher: 0x002F))
        #expect(try !parser.feed(hello))
        #expect {
            _ = try parser.feed(Wire.record(22, 0x0303, [11, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 100)))
        } throws: { error in
            (error as? SansangError)?.code == .limitExceeded
        }
    }

    @Test func randomGarbageNeverCrashes() {
        var generator = SplitMix(seed: 0x5A45_5A45)
        for round in 0..<2000 {
            let length = Int(generator.next() % 300)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if round % 2 == 0 && bytes.count > 5 {  // half the time, a plausible record header
                bytes[0] = 22; bytes[1] = 3; bytes[2] = 3
                bytes[3] = 0; bytes[4] = UInt8(min(bytes.count - 5, 255))
            }
            var parser = ReplyParser(stop: .serverHelloDone)
            _ = try? parser.feed(bytes)
        }
    }

    @Test func helloRetryRequestIsRecognised() throws {
        let hrr = Wire.serverHello(version: 0x0303, cipher: 0x1301, extensions: [(0x002B, [0x03, 0x04]), (0x0033, [0x00, 0x17])], random: ReplyParser.helloRetryRandom)
        var parser = ReplyParser(stop: .serverHelloDone)
        #expect(try parser.feed(Wire.record(22, 0x0303, hrr)))
        let hello = try #require(parser.flight.serverHello)
        #expect(hello.isHelloRetryRequest)
        #expect(hello.version == 0x0304)
        #expect(hello.selectedGroup == 0x0017)
    }

    @Test func sslv2ServerHelloIsParsed() throws {
        let cert: [UInt8] = [0x30, 0x00]
        let specs: [UInt8] = [0x01, 0x00, 0x80, 0x07, 0x00, 0xC0]
        var body: [UInt8] = [4, 0, 1, 0x00, 0x02]
        body += [0, UInt8(cert.count), 0, UInt8(specs.count), 0, 16] + cert + specs + [UInt8](repeating: 1, count: 16)
        let record = [0x80 | UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        var parser = ReplyParser(stop: .serverHello)
        #expect(try parser.feed(record))
        #expect(parser.flight.sslv2Hello?.cipherKinds == [0x010080, 0x0700C0])
        for cut in 0..<record.count {
            var partial = ReplyParser(stop: .serverHello)
            let done = (try? partial.feed(Array(record.prefix(cut)))) ?? false
            #expect(!done)
        }
    }

    @Test func dhPrimeSizeIsMeasured() throws {
        let suite = try #require(CipherSuiteRegistry.suite(0x0033))
        let prime = [0x00, 0xC0] + [UInt8](repeating: 0xFF, count: 127)  // 1024 significant bits after a leading zero byte
        let body: [UInt8] = [0, UInt8(prime.count)] + prime + [0, 1, 2]
        #expect(KeyExchangeParameters.parse(body, suite: suite).dhBits == 1024)
        #expect(KeyExchangeParameters.parse([0, 5, 1], suite: suite).dhBits == nil)  // truncated
    }
}

/// A small deterministic generator so garbage tests are reproducible.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
