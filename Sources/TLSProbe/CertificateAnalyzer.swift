import COpenSSL
public import Foundation
public import SansangCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads and judges a certificate chain (DER, leaf first) with OpenSSL: trust against the system
/// store and an optional CA file, hostname, validity at `now`, key, signature, completeness.
public enum CertificateAnalyzer {
    public static func analyze(
        chain der: [[UInt8]], checkedName: String, caFile: String?, now: Date, source: String,
        ocspStapled: Bool?, negotiatedProtocol: String?, negotiatedCipher: String?
    ) throws(SansangError) -> CertificateFacts {
        let certificates = der.compactMap { parse($0) }
        defer { certificates.forEach { X509_free($0) } }
        guard let leaf = certificates.first, certificates.count == der.count else {
            throw SansangError(.malformedReply, "the server's certificate could not be parsed as X.509 DER")
        }
        let summaries = certificates.map(summary)
        let trust = verify(leaf: leaf, untrusted: Array(certificates.dropFirst()), caFile: caFile)
        let hostnameMatch: Bool
        if IPAddress.isLiteral(checkedName) {
            hostnameMatch = X509_check_ip_asc(leaf, checkedName, 0) == 1
        } else {
            hostnameMatch = X509_check_host(leaf, checkedName, checkedName.utf8.count, 0, nil) == 1
        }
        let leafSummary = summaries[0]
        let selfSigned = leafSummary.selfIssued && X509_verify(leaf, X509_get0_pubkey(leaf)) == 1
        let missingIssuer: Set<Int32> = [2, 20, 21]  // unable to get issuer (locally), unable to verify leaf signature
        let chainComplete: Bool
        if trust.ok {
            chainComplete = trust.builtFromStore == 0
        } else if let code = trust.code, missingIssuer.contains(code) {
            chainComplete = !(certificates.count == 1 && !leafSummary.selfIssued)
        } else {
            chainComplete = true
        }
        let seconds = leafSummary.notAfter.timeIntervalSince(now)
        return CertificateFacts(
            source: source, observedAt: now, chain: summaries, trusted: trust.ok,
            verifyError: trust.ok ? nil : trust.message, verifyCode: trust.ok ? nil : trust.code.map(Int.init),
            checkedName: checkedName, hostnameMatch: hostnameMatch,
            expired: leafSummary.notAfter < now, notYetValid: leafSummary.notBefore > now,
            daysUntilExpiry: Int((seconds / 86400).rounded(.down)), selfSigned: selfSigned,
            chainComplete: chainComplete, ocspStapled: ocspStapled,
            negotiatedProtocol: negotiatedProtocol, negotiatedCipher: negotiatedCipher
        )
    }

    private static func parse(_ der: [UInt8]) -> OpaquePointer? {
        der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
    }

    /// Verifies the chain ignoring time (expiry is judged separately against the scan's clock).
    private static func verify(leaf: OpaquePointer, untrusted: [OpaquePointer], caFile: String?) -> (ok: Bool, code: Int32?, message: String, builtFromStore: Int) {
        guard let store = X509_STORE_new() else { return (false, nil, "OpenSSL could not create a store", 0) }
        defer { X509_STORE_free(store) }
        X509_STORE_set_default_paths(store)
        if let caFile {
            if X509_STORE_load_locations(store, caFile, nil) != 1 {
                return (false, nil, "could not load CA file \(caFile): \(OpenSSLHandshake.drainErrors())", 0)
            }
        }
        guard let stack = sansang_sk_X509_new_null() else { return (false, nil, "OpenSSL allocation failed", 0) }
        defer { OPENSSL_sk_free(stack) }
        for cert in untrusted { _ = sansang_sk_X509_push(stack, cert) }
        guard let ctx = X509_STORE_CTX_new() else { return (false, nil, "OpenSSL allocation failed", 0) }
        defer { X509_STORE_CTX_free(ctx) }
        guard X509_STORE_CTX_init(ctx, store, leaf, stack) == 1 else {
            return (false, nil, "OpenSSL could not start verification", 0)
        }
        X509_STORE_CTX_set_flags(ctx, UInt(X509_V_FLAG_NO_CHECK_TIME))
        X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER)
        let ok = X509_verify_cert(ctx) == 1
        let code = X509_STORE_CTX_get_error(ctx)
        let message = String(cString: X509_verify_cert_error_string(Int(code)))
        var fromStore = 0
        if ok, let built = X509_STORE_CTX_get0_chain(ctx) {
            let sent = Set(([leaf] + untrusted).map { OpenSSLHandshake.der(of: $0) })
            let count = sansang_sk_X509_num(built)
            for index in 0..<count {
                guard let cert = sansang_sk_X509_value(built, index) else { continue }
                let selfIssued = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0
                if !selfIssued && !sent.contains(OpenSSLHandshake.der(of: cert)) { fromStore += 1 }
            }
        }
        ERR_clear_error()
        return (ok, ok ? nil : code, message, fromStore)
    }

    static func summary(_ cert: OpaquePointer) -> CertificateSummary {
        let key = X509_get0_pubkey(cert)
        var keyType = "unknown"
        var keyBits = 0
        var curve: String?
        if let key {
            keyBits = Int(EVP_PKEY_get_bits(key))
            switch EVP_PKEY_get_base_id(key) {
            case EVP_PKEY_RSA, EVP_PKEY_RSA_PSS: keyType = "RSA"
            case EVP_PKEY_EC: keyType = "EC"
            case EVP_PKEY_DSA: keyType = "DSA"
            case EVP_PKEY_ED25519: keyType = "Ed25519"
            case EVP_PKEY_ED448: keyType = "Ed448"
            default: keyType = "other"
            }
            if keyType == "EC" {
                var buffer = [CChar](repeating: 0, count: 80)
                var length = 0
                if EVP_PKEY_get_utf8_string_param(key, "group", &buffer, buffer.count, &length) == 1 {
                    curve = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
            }
        }
        let nid = X509_get_signature_nid(cert)
        let signature = OBJ_nid2ln(nid).map { String(cString: $0) } ?? "unknown"
        var digest = [UInt8](repeating: 0, count: 32)
        var digestLength: UInt32 = 0
        X509_digest(cert, EVP_sha256(), &digest, &digestLength)
        return CertificateSummary(
            subject: name(X509_get_subject_name(cert)), issuer: name(X509_get_issuer_name(cert)),
            serialNumber: serial(cert), notBefore: date(X509_get0_notBefore(cert)), notAfter: date(X509_get0_notAfter(cert)),
            keyType: keyType, keyBits: keyBits, curve: curve, signatureAlgorithm: signature,
            sha256: digest.prefix(Int(digestLength)).map { String($0, radix: 16).leftPadded(to: 2) }.joined(),
            selfIssued: X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0, isCA: X509_check_ca(cert) > 0,
            subjectAltNames: altNames(cert), extendedKeyUsage: extendedKeyUsage(cert)
        )
    }

    private static func name(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        X509_NAME_print_ex(bio, name, 0, sansang_XN_FLAG_RFC2253_UTF8())
        var pointer: UnsafeMutablePointer<CChar>?
        let length = sansang_BIO_get_mem_data(bio, &pointer)
        guard let pointer, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(length)), as: UTF8.self)
    }

    private static func serial(_ cert: OpaquePointer) -> String {
        guard let integer = X509_get_serialNumber(cert), let bn = ASN1_INTEGER_to_BN(integer, nil) else { return "" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "" }
        defer { CRYPTO_free(hex, #fileID, #line) }
        return String(cString: hex)
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        guard let time else { return Date(timeIntervalSince1970: 0) }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return Date(timeIntervalSince1970: 0) }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    private static func altNames(_ cert: OpaquePointer) -> [String] {
        guard let raw = X509_get_ext_d2i(cert, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { sansang_GENERAL_NAMES_free(names) }
        var out: [String] = []
        for index in 0..<min(sansang_sk_GENERAL_NAME_num(names), 500) {
            guard let entry = sansang_sk_GENERAL_NAME_value(names, index) else { continue }
            switch entry.pointee.type {
            case GEN_DNS:
                if let text = entry.pointee.d.dNSName, let data = ASN1_STRING_get0_data(text) {
                    out.append("DNS:" + String(decoding: UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(text))), as: UTF8.self))
                }
            case GEN_IPADD:
                if let text = entry.pointee.d.iPAddress, let data = ASN1_STRING_get0_data(text) {
                    let bytes = Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(text))))
                    out.append("IP:" + ipText(bytes))
                }
            default:
                continue
            }
        }
        return out
    }

    private static func ipText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        guard bytes.count == 16 else { return bytes.map { String($0, radix: 16) }.joined(separator: ":") }
        var buffer = [CChar](repeating: 0, count: 64)
        var raw = bytes
        inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func extendedKeyUsage(_ cert: OpaquePointer) -> [String] {
        let flags = X509_get_extended_key_usage(cert)
        guard flags != UInt32.max else { return [] }  // no extension: any usage
        var out: [String] = []
        if flags & UInt32(XKU_SSL_SERVER) != 0 { out.append("serverAuth") }
        if flags & UInt32(XKU_SSL_CLIENT) != 0 { out.append("clientAuth") }
        if flags & UInt32(XKU_CODE_SIGN) != 0 { out.append("codeSigning") }
        if flags & UInt32(XKU_SMIME) != 0 { out.append("emailProtection") }
        if flags & UInt32(XKU_OCSP_SIGN) != 0 { out.append("OCSPSigning") }
        if flags & UInt32(XKU_TIMESTAMP) != 0 { out.append("timeStamping") }
        return out
    }
}
