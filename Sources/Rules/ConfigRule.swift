public import SansangCore
import Foundation

/// A built-in rule over configuration facts. No config probe is not applicable; a failed one is
/// inconclusive. Rules over one dialect judge only when files of it were given, and a file of that
/// dialect that could not be parsed makes a clean result inconclusive (missing facts never pass).
public struct ConfigRule: Rule {
    public let meta: RuleMeta
    let judge: @Sendable (ConfigFacts, RuleSettings) -> RuleVerdict

    public init(_ meta: RuleMeta, judge: @escaping @Sendable (ConfigFacts, RuleSettings) -> RuleVerdict) {
        self.meta = meta
        self.judge = judge
    }

    public func evaluate(_ input: RuleInput) -> RuleVerdict {
        switch input.facts[ConfigFacts.self] {
        case nil: .notApplicable
        case .failed(let failure): .inconclusive(failure.reason)
        case .completed(let facts): judge(facts, input.settings)
        }
    }
}

extension RuleMeta {
    static func config(
        _ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String,
        requirements: [String], references: [String] = []
    ) -> RuleMeta {
        RuleMeta(
            id: id, severity: severity, title: Localized(vi: vi, en: en), remediation: Localized(vi: fixVi, en: fixEn),
            requirements: requirements, probe: "config", references: references
        )
    }
}

extension ConfigFacts {
    /// The verdict for a rule over one dialect: not applicable without such files, a failure when
    /// something was found, inconclusive when a file of the dialect could not be parsed.
    func verdict(_ kind: ConfigKind, _ drafts: [FindingDraft]) -> RuleVerdict {
        guard has(kind) else { return .notApplicable }
        if !drafts.isEmpty { return .fail(drafts) }
        let problems = errors(kind: kind)
        if !problems.isEmpty {
            return .inconclusive("\(problems.count) \(kind.rawValue) file problem(s): " + problems.prefix(3).map(\.description).joined(separator: "; "))
        }
        return .pass
    }
}

extension ConfigDirective {
    var lowerArguments: [String] { arguments.map { $0.lowercased() } }
}

/// Cipher-string judgement shared by nginx `ssl_ciphers` and Apache `SSLCipherSuite` (OpenSSL syntax).
enum CipherString {
    static let weakKeywords: Set<String> = ["ALL", "LOW", "MEDIUM", "EXPORT", "EXP", "NULL", "ENULL", "ANULL", "COMPLEMENTOFALL", "COMPLEMENTOFDEFAULT", "SSLV3", "RC4", "DES", "3DES", "MD5", "IDEA", "SEED", "RC2", "ADH", "AECDH", "EDH-DSS-DES-CBC3-SHA"]
    static let weakFragments = ["RC4", "DES-", "-DES", "3DES", "MD5", "IDEA", "SEED", "RC2", "ADH-", "AECDH-", "EXP-", "EXP1024", "NULL-", "-NULL", "ANON"]

    /// Elements of the cipher string that enable weak suites (exclusions `!x` and `-x` never do).
    static func weakElements(_ text: String) -> [String] {
        var out: [String] = []
        for element in text.split(whereSeparator: { ":, ".contains($0) }) {
            guard !element.hasPrefix("!"), !element.hasPrefix("-") else { continue }
            let name = element.hasPrefix("+") ? String(element.dropFirst()) : String(element)
            for part in name.split(separator: "+") {
                let upper = part.uppercased()
                if weakKeywords.contains(upper) || weakFragments.contains(where: { upper.contains($0) }) {
                    if !out.contains(name) { out.append(name) }
                }
            }
        }
        return out
    }
}
