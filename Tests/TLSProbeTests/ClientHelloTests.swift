import Testing
@testable import TLSProbe
import SansangCore

@Suite struct ClientHelloTests {
    /// Reads back what a server would read: version, suites, compression, extension types.
    func decode(_ bytes: [UInt8]) throws -> (record: UInt16, version: UInt16, suites: [UInt16], compression: [UInt8], extensions: [UInt16: [UInt8]], length: Int) {
        var reader = ByteReader(bytes)
        #expect(try reader.u8() == 22)
        let record = try reader.u16()
        var body = ByteReader(try reader.vector(2))
        #expect(try body.u8() == 1)
        let length = try body.u24()
        let version = try body.u16()
        _ = try body.take(32)
        _ = try body.vector(1)
        var suitesReader = ByteReader(try body.vector(2))
        var suites: [UInt16] = []
        while !suitesReader.isAtEnd { suites.append(try suitesReader.u16()) }
        let compression = try body.vector(1)
        var extensions: [UInt16: [UInt8]] = [:]
        if !body.isAtEnd {
            var list = ByteReader(try body.vector(2))
            while !list.isAtEnd { let type = try list.u16(); extensions[type] = try list.vector(2) }
        }
        #expect(body.isAtEnd)
        return (record, version, suites, compression, extensions, length)
    }

    @Test(arguments: [TLSVersion.tls10, .tls11, .tls12])
    func legacyHelloOffersWhatItSays(version: TLSVersion) throws {
        let codes = CipherSuiteRegistry.legacy.map(\.code)
        var hello = ClientHello(version: version, cipherSuites: codes, serverName: "portal.example")
        hello.compressionMethods = [1, 0]
        let decoded = try decode(hello.encode())
        #expect(decoded.record == 0x0301)
        #expect(decoded.version == version.wire)
        #expect(decoded.suites == codes)
        #expect(decoded.compression == [1, 0])
        #expect(decoded.extensions[0x0000] != nil)
        #expect(decoded.extensions[0xFF01] == [0])
        #expect(decoded.extensions[0x002B] == nil)
        #expect(!(256..<512).contains(decoded.length + 4))
    }

    @Test func tls13HelloCarriesSupportedVersionsAndKeyShare() throws {
        let hello = ClientHello(version: .tls13, cipherSuites: [0x1301, 0x1302], serverName: nil)
        let decoded = try decode(hello.encode())
        #expect(decoded.version == 0x0303)
        #expect(decoded.extensions[0x002B] == [2, 0x03, 0x04])
        #expect(decoded.extensions[0x0000] == nil)
        let share = try #require(decoded.extensions[0x0033])
        #expect(share.count == 2 + 4 + 32)
        #expect(decoded.compression == [0])
    }

    @Test func sslv3HelloHasNoExtensionsAndSignalsRenegotiation() throws {
        let hello = ClientHello(version: .ssl3, cipherSuites: [0x0005, 0x000A], serverName: "x.example")
        let decoded = try decode(hello.encode())
        #expect(decoded.record == 0x0300)
        #expect(decoded.extensions.isEmpty)
        #expect(decoded.suites == [0x0005, 0x000A, 0x00FF])
    }

    @Test func fallbackSCSVIsAppended() throws {
        var hello = ClientHello(version: .tls11, cipherSuites: [0x002F], serverName: nil)
        hello.fallbackSCSV = true
        #expect(try decode(hello.encode()).suites.last == 0x5600)
    }

    @Test func sslv2HelloIsAnSSLv2Record() {
        let bytes = ClientHello(version: .ssl2, cipherSuites: [], serverName: nil).encode()
        #expect(bytes[0] & 0x80 != 0)
        let length = Int(bytes[0] & 0x7F) << 8 | Int(bytes[1])
        #expect(bytes.count == 2 + length)
        #expect(bytes[2] == 1)
        #expect(bytes[3] == 0 && bytes[4] == 2)
        #expect(length == 9 + SSLv2CipherKind.all.count * 3 + 16)
    }
}
