public import Foundation

/// What every rule declares about itself: a stable id, how severe, what it means and how to fix it.
public struct RuleMeta: Codable, Sendable, Hashable {
    /// Stable forever, dotted by family: `tls.protocol.tls10`.
    public var id: String
    public var severity: Severity
    public var title: Localized
    public var remediation: Localized
    /// Readiness requirement ids this rule serves (`A06-02`).
    public var requirements: [String]
    /// The probe whose facts the rule reads (`tls`, `http`, …).
    public var probe: String
    public var references: [String]

    public init(
        id: String, severity: Severity, title: Localized, remediation: Localized,
        requirements: [String] = [], probe: String, references: [String] = []
    ) {
        self.id = id
        self.severity = severity
        self.title = title
        self.remediation = remediation
        self.requirements = requirements
        self.probe = probe
        self.references = references
    }
}

/// One thing a rule found wrong, before it becomes a stored finding.
public struct FindingDraft: Sendable, Hashable {
    /// What exactly is wrong, stable across scans (`TLSv1.0`, `TLS_RSA_WITH_RC4_128_SHA`); part of the fingerprint.
    public var subject: String
    /// What was seen, in words and values.
    public var evidence: String
    /// A severity other than the rule's, when the case is worse or milder.
    public var severity: Severity?

    public init(subject: String, evidence: String, severity: Severity? = nil) {
        self.subject = subject
        self.evidence = evidence
        self.severity = severity
    }
}

/// A rule's judgement of one endpoint. Missing facts never pass.
public enum RuleVerdict: Sendable, Hashable {
    case pass
    case fail([FindingDraft])
    case inconclusive(String)
    case notApplicable
}

/// What a rule sees: the endpoint, the facts, and the settings of this scan.
public struct RuleInput: Sendable {
    public var endpoint: Endpoint
    public var facts: FactSet
    public var settings: RuleSettings

    public init(endpoint: Endpoint, facts: FactSet, settings: RuleSettings) {
        self.endpoint = endpoint
        self.facts = facts
        self.settings = settings
    }
}

/// Knobs rules read: the clock (so results are reproducible), thresholds, the TLS policy.
public struct RuleSettings: Sendable {
    public var now: Date
    public var expiryWarningDays: Int
    public var tlsPolicy: String
    /// Ports a system may expose (the exposure policy); nil = the default, 80 and 443 only.
    public var allowedPorts: Set<Int>?

    public init(now: Date = Date(), expiryWarningDays: Int = 30, tlsPolicy: String = "csdlqg-level3") {
        self.now = now
        self.expiryWarningDays = expiryWarningDays
        self.tlsPolicy = tlsPolicy
    }
}

/// A check: a pure function from facts to a verdict. Rules never do I/O.
public protocol Rule: Sendable {
    var meta: RuleMeta { get }
    func evaluate(_ input: RuleInput) -> RuleVerdict
}
