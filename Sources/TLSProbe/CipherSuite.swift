import Foundation
public import SansangCore

/// A registered cipher suite and what its IANA name says about it.
public struct CipherSuite: Sendable, Hashable {
    public let code: UInt16
    public let name: String
    /// Not an IANA assignment, but deployed widely enough that servers answer it.
    public let legacy: Bool
    public let keyExchange: String
    public let authentication: String
    public let encryption: String
    public let bits: Int
    public let mac: String
    public let export: Bool
    public let anonymous: Bool

    /// A TLS 1.3 suite (RFC 8446 and RFC 8998): key exchange and authentication are negotiated apart.
    public var isTLS13: Bool { code >> 8 == 0x13 || code == 0x00C6 || code == 0x00C7 }
    public var forwardSecrecy: Bool {
        isTLS13 || keyExchange == "DHE" || keyExchange == "ECDHE"
    }
    public var aead: Bool { mac == "AEAD" }
    public var hexCode: String { "0x" + String(code, radix: 16, uppercase: true).leftPadded(to: 4) }
    /// Uses a finite-field DH key exchange whose prime the server sends.
    public var usesFiniteFieldDH: Bool { keyExchange == "DHE" || (keyExchange == "DH" && anonymous) }
    public var usesECDHE: Bool { keyExchange == "ECDHE" || (keyExchange == "ECDH" && anonymous) }

    init(code: UInt16, name: String, legacy: Bool) {
        self.code = code
        self.name = name
        self.legacy = legacy
        let parsed = CipherSuite.parse(name: name, tls13: code >> 8 == 0x13 || code == 0x00C6 || code == 0x00C7)
        keyExchange = parsed.kx
        authentication = parsed.auth
        encryption = parsed.enc
        bits = parsed.bits
        mac = parsed.mac
        export = parsed.export
        anonymous = parsed.anon
    }

    public func fact(keyExchangeInfo: String? = nil) -> CipherSuiteFact {
        CipherSuiteFact(
            code: hexCode, name: name, keyExchange: keyExchange, authentication: authentication,
            encryption: encryption, bits: bits, mac: mac, forwardSecrecy: forwardSecrecy, aead: aead,
            export: export, anonymous: anonymous, keyExchangeInfo: keyExchangeInfo
        )
    }

    // MARK: name parsing

    private struct Parsed {
        var kx = "NULL", auth = "NULL", enc = "NULL", bits = 0, mac = "NULL", export = false, anon = false
    }

    private static func parse(name: String, tls13: Bool) -> Parsed {
        var result = Parsed()
        var body = name.hasPrefix("TLS_") ? String(name.dropFirst(4)) : name
        if body.hasSuffix("_OLD") { body = String(body.dropLast(4)) }
        var encPart = body
        if tls13 {
            result.kx = "ANY"
            result.auth = "ANY"
        } else if let range = body.range(of: "_WITH_") {
            let kxTokens = body[..<range.lowerBound].split(separator: "_").map(String.init)
            encPart = String(body[range.upperBound...])
            result.export = kxTokens.contains { $0.hasPrefix("EXPORT") }
            let tokens = kxTokens.filter { !$0.hasPrefix("EXPORT") }
            result.anon = tokens.contains("anon") || tokens == ["NULL"]
            switch tokens.first ?? "NULL" {
            case "PSK" where tokens.contains("DHE"):
                result.kx = "DHE"; result.auth = "PSK"
            case "SRP":
                result.kx = "SRP"; result.auth = tokens.count > 2 ? tokens[2] : "SRP"
            case let first where first.hasPrefix("GOSTR"):
                result.kx = "GOST"; result.auth = "GOST"
            case let first:
                result.kx = first
                let second = tokens.count > 1 ? tokens[1] : first
                result.auth = result.anon ? "anon" : second
            }
        } else if body.hasPrefix("SHA") {
            // TLS_SHA256_SHA256 (RFC 9150): integrity only, no encryption.
            result.kx = "ANY"; result.auth = "ANY"; result.mac = "SHA" + body.dropFirst(3).prefix(3)
            return result
        }
        var tokens = encPart.split(separator: "_").map(String.init)
        let macTokens: Set<String> = ["MD5", "SHA", "SHA256", "SHA384", "SM3", "NULL", "IMIT", "OMAC", "GOSTR3411"]
        if tokens.count > 1, let last = tokens.last, macTokens.contains(last) {
            result.mac = last == "SHA" ? "SHA1" : last
            tokens.removeLast()
        }
        let joined = tokens.joined(separator: "_")
        func number(after prefix: String) -> Int {
            tokens.compactMap { Int($0) }.first ?? 0
        }
        switch true {
        case joined == "NULL":
            result.enc = "NULL"; result.bits = 0
        case joined.hasPrefix("RC4"):
            result.enc = "RC4"; result.bits = number(after: "RC4")
        case joined.hasPrefix("RC2"):
            result.enc = "RC2-CBC"; result.bits = result.export ? 40 : 128
        case joined.hasPrefix("IDEA"):
            result.enc = "IDEA-CBC"; result.bits = 128
        case joined.hasPrefix("DES40"), joined == "DES_CBC_40":
            result.enc = "DES40-CBC"; result.bits = 40
        case joined.hasPrefix("DES_CBC"):
            result.enc = "DES-CBC"; result.bits = 56
        case joined.hasPrefix("3DES"):
            result.enc = "3DES-CBC"; result.bits = 112
        case joined.hasPrefix("CHACHA20"):
            result.enc = "CHACHA20-POLY1305"; result.bits = 256
        case joined.hasPrefix("28147"):
            result.enc = "GOST28147"; result.bits = 256
        case joined.hasPrefix("KUZNYECHIK"):
            result.enc = "KUZNYECHIK-" + (tokens.dropFirst().first ?? ""); result.bits = 256
        case joined.hasPrefix("MAGMA"):
            result.enc = "MAGMA-" + (tokens.dropFirst().first ?? ""); result.bits = 256
        case joined.hasPrefix("AEGIS"):
            result.enc = joined.replacingOccurrences(of: "_", with: "-"); result.bits = joined.contains("256") ? 256 : 128
        default:
            // AES_128_GCM, CAMELLIA_256_CBC, ARIA_128_GCM, SEED_CBC, SM4_GCM, AES_128_CCM_8
            let algorithm = tokens.first ?? joined
            let mode = tokens.first(where: { ["CBC", "GCM", "CCM"].contains($0) }) ?? "CBC"
            let ccm8 = tokens.last == "8"
            result.enc = algorithm + "-" + mode + (ccm8 ? "8" : "")
            result.bits = tokens.compactMap { Int($0) }.first(where: { $0 >= 64 }) ?? 128
        }
        if result.enc.hasSuffix("-GCM") || result.enc.hasSuffix("-CCM") || result.enc.hasSuffix("-CCM8")
            || result.enc.hasPrefix("CHACHA20") || result.enc.hasPrefix("AEGIS") || result.enc.hasSuffix("-MGM") {
            result.mac = "AEAD"
        }
        if tls13 && result.mac != "AEAD" { result.mac = "AEAD" }
        return result
    }
}

/// The cipher-suite registry: every IANA suite plus a few legacy codes.
public enum CipherSuiteRegistry {
    public static let all: [CipherSuite] = cipherSuiteTable.map { CipherSuite(code: $0.code, name: $0.name, legacy: $0.legacy) }
    private static let byCode: [UInt16: CipherSuite] = Dictionary(all.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })

    public static func suite(_ code: UInt16) -> CipherSuite? { byCode[code] }

    /// Suites a TLS 1.3 ClientHello offers.
    public static let tls13: [CipherSuite] = all.filter(\.isTLS13)
    /// Suites a TLS ≤ 1.2 (or SSLv3) ClientHello offers.
    public static let legacy: [CipherSuite] = all.filter { !$0.isTLS13 }

    /// A fact for any code, registered or not.
    public static func fact(_ code: UInt16, keyExchangeInfo: String? = nil) -> CipherSuiteFact {
        if let suite = byCode[code] { return suite.fact(keyExchangeInfo: keyExchangeInfo) }
        let hex = "0x" + String(code, radix: 16, uppercase: true).leftPadded(to: 4)
        return CipherSuiteFact(
            code: hex, name: "UNKNOWN_" + hex, keyExchange: "UNKNOWN", authentication: "UNKNOWN", encryption: "UNKNOWN",
            bits: 0, mac: "UNKNOWN", forwardSecrecy: false, aead: false, export: false, anonymous: false,
            keyExchangeInfo: keyExchangeInfo
        )
    }
}

/// SSL 2.0 cipher kinds (three bytes each).
public enum SSLv2CipherKind {
    public static let all: [(code: UInt32, name: String, encryption: String, bits: Int, export: Bool)] = [
        (0x010080, "SSL_CK_RC4_128_WITH_MD5", "RC4", 128, false),
        (0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", "RC4", 40, true),
        (0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5", "RC2-CBC", 128, false),
        (0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", "RC2-CBC", 40, true),
        (0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5", "IDEA-CBC", 128, false),
        (0x060040, "SSL_CK_DES_64_CBC_WITH_MD5", "DES-CBC", 56, false),
        (0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "3DES-CBC", 112, false),
    ]

    public static func fact(_ code: UInt32) -> CipherSuiteFact {
        let hex = "0x" + String(code, radix: 16, uppercase: true).leftPadded(to: 6)
        let known = all.first { $0.code == code }
        return CipherSuiteFact(
            code: hex, name: known?.name ?? "SSL_CK_UNKNOWN_" + hex, keyExchange: "RSA", authentication: "RSA",
            encryption: known?.encryption ?? "UNKNOWN", bits: known?.bits ?? 0, mac: "MD5", forwardSecrecy: false,
            aead: false, export: known?.export ?? false, anonymous: false
        )
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
