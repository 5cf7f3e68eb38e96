public import SansangCore
import Foundation

/// The built-in TLS rules. Ids are stable forever.
public enum TLSRules {
    public static let all: [TLSRule] = protocolRules + cipherRules + certificateRules + featureRules

    // MARK: protocols (A06-02)
    // tls.protocol.sslv2, .sslv3, .tls10 and .tls11 are also written declaratively in
    // Checks/rules/tls/protocol-*.yaml; when those load, they replace these (same ids, same
    // behaviour). The built-in copies keep the audit whole when Checks/ is not shipped.

    static func protocolRule(_ version: TLSVersion, id: String, severity: Severity, vi: String, en: String) -> TLSRule {
        TLSRule(.tls(
            id, severity, vi: vi, en: en,
            fixVi: "Tắt \(version.rawValue) trên máy chủ/reverse proxy (nginx: ssl_protocols TLSv1.2 TLSv1.3; Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3), khởi động lại dịch vụ và quét lại.",
            fixEn: "Disable \(version.rawValue) on the server or reverse proxy (nginx: ssl_protocols TLSv1.2 TLSv1.3; Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3), reload, and rescan.",
            requirements: ["A06-02"], references: ["RFC 8996", "RFC 7568", "RFC 6176"]
        )) { tls, _, _ in
            switch tls.protocols[version] {
            case true?: .fail([FindingDraft(subject: version.rawValue, evidence: "The server answered our \(version.rawValue) ClientHello with a \(version.rawValue) ServerHello.")])
            case false?: .pass
            case nil: .inconclusive("\(version.rawValue) could not be tested: \(tls.protocolErrors[version.rawValue] ?? "unknown reason")")
            }
        }
    }

    static let protocolRules: [TLSRule] = [
        protocolRule(.ssl2, id: "tls.protocol.sslv2", severity: .critical, vi: "Máy chủ còn hỗ trợ SSLv2", en: "SSLv2 is enabled"),
        protocolRule(.ssl3, id: "tls.protocol.sslv3", severity: .critical, vi: "Máy chủ còn hỗ trợ SSLv3 (POODLE)", en: "SSLv3 is enabled (POODLE)"),
        protocolRule(.tls10, id: "tls.protocol.tls10", severity: .high, vi: "Máy chủ còn hỗ trợ TLS 1.0", en: "TLS 1.0 is enabled"),
        protocolRule(.tls11, id: "tls.protocol.tls11", severity: .high, vi: "Máy chủ còn hỗ trợ TLS 1.1", en: "TLS 1.1 is enabled"),
        TLSRule(.tls(
            "tls.protocol.no-modern", .high,
            vi: "Máy chủ không hỗ trợ TLS 1.2 hay TLS 1.3", en: "Neither TLS 1.2 nor TLS 1.3 is supported",
            fixVi: "Bật TLS 1.2 và TLS 1.3 (bắt buộc theo danh mục tiêu chuẩn kỹ thuật CNTT); nâng cấp OpenSSL/máy chủ web nếu phiên bản quá cũ.",
            fixEn: "Enable TLS 1.2 and TLS 1.3 (TLS 1.2 is mandatory in the state IT standards list); upgrade OpenSSL or the web server if it is too old.",
            requirements: ["A06-02"]
        )) { tls, _, _ in
            if tls.protocols[.tls12] == true || tls.protocols[.tls13] == true { return .pass }
            if tls.protocols[.tls12] == nil || tls.protocols[.tls13] == nil {
                return .inconclusive("TLS 1.2 or TLS 1.3 could not be tested")
            }
            return .fail([FindingDraft(subject: "TLSv1.2+", evidence: "Supported: " + (tls.protocols.supported.map(\.rawValue).joined(separator: ", ").nonEmpty ?? "none"))])
        },
        TLSRule(.tls(
            "tls.protocol.tls13-missing", .low,
            vi: "Chưa bật TLS 1.3", en: "TLS 1.3 is not enabled",
            fixVi: "Bật TLS 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3; cần OpenSSL ≥ 1.1.1).",
            fixEn: "Enable TLS 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3; needs OpenSSL 1.1.1 or later).",
            requirements: ["A06-02"]
        )) { tls, _, _ in
            switch tls.protocols[.tls13] {
            case true?: .pass
            case false?: .fail([FindingDraft(subject: "TLSv1.3", evidence: "The server refused a TLS 1.3 ClientHello.")])
            case nil: .inconclusive("TLS 1.3 could not be tested: \(tls.protocolErrors["TLSv1.3"] ?? "unknown reason")")
            }
        },
    ]

    // MARK: cipher suites (A06-03)

    static func cipherRule(_ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String, references: [String] = [], _ predicate: @escaping @Sendable (CipherSuiteFact) -> Bool) -> TLSRule {
        TLSRule(.tls(id, severity, vi: vi, en: en, fixVi: fixVi, fixEn: fixEn, requirements: ["A06-03"], references: references)) { tls, _, _ in
            let found = suiteEvidence(tls, where: predicate)
            if !found.names.isEmpty {
                return .fail([FindingDraft(subject: "cipher-suites", evidence: "Accepted: " + found.text)])
            }
            let untested = TLSVersion.allCases.filter { tls.protocols[$0] == nil }
            if !untested.isEmpty {
                return .inconclusive("not all protocols could be tested (\(untested.map(\.rawValue).joined(separator: ", ")))")
            }
            return .pass
        }
    }

    static let fixCiphersVi = "Chỉ cho phép bộ mã ECDHE/DHE với AES-GCM hoặc CHACHA20-POLY1305 (nginx: ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;)."
    static let fixCiphersEn = "Allow only ECDHE/DHE suites with AES-GCM or CHACHA20-POLY1305 (nginx: ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;)."

    static let cipherRules: [TLSRule] = [
        cipherRule("tls.cipher.null", .critical, vi: "Chấp nhận bộ mã NULL (không mã hóa)", en: "NULL cipher suites accepted (no encryption)",
                   fixVi: "Loại bỏ mọi bộ mã NULL/eNULL. " + fixCiphersVi, fixEn: "Remove every NULL/eNULL suite. " + fixCiphersEn) { $0.isNullCipher },
        cipherRule("tls.cipher.anonymous", .critical, vi: "Chấp nhận bộ mã ẩn danh (không xác thực máy chủ)", en: "Anonymous cipher suites accepted (no server authentication)",
                   fixVi: "Loại bỏ bộ mã aNULL/ADH/AECDH. " + fixCiphersVi, fixEn: "Remove aNULL/ADH/AECDH suites. " + fixCiphersEn) { $0.anonymous },
        cipherRule("tls.cipher.export", .critical, vi: "Chấp nhận bộ mã EXPORT (FREAK, Logjam)", en: "EXPORT cipher suites accepted (FREAK, Logjam)",
                   fixVi: "Loại bỏ mọi bộ mã EXPORT. " + fixCiphersVi, fixEn: "Remove every EXPORT suite. " + fixCiphersEn, references: ["CVE-2015-0204", "CVE-2015-4000"]) { $0.export },
        cipherRule("tls.cipher.rc4", .high, vi: "Chấp nhận bộ mã RC4", en: "RC4 cipher suites accepted",
                   fixVi: "Loại bỏ RC4 (RFC 7465). " + fixCiphersVi, fixEn: "Remove RC4 (RFC 7465). " + fixCiphersEn, references: ["RFC 7465"]) { $0.isRC4 },
        cipherRule("tls.cipher.3des", .high, vi: "Chấp nhận bộ mã 3DES (SWEET32)", en: "3DES cipher suites accepted (SWEET32)",
                   fixVi: "Loại bỏ 3DES/DES-CBC3. " + fixCiphersVi, fixEn: "Remove 3DES/DES-CBC3. " + fixCiphersEn, references: ["CVE-2016-2183"]) { $0.isTripleDES },
        cipherRule("tls.cipher.weak", .high, vi: "Chấp nhận bộ mã yếu (DES, RC2, IDEA, khóa dưới 112 bit)", en: "Weak cipher suites accepted (DES, RC2, IDEA, under 112 bits)",
                   fixVi: fixCiphersVi, fixEn: fixCiphersEn) { suite in
            !suite.isNullCipher && !suite.export && !suite.isRC4 && !suite.isTripleDES
                && (suite.isDES || suite.isRC2 || suite.encryption == "IDEA-CBC" || (suite.bits > 0 && suite.bits < 112))
        },
        cipherRule("tls.cipher.no-forward-secrecy", .medium, vi: "Chấp nhận bộ mã không có bí mật chuyển tiếp (trao đổi khóa RSA tĩnh)", en: "Cipher suites without forward secrecy accepted (static RSA key exchange)",
                   fixVi: "Chỉ dùng trao đổi khóa ECDHE/DHE. " + fixCiphersVi, fixEn: "Use only ECDHE/DHE key exchange. " + fixCiphersEn) { !$0.forwardSecrecy && !$0.anonymous && !$0.isNullCipher },
        cipherRule("tls.cipher.cbc", .low, vi: "Chấp nhận bộ mã chế độ CBC (nên chỉ dùng AEAD)", en: "CBC-mode cipher suites accepted (AEAD only is recommended)",
                   fixVi: "Ưu tiên và chỉ giữ lại bộ mã AEAD (GCM, CHACHA20-POLY1305). " + fixCiphersVi, fixEn: "Keep only AEAD suites (GCM, CHACHA20-POLY1305). " + fixCiphersEn) { $0.isCBC && !$0.isInsecure && !$0.isTripleDES },
        TLSRule(.tls(
            "tls.cipher.no-aead", .medium, vi: "Không có bộ mã AEAD nào", en: "No AEAD cipher suite offered",
            fixVi: fixCiphersVi, fixEn: fixCiphersEn, requirements: ["A06-03"]
        )) { tls, _, _ in
            let suites = tls.allSuites
            guard !suites.isEmpty else { return .notApplicable }
            return suites.contains(where: \.aead) ? .pass : .fail([FindingDraft(subject: "cipher-suites", evidence: "Accepted suites: " + suites.map(\.name).joined(separator: ", "))])
        },
        TLSRule(.tls(
            "tls.cipher.client-preference", .low, vi: "Máy chủ theo thứ tự bộ mã của máy khách trong khi còn bộ mã yếu",
            en: "The server follows the client's cipher order while weak suites are enabled",
            fixVi: "Bật thứ tự ưu tiên của máy chủ (nginx: ssl_prefer_server_ciphers on) hoặc loại bỏ bộ mã yếu.",
            fixEn: "Enforce the server's order (nginx: ssl_prefer_server_ciphers on) or remove the weak suites.", requirements: ["A06-03"]
        )) { tls, _, _ in
            let weakVersions = TLSVersion.allCases.filter { version in
                tls.cipherPreference[version.rawValue] == "client"
                    && (tls.cipherSuites[version.rawValue] ?? []).contains { $0.isInsecure || $0.isTripleDES || !$0.forwardSecrecy }
            }
            if weakVersions.isEmpty { return .pass }
            return .fail([FindingDraft(subject: "cipher-order", evidence: "Client order honoured on " + weakVersions.map(\.rawValue).joined(separator: ", "))])
        },
        TLSRule(.tls(
            "tls.kex.dh-weak", .medium, vi: "Tham số Diffie-Hellman dưới 2048 bit", en: "Diffie-Hellman parameters under 2048 bits",
            fixVi: "Dùng nhóm DH ≥ 2048 bit (nginx: ssl_dhparam với tệp ffdhe2048/ffdhe3072 của RFC 7919) hoặc bỏ DHE, chỉ giữ ECDHE.",
            fixEn: "Use DH groups of at least 2048 bits (nginx: ssl_dhparam with the RFC 7919 ffdhe2048/ffdhe3072 file) or drop DHE for ECDHE only.",
            requirements: ["A06-03"], references: ["CVE-2015-4000"]
        )) { tls, _, _ in
            guard let bits = tls.dhBits else { return .pass }
            if bits >= 2048 { return .pass }
            return .fail([FindingDraft(subject: "dh-parameters", evidence: "The server used a \(bits)-bit DH prime.", severity: bits < 1024 ? .high : nil)])
        },
        TLSRule(.tls(
            "tls.kex.weak-group", .medium, vi: "Chấp nhận nhóm trao đổi khóa yếu (dưới 128 bit an toàn)", en: "Weak key-exchange groups accepted (under 128-bit security)",
            fixVi: "Chỉ cho phép x25519, secp256r1, secp384r1 (nginx: ssl_ecdh_curve X25519:prime256v1:secp384r1).",
            fixEn: "Allow only x25519, secp256r1 and secp384r1 (nginx: ssl_ecdh_curve X25519:prime256v1:secp384r1).", requirements: ["A06-03"]
        )) { tls, _, _ in
            let weak = tls.groups.filter { name in
                guard let bits = BuiltinGroups.bits(name) else { return false }
                return bits < 128 && !name.hasPrefix("ffdhe")
            }
            return weak.isEmpty ? .pass : .fail([FindingDraft(subject: "groups", evidence: "Accepted groups: " + weak.joined(separator: ", "))])
        },
    ]

    // MARK: certificate (A06-04)

    static func certificateRule(_ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String, _ judge: @escaping @Sendable (CertificateFacts, RuleSettings) -> [FindingDraft]) -> TLSRule {
        TLSRule(.tls(id, severity, vi: vi, en: en, fixVi: fixVi, fixEn: fixEn, requirements: ["A06-04"])) { tls, settings, _ in
            guard let certificate = tls.certificate else {
                if tls.allSuites.allSatisfy(\.anonymous) && !tls.allSuites.isEmpty { return .notApplicable }
                return .inconclusive("the certificate could not be read: \(tls.certificateError ?? "unknown reason")")
            }
            let drafts = judge(certificate, settings)
            return drafts.isEmpty ? .pass : .fail(drafts)
        }
    }

    static let renewVi = "Cấp lại chứng thư số từ CA tin cậy, cài đủ chuỗi (chứng thư + CA trung gian), đặt lịch gia hạn tự động."
    static let renewEn = "Reissue the certificate from a trusted CA, install the full chain (leaf + intermediates), and automate renewal."

    static func describe(_ certificate: CertificateFacts) -> String {
        guard let leaf = certificate.leaf else { return "" }
        return "Subject \(leaf.subject); issuer \(leaf.issuer); valid \(iso(leaf.notBefore)) to \(iso(leaf.notAfter))"
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    static let certificateRules: [TLSRule] = [
        certificateRule("tls.cert.expired", .critical, vi: "Chứng thư số đã hết hạn", en: "The certificate has expired", fixVi: renewVi, fixEn: renewEn) { cert, settings in
            guard let leaf = cert.leaf, leaf.notAfter < settings.now else { return [] }
            return [FindingDraft(subject: leaf.sha256, evidence: describe(cert) + "; expired \(Int(settings.now.timeIntervalSince(leaf.notAfter) / 86400)) day(s) ago.")]
        },
        certificateRule("tls.cert.not-yet-valid", .high, vi: "Chứng thư số chưa đến ngày hiệu lực", en: "The certificate is not yet valid", fixVi: renewVi + " Kiểm tra đồng hồ hệ thống (NTP).", fixEn: renewEn + " Check the system clock (NTP).") { cert, settings in
            guard let leaf = cert.leaf, leaf.notBefore > settings.now else { return [] }
            return [FindingDraft(subject: leaf.sha256, evidence: describe(cert) + ".")]
        },
        certificateRule("tls.cert.expiring-soon", .medium, vi: "Chứng thư số sắp hết hạn", en: "The certificate expires soon", fixVi: renewVi, fixEn: renewEn) { cert, settings in
            guard let leaf = cert.leaf, leaf.notAfter >= settings.now else { return [] }
            let days = Int(leaf.notAfter.timeIntervalSince(settings.now) / 86400)
            guard days < settings.expiryWarningDays else { return [] }
            return [FindingDraft(subject: leaf.sha256, evidence: "Expires in \(days) day(s) (threshold \(settings.expiryWarningDays)); " + describe(cert) + ".", severity: days < 7 ? .high : nil)]
        },
        certificateRule("tls.cert.self-signed", .high, vi: "Chứng thư số tự ký", en: "Self-signed certificate", fixVi: renewVi, fixEn: renewEn) { cert, _ in
            guard cert.selfSigned, !cert.trusted, let leaf = cert.leaf else { return [] }
            return [FindingDraft(subject: leaf.sha256, evidence: describe(cert) + "; subject equals issuer and the certificate signs itself.")]
        },
        certificateRule("tls.cert.untrusted", .high, vi: "Chứng thư số không được tin cậy (không xây dựng được chuỗi tới CA gốc tin cậy)", en: "The certificate is not trusted (no chain to a trusted root)", fixVi: renewVi + " Với CA nội bộ, dùng --ca-file để chỉ định CA gốc.", fixEn: renewEn + " For an internal CA, pass its root with --ca-file.") { cert, _ in
            guard !cert.trusted, !cert.selfSigned, cert.chainComplete, let leaf = cert.leaf else { return [] }  // an incomplete chain has its own finding
            return [FindingDraft(subject: leaf.sha256, evidence: "OpenSSL: \(cert.verifyError ?? "verification failed") (code \(cert.verifyCode ?? -1)); " + describe(cert) + ".")]
        },
        certificateRule("tls.cert.hostname-mismatch", .high, vi: "Tên miền/địa chỉ không khớp với chứng thư số", en: "The certificate does not match the host name", fixVi: "Cấp lại chứng thư với SAN chứa đúng tên miền (hoặc IP) mà người dùng truy cập.", fixEn: "Reissue the certificate with a SAN that holds the name (or IP) clients use.") { cert, _ in
            guard !cert.hostnameMatch, let leaf = cert.leaf else { return [] }
            return [FindingDraft(subject: cert.checkedName, evidence: "Checked '\(cert.checkedName)' against SAN [\(leaf.subjectAltNames.joined(separator: ", "))] and subject \(leaf.subject).")]
        },
        certificateRule("tls.cert.chain-incomplete", .medium, vi: "Máy chủ không gửi đủ chuỗi chứng thư (thiếu CA trung gian)", en: "Incomplete certificate chain (intermediate missing)", fixVi: "Cấu hình máy chủ gửi chứng thư kèm CA trung gian (nginx: ssl_certificate trỏ tới tệp fullchain).", fixEn: "Serve the certificate with its intermediates (nginx: ssl_certificate pointing to the full-chain file).") { cert, _ in
            guard !cert.chainComplete, let leaf = cert.leaf else { return [] }
            return [FindingDraft(subject: leaf.sha256, evidence: "The server sent \(cert.chain.count) certificate(s); issuer '\(leaf.issuer)' was not among them.")]
        },
        certificateRule("tls.cert.weak-key", .high, vi: "Khóa công khai của chứng thư quá yếu (RSA < 2048, ECDSA < 256 bit)", en: "Weak certificate key (RSA under 2048, ECDSA under 256 bits)", fixVi: "Tạo khóa mới RSA ≥ 2048 bit (khuyến nghị 3072) hoặc ECDSA P-256/P-384 và cấp lại chứng thư.", fixEn: "Generate a new RSA key of at least 2048 bits (3072 recommended) or ECDSA P-256/P-384 and reissue.") { cert, _ in
            guard let leaf = cert.leaf else { return [] }
            let weak = (leaf.keyType == "RSA" && leaf.keyBits < 2048) || (leaf.keyType == "EC" && leaf.keyBits < 256) || leaf.keyType == "DSA"
            return weak ? [FindingDraft(subject: leaf.sha256, evidence: "\(leaf.keyType) \(leaf.keyBits)-bit key\(leaf.curve.map { " (\($0))" } ?? "").", severity: leaf.keyType == "RSA" && leaf.keyBits < 1024 ? .critical : nil)] : []
        },
        certificateRule("tls.cert.weak-signature", .high, vi: "Chứng thư ký bằng thuật toán băm yếu (SHA-1/MD5)", en: "Certificate signed with a weak hash (SHA-1/MD5)", fixVi: "Cấp lại chứng thư ký bằng SHA-256 trở lên (kể cả CA trung gian).", fixEn: "Reissue with a SHA-256 or stronger signature (intermediates too).") { cert, _ in
            let weak = cert.chain.filter { summary in
                let algorithm = summary.signatureAlgorithm.lowercased()
                let isRoot = summary.selfIssued && summary.isCA
                return !isRoot && (algorithm.contains("sha1") || algorithm.contains("md5") || algorithm.contains("md2"))
            }
            return weak.map { FindingDraft(subject: $0.sha256, evidence: "\($0.subject) is signed with \($0.signatureAlgorithm).") }
        },
        TLSRule(.tls(
            "tls.cert.ocsp-stapling-missing", .low, vi: "Chưa bật OCSP stapling", en: "OCSP stapling is not enabled",
            fixVi: "Bật OCSP stapling (nginx: ssl_stapling on; ssl_stapling_verify on; resolver …).",
            fixEn: "Enable OCSP stapling (nginx: ssl_stapling on; ssl_stapling_verify on; resolver …).", requirements: ["A06-04"]
        )) { tls, _, _ in
            guard let certificate = tls.certificate else { return .inconclusive("the certificate could not be read") }
            guard certificate.trusted else { return .notApplicable }  // stapling matters once the chain is public
            switch certificate.ocspStapled {
            case true?: return .pass
            case false?: return .fail([FindingDraft(subject: "ocsp", evidence: "No OCSP response was stapled to the handshake.")])
            case nil: return .inconclusive("stapling could not be observed")
            }
        },
    ]

    // MARK: handshake features (A06-02)

    static let featureRules: [TLSRule] = [
        TLSRule(.tls(
            "tls.renegotiation.insecure", .high, vi: "Không hỗ trợ thương lượng lại an toàn (RFC 5746)", en: "No secure renegotiation (RFC 5746)",
            fixVi: "Nâng cấp thư viện TLS lên phiên bản hỗ trợ RFC 5746.", fixEn: "Upgrade the TLS library to one that implements RFC 5746.",
            requirements: ["A06-02"], references: ["CVE-2009-3555"]
        )) { tls, _, _ in
            switch tls.secureRenegotiation {
            case true?: .pass
            case false?: .fail([FindingDraft(subject: "renegotiation", evidence: "The ServerHello carried no renegotiation_info extension.")])
            case nil: tls.protocols.supported == [.tls13] ? .notApplicable : .inconclusive("no TLS ≤ 1.2 handshake completed")
            }
        },
        TLSRule(.tls(
            "tls.compression.enabled", .high, vi: "Bật nén TLS (CRIME)", en: "TLS compression enabled (CRIME)",
            fixVi: "Tắt nén ở tầng TLS (OpenSSL: SSL_OP_NO_COMPRESSION; nâng cấp máy chủ).", fixEn: "Disable TLS-level compression (OpenSSL: SSL_OP_NO_COMPRESSION; upgrade the server).",
            requirements: ["A06-02"], references: ["CVE-2012-4929"]
        )) { tls, _, _ in
            tls.compression == true ? .fail([FindingDraft(subject: "compression", evidence: "The server selected DEFLATE compression.")]) : .pass
        },
        TLSRule(.tls(
            "tls.fallback-scsv.missing", .medium, vi: "Không chống hạ cấp giao thức (TLS_FALLBACK_SCSV)", en: "No downgrade protection (TLS_FALLBACK_SCSV)",
            fixVi: "Nâng cấp thư viện TLS hỗ trợ RFC 7507, hoặc tắt các phiên bản giao thức cũ.", fixEn: "Use a TLS library that implements RFC 7507, or disable the old protocol versions.",
            requirements: ["A06-02"], references: ["RFC 7507"]
        )) { tls, _, _ in
            switch tls.fallbackSCSV {
            case true?: .pass
            case false?: .fail([FindingDraft(subject: "fallback-scsv", evidence: "A downgraded ClientHello carrying TLS_FALLBACK_SCSV was accepted.")])
            case nil: .notApplicable
            }
        },
    ]
}

/// Group strengths, shared with the probe's registry by name.
enum BuiltinGroups {
    static let bits: [String: Int] = [
        "sect163k1": 80, "sect163r1": 80, "sect163r2": 80, "sect193r1": 96, "sect193r2": 96, "sect233k1": 112,
        "sect233r1": 112, "sect239k1": 112, "secp160k1": 80, "secp160r1": 80, "secp160r2": 80, "secp192k1": 96,
        "secp192r1": 96, "secp224k1": 112, "secp224r1": 112, "ffdhe2048": 112,
    ]

    static func bits(_ name: String) -> Int? { bits[name] ?? 128 }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
