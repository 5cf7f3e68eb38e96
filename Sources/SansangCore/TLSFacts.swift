public import Foundation

/// A TLS or SSL protocol version, named as users and the JSON contract name it.
public enum TLSVersion: String, Codable, Sendable, CaseIterable, Comparable {
    case ssl2 = "SSLv2"
    case ssl3 = "SSLv3"
    case tls10 = "TLSv1.0"
    case tls11 = "TLSv1.1"
    case tls12 = "TLSv1.2"
    case tls13 = "TLSv1.3"

    /// The version number on the wire.
    public var wire: UInt16 {
        switch self {
        case .ssl2: 0x0002
        case .ssl3: 0x0300
        case .tls10: 0x0301
        case .tls11: 0x0302
        case .tls12: 0x0303
        case .tls13: 0x0304
        }
    }

    public init?(wire: UInt16) {
        guard let match = TLSVersion.allCases.first(where: { $0.wire == wire }) else { return nil }
        self = match
    }

    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool { lhs.wire < rhs.wire }
}

/// One accepted cipher suite, with what its name says about it, so rules need no registry.
public struct CipherSuiteFact: Codable, Sendable, Hashable {
    /// `0xC02F` (SSLv2 kinds have three bytes: `0x010080`).
    public var code: String
    /// IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    public var name: String
    public var keyExchange: String
    public var authentication: String
    public var encryption: String
    public var bits: Int
    public var mac: String
    public var forwardSecrecy: Bool
    public var aead: Bool
    public var export: Bool
    public var anonymous: Bool
    /// The key-exchange group or DH size the server used with this suite, when seen.
    public var keyExchangeInfo: String?

    public init(
        code: String, name: String, keyExchange: String, authentication: String, encryption: String,
        bits: Int, mac: String, forwardSecrecy: Bool, aead: Bool, export: Bool, anonymous: Bool,
        keyExchangeInfo: String? = nil
    ) {
        self.code = code
        self.name = name
        self.keyExchange = keyExchange
        self.authentication = authentication
        self.encryption = encryption
        self.bits = bits
        self.mac = mac
        self.forwardSecrecy = forwardSecrecy
        self.aead = aead
        self.export = export
        self.anonymous = anonymous
        self.keyExchangeInfo = keyExchangeInfo
    }

    public var isNullCipher: Bool { encryption == "NULL" }
    public var isRC4: Bool { encryption == "RC4" }
    public var isRC2: Bool { encryption.hasPrefix("RC2") }
    public var isDES: Bool { encryption == "DES-CBC" || encryption == "DES40-CBC" }
    public var isTripleDES: Bool { encryption == "3DES-CBC" }
    public var isCBC: Bool { encryption.hasSuffix("-CBC") }
    /// Broken or trivially weak encryption: NULL, EXPORT, anonymous, RC4, RC2, DES, or under 112 bits.
    public var isInsecure: Bool { isNullCipher || export || anonymous || isRC4 || isRC2 || isDES || (bits > 0 && bits < 112) }
}

/// Per-protocol support: `true` supported, `false` refused by the server, `nil` could not be tested.
public struct ProtocolSupport: Codable, Sendable, Hashable {
    public var values: [TLSVersion: Bool?]

    public init(_ values: [TLSVersion: Bool?] = [:]) { self.values = values }

    public subscript(_ version: TLSVersion) -> Bool? {
        get { values[version] ?? nil }
        set { values[version] = .some(newValue) }
    }

    public var supported: [TLSVersion] { TLSVersion.allCases.filter { self[$0] == true } }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: VersionKey.self)
        for version in TLSVersion.allCases {
            try container.encode(values[version] ?? nil, forKey: VersionKey(version.rawValue))
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: VersionKey.self)
        var values: [TLSVersion: Bool?] = [:]
        for version in TLSVersion.allCases {
            values[version] = .some(try container.decodeIfPresent(Bool.self, forKey: VersionKey(version.rawValue)))
        }
        self.values = values
    }
}

struct VersionKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ value: String) { stringValue = value }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// One certificate of a chain, as read from DER.
public struct CertificateSummary: Codable, Sendable, Hashable {
    public var subject: String
    public var issuer: String
    public var serialNumber: String
    public var notBefore: Date
    public var notAfter: Date
    public var keyType: String
    public var keyBits: Int
    public var curve: String?
    public var signatureAlgorithm: String
    public var sha256: String
    public var selfIssued: Bool
    public var isCA: Bool
    public var subjectAltNames: [String]
    public var extendedKeyUsage: [String]

    public init(
        subject: String, issuer: String, serialNumber: String, notBefore: Date, notAfter: Date,
        keyType: String, keyBits: Int, curve: String?, signatureAlgorithm: String, sha256: String,
        selfIssued: Bool, isCA: Bool, subjectAltNames: [String], extendedKeyUsage: [String]
    ) {
        self.subject = subject
        self.issuer = issuer
        self.serialNumber = serialNumber
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.keyType = keyType
        self.keyBits = keyBits
        self.curve = curve
        self.signatureAlgorithm = signatureAlgorithm
        self.sha256 = sha256
        self.selfIssued = selfIssued
        self.isCA = isCA
        self.subjectAltNames = subjectAltNames
        self.extendedKeyUsage = extendedKeyUsage
    }
}

/// What the server's certificate chain shows, judged at `observedAt`.
public struct CertificateFacts: Codable, Sendable, Hashable {
    /// `handshake` (a full OpenSSL handshake) or `raw` (read from a TLS ≤ 1.2 Certificate message).
    public var source: String
    public var observedAt: Date
    /// Leaf first, as the server sent it.
    public var chain: [CertificateSummary]
    public var trusted: Bool
    /// OpenSSL's verification error, when not trusted.
    public var verifyError: String?
    public var verifyCode: Int?
    /// The name checked against the certificate (the SNI host or the IP literal).
    public var checkedName: String
    public var hostnameMatch: Bool
    public var expired: Bool
    public var notYetValid: Bool
    public var daysUntilExpiry: Int
    public var selfSigned: Bool
    /// False when the server did not send an intermediate needed to reach a trusted root.
    public var chainComplete: Bool
    public var ocspStapled: Bool?
    public var negotiatedProtocol: String?
    public var negotiatedCipher: String?

    public init(
        source: String, observedAt: Date, chain: [CertificateSummary], trusted: Bool, verifyError: String?,
        verifyCode: Int?, checkedName: String, hostnameMatch: Bool, expired: Bool, notYetValid: Bool,
        daysUntilExpiry: Int, selfSigned: Bool, chainComplete: Bool, ocspStapled: Bool?,
        negotiatedProtocol: String?, negotiatedCipher: String?
    ) {
        self.source = source
        self.observedAt = observedAt
        self.chain = chain
        self.trusted = trusted
        self.verifyError = verifyError
        self.verifyCode = verifyCode
        self.checkedName = checkedName
        self.hostnameMatch = hostnameMatch
        self.expired = expired
        self.notYetValid = notYetValid
        self.daysUntilExpiry = daysUntilExpiry
        self.selfSigned = selfSigned
        self.chainComplete = chainComplete
        self.ocspStapled = ocspStapled
        self.negotiatedProtocol = negotiatedProtocol
        self.negotiatedCipher = negotiatedCipher
    }

    public var leaf: CertificateSummary? { chain.first }
}

/// Session resumption as the server offers it.
public struct ResumptionFacts: Codable, Sendable, Hashable {
    /// Resumed with a TLS ≤ 1.2 session id.
    public var sessionID: Bool?
    /// Resumed with a session ticket (RFC 5077) or a TLS 1.3 PSK.
    public var ticket: Bool?

    public init(sessionID: Bool?, ticket: Bool?) {
        self.sessionID = sessionID
        self.ticket = ticket
    }
}

/// Everything the TLS probe learned about an endpoint.
public struct TLSFacts: Facts, Hashable {
    public static let key = "tls"

    public var protocols: ProtocolSupport
    /// Why a protocol shows `null`: the reason it could not be tested.
    public var protocolErrors: [String: String]
    /// Accepted suites per protocol, in the server's preference order when it has one.
    public var cipherSuites: [String: [CipherSuiteFact]]
    /// Per protocol: `server` (the server enforces its order), `client` (it follows ours), `unknown`.
    public var cipherPreference: [String: String]
    /// Named groups the server accepts for key exchange, in its preference order.
    public var groups: [String]
    /// The smallest finite-field DH prime the server used, in bits.
    public var dhBits: Int?
    public var certificate: CertificateFacts?
    /// Why the certificate could not be read, when `certificate` is missing.
    public var certificateError: String?
    public var secureRenegotiation: Bool?
    public var compression: Bool?
    /// True: the server refuses a downgraded handshake (RFC 7507). Nil: not applicable or untested.
    public var fallbackSCSV: Bool?
    public var sessionResumption: ResumptionFacts?
    /// ALPN protocols the server selected when offered (`h2`, `http/1.1`).
    public var alpn: [String]?
    /// `none`, `optional` or `required`: whether the server asks for a client certificate.
    public var clientCertificate: String?
    /// Connections this probe opened.
    public var connections: Int
    public var durationMilliseconds: Int
    public var notes: [String]

    public init() {
        protocols = ProtocolSupport()
        protocolErrors = [:]
        cipherSuites = [:]
        cipherPreference = [:]
        groups = []
        connections = 0
        durationMilliseconds = 0
        notes = []
    }

    /// All accepted suites across protocols, each once.
    public var allSuites: [CipherSuiteFact] {
        var seen = Set<String>()
        var out: [CipherSuiteFact] = []
        for version in TLSVersion.allCases {
            for suite in cipherSuites[version.rawValue] ?? [] where seen.insert(suite.code).inserted {
                out.append(suite)
            }
        }
        return out
    }
}
