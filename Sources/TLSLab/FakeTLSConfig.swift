/// How a `FakeTLSServer` answers: the versions, suites and quirks of an old server, or a hostile one.
///
/// Decodes from JSON with every field but `versions` optional (the defaults below), so a
/// config file for `sansang-lab fake` can be short.
public struct FakeTLSConfig: Codable, Sendable, Hashable {
    /// What the server does with a connection.
    public enum Behaviour: String, Codable, Sendable, CaseIterable {
        /// Answer the ClientHello as an old server would (ServerHello … ServerHelloDone), or with an alert.
        case normal
        /// Read the hello, write 4 KiB of random bytes starting with `G`, close.
        case garbage
        /// Read, never write; close after 30 s or when the server stops.
        case silent
        /// Read, then close with a TCP RST.
        case reset
        /// Answer with a handshake record header of length 0xFFFF and a few bytes, then stall ~10 s.
        case absurdRecordLength
        /// A valid ServerHello, then a Certificate message declaring 16 MiB, streamed slowly as zeros.
        case hugeCertificate
        /// Answer `HTTP/1.1 400 Bad Request` and close.
        case plaintextHTTP
        /// Accept and close without reading.
        case closeImmediately
    }

    /// Versions served, as wire codes: 0x0002 SSLv2, 0x0300 SSLv3, 0x0301 TLS 1.0, 0x0302, 0x0303.
    public var versions: [UInt16]
    /// TLS cipher suite codes in the server's order of preference.
    public var cipherSuites: [UInt16]
    /// SSLv2 cipher kinds (3 bytes), e.g. 0x010080 RC4_128_WITH_MD5, 0x0700C0 DES_192_EDE3_CBC_WITH_MD5.
    public var sslv2CipherKinds: [UInt32]
    /// Path of a PEM file whose certificates are sent in the Certificate message, leaf first.
    public var certificateChainPEM: String?
    /// Size in bits of the DH prime sent in ServerKeyExchange for DHE and DH_anon suites.
    public var dhBits: Int
    /// Choose the first of the client's suites the server has, instead of the server's first.
    public var honorClientPreference: Bool
    /// Echo renegotiation_info when the client sends the extension or the SCSV 0x00FF.
    public var secureRenegotiation: Bool
    /// Answer alert 86 (inappropriate_fallback) to 0x5600 from a client below the highest version.
    public var supportsFallbackSCSV: Bool
    /// Choose DEFLATE (method 1) when the client offers it.
    public var compression: Bool
    /// An intolerant old stack: it drops (closes without a word) a ClientHello offering more suites than this.
    public var maxClientSuites: Int? = nil
    public var behaviour: Behaviour

    public init(
        versions: [UInt16],
        cipherSuites: [UInt16] = [],
        sslv2CipherKinds: [UInt32] = [],
        certificateChainPEM: String? = nil,
        dhBits: Int = 1024,
        honorClientPreference: Bool = false,
        secureRenegotiation: Bool = false,
        supportsFallbackSCSV: Bool = false,
        compression: Bool = false,
        behaviour: Behaviour = .normal
    ) {
        self.versions = versions
        self.cipherSuites = cipherSuites
        self.sslv2CipherKinds = sslv2CipherKinds
        self.certificateChainPEM = certificateChainPEM
        self.dhBits = dhBits
        self.honorClientPreference = honorClientPreference
        self.secureRenegotiation = secureRenegotiation
        self.supportsFallbackSCSV = supportsFallbackSCSV
        self.compression = compression
        self.behaviour = behaviour
    }

    private enum CodingKeys: String, CodingKey {
        case versions, cipherSuites, sslv2CipherKinds, certificateChainPEM, dhBits, honorClientPreference
        case secureRenegotiation, supportsFallbackSCSV, compression, behaviour, maxClientSuites
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            versions: try c.decode([Code].self, forKey: .versions).map { try $0.narrow(UInt16.self, .versions, c) },
            cipherSuites: try (c.decodeIfPresent([Code].self, forKey: .cipherSuites) ?? []).map { try $0.narrow(UInt16.self, .cipherSuites, c) },
            sslv2CipherKinds: try (c.decodeIfPresent([Code].self, forKey: .sslv2CipherKinds) ?? []).map { try $0.narrow(UInt32.self, .sslv2CipherKinds, c) },
            certificateChainPEM: try c.decodeIfPresent(String.self, forKey: .certificateChainPEM),
            dhBits: try c.decodeIfPresent(Int.self, forKey: .dhBits) ?? 1024,
            honorClientPreference: try c.decodeIfPresent(Bool.self, forKey: .honorClientPreference) ?? false,
            secureRenegotiation: try c.decodeIfPresent(Bool.self, forKey: .secureRenegotiation) ?? false,
            supportsFallbackSCSV: try c.decodeIfPresent(Bool.self, forKey: .supportsFallbackSCSV) ?? false,
            compression: try c.decodeIfPresent(Bool.self, forKey: .compression) ?? false,
            behaviour: try c.decodeIfPresent(Behaviour.self, forKey: .behaviour) ?? .normal
        )
        maxClientSuites = try c.decodeIfPresent(Int.self, forKey: .maxClientSuites)
    }

    /// A wire code in JSON: a number (`768`) or a hex string (`"0x0300"`).
    private struct Code: Decodable {
        var value: UInt64

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(UInt64.self) {
                value = number
                return
            }
            let text = try container.decode(String.self).lowercased()
            guard text.hasPrefix("0x"), let number = UInt64(text.dropFirst(2), radix: 16) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is neither a number nor 0x-hex")
            }
            value = number
        }

        func narrow<T: FixedWidthInteger>(_ type: T.Type, _ key: CodingKeys, _ container: KeyedDecodingContainer<CodingKeys>) throws -> T {
            guard let narrowed = T(exactly: value) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "0x\(String(value, radix: 16)) is too large")
            }
            return narrowed
        }
    }
}
