import SansangCore

/// A ClientHello the probe builds itself, so verdicts do not depend on what the local OpenSSL can speak.
struct ClientHello {
    var version: TLSVersion
    var cipherSuites: [UInt16]
    var serverName: String?
    /// supported_groups; also the groups a TLS 1.3 hello may be asked to use after a HelloRetryRequest.
    var groups: [UInt16] = NamedGroup.codes
    /// TLS 1.3 key shares to include; only x25519 is sent (32 random bytes are a valid public key).
    var sendX25519KeyShare = true
    var compressionMethods: [UInt8] = [0]
    var alpn: [String]? = nil
    var fallbackSCSV = false
    var statusRequest = true
    var sessionTicket = true
    var secureRenegotiation = true
    /// A lean hello for intolerant old servers: no status_request, tickets, EMS/ETM or padding.
    var compatible = false

    /// SSLv2 cipher kinds for an SSL 2.0 hello.
    var sslv2Kinds: [UInt32] = SSLv2CipherKind.all.map(\.code)

    static let signatureAlgorithms: [UInt16] = [
        0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
        0x081A, 0x081B, 0x081C, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502,
        0x0602, 0x0203, 0x0201, 0x0202,
    ]

    /// The bytes to send: TLS records, or an SSL 2.0 record for `.ssl2`.
    func encode() -> [UInt8] {
        version == .ssl2 ? encodeSSLv2() : encodeTLS()
    }

    private func encodeSSLv2() -> [UInt8] {
        var body = ByteWriter()
        body.u8(1)  // CLIENT-HELLO
        body.u16(0x0002)
        body.u16(UInt16(sslv2Kinds.count * 3))
        body.u16(0)  // session id length
        body.u16(16)  // challenge length
        for kind in sslv2Kinds {
            body.u8(UInt8((kind >> 16) & 0xFF)); body.u8(UInt8((kind >> 8) & 0xFF)); body.u8(UInt8(kind & 0xFF))
        }
        body.append(randomBytes(16))
        var record = ByteWriter()
        record.u16(0x8000 | UInt16(body.bytes.count))
        record.append(body.bytes)
        return record.bytes
    }

    private func encodeTLS() -> [UInt8] {
        let isTLS13 = version == .tls13
        var hello = ByteWriter()
        hello.u16(isTLS13 ? 0x0303 : version.wire)
        hello.append(randomBytes(32))
        hello.vector(1) { $0.append(isTLS13 ? randomBytes(32) : []) }
        var suites = cipherSuites
        if version == .ssl3 && secureRenegotiation { suites.append(0x00FF) }  // SSLv3 has no extensions: signal with the SCSV
        if fallbackSCSV { suites.append(0x5600) }
        hello.vector(2) { writer in suites.forEach { writer.u16($0) } }
        hello.vector(1) { $0.append(isTLS13 ? [0] : compressionMethods) }
        if version != .ssl3 {
            var extensions = ByteWriter()
            writeExtensions(into: &extensions, tls13: isTLS13)
            // Hellos of 256–511 bytes hang some F5 load balancers (RFC 7685): pad them past 512.
            let unpadded = 4 + hello.bytes.count + 2 + extensions.bytes.count
            if unpadded >= 256 && unpadded < 512 {
                let padding = max(1, 512 - unpadded - 4)
                extensions.u16(0x0015)
                extensions.vector(2) { $0.append([UInt8](repeating: 0, count: padding)) }
            }
            hello.vector(2) { $0.append(extensions.bytes) }
        }
        var handshake = ByteWriter()
        handshake.u8(1)  // client_hello
        handshake.u24(hello.bytes.count)
        handshake.append(hello.bytes)
        return Self.records(handshake.bytes, recordVersion: version == .ssl3 ? 0x0300 : 0x0301)
    }

    private func writeExtensions(into ext: inout ByteWriter, tls13: Bool) {
        if let serverName, !serverName.isEmpty {
            ext.u16(0x0000)
            ext.vector(2) { list in
                list.vector(2) { entry in
                    entry.u8(0)
                    entry.vector(2) { $0.append(Array(serverName.utf8)) }
                }
            }
        }
        if statusRequest && !compatible {
            ext.u16(0x0005)
            ext.vector(2) { $0.append([1, 0, 0, 0, 0]) }
        }
        ext.u16(0x000A)
        ext.vector(2) { list in list.vector(2) { writer in groups.forEach { writer.u16($0) } } }
        if !tls13 {
            ext.u16(0x000B)
            ext.vector(2) { $0.vector(1) { $0.append([0, 1, 2]) } }
        }
        if !compatible || version >= .tls12 {
            ext.u16(0x000D)
            ext.vector(2) { list in list.vector(2) { writer in Self.signatureAlgorithms.forEach { writer.u16($0) } } }
        }
        if let alpn, !alpn.isEmpty {
            ext.u16(0x0010)
            ext.vector(2) { list in
                list.vector(2) { writer in
                    for proto in alpn { writer.vector(1) { $0.append(Array(proto.utf8)) } }
                }
            }
        }
        if !tls13 && !compatible {
            ext.u16(0x0016); ext.u16(0)  // encrypt_then_mac
        }
        if !compatible {
            ext.u16(0x0017); ext.u16(0)  // extended_master_secret
        }
        if sessionTicket && !tls13 && !compatible {
            ext.u16(0x0023); ext.u16(0)
        }
        if tls13 {
            ext.u16(0x002B)
            ext.vector(2) { $0.vector(1) { $0.u16(0x0304) } }
            ext.u16(0x002D)
            ext.vector(2) { $0.vector(1) { $0.u8(1) } }  // psk_dhe_ke
            ext.u16(0x0033)
            ext.vector(2) { shares in
                shares.vector(2) { list in
                    if sendX25519KeyShare && groups.contains(0x001D) {
                        list.u16(0x001D)
                        list.vector(2) { $0.append(randomBytes(32)) }
                    }
                }
            }
        }
        if secureRenegotiation && !tls13 {
            ext.u16(0xFF01)
            ext.vector(2) { $0.u8(0) }
        }
    }

    /// Splits a handshake message into records of at most 16 KiB.
    static func records(_ payload: [UInt8], recordVersion: UInt16) -> [UInt8] {
        var out = ByteWriter()
        var start = 0
        repeat {
            let end = min(payload.count, start + 16384)
            out.u8(22)
            out.u16(recordVersion)
            out.u16(UInt16(end - start))
            out.append(Array(payload[start..<end]))
            start = end
        } while start < payload.count
        return out.bytes
    }
}

func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}
