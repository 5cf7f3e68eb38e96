public import SansangCore

/// A built-in rule over TLS facts. Missing facts never pass: a failed probe is inconclusive.
public struct TLSRule: Rule {
    public let meta: RuleMeta
    let judge: @Sendable (TLSFacts, RuleSettings, Endpoint) -> RuleVerdict

    public init(_ meta: RuleMeta, judge: @escaping @Sendable (TLSFacts, RuleSettings, Endpoint) -> RuleVerdict) {
        self.meta = meta
        self.judge = judge
    }

    public func evaluate(_ input: RuleInput) -> RuleVerdict {
        switch input.facts[TLSFacts.self] {
        case nil: .notApplicable
        case .failed(let failure): .inconclusive(failure.reason)
        case .completed(let facts): judge(facts, input.settings, input.endpoint)
        }
    }
}

extension RuleMeta {
    static func tls(
        _ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String,
        requirements: [String], references: [String] = []
    ) -> RuleMeta {
        RuleMeta(
            id: id, severity: severity, title: Localized(vi: vi, en: en), remediation: Localized(vi: fixVi, en: fixEn),
            requirements: requirements, probe: "tls", references: references
        )
    }
}

/// Formats a list of suites for evidence, grouped by protocol.
func suiteEvidence(_ tls: TLSFacts, where predicate: (CipherSuiteFact) -> Bool) -> (names: [String], text: String) {
    var names: [String] = []
    var parts: [String] = []
    for version in TLSVersion.allCases {
        let matching = (tls.cipherSuites[version.rawValue] ?? []).filter(predicate)
        guard !matching.isEmpty else { continue }
        for suite in matching where !names.contains(suite.name) { names.append(suite.name) }
        parts.append("\(version.rawValue): " + matching.map { "\($0.name) (\($0.code))" }.joined(separator: ", "))
    }
    return (names, parts.joined(separator: "; "))
}
