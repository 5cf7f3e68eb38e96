import COpenSSL
public import Foundation
public import SansangCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads a client certificate, its private key and the expected CA from PEM files with OpenSSL:
/// the certificate's summary, the key's type and size, whether the key belongs to the certificate,
/// whether the certificate chains to the CA (purpose sslclient, time not checked: expiry is judged
/// against the scan's clock), and the key file's permission bits. Never throws: what could not be
/// read is recorded in the facts. Lives here because only `TLSProbe` links OpenSSL; the config
/// probe receives it as a function.
public enum CertificateFileInspector {
    /// Files larger than this are not read (a PEM bundle is a few KiB).
    static let maxFileBytes = 1 << 20

    public static func inspect(_ spec: ClientCertificateSpec) -> ClientCertificateFacts {
        var facts = ClientCertificateFacts(certPath: spec.cert, keyPath: spec.key, caPath: spec.ca)
        var certificates: [OpaquePointer] = []
        defer { certificates.forEach { X509_free($0) } }
        switch readFile(spec.cert) {
        case .failure(let reason):
            facts.certificateError = reason.description
        case .success(let data):
            certificates = readCertificates(data)
            if let leaf = certificates.first {
                facts.certificate = CertificateAnalyzer.summary(leaf)
                facts.extendedKeyUsagePresent = X509_get_ext_by_NID(leaf, NID_ext_key_usage, -1) >= 0
                facts.chain = certificates.dropFirst().map(CertificateAnalyzer.summary)
            } else {
                facts.certificateError = "no PEM certificate could be read from \(spec.cert): \(OpenSSLHandshake.drainErrors())"
            }
        }
        if let keyPath = spec.key {
            var info = stat()
            if stat(keyPath, &info) == 0 {
                facts.keyFileMode = "0" + String(Int(info.st_mode) & 0o777, radix: 8)
                facts.keyFileOwner = Int(info.st_uid)
            }
            switch readFile(keyPath) {
            case .failure(let reason):
                facts.keyError = reason.description
            case .success(let data):
                if let key = readKey(data) {
                    defer { EVP_PKEY_free(key) }
                    facts.keyBits = Int(EVP_PKEY_get_bits(key))
                    facts.keyType = keyType(key)
                    if let leaf = certificates.first {
                        facts.keyMatches = X509_check_private_key(leaf, key) == 1
                    }
                } else {
                    facts.keyError = "no unencrypted PEM private key could be read from \(keyPath): \(OpenSSLHandshake.drainErrors())"
                }
            }
        }
        if let caPath = spec.ca, let leaf = certificates.first {
            let verdict = verify(leaf: leaf, untrusted: Array(certificates.dropFirst()), caFile: caPath)
            facts.trusted = verdict.ok
            facts.verifyError = verdict.message
        }
        ERR_clear_error()
        return facts
    }

    static func readFile(_ path: String) -> Result<Data, Reason> {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(Reason("\(path): cannot be read (\(String(cString: strerror(errno))))"))
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxFileBytes + 1)) ?? Data()
        guard data.count <= maxFileBytes else { return .failure(Reason("\(path): larger than \(maxFileBytes) bytes, not read")) }
        return .success(data)
    }

    struct Reason: Error, CustomStringConvertible {
        let description: String
        init(_ text: String) { description = text }
    }

    private static func withBIO<T>(_ data: Data, _ body: (OpaquePointer) -> T) -> T? {
        data.withUnsafeBytes { raw -> T? in
            guard let base = raw.baseAddress, let bio = BIO_new_mem_buf(base, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    private static func readCertificates(_ data: Data) -> [OpaquePointer] {
        withBIO(data) { bio in
            var out: [OpaquePointer] = []
            while out.count < 16, let cert = PEM_read_bio_X509(bio, nil, nil, nil) { out.append(cert) }
            ERR_clear_error()  // the end of the file reads as an error
            return out
        } ?? []
    }

    /// A passphrase callback that refuses, so an encrypted key fails instead of prompting.
    private static let noPassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in 0 }

    private static func readKey(_ data: Data) -> OpaquePointer? {
        withBIO(data) { bio in PEM_read_bio_PrivateKey(bio, nil, noPassphrase, nil) } ?? nil
    }

    private static func keyType(_ key: OpaquePointer) -> String {
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA, EVP_PKEY_RSA_PSS: "RSA"
        case EVP_PKEY_EC: "EC"
        case EVP_PKEY_DSA: "DSA"
        case EVP_PKEY_ED25519: "Ed25519"
        case EVP_PKEY_ED448: "Ed448"
        default: "other"
        }
    }

    /// Verifies against the CA file only (not the system store): the national platform trusts its own CA.
    private static func verify(leaf: OpaquePointer, untrusted: [OpaquePointer], caFile: String) -> (ok: Bool, message: String?) {
        guard let store = X509_STORE_new() else { return (false, "OpenSSL could not create a store") }
        defer { X509_STORE_free(store) }
        guard X509_STORE_load_locations(store, caFile, nil) == 1 else {
            return (false, "could not load CA file \(caFile): \(OpenSSLHandshake.drainErrors())")
        }
        guard let stack = sansang_sk_X509_new_null() else { return (false, "OpenSSL allocation failed") }
        defer { OPENSSL_sk_free(stack) }
        for cert in untrusted { _ = sansang_sk_X509_push(stack, cert) }
        guard let ctx = X509_STORE_CTX_new() else { return (false, "OpenSSL allocation failed") }
        defer { X509_STORE_CTX_free(ctx) }
        guard X509_STORE_CTX_init(ctx, store, leaf, stack) == 1 else { return (false, "OpenSSL could not start verification") }
        X509_STORE_CTX_set_flags(ctx, UInt(X509_V_FLAG_NO_CHECK_TIME))
        X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT)
        let ok = X509_verify_cert(ctx) == 1
        let code = X509_STORE_CTX_get_error(ctx)
        return (ok, ok ? nil : String(cString: X509_verify_cert_error_string(Int(code))) + " (code \(code))")
    }
}
