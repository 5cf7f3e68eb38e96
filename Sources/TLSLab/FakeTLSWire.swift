import SansangCore

/// Reads big-endian fields from a peer's bytes; every read is bounds-checked and throws.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func u8() throws -> UInt8 { try take(1)[0] }
    mutating func u16() throws -> UInt16 { let b = try take(2); return UInt16(b[0]) << 8 | UInt16(b[1]) }
    mutating func u24() throws -> Int { let b = try take(3); return Int(b[0]) << 16 | Int(b[1]) << 8 | Int(b[2]) }

    mutating func take(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw SansangError(.malformedReply, "truncated: wanted \(count) bytes at offset \(offset), have \(remaining)")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

/// A TLS ClientHello as the fake server needs it.
struct ClientHello: Equatable {
    var version: UInt16
    var random: [UInt8]
    var sessionID: [UInt8]
    var cipherSuites: [UInt16]
    var compressionMethods: [UInt8]
    var extensions: [Extension]

    struct Extension: Equatable {
        var type: UInt16
        var data: [UInt8]
    }

    func hasExtension(_ type: UInt16) -> Bool { extensions.contains { $0.type == type } }

    /// Groups from supported_groups (10); nil when the client sent none.
    var supportedGroups: [UInt16]? {
        guard let ext = extensions.first(where: { $0.type == 0x000A }) else { return nil }
        var reader = ByteReader(ext.data)
        guard let length = try? reader.u16(), Int(length) <= reader.remaining, length % 2 == 0 else { return [] }
        return (0..<Int(length) / 2).compactMap { _ in try? reader.u16() }
    }

    /// Parses the body of a handshake message of type 1 (after the 4-byte handshake header).
    static func parse(body: [UInt8]) throws -> ClientHello {
        var r = ByteReader(body)
        let version = try r.u16()
        let random = try r.take(32)
        let sessionLength = Int(try r.u8())
        guard sessionLength <= 32 else { throw SansangError(.malformedReply, "session id of \(sessionLength) bytes") }
        let sessionID = try r.take(sessionLength)
        let suitesLength = Int(try r.u16())
        guard suitesLength % 2 == 0, suitesLength > 0 else {
            throw SansangError(.malformedReply, "cipher suites length \(suitesLength)")
        }
        var suites = ByteReader(try r.take(suitesLength))
        let cipherSuites = try (0..<suitesLength / 2).map { _ in try suites.u16() }
        let compressionLength = Int(try r.u8())
        guard compressionLength > 0 else { throw SansangError(.malformedReply, "no compression methods") }
        let compression = try r.take(compressionLength)
        var extensions: [Extension] = []
        if r.remaining > 0 {
            let total = Int(try r.u16())
            var block = ByteReader(try r.take(total))
            while block.remaining > 0 {
                let type = try block.u16()
                let length = Int(try block.u16())
                extensions.append(Extension(type: type, data: try block.take(length)))
            }
        }
        // Bytes after the extensions block are tolerated, as lenient old servers did.
        return ClientHello(
            version: version, random: random, sessionID: sessionID, cipherSuites: cipherSuites,
            compressionMethods: compression, extensions: extensions
        )
    }
}

/// An SSLv2-format CLIENT-HELLO (also the "v2-compatible" hello of SSLv3/TLS clients).
struct SSLv2ClientHello: Equatable {
    var version: UInt16
    var cipherKinds: [UInt32]
    var sessionID: [UInt8]
    var challenge: [UInt8]

    /// Parses the record body after the 2-byte header.
    static func parse(body: [UInt8]) throws -> SSLv2ClientHello {
        var r = ByteReader(body)
        let type = try r.u8()
        guard type == 1 else { throw SansangError(.malformedReply, "SSLv2 message type \(type), want CLIENT-HELLO (1)") }
        let version = try r.u16()
        let specsLength = Int(try r.u16())
        let sessionLength = Int(try r.u16())
        let challengeLength = Int(try r.u16())
        guard specsLength % 3 == 0, specsLength > 0 else {
            throw SansangError(.malformedReply, "SSLv2 cipher specs length \(specsLength)")
        }
        var specs = ByteReader(try r.take(specsLength))
        let kinds = try (0..<specsLength / 3).map { _ in UInt32(try specs.u24()) }
        let sessionID = try r.take(sessionLength)
        let challenge = try r.take(challengeLength)
        return SSLv2ClientHello(version: version, cipherKinds: kinds, sessionID: sessionID, challenge: challenge)
    }

    /// The TLS suites in a v2-compatible hello: the kinds whose first byte is zero.
    var tlsCipherSuites: [UInt16] {
        cipherKinds.filter { $0 >> 16 == 0 }.map { UInt16(truncatingIfNeeded: $0) }
    }

    var asTLSHello: ClientHello {
        var random = [UInt8](repeating: 0, count: 32)
        let tail = challenge.suffix(32)
        random.replaceSubrange((32 - tail.count)..<32, with: tail)
        return ClientHello(
            version: version, random: random, sessionID: sessionID, cipherSuites: tlsCipherSuites,
            compressionMethods: [0], extensions: []
        )
    }
}

/// Key exchange of a TLS suite, as far as the fake needs to know what to send.
enum FakeKeyExchange: Equatable {
    case rsa
    case dhe(ecdsa: Bool)
    case dhAnon
    case ecdhe(ecdsa: Bool)
    case ecdhAnon

    var isAnonymous: Bool { self == .dhAnon || self == .ecdhAnon }
}

enum FakeSuiteTable {
    /// Suites usable only from TLS 1.2 on (SHA-256/384 MACs, AEAD).
    static let tls12Only: Set<UInt16> = [
        0x003B, 0x003C, 0x003D, 0x0040, 0x0067, 0x006A, 0x006B, 0x006C, 0x006D,
        0x009C, 0x009D, 0x009E, 0x009F, 0x00A2, 0x00A3, 0x00A6, 0x00A7,
        0xC023, 0xC024, 0xC027, 0xC028, 0xC02B, 0xC02C, 0xC02F, 0xC030, 0xCCA8, 0xCCA9, 0xCCAA,
    ]
    private static let dhe: Set<UInt16> = [
        0x0011, 0x0012, 0x0013, 0x0014, 0x0015, 0x0016, 0x0032, 0x0033, 0x0038, 0x0039, 0x0040,
        0x0044, 0x0045, 0x0067, 0x006A, 0x006B, 0x0087, 0x0088, 0x009A, 0x009E, 0x009F, 0x00A2, 0x00A3, 0xCCAA,
    ]
    private static let dhAnon: Set<UInt16> = [
        0x0017, 0x0018, 0x0019, 0x001A, 0x001B, 0x0034, 0x003A, 0x0046, 0x006C, 0x006D, 0x0089, 0x00A6, 0x00A7,
    ]
    private static let ecdheRSA: Set<UInt16> = [0xC010, 0xC011, 0xC012, 0xC013, 0xC014, 0xC027, 0xC028, 0xC02F, 0xC030, 0xCCA8]
    private static let ecdheECDSA: Set<UInt16> = [0xC006, 0xC007, 0xC008, 0xC009, 0xC00A, 0xC023, 0xC024, 0xC02B, 0xC02C, 0xCCA9]
    private static let ecdhAnon: Set<UInt16> = [0xC015, 0xC016, 0xC017, 0xC018, 0xC019]
    /// DSS-authenticated DHE suites sign with DSA; the fake's signature is random bytes anyway.
    private static let dss: Set<UInt16> = [0x0011, 0x0012, 0x0013, 0x0032, 0x0038, 0x0040, 0x0044, 0x0087, 0x006A, 0x00A2, 0x00A3]

    /// Unknown codes are taken as RSA key exchange (no ServerKeyExchange).
    static func keyExchange(_ code: UInt16) -> FakeKeyExchange {
        if dhe.contains(code) { return .dhe(ecdsa: false) }
        if dhAnon.contains(code) { return .dhAnon }
        if ecdheRSA.contains(code) { return .ecdhe(ecdsa: false) }
        if ecdheECDSA.contains(code) { return .ecdhe(ecdsa: true) }
        if ecdhAnon.contains(code) { return .ecdhAnon }
        return .rsa
    }

    static func isDSS(_ code: UInt16) -> Bool { dss.contains(code) }

    /// Signalling values, never negotiated: empty renegotiation info and fallback SCSVs.
    static let signalling: Set<UInt16> = [0x00FF, 0x5600]
}

/// What the fake server writes for a hello: pure functions of config, chain and hello, for testing without sockets.
struct FakeTLSResponder: Sendable {
    let config: FakeTLSConfig
    /// DER of each certificate, leaf first.
    let chain: [[UInt8]]

    var tlsVersions: [UInt16] { config.versions.filter { $0 >= 0x0300 && $0 <= 0x0303 }.sorted() }
    var speaksSSLv2: Bool { config.versions.contains(0x0002) }

    enum Outcome: Equatable {
        /// The flight to send; the ServerHello alone is `serverHello` (for `.hugeCertificate`).
        case handshake(flight: [UInt8], serverHello: [UInt8], version: UInt16)
        case alert([UInt8])
        /// Close without answering (an intolerant stack).
        case drop
    }

    // MARK: TLS

    func respond(to hello: ClientHello, recordVersion: UInt16) -> Outcome {
        if let limit = config.maxClientSuites, hello.cipherSuites.count > limit { return .drop }
        guard let version = tlsVersions.last(where: { $0 <= hello.version }) else {
            return .alert(Self.alert(70, version: recordVersion))  // protocol_version
        }
        if config.supportsFallbackSCSV, hello.cipherSuites.contains(0x5600), let highest = tlsVersions.last, hello.version < highest {
            return .alert(Self.alert(86, version: version))  // inappropriate_fallback
        }
        guard let suite = chooseSuite(hello, version: version) else {
            return .alert(Self.alert(40, version: version))  // handshake_failure
        }
        let kex = FakeSuiteTable.keyExchange(suite)
        let serverHello = Self.record(22, version: version, Self.handshake(2, serverHelloBody(hello, version: version, suite: suite)))
        var flight = serverHello
        if !kex.isAnonymous {
            flight += Self.record(22, version: version, Self.handshake(11, certificateBody()))
        }
        if let keyExchange = serverKeyExchangeBody(kex, suite: suite, version: version) {
            flight += Self.record(22, version: version, Self.handshake(12, keyExchange))
        }
        flight += Self.record(22, version: version, Self.handshake(14, []))
        return .handshake(flight: flight, serverHello: serverHello, version: version)
    }

    func chooseSuite(_ hello: ClientHello, version: UInt16) -> UInt16? {
        let groups = hello.supportedGroups
        func usable(_ code: UInt16) -> Bool {
            if FakeSuiteTable.signalling.contains(code) { return false }
            if version < 0x0303, FakeSuiteTable.tls12Only.contains(code) { return false }
            switch FakeSuiteTable.keyExchange(code) {
            case .ecdhe, .ecdhAnon:
                // Our ServerKeyExchange names secp256r1; a client listing groups without it cannot use ECDHE.
                if let groups, !groups.contains(0x0017) { return false }
            default: break
            }
            return true
        }
        if config.honorClientPreference {
            return hello.cipherSuites.first { config.cipherSuites.contains($0) && usable($0) }
        }
        return config.cipherSuites.first { hello.cipherSuites.contains($0) && usable($0) }
    }

    func clientSignalledRenegotiation(_ hello: ClientHello) -> Bool {
        hello.hasExtension(0xFF01) || hello.cipherSuites.contains(0x00FF)
    }

    func serverHelloBody(_ hello: ClientHello, version: UInt16, suite: UInt16) -> [UInt8] {
        var body = Self.u16(version) + Self.randomBytes(32)
        body += [32] + Self.randomBytes(32)
        body += Self.u16(suite)
        body.append(config.compression && hello.compressionMethods.contains(1) ? 1 : 0)
        if config.secureRenegotiation, clientSignalledRenegotiation(hello) {
            let extensions: [UInt8] = [0xFF, 0x01, 0x00, 0x01, 0x00]
            body += Self.u16(UInt16(extensions.count)) + extensions
        }
        return body
    }

    func certificateBody() -> [UInt8] {
        var list: [UInt8] = []
        for der in chain { list += Self.u24(der.count) + der }
        return Self.u24(list.count) + list
    }

    func serverKeyExchangeBody(_ kex: FakeKeyExchange, suite: UInt16, version: UInt16) -> [UInt8]? {
        var params: [UInt8]
        let signed: Bool
        var ecdsa = false
        switch kex {
        case .rsa:
            return nil
        case .dhe, .dhAnon:
            let length = min(max(config.dhBits, 512), 8192) / 8
            var prime = Self.randomBytes(length)
            prime[0] |= 0x80
            prime[length - 1] |= 0x01
            params = Self.u16(UInt16(length)) + prime + [0x00, 0x01, 0x02] + Self.u16(UInt16(length)) + Self.randomBytes(length)
            signed = kex != .dhAnon
        case .ecdhe(let isECDSA):
            ecdsa = isECDSA
            params = Self.namedCurvePoint()
            signed = true
        case .ecdhAnon:
            params = Self.namedCurvePoint()
            signed = false
        }
        guard signed else { return params }
        if version >= 0x0303 {
            if ecdsa {
                params += [0x04, 0x03]
            } else if FakeSuiteTable.isDSS(suite) {
                params += [0x04, 0x02]
            } else {
                params += [0x04, 0x01]
            }
        }
        let signature = Self.randomBytes(ecdsa ? 70 : 128)
        return params + Self.u16(UInt16(signature.count)) + signature
    }

    /// curve_type named_curve (3), secp256r1 (0x0017), an uncompressed point of random bytes.
    static func namedCurvePoint() -> [UInt8] { [3, 0x00, 0x17, 65, 0x04] + randomBytes(64) }

    // MARK: SSLv2

    /// SERVER-HELLO with the kinds both sides have, or ERROR (NO-CIPHER) when there are none.
    func respondSSLv2(to hello: SSLv2ClientHello) -> [UInt8] {
        let offered = Set(hello.cipherKinds)
        let common = config.sslv2CipherKinds.map { $0 & 0xFF_FFFF }.filter { offered.contains($0) }
        guard !common.isEmpty else { return Self.sslv2Record([0x00, 0x00, 0x01]) }
        let certificate = chain.first ?? []
        let specs = common.flatMap { Self.u24(Int($0)) }
        guard certificate.count <= 0x7000 else { return Self.sslv2Record([0x00, 0x00, 0x04]) }  // BAD-CERTIFICATE
        var message: [UInt8] = [4, 0, 1, 0x00, 0x02]
        message += Self.u16(UInt16(certificate.count)) + Self.u16(UInt16(specs.count)) + Self.u16(16)
        message += certificate + specs + Self.randomBytes(16)
        return Self.sslv2Record(message)
    }

    // MARK: Encoding

    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func u24(_ value: Int) -> [UInt8] { [UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<max(0, count)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] { [type] + u24(body.count) + body }

    /// One or more records of at most 2^14 bytes each.
    static func record(_ type: UInt8, version: UInt16, _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let end = min(start + 16_384, payload.count)
            out += [type] + u16(version) + u16(UInt16(end - start)) + payload[start..<end]
            start = end
        } while start < payload.count
        return out
    }

    static func alert(_ description: UInt8, version: UInt16) -> [UInt8] {
        record(21, version: version, [2, description])
    }

    static func sslv2Record(_ message: [UInt8]) -> [UInt8] {
        [0x80 | UInt8((message.count >> 8) & 0x7F), UInt8(message.count & 0xFF)] + message
    }
}
