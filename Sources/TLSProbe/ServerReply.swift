import Foundation
import SansangCore

/// A parsed ServerHello (or HelloRetryRequest).
struct ServerHelloMessage: Sendable {
    var legacyVersion: UInt16
    /// The version actually negotiated: supported_versions when present, else legacy_version.
    var version: UInt16
    var cipherSuite: UInt16
    var compressionMethod: UInt8
    var sessionID: [UInt8]
    var extensions: [UInt16: [UInt8]]
    var isHelloRetryRequest: Bool

    /// The group of a HelloRetryRequest or of the ServerHello's key share.
    var selectedGroup: UInt16? {
        guard let body = extensions[0x0033], body.count >= 2 else { return nil }
        return UInt16(body[0]) << 8 | UInt16(body[1])
    }

    var alpn: String? {
        guard let body = extensions[0x0010] else { return nil }
        var reader = ByteReader(body)
        guard let list = try? reader.vector(2) else { return nil }
        var inner = ByteReader(list)
        guard let name = try? inner.vector(1) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }
}

/// What an SSL 2.0 server answered.
struct SSLv2ServerHello: Sendable {
    var certificate: [UInt8]
    var cipherKinds: [UInt32]
}

/// The server's first flight as far as it is readable in clear.
struct ServerFlight: Sendable {
    var serverHello: ServerHelloMessage?
    var certificates: [[UInt8]] = []
    var serverKeyExchange: [UInt8]?
    var certificateRequested = false
    var certificateStatus = false
    var serverHelloDone = false
    var alert: (level: UInt8, description: UInt8)?
    var sslv2Hello: SSLv2ServerHello?
    var sslv2Error: UInt16?
}

/// How far to read the server's reply.
enum StopPoint: Sendable {
    /// Stop at the ServerHello: enough to learn version and cipher.
    case serverHello
    /// Read through ServerHelloDone: certificates and key exchange too (TLS ≤ 1.2).
    case serverHelloDone
}

/// Incremental parser of a server's reply; bounded, and never traps on peer bytes.
struct ReplyParser {
    static let maxRecordLength = 16384 + 2048
    /// Largest handshake message accepted (certificate chains are far below this).
    static let maxHandshakeMessage = 1 << 20

    let stop: StopPoint
    private var buffer: [UInt8] = []
    private var handshake: [UInt8] = []
    private(set) var flight = ServerFlight()
    private(set) var received = 0
    private var sawRecord = false

    init(stop: StopPoint) { self.stop = stop }

    /// Feeds bytes; returns true once the reply is complete (or ended by an alert).
    mutating func feed(_ bytes: [UInt8]) throws(SansangError) -> Bool {
        received += bytes.count
        buffer.append(contentsOf: bytes)
        while true {
            if !sawRecord, let first = buffer.first, first & 0x80 != 0 {
                return try parseSSLv2()
            }
            guard buffer.count >= 5 else { return false }
            let type = buffer[0]
            let major = buffer[1]
            let length = Int(buffer[3]) << 8 | Int(buffer[4])
            guard (20...24).contains(type), major == 3 || (major == 0 && type == 21) else {
                throw SansangError(.malformedReply, Self.describeNonTLS(buffer))
            }
            guard length <= Self.maxRecordLength else {
                throw SansangError(.malformedReply, "the server sent a TLS record of \(length) bytes, over the limit of \(Self.maxRecordLength)")
            }
            guard buffer.count >= 5 + length else { return false }
            sawRecord = true
            let payload = Array(buffer[5..<5 + length])
            buffer.removeFirst(5 + length)
            switch type {
            case 21:
                guard payload.count >= 2 else {
                    throw SansangError(.malformedReply, "the server sent an alert record of \(payload.count) byte(s)")
                }
                flight.alert = (payload[0], payload[1])
                return true
            case 22:
                handshake.append(contentsOf: payload)
                if try parseHandshakeMessages() { return true }
            case 23:
                // Encrypted data: nothing more is readable in clear.
                return flight.serverHello != nil
            default:
                continue  // change_cipher_spec (TLS 1.3 middlebox compatibility), heartbeat
            }
        }
    }

    private mutating func parseHandshakeMessages() throws(SansangError) -> Bool {
        while handshake.count >= 4 {
            let type = handshake[0]
            let length = Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
            guard length <= Self.maxHandshakeMessage else {
                throw SansangError(
                    .limitExceeded,
                    "the server announced a handshake message (type \(type)) of \(length) bytes, over the limit of \(Self.maxHandshakeMessage)"
                )
            }
            guard handshake.count >= 4 + length else { return false }
            let body = Array(handshake[4..<4 + length])
            handshake.removeFirst(4 + length)
            switch type {
            case 2:
                let hello = try Self.parseServerHello(body)
                flight.serverHello = hello
                if hello.isHelloRetryRequest || hello.version == 0x0304 || stop == .serverHello { return true }
            case 11:
                guard flight.serverHello != nil else { throw unexpected(type) }
                flight.certificates = try Self.parseCertificates(body)
            case 12:
                guard flight.serverHello != nil else { throw unexpected(type) }
                flight.serverKeyExchange = body
            case 13:
                flight.certificateRequested = true
            case 22:
                flight.certificateStatus = true
            case 14:
                guard flight.serverHello != nil else { throw unexpected(type) }
                flight.serverHelloDone = true
                return true
            case 0:
                continue  // hello_request
            default:
                throw unexpected(type)
            }
        }
        return false
    }

    private func unexpected(_ type: UInt8) -> SansangError {
        SansangError(.malformedReply, "the server sent an unexpected handshake message of type \(type)")
    }

    private mutating func parseSSLv2() throws(SansangError) -> Bool {
        guard buffer.count >= 2 else { return false }
        let length = Int(buffer[0] & 0x7F) << 8 | Int(buffer[1])
        guard buffer.count >= 2 + length else { return false }
        var reader = ByteReader(Array(buffer[2..<2 + length]))
        buffer.removeFirst(2 + length)
        sawRecord = true
        let type = try reader.u8()
        switch type {
        case 0:
            flight.sslv2Error = try reader.u16()
        case 4:
            _ = try reader.u8()  // session id hit
            _ = try reader.u8()  // certificate type
            _ = try reader.u16()  // version
            let certLength = Int(try reader.u16())
            let specsLength = Int(try reader.u16())
            let connectionIDLength = Int(try reader.u16())
            let certificate = try reader.take(certLength)
            guard specsLength % 3 == 0 else {
                throw SansangError(.malformedReply, "SSLv2 SERVER-HELLO cipher specs length \(specsLength) is not a multiple of 3")
            }
            var kinds: [UInt32] = []
            for _ in 0..<(specsLength / 3) {
                let spec = try reader.take(3)
                kinds.append(UInt32(spec[0]) << 16 | UInt32(spec[1]) << 8 | UInt32(spec[2]))
            }
            _ = try reader.take(connectionIDLength)
            flight.sslv2Hello = SSLv2ServerHello(certificate: certificate, cipherKinds: kinds)
        default:
            throw SansangError(.malformedReply, "the server sent an SSLv2 message of unknown type \(type)")
        }
        return true
    }

    static let helloRetryRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    static func parseServerHello(_ body: [UInt8]) throws(SansangError) -> ServerHelloMessage {
        var reader = ByteReader(body)
        let legacyVersion = try reader.u16()
        let random = try reader.take(32)
        let sessionID = try reader.vector(1)
        guard sessionID.count <= 32 else {
            throw SansangError(.malformedReply, "ServerHello session id of \(sessionID.count) bytes (at most 32)")
        }
        let cipher = try reader.u16()
        let compression = try reader.u8()
        var extensions: [UInt16: [UInt8]] = [:]
        if !reader.isAtEnd {
            var list = ByteReader(try reader.vector(2))
            while !list.isAtEnd {
                let type = try list.u16()
                extensions[type] = try list.vector(2)
            }
        }
        var version = legacyVersion
        if let supported = extensions[0x002B], supported.count == 2 {
            version = UInt16(supported[0]) << 8 | UInt16(supported[1])
        }
        return ServerHelloMessage(
            legacyVersion: legacyVersion, version: version, cipherSuite: cipher, compressionMethod: compression,
            sessionID: sessionID, extensions: extensions, isHelloRetryRequest: random == helloRetryRandom
        )
    }

    static func parseCertificates(_ body: [UInt8]) throws(SansangError) -> [[UInt8]] {
        var reader = ByteReader(body)
        var list = ByteReader(try reader.vector(3))
        var certificates: [[UInt8]] = []
        while !list.isAtEnd && certificates.count < 32 {
            certificates.append(try list.vector(3))
        }
        return certificates
    }

    /// Names what came back when it is not TLS, so the user learns what is listening.
    static func describeNonTLS(_ bytes: [UInt8]) -> String {
        let prefix = bytes.prefix(40)
        let printable = prefix.allSatisfy { (0x20...0x7E).contains($0) || $0 == 0x0D || $0 == 0x0A || $0 == 0x09 }
        if printable, !prefix.isEmpty {
            let text = String(decoding: prefix, as: UTF8.self)
                .replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: " ")
            return "the service answered in plain text (\"\(text)\"), not TLS"
        }
        let hex = prefix.prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
        return "the service answered bytes that are not a TLS record (\(hex) …)"
    }
}

/// What a ServerKeyExchange tells about the key exchange.
enum KeyExchangeParameters {
    /// The group (`secp256r1`) or DH size (`DH 1024`) from a TLS ≤ 1.2 ServerKeyExchange.
    static func parse(_ body: [UInt8], suite: CipherSuite) -> (group: String?, dhBits: Int?) {
        var reader = ByteReader(body)
        if suite.usesFiniteFieldDH {
            guard let prime = try? reader.vector(2) else { return (nil, nil) }
            let significant = prime.drop { $0 == 0 }
            guard let top = significant.first else { return (nil, 0) }
            let bits = (significant.count - 1) * 8 + (8 - top.leadingZeroBitCount)
            return ("DH \(bits)", bits)
        }
        if suite.usesECDHE {
            guard let curveType = try? reader.u8(), curveType == 3, let curve = try? reader.u16() else {
                return ("explicit curve", nil)
            }
            return (NamedGroup.name(curve), nil)
        }
        return (nil, nil)
    }
}
