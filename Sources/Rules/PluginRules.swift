public import SansangCore

/// Findings that external plugins raise, and `plugin.error` for plugins that failed.
public enum PluginRules {
    public static let error = PluginErrorRule()

    /// A plugin finding's id, namespaced so no plugin can speak for a built-in rule: `plugin.<name>.<id>`.
    public static func ruleId(plugin: String, id: String) -> String {
        id.hasPrefix("plugin.\(plugin).") ? id : "plugin.\(plugin).\(id)"
    }

    /// The findings plugins raised on this endpoint, as findings of rules named after them.
    public static func findings(_ facts: FactSet, endpoint: Endpoint) -> [Finding] {
        guard let plugins = facts[PluginFacts.self]?.facts else { return [] }
        var out: [Finding] = []
        for (name, result) in plugins.results.sorted(by: { $0.key < $1.key }) {
            for finding in result.findings {
                let meta = RuleMeta(
                    id: ruleId(plugin: name, id: finding.id), severity: finding.severity, title: finding.title,
                    remediation: finding.remediation, requirements: finding.requirements, probe: "plugin", references: [result.path]
                )
                out.append(Finding(rule: meta, draft: FindingDraft(subject: finding.subject, evidence: finding.evidence), endpoint: endpoint))
            }
        }
        return out
    }
}

/// `plugin.error`: a plugin crashed, hung, printed something that is not JSON lines, or too much.
public struct PluginErrorRule: Rule {
    public let meta = RuleMeta(
        id: "plugin.error", severity: .medium,
        title: Localized(vi: "Plugin kiểm tra bên ngoài bị lỗi", en: "An external check plugin failed"),
        remediation: Localized(
            vi: "Sửa plugin theo docs/plugins.md: đọc JSON từ stdin, in mỗi dòng một đối tượng JSON {\"fact\": …} hoặc {\"finding\": …}, kết thúc với mã 0 trong thời hạn cho phép.",
            en: "Fix the plugin as docs/plugins.md describes: read JSON on stdin, print one JSON object per line ({\"fact\": …} or {\"finding\": …}), exit 0 within the time limit."
        ),
        requirements: [], probe: "plugin"
    )

    public init() {}

    public func evaluate(_ input: RuleInput) -> RuleVerdict {
        switch input.facts[PluginFacts.self] {
        case nil: return .notApplicable
        case .failed(let failure): return .inconclusive(failure.reason)
        case .completed(let facts):
            let drafts = facts.results.sorted { $0.key < $1.key }.compactMap { name, result in
                result.error.map { FindingDraft(subject: name, evidence: "\(result.path): \($0)") }
            }
            return drafts.isEmpty ? .pass : .fail(drafts)
        }
    }
}
