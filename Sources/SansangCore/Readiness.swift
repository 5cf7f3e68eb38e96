public import Foundation

/// A readiness profile: requirements grouped A05 / A06 / C06, each met by rules and/or attestations.
public struct ReadinessProfile: Sendable, Hashable {
    public struct Group: Sendable, Hashable {
        public var id: String
        public var title: Localized
        public init(id: String, title: Localized) { self.id = id; self.title = title }
    }

    public struct BasisRow: Sendable, Hashable {
        public var topic: Localized
        public var legacy: String
        public var current: String
        public init(topic: Localized, legacy: String, current: String) { self.topic = topic; self.legacy = legacy; self.current = current }
    }

    public var id: String
    public var version: String
    public var title: Localized
    public var disclaimer: Localized
    /// Reports dated from this day cite the current legal basis.
    public var currentBasisFrom: Date
    public var basis: [BasisRow]
    public var groups: [Group]
    public var requirements: [Requirement]
    public var source: String

    public init(id: String, version: String, title: Localized, disclaimer: Localized, currentBasisFrom: Date, basis: [BasisRow], groups: [Group], requirements: [Requirement], source: String) {
        self.id = id
        self.version = version
        self.title = title
        self.disclaimer = disclaimer
        self.currentBasisFrom = currentBasisFrom
        self.basis = basis
        self.groups = groups
        self.requirements = requirements
        self.source = source
    }
}

/// One requirement of a profile.
public struct Requirement: Sendable, Hashable {
    public var id: String
    public var group: String
    public var severity: Severity
    public var title: Localized
    /// `scan:tls`, `scan:http`, `scan:port`, `config:nginx`, `config:sshd`, `attestation`.
    public var methods: [String]
    /// Rule ids, or prefixes ending in `*`.
    public var rules: [String]
    /// The documents that prove an attested control.
    public var evidence: Localized?
    public var legacyCitation: String
    public var currentCitation: String
    public var confidence: String
    public var note: String?

    public init(id: String, group: String, severity: Severity, title: Localized, methods: [String], rules: [String], evidence: Localized?, legacyCitation: String, currentCitation: String, confidence: String, note: String?) {
        self.id = id
        self.group = group
        self.severity = severity
        self.title = title
        self.methods = methods
        self.rules = rules
        self.evidence = evidence
        self.legacyCitation = legacyCitation
        self.currentCitation = currentCitation
        self.confidence = confidence
        self.note = note
    }

    public var needsAttestation: Bool { methods.contains("attestation") }
    public var machineChecked: Bool { methods.contains { $0 != "attestation" } && !rules.isEmpty }

    public func covers(rule id: String) -> Bool {
        rules.contains { pattern in
            pattern.hasSuffix("*") ? id.hasPrefix(String(pattern.dropLast())) : id == pattern
        }
    }
}

/// Đạt / Không đạt / Chưa đánh giá / Không áp dụng.
public enum RequirementStatus: String, Codable, Sendable, CaseIterable {
    case met, notMet = "not_met", notAssessed = "not_assessed", notApplicable = "not_applicable"

    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.met, .vi): "Đạt"
        case (.notMet, .vi): "Không đạt"
        case (.notAssessed, .vi): "Chưa đánh giá"
        case (.notApplicable, .vi): "Không áp dụng"
        case (.met, .en): "Met"
        case (.notMet, .en): "Not met"
        case (.notAssessed, .en): "Not assessed"
        case (.notApplicable, .en): "Not applicable"
        }
    }
}

/// ĐẠT / ĐẠT CÓ ĐIỀU KIỆN / CHƯA ĐẠT.
public enum ReadinessVerdict: String, Codable, Sendable {
    case ready, conditional, notReady = "not_ready"

    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.ready, .vi): "ĐẠT"
        case (.conditional, .vi): "ĐẠT CÓ ĐIỀU KIỆN"
        case (.notReady, .vi): "CHƯA ĐẠT"
        case (.ready, .en): "READY"
        case (.conditional, .en): "READY WITH CONDITIONS"
        case (.notReady, .en): "NOT READY"
        }
    }
}

/// A finding as readiness sees it.
public struct ReadinessFinding: Sendable, Hashable, Codable {
    public var id: Int64
    public var ruleID: String
    public var severity: Severity
    public var title: Localized
    public var endpoint: String
    public var state: String
    public var dueAt: Date?
    public var evidence: String

    public init(id: Int64, ruleID: String, severity: Severity, title: Localized, endpoint: String, state: String, dueAt: Date?, evidence: String) {
        self.id = id
        self.ruleID = ruleID
        self.severity = severity
        self.title = title
        self.endpoint = endpoint
        self.state = state
        self.dueAt = dueAt
        self.evidence = evidence
    }

    public var isAcceptedRisk: Bool { state == "risk_accepted" }
}

/// An attested control (or a declaration that a requirement does not apply), with its evidence.
public struct Attestation: Sendable, Hashable, Codable {
    public var id: Int64
    public var systemID: String
    public var requirementID: String
    /// `control` or `not-applicable`.
    public var kind: String
    public var statement: String
    public var document: String?
    public var file: String?
    public var sha256: String?
    public var link: String?
    public var attestedBy: String
    public var attestedAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(id: Int64, systemID: String, requirementID: String, kind: String, statement: String, document: String?, file: String?, sha256: String?, link: String?, attestedBy: String, attestedAt: Date, expiresAt: Date?, revokedAt: Date?) {
        self.id = id
        self.systemID = systemID
        self.requirementID = requirementID
        self.kind = kind
        self.statement = statement
        self.document = document
        self.file = file
        self.sha256 = sha256
        self.link = link
        self.attestedBy = attestedBy
        self.attestedAt = attestedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public func isValid(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }
}

/// What readiness needs to know about a system's most recent scan.
public struct ScanEvidence: Sendable, Hashable {
    /// Rules judged (passed or failed) in the latest scan of the system.
    public var judgedRules: Set<String>
    /// Rules that could not decide.
    public var inconclusiveRules: Set<String>
    public var scanID: Int64?
    public var scanDate: Date?
    public var complete: Bool

    public init(judgedRules: Set<String>, inconclusiveRules: Set<String>, scanID: Int64?, scanDate: Date?, complete: Bool) {
        self.judgedRules = judgedRules
        self.inconclusiveRules = inconclusiveRules
        self.scanID = scanID
        self.scanDate = scanDate
        self.complete = complete
    }
}

public struct RequirementResult: Sendable, Hashable {
    public var requirement: Requirement
    public var status: RequirementStatus
    public var findings: [ReadinessFinding]
    public var acceptedRisks: [ReadinessFinding]
    public var attestations: [Attestation]
    public var reason: Localized
    /// The earliest due date among its open findings.
    public var dueAt: Date?
}

public struct ReadinessResult: Sendable, Hashable {
    public var systemID: String
    public var profile: ReadinessProfile
    public var evaluatedAt: Date
    public var requirements: [RequirementResult]
    public var verdict: ReadinessVerdict
    public var reasons: [Localized]

    public func count(_ status: RequirementStatus, group: String? = nil) -> Int {
        requirements.filter { $0.status == status && (group == nil || $0.requirement.group == group) }.count
    }
}

/// Evaluates a profile against the store's view of one system. Pure: same inputs, same result.
public enum ReadinessEvaluator {
    public static func evaluate(
        profile: ReadinessProfile, system: String, findings: [ReadinessFinding], scan: ScanEvidence,
        attestations: [Attestation], now: Date
    ) -> ReadinessResult {
        var results: [RequirementResult] = []
        for requirement in profile.requirements {
            let mine = attestations.filter { $0.requirementID == requirement.id && $0.systemID == system && $0.isValid(at: now) }
            let matching = findings.filter { requirement.covers(rule: $0.ruleID) }
            let open = matching.filter { !$0.isAcceptedRisk }
            let accepted = matching.filter(\.isAcceptedRisk)
            var result = RequirementResult(
                requirement: requirement, status: .notAssessed, findings: open, acceptedRisks: accepted, attestations: mine,
                reason: Localized(vi: "", en: ""), dueAt: open.compactMap(\.dueAt).min()
            )
            if let notApplicable = mine.first(where: { $0.kind == "not-applicable" }) {
                result.status = .notApplicable
                result.reason = Localized(vi: "Không áp dụng: \(notApplicable.statement)", en: "Not applicable: \(notApplicable.statement)")
                results.append(result)
                continue
            }
            let judged = scan.judgedRules.contains { requirement.covers(rule: $0) }
            let machine: RequirementStatus
            if !requirement.machineChecked {
                machine = .notAssessed
            } else if !open.isEmpty {
                machine = .notMet
            } else if judged {
                machine = .met
            } else {
                machine = .notAssessed
            }
            let attested = mine.contains { $0.kind == "control" }
            switch (requirement.machineChecked, requirement.needsAttestation) {
            case (true, false):
                result.status = machine
            case (false, _):
                result.status = attested ? .met : .notAssessed
            case (true, true):
                result.status = machine == .notMet ? .notMet : (attested ? .met : .notAssessed)
            }
            result.reason = reason(for: result, machine: machine, attested: attested, judged: judged)
            results.append(result)
        }
        let (verdict, reasons) = verdict(results)
        return ReadinessResult(systemID: system, profile: profile, evaluatedAt: now, requirements: results, verdict: verdict, reasons: reasons)
    }

    static func reason(for result: RequirementResult, machine: RequirementStatus, attested: Bool, judged: Bool) -> Localized {
        let requirement = result.requirement
        switch result.status {
        case .notMet:
            let rules = Set(result.findings.map(\.ruleID)).sorted().joined(separator: ", ")
            return Localized(vi: "\(result.findings.count) phát hiện còn mở (\(rules))", en: "\(result.findings.count) open finding(s) (\(rules))")
        case .met:
            var vi: [String] = []
            var en: [String] = []
            if requirement.machineChecked && machine == .met { vi.append("quét kỹ thuật không phát hiện vi phạm"); en.append("the scan found no violation") }
            if attested { vi.append("có chứng cứ xác nhận"); en.append("attested with evidence") }
            if !result.acceptedRisks.isEmpty { vi.append("\(result.acceptedRisks.count) rủi ro được chấp nhận"); en.append("\(result.acceptedRisks.count) accepted risk(s)") }
            return Localized(vi: vi.joined(separator: "; ").capitalizedFirst, en: en.joined(separator: "; ").capitalizedFirst)
        case .notAssessed:
            if requirement.needsAttestation && !attested && (!requirement.machineChecked || machine != .notMet) {
                return Localized(vi: "Chưa có chứng cứ xác nhận" + (requirement.machineChecked && !judged ? " và chưa được quét" : ""), en: "No attestation yet" + (requirement.machineChecked && !judged ? " and not scanned" : ""))
            }
            return Localized(vi: "Chưa có kết quả quét cho các quy tắc của yêu cầu này", en: "No scan result yet for this requirement's rules")
        case .notApplicable:
            return result.reason
        }
    }

    static func verdict(_ results: [RequirementResult]) -> (ReadinessVerdict, [Localized]) {
        var reasons: [Localized] = []
        let blockingNotMet = results.filter { $0.status == .notMet && $0.requirement.severity >= .high }
        let blockingUnassessed = results.filter { $0.status == .notAssessed && $0.requirement.severity >= .high }
        let minorNotMet = results.filter { $0.status == .notMet && $0.requirement.severity < .high }
        let minorUnassessed = results.filter { $0.status == .notAssessed && $0.requirement.severity < .high }
        let accepted = results.filter { !$0.acceptedRisks.isEmpty }
        if !blockingNotMet.isEmpty {
            let ids = blockingNotMet.map(\.requirement.id).joined(separator: ", ")
            reasons.append(Localized(vi: "\(blockingNotMet.count) yêu cầu mức nghiêm trọng/cao không đạt: \(ids)", en: "\(blockingNotMet.count) critical/high requirement(s) not met: \(ids)"))
        }
        if !blockingUnassessed.isEmpty {
            let ids = blockingUnassessed.map(\.requirement.id).joined(separator: ", ")
            reasons.append(Localized(vi: "\(blockingUnassessed.count) yêu cầu mức nghiêm trọng/cao chưa được đánh giá (thiếu kết quả quét hoặc chứng cứ): \(ids)", en: "\(blockingUnassessed.count) critical/high requirement(s) not assessed (no scan result or evidence): \(ids)"))
        }
        if !minorNotMet.isEmpty {
            let items = minorNotMet.map { result in result.requirement.id + (result.dueAt.map { " (hạn \(Self.day($0)))" } ?? "") }.joined(separator: ", ")
            let itemsEn = minorNotMet.map { result in result.requirement.id + (result.dueAt.map { " (due \(Self.day($0)))" } ?? "") }.joined(separator: ", ")
            reasons.append(Localized(vi: "\(minorNotMet.count) yêu cầu mức trung bình/thấp không đạt, phải khắc phục theo hạn: \(items)", en: "\(minorNotMet.count) medium/low requirement(s) not met, to fix by their due dates: \(itemsEn)"))
        }
        if !minorUnassessed.isEmpty {
            reasons.append(Localized(vi: "\(minorUnassessed.count) yêu cầu mức trung bình/thấp chưa được đánh giá", en: "\(minorUnassessed.count) medium/low requirement(s) not assessed"))
        }
        if !accepted.isEmpty {
            reasons.append(Localized(vi: "Rủi ro được chấp nhận có thời hạn tại: \(accepted.map(\.requirement.id).joined(separator: ", "))", en: "Time-limited accepted risks under: \(accepted.map(\.requirement.id).joined(separator: ", "))"))
        }
        if !blockingNotMet.isEmpty || !blockingUnassessed.isEmpty { return (.notReady, reasons) }
        if !minorNotMet.isEmpty || !minorUnassessed.isEmpty || !accepted.isEmpty { return (.conditional, reasons) }
        return (.ready, [Localized(vi: "Mọi yêu cầu đều đạt hoặc không áp dụng", en: "Every requirement is met or not applicable")])
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        formatter.dateFormat = "dd/MM/yyyy"
        return formatter.string(from: date)
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
