public import SansangCore
import Foundation

/// Rules over the client certificate and key a system uses to call the national platform (C06-05).
public enum ClientCertificateRules {
    static func rule(
        _ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String,
        _ judge: @escaping @Sendable (ClientCertificateFacts, RuleSettings) -> RuleVerdict
    ) -> ConfigRule {
        ConfigRule(RuleMeta(
            id: id, severity: severity, title: Localized(vi: vi, en: en), remediation: Localized(vi: fixVi, en: fixEn),
            requirements: ["C06-05"], probe: "config"
        )) { config, settings in
            guard let certificate = config.clientCertificate else { return .notApplicable }
            return judge(certificate, settings)
        }
    }

    /// The certificate, or why the rule cannot judge.
    static func leaf(_ facts: ClientCertificateFacts) -> Result<CertificateSummary, Unreadable> {
        if let certificate = facts.certificate { return .success(certificate) }
        return .failure(Unreadable(reason: "the client certificate could not be read: \(facts.certificateError ?? "unknown reason")"))
    }

    struct Unreadable: Error {
        let reason: String
    }

    static func describe(_ certificate: CertificateSummary) -> String {
        "Subject \(certificate.subject); issuer \(certificate.issuer); valid \(TLSRules.iso(certificate.notBefore)) to \(TLSRules.iso(certificate.notAfter))"
    }

    static let renewVi = "Đề nghị cấp lại chứng thư số máy khách cho hệ thống kết nối (đúng mục đích clientAuth, khóa RSA ≥ 2048 hoặc ECDSA P-256), cài đặt cùng khóa riêng tương ứng."
    static let renewEn = "Request a new client certificate for the connecting system (clientAuth usage, RSA 2048+ or ECDSA P-256 key) and install it with its matching private key."

    public static let all: [ConfigRule] = [
        rule("cert.client.unreadable", .high, vi: "Không đọc được chứng thư số hoặc khóa riêng dùng để kết nối", en: "The client certificate or key cannot be read",
             fixVi: "Kiểm tra đường dẫn trong inventory (clientCertificate) và định dạng PEM; khóa riêng không được mã hóa bằng mật khẩu nếu dịch vụ tự nạp khóa.",
             fixEn: "Check the paths in the inventory (clientCertificate) and the PEM format; the key must not be passphrase-protected if the service loads it unattended.") { facts, _ in
            var drafts: [FindingDraft] = []
            if let error = facts.certificateError { drafts.append(FindingDraft(subject: facts.certPath, evidence: error)) }
            if let error = facts.keyError, let key = facts.keyPath { drafts.append(FindingDraft(subject: key, evidence: error)) }
            return drafts.isEmpty ? .pass : .fail(drafts)
        },
        rule("cert.client.expired", .critical, vi: "Chứng thư số máy khách đã hết hạn hoặc chưa có hiệu lực", en: "The client certificate has expired or is not yet valid",
             fixVi: renewVi, fixEn: renewEn) { facts, settings in
            switch leaf(facts) {
            case .failure(let problem): return .inconclusive(problem.reason)
            case .success(let certificate):
                if certificate.notAfter < settings.now {
                    return .fail([FindingDraft(subject: certificate.sha256, evidence: describe(certificate) + "; expired \(Int(settings.now.timeIntervalSince(certificate.notAfter) / 86400)) day(s) ago (\(facts.certPath))")])
                }
                if certificate.notBefore > settings.now {
                    return .fail([FindingDraft(subject: certificate.sha256, evidence: describe(certificate) + "; not valid yet (\(facts.certPath))", severity: .high)])
                }
                return .pass
            }
        },
        rule("cert.client.expiring-soon", .medium, vi: "Chứng thư số máy khách sắp hết hạn", en: "The client certificate expires soon",
             fixVi: renewVi, fixEn: renewEn) { facts, settings in
            switch leaf(facts) {
            case .failure(let problem): return .inconclusive(problem.reason)
            case .success(let certificate):
                guard certificate.notAfter >= settings.now else { return .pass }
                let days = Int(certificate.notAfter.timeIntervalSince(settings.now) / 86400)
                guard days < settings.expiryWarningDays else { return .pass }
                return .fail([FindingDraft(subject: certificate.sha256, evidence: "Expires in \(days) day(s) (threshold \(settings.expiryWarningDays)); " + describe(certificate), severity: days < 7 ? .high : nil)])
            }
        },
        rule("cert.client.no-client-auth", .high, vi: "Chứng thư số máy khách không có mục đích xác thực máy khách (clientAuth)", en: "The client certificate lacks the clientAuth extended key usage",
             fixVi: renewVi, fixEn: renewEn) { facts, _ in
            switch leaf(facts) {
            case .failure(let problem): return .inconclusive(problem.reason)
            case .success(let certificate):
                guard facts.extendedKeyUsagePresent else { return .pass }  // no extension: any usage
                if certificate.extendedKeyUsage.contains("clientAuth") { return .pass }
                return .fail([FindingDraft(subject: certificate.sha256, evidence: "extendedKeyUsage: \(certificate.extendedKeyUsage.joined(separator: ", ").nonEmptyOr("none recognised")); " + describe(certificate))])
            }
        },
        rule("cert.client.weak-key", .high, vi: "Khóa của chứng thư số máy khách quá yếu (RSA < 2048, ECDSA < 256 bit)", en: "Weak client certificate key (RSA under 2048, ECDSA under 256 bits)",
             fixVi: renewVi, fixEn: renewEn) { facts, _ in
            switch leaf(facts) {
            case .failure(let problem): return .inconclusive(problem.reason)
            case .success(let certificate):
                let weak = (certificate.keyType == "RSA" && certificate.keyBits < 2048) || (certificate.keyType == "EC" && certificate.keyBits < 256) || certificate.keyType == "DSA"
                return weak ? .fail([FindingDraft(subject: certificate.sha256, evidence: "\(certificate.keyType) \(certificate.keyBits) bits; " + describe(certificate))]) : .pass
            }
        },
        rule("cert.client.key-mismatch", .critical, vi: "Khóa riêng không khớp với chứng thư số máy khách", en: "The private key does not match the client certificate",
             fixVi: "Cài đúng cặp chứng thư và khóa riêng (so sánh bằng openssl x509 -noout -pubkey và openssl pkey -pubout).",
             fixEn: "Install the matching certificate and key pair (compare openssl x509 -noout -pubkey with openssl pkey -pubout).") { facts, _ in
            guard facts.keyPath != nil else { return .notApplicable }
            switch facts.keyMatches {
            case true?: return .pass
            case false?: return .fail([FindingDraft(subject: facts.keyPath ?? facts.certPath, evidence: "\(facts.keyPath ?? "") (\(facts.keyType ?? "?") \(facts.keyBits ?? 0) bits) is not the key of \(facts.certPath)")])
            case nil: return .inconclusive(facts.keyError ?? facts.certificateError ?? "the key or certificate could not be read")
            }
        },
        rule("cert.client.untrusted", .high, vi: "Chứng thư số máy khách không xây dựng được chuỗi tới CA được chỉ định", en: "The client certificate does not chain to the expected CA",
             fixVi: "Dùng chứng thư do CA được nền tảng quốc gia chấp nhận cấp; đặt kèm CA trung gian trong tệp chứng thư.",
             fixEn: "Use a certificate issued by the CA the national platform accepts; put the intermediates in the certificate file.") { facts, _ in
            guard facts.caPath != nil else { return .notApplicable }
            switch facts.trusted {
            case true?: return .pass
            case false?: return .fail([FindingDraft(subject: facts.certificate?.sha256 ?? facts.certPath, evidence: "OpenSSL: \(facts.verifyError ?? "verification failed") against \(facts.caPath ?? ""); " + (facts.certificate.map(describe) ?? ""))])
            case nil: return .inconclusive(facts.certificateError ?? "the certificate could not be verified")
            }
        },
        rule("cert.client.key-permissions", .high, vi: "Tệp khóa riêng của chứng thư máy khách có quyền truy cập rộng hơn 0600", en: "The client private key file is readable beyond its owner (wider than 0600)",
             fixVi: "chmod 600 <tệp khóa>; chown cho tài khoản dịch vụ; không để khóa trong thư mục web.",
             fixEn: "chmod 600 <key file>; chown it to the service account; keep it out of web roots.") { facts, _ in
            guard let keyPath = facts.keyPath else { return .notApplicable }
            guard let mode = facts.keyFileMode, let bits = Int(mode, radix: 8) else { return .inconclusive("the permissions of \(keyPath) could not be read") }
            return bits & 0o077 == 0 ? .pass : .fail([FindingDraft(subject: keyPath, evidence: "\(keyPath) has mode \(mode) (owner uid \(facts.keyFileOwner.map(String.init) ?? "?"))")])
        },
    ]
}
