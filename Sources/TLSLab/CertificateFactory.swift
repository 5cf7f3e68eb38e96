public import Foundation
import COpenSSL
import SansangCore

/// The key to generate for a certificate.
public enum KeySpec: Sendable, Hashable, Codable {
    /// An RSA key of this many bits (OpenSSL accepts 512 and up; the lab uses 1024 and 2048).
    case rsa(bits: Int)
    /// An EC key on a named curve: `prime256v1` (P-256) or `secp384r1` (P-384).
    case ec(curve: String)
}

/// What a generated certificate should say: names, validity, key, signature digest and extensions.
public struct CertificateSpec: Sendable, Hashable {
    /// Base name of the files written: `<name>.pem`, `<name>.key`, `<name>-chain.pem`.
    public var name: String
    public var commonName: String
    public var organization: String
    /// DNS names or IP literals (v4 or v6); an entry already prefixed `DNS:`, `IP:`, `URI:` or `email:` is kept as is.
    public var subjectAltNames: [String]
    public var notBefore: Date
    public var notAfter: Date
    public var key: KeySpec
    /// `sha256`, `sha384`, `sha1` or `md5` (OpenSSL 3 still signs with the last two).
    public var digest: String
    public var isCA: Bool
    /// `pathlen` of basicConstraints for a CA; nil for none.
    public var pathLength: Int?
    /// keyUsage names as OpenSSL spells them; nil derives them from `isCA` and the key type.
    public var keyUsage: [String]?
    /// extendedKeyUsage names as OpenSSL spells them (`serverAuth`, `clientAuth`); empty for none.
    public var extendedKeyUsage: [String]
    public var serial: UInt64

    public init(
        name: String,
        commonName: String,
        organization: String = "Sansang Lab",
        subjectAltNames: [String] = [],
        notBefore: Date = Date().addingTimeInterval(-86_400),
        notAfter: Date = Date().addingTimeInterval(365 * 86_400),
        key: KeySpec = .rsa(bits: 2048),
        digest: String = "sha256",
        isCA: Bool = false,
        pathLength: Int? = nil,
        keyUsage: [String]? = nil,
        extendedKeyUsage: [String] = ["serverAuth"],
        serial: UInt64 = UInt64.random(in: 1...UInt64(Int64.max))
    ) {
        self.name = name
        self.commonName = commonName
        self.organization = organization
        self.subjectAltNames = subjectAltNames
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.key = key
        self.digest = digest
        self.isCA = isCA
        self.pathLength = pathLength
        self.keyUsage = keyUsage
        self.extendedKeyUsage = extendedKeyUsage
        self.serial = serial
    }
}

/// A certificate and its key as written to disk, with the PEM and DER in memory.
public final class IssuedCertificate: Sendable {
    public let spec: CertificateSpec
    public let certPEMPath: String
    public let keyPEMPath: String
    /// The certificate followed by its issuer's chain, without the self-signed root.
    public let chainPEMPath: String
    public let certPEM: String
    public let keyPEM: String
    public let chainPEM: String
    /// DER of this certificate alone.
    public let der: Data
    public let isSelfSigned: Bool

    public var name: String { spec.name }

    init(spec: CertificateSpec, certPEMPath: String, keyPEMPath: String, chainPEMPath: String,
         certPEM: String, keyPEM: String, chainPEM: String, der: Data, isSelfSigned: Bool) {
        self.spec = spec
        self.certPEMPath = certPEMPath
        self.keyPEMPath = keyPEMPath
        self.chainPEMPath = chainPEMPath
        self.certPEM = certPEM
        self.keyPEM = keyPEM
        self.chainPEM = chainPEM
        self.der = der
        self.isSelfSigned = isSelfSigned
    }
}

/// Makes keys and X.509 certificates through OpenSSL, for tests and the lab.
///
/// Each call writes `<name>.pem`, `<name>.key` (mode 0600) and `<name>-chain.pem` into the
/// directory, creating it if needed. Throws `SansangError` `.tls` with OpenSSL's error queue
/// when OpenSSL refuses (an unknown curve or digest, MD5 with an EC key), `.io` when a file
/// cannot be written, `.configuration` for a name OpenSSL's config syntax cannot carry.
public enum CertificateFactory {
    public static func selfSigned(_ spec: CertificateSpec, in directory: URL) throws -> IssuedCertificate {
        let key = try generateKey(spec.key)
        defer { EVP_PKEY_free(key) }
        let cert = try makeCertificate(spec, publicKey: key, issuerCert: nil, issuerKey: key)
        defer { X509_free(cert) }
        let certPEM = try pem { PEM_write_bio_X509($0, cert) }
        return try write(spec, cert: cert, certPEM: certPEM, key: key, chainTail: "", selfSigned: true, in: directory)
    }

    public static func issue(_ spec: CertificateSpec, by issuer: IssuedCertificate, in directory: URL) throws -> IssuedCertificate {
        let issuerCert = try readCertificate(issuer.certPEM)
        defer { X509_free(issuerCert) }
        let issuerKey = try readKey(issuer.keyPEM)
        defer { EVP_PKEY_free(issuerKey) }
        let key = try generateKey(spec.key)
        defer { EVP_PKEY_free(key) }
        let cert = try makeCertificate(spec, publicKey: key, issuerCert: issuerCert, issuerKey: issuerKey)
        defer { X509_free(cert) }
        let certPEM = try pem { PEM_write_bio_X509($0, cert) }
        let tail = issuer.isSelfSigned ? "" : issuer.chainPEM
        return try write(spec, cert: cert, certPEM: certPEM, key: key, chainTail: tail, selfSigned: false, in: directory)
    }

    // MARK: - Keys

    static func generateKey(_ spec: KeySpec) throws -> OpaquePointer {
        let algorithm: String
        switch spec {
        case .rsa: algorithm = "RSA"
        case .ec: algorithm = "EC"
        }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw openSSLError("EVP_PKEY_CTX_new_from_name(\(algorithm))")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) == 1 else { throw openSSLError("EVP_PKEY_keygen_init") }
        switch spec {
        case .rsa(let bits):
            guard bits >= 512, bits <= 16_384, EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, Int32(bits)) == 1 else {
                throw openSSLError("RSA key of \(bits) bits")
            }
        case .ec(let curve):
            guard EVP_PKEY_CTX_set_group_name(ctx, curve) == 1 else { throw openSSLError("EC curve '\(curve)'") }
        }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(ctx, &key) == 1, let key else { throw openSSLError("EVP_PKEY_generate") }
        return key
    }

    // MARK: - Certificates

    private static func makeCertificate(
        _ spec: CertificateSpec, publicKey: OpaquePointer, issuerCert: OpaquePointer?, issuerKey: OpaquePointer
    ) throws -> OpaquePointer {
        guard let cert = X509_new() else { throw openSSLError("X509_new") }
        var handedOver = false
        defer { if !handedOver { X509_free(cert) } }

        guard X509_set_version(cert, 2) == 1,  // v3
              ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), spec.serial) == 1,
              ASN1_TIME_set(X509_getm_notBefore(cert), time_t(spec.notBefore.timeIntervalSince1970)) != nil,
              ASN1_TIME_set(X509_getm_notAfter(cert), time_t(spec.notAfter.timeIntervalSince1970)) != nil,
              X509_set_pubkey(cert, publicKey) == 1
        else { throw openSSLError("certificate fields") }

        guard let subject = X509_get_subject_name(cert) else { throw openSSLError("X509_get_subject_name") }
        try addEntry(subject, "O", spec.organization)
        try addEntry(subject, "CN", spec.commonName)
        let issuerName = issuerCert.map { X509_get_subject_name($0) } ?? subject
        guard X509_set_issuer_name(cert, issuerName) == 1 else { throw openSSLError("X509_set_issuer_name") }

        var ctx = X509V3_CTX()
        X509V3_set_ctx(&ctx, issuerCert ?? cert, cert, nil, nil, 0)
        guard X509V3_set_issuer_pkey(&ctx, issuerKey) == 1 else { throw openSSLError("X509V3_set_issuer_pkey") }

        var basic = spec.isCA ? "critical,CA:TRUE" : "critical,CA:FALSE"
        if spec.isCA, let pathLength = spec.pathLength { basic += ",pathlen:\(pathLength)" }
        try addExtension(cert, &ctx, NID_basic_constraints, basic)

        let usage: [String]
        if let given = spec.keyUsage {
            usage = given
        } else if spec.isCA {
            usage = ["keyCertSign", "cRLSign"]
        } else if case .rsa = spec.key {
            usage = ["digitalSignature", "keyEncipherment"]
        } else {
            usage = ["digitalSignature"]
        }
        if !usage.isEmpty { try addExtension(cert, &ctx, NID_key_usage, "critical," + usage.joined(separator: ",")) }
        if !spec.extendedKeyUsage.isEmpty {
            try addExtension(cert, &ctx, NID_ext_key_usage, spec.extendedKeyUsage.joined(separator: ","))
        }
        if !spec.subjectAltNames.isEmpty {
            try addExtension(cert, &ctx, NID_subject_alt_name, try sanValue(spec.subjectAltNames))
        }
        try addExtension(cert, &ctx, NID_subject_key_identifier, "hash")
        if issuerCert != nil {
            try addExtension(cert, &ctx, NID_authority_key_identifier, "keyid")
        }

        guard let md = EVP_get_digestbyname(spec.digest) else {
            throw SansangError(.configuration, "unknown digest '\(spec.digest)'")
        }
        guard X509_sign(cert, issuerKey, md) > 0 else { throw openSSLError("signing with \(spec.digest)") }
        handedOver = true
        return cert
    }

    private static func addEntry(_ name: OpaquePointer, _ field: String, _ value: String) throws {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty else { return }
        let ok = bytes.withUnsafeBufferPointer {
            X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, $0.baseAddress, Int32($0.count), -1, 0)
        }
        guard ok == 1 else { throw openSSLError("subject \(field)=\(value)") }
    }

    private static func addExtension(_ cert: OpaquePointer, _ ctx: inout X509V3_CTX, _ nid: Int32, _ value: String) throws {
        guard let ext = X509V3_EXT_conf_nid(nil, &ctx, nid, value) else {
            throw openSSLError("extension \(String(cString: OBJ_nid2sn(nid))) = \(value)")
        }
        defer { X509_EXTENSION_free(ext) }
        guard X509_add_ext(cert, ext, -1) == 1 else { throw openSSLError("X509_add_ext") }
    }

    /// `DNS:a,IP:1.2.3.4` from plain names; the config syntax has no escaping, so commas are refused.
    static func sanValue(_ names: [String]) throws -> String {
        let prefixes = ["DNS:", "IP:", "URI:", "email:"]
        return try names.map { name in
            guard !name.contains(","), !name.isEmpty else {
                throw SansangError(.configuration, "subjectAltName '\(name)' is empty or contains a comma")
            }
            if prefixes.contains(where: { name.hasPrefix($0) }) { return name }
            return IPAddress.isLiteral(name) ? "IP:\(name)" : "DNS:\(name)"
        }.joined(separator: ",")
    }

    // MARK: - PEM, DER, files

    private static func write(
        _ spec: CertificateSpec, cert: OpaquePointer, certPEM: String, key: OpaquePointer,
        chainTail: String, selfSigned: Bool, in directory: URL
    ) throws -> IssuedCertificate {
        guard !spec.name.isEmpty, !spec.name.contains("/"), spec.name != ".", spec.name != ".." else {
            throw SansangError(.configuration, "certificate name '\(spec.name)' cannot be a file name")
        }
        let keyPEM = try pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
        let der = try derBytes(cert)
        let chainPEM = certPEM + chainTail
        try createDirectory(directory)
        let certPath = directory.appendingPathComponent("\(spec.name).pem").path
        let keyPath = directory.appendingPathComponent("\(spec.name).key").path
        let chainPath = directory.appendingPathComponent("\(spec.name)-chain.pem").path
        try writeFile(certPath, certPEM, mode: 0o644)
        try writeFile(keyPath, keyPEM, mode: 0o600)
        try writeFile(chainPath, chainPEM, mode: 0o644)
        return IssuedCertificate(
            spec: spec, certPEMPath: certPath, keyPEMPath: keyPath, chainPEMPath: chainPath,
            certPEM: certPEM, keyPEM: keyPEM, chainPEM: chainPEM, der: der, isSelfSigned: selfSigned
        )
    }

    static func createDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw SansangError(.io, "cannot create \(directory.path): \(error)")
        }
    }

    static func writeFile(_ path: String, _ text: String, mode: Int) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        } catch {
            throw SansangError(.io, "cannot write \(path): \(error)")
        }
    }

    private static func pem(_ body: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw openSSLError("BIO_new") }
        defer { BIO_free(bio) }
        guard body(bio) == 1 else { throw openSSLError("PEM write") }
        var data: UnsafeMutablePointer<CChar>?
        let count = sansang_BIO_get_mem_data(bio, &data)
        guard count > 0, let data else { throw openSSLError("BIO_get_mem_data") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: Int(count)), as: UTF8.self)
    }

    private static func derBytes(_ cert: OpaquePointer) throws -> Data {
        let length = i2d_X509(cert, nil)
        guard length > 0 else { throw openSSLError("i2d_X509") }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_X509(cert, &cursor)
        }
        guard written == length else { throw openSSLError("i2d_X509") }
        return Data(bytes)
    }

    private static func withBIO<T>(_ text: String, _ body: (OpaquePointer) -> T?) -> T? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw -> T? in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    static func readCertificate(_ pemText: String) throws -> OpaquePointer {
        guard let cert = withBIO(pemText, { PEM_read_bio_X509($0, nil, nil, nil) }) else {
            throw openSSLError("reading a PEM certificate")
        }
        return cert
    }

    static func readKey(_ pemText: String) throws -> OpaquePointer {
        guard let key = withBIO(pemText, { PEM_read_bio_PrivateKey($0, nil, nil, nil) }) else {
            throw openSSLError("reading a PEM private key")
        }
        return key
    }
}

/// The error for a failed OpenSSL call, with OpenSSL's error queue drained into the reason.
func openSSLError(_ what: String, file: String = #fileID, line: Int = #line) -> SansangError {
    var messages: [String] = []
    for _ in 0..<16 {
        let code = ERR_get_error()
        if code == 0 { break }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    ERR_clear_error()
    let detail = messages.isEmpty ? "" : ": " + messages.joined(separator: "; ")
    return SansangError(.tls, "OpenSSL failed at \(what)\(detail)", file: file, line: line)
}
