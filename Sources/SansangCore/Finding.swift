public import Foundation

/// A judged weakness on one endpoint, ready to show, store and gate on.
public struct Finding: Codable, Sendable, Hashable {
    public var ruleId: String
    public var severity: Severity
    public var title: Localized
    public var remediation: Localized
    public var endpoint: Endpoint
    public var subject: String
    public var evidence: String
    public var requirements: [String]

    public init(rule: RuleMeta, draft: FindingDraft, endpoint: Endpoint) {
        self.ruleId = rule.id
        self.severity = draft.severity ?? rule.severity
        self.title = rule.title
        self.remediation = rule.remediation
        self.endpoint = endpoint
        self.subject = draft.subject
        self.evidence = draft.evidence
        self.requirements = rule.requirements
    }

    /// Stable identity across scans: rule, endpoint and subject (the system joins when an inventory names one).
    public func fingerprint(system: String = "") -> String {
        Self.fingerprint(ruleId: ruleId, system: system, host: endpoint.host, port: endpoint.port, subject: subject)
    }

    public static func fingerprint(ruleId: String, system: String, host: String, port: Int, subject: String) -> String {
        FNV.hex128([ruleId, system, host, String(port), subject].joined(separator: "\u{1F}"))
    }
}

/// A small non-cryptographic hash for stable fingerprints (not for secrets).
public enum FNV {
    public static func hex128(_ text: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in text.utf8 {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 0x9e37_79b9
        }
        return String(format: "%016llx%016llx", a, b)
    }
}
