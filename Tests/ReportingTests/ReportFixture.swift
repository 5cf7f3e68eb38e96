import Foundation
@testable import Reporting
import SansangCore

/// A fixed store view: two systems, a re-inspection, attestations, at a fixed date.
enum ReportFixture {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let reports = repository.appendingPathComponent("Reports").path
    static let date = ISO8601DateFormatter().date(from: "2026-02-05T03:00:00Z") ?? Date()

    static let profile = ReadinessProfile(
        id: "csdlqg-dc", version: "test",
        title: Localized(vi: "Bộ tiêu chí tham chiếu (thử)", en: "Reference profile (test)"),
        disclaimer: Localized(vi: "Bộ tiêu chí tham chiếu, không thay thế biên bản kiểm tra của cơ quan chức năng.", en: "A reference profile, not the authority's inspection record."),
        currentBasisFrom: ISO8601DateFormatter().date(from: "2026-08-19T00:00:00Z") ?? Date(),
        basis: [.init(topic: Localized(vi: "Luật An ninh mạng", en: "Cybersecurity law"), legacy: "Luật 24/2018/QH14", current: "Luật 116/2025/QH15")],
        groups: [
            .init(id: "A05", title: Localized(vi: "An ninh mạng", en: "Cybersecurity")),
            .init(id: "A06", title: Localized(vi: "Kỹ thuật, mật mã", en: "Technical, crypto")),
            .init(id: "C06", title: Localized(vi: "Kết nối dữ liệu dân cư", en: "Population-data connection")),
        ],
        requirements: [
            Requirement(id: "A05-08", group: "A05", severity: .low, title: Localized(vi: "Có HTTP security headers", en: "Security headers present"), methods: ["scan:http"], rules: ["http.header.csp.missing"], evidence: nil, legacyCitation: "TCVN 11930:2017 mục 7.2.3", currentCitation: "—", confidence: "GK", note: nil),
            Requirement(id: "A06-02", group: "A06", severity: .high, title: Localized(vi: "Chỉ hỗ trợ TLS 1.2/1.3", en: "TLS 1.2+ only"), methods: ["scan:tls"], rules: ["tls.protocol.*"], evidence: nil, legacyCitation: "—", currentCitation: "TCVN 14423:2026", confidence: "R", note: nil),
            Requirement(id: "A06-04", group: "A06", severity: .high, title: Localized(vi: "Chứng thư số hợp lệ", en: "Valid certificate"), methods: ["scan:tls"], rules: ["tls.cert.*"], evidence: nil, legacyCitation: "—", currentCitation: "—", confidence: "derived", note: nil),
            Requirement(id: "C06-01", group: "C06", severity: .critical, title: Localized(vi: "Đã phê duyệt cấp độ 3", en: "Level 3 approved"), methods: ["attestation"], rules: [], evidence: Localized(vi: "Quyết định phê duyệt", en: "Approval decision"), legacyCitation: "TT 46/2022/TT-BCA", currentCitation: "NĐ 331/2026/NĐ-CP", confidence: "S", note: nil),
        ],
        source: "fixture"
    )

    static func finding(_ id: Int64, _ rule: String, _ severity: Severity, _ title: String, due: Int) -> ReadinessFinding {
        ReadinessFinding(id: id, ruleID: rule, severity: severity, title: Localized(vi: title, en: title), endpoint: "127.0.0.1:8443", state: "open", dueAt: date.addingTimeInterval(TimeInterval(due) * 86400), evidence: "Evidence <for> \(rule), \"quoted\"")
    }

    static func system(_ id: String, findings: [ReadinessFinding], attested: Bool) -> ReportDocument.System {
        let attestations = attested ? [Attestation(id: 1, systemID: id, requirementID: "C06-01", kind: "control", statement: "Hồ sơ cấp độ 3 đã phê duyệt", document: "Quyết định 123/QĐ-UBND ngày 01/02/2024", file: "qd.pdf", sha256: "ab12cd34ef56ab12cd34", link: nil, attestedBy: "Nguyễn Văn A", attestedAt: date, expiresAt: nil, revokedAt: nil)] : []
        let scan = ScanEvidence(judgedRules: ["tls.protocol.sslv2", "tls.cert.expired", "http.header.csp.missing"], inconclusiveRules: [], scanID: 3, scanDate: date, complete: true)
        let readiness = ReadinessEvaluator.evaluate(profile: profile, system: id, findings: findings, scan: scan, attestations: attestations, now: date)
        let scans = (1...3).map { index in
            ReportDocument.Scan(id: Int64(index), startedAt: date.addingTimeInterval(TimeInterval(index - 3) * 86400 * 30), finishedAt: nil, status: "complete", findingCount: [9, 4, findings.count][index - 1], trigger: "cli", actor: "kỹ sư", policy: "csdlqg-level3", toolVersion: "0.1.0")
        }
        let comparison = ReportDocument.Comparison(
            fromScan: 1, toScan: 3,
            fixed: [.init(ruleID: "tls.cipher.rc4", title: Localized(vi: "Chấp nhận bộ mã RC4", en: "RC4 accepted"), endpoint: "127.0.0.1:8443", severity: .high)],
            new: [], stillOpen: findings.map { .init(ruleID: $0.ruleID, title: $0.title, endpoint: $0.endpoint, severity: $0.severity) }
        )
        return ReportDocument.System(id: id, name: "Hệ thống \(id.uppercased())", kind: id, owner: "Trung tâm CNTT", level: 3, endpoints: ["127.0.0.1:8443"], readiness: readiness, findings: findings, scans: scans, comparison: comparison)
    }

    static func document(_ language: Language) -> ReportDocument {
        ReportDocument(
            language: language, generatedAt: date,
            organization: .init(parent: "UBND tỉnh Demo", name: "Sở Khoa học và Công nghệ", abbreviation: "SKHCN", place: "Demo", draftingUnit: "TTCNTT"),
            authorization: .init(number: "01/QĐ-SKHCN", date: date, scope: "Rà soát kỹ thuật không xâm nhập"),
            profile: profile,
            systems: [
                system("lgsp", findings: [finding(11, "tls.protocol.tls10", .high, "Máy chủ còn hỗ trợ TLS 1.0", due: 30)], attested: true),
                system("tthc", findings: [finding(21, "http.header.csp.missing", .medium, "Thiếu tiêu đề Content-Security-Policy", due: 90)], attested: true),
            ],
            draft: true, toolVersion: "0.1.0", sourceHost: "test-host",
            recipients: ["UBND tỉnh Demo (để b/c)", "Công an tỉnh (PA05)", "Lưu: VT, TTCNTT"],
            signerAuthority: "KT. GIÁM ĐỐC", signerTitle: "PHÓ GIÁM ĐỐC", signerName: "Nguyễn Văn A"
        )
    }
}
