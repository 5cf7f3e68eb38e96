public import SansangCore
import Foundation

/// A rule loaded from `Checks/rules/**/*.yaml` (see `DeclarativeRuleSpec`), evaluated over the
/// facts as JSON (`FactSet.jsonObject()`). A path's first component is the probe: no such probe is
/// not applicable, a failed probe is inconclusive, as for the built-in rules.
public struct DeclarativeRule: Rule {
    public let spec: DeclarativeRuleSpec
    public var meta: RuleMeta { spec.meta }

    public init(_ spec: DeclarativeRuleSpec) {
        self.spec = spec
    }

    public func evaluate(_ input: RuleInput) -> RuleVerdict {
        let tree: [String: JSONValue]
        do { tree = try input.facts.jsonObject() } catch { return .inconclusive("the facts could not be encoded: \(error)") }
        guard let entry = tree[spec.facts.probe] else { return .notApplicable }
        if case .string("failed")? = entry[path: ["status"]] {
            if case .string(let reason)? = entry[path: ["failure", "reason"]] { return .inconclusive(reason) }
            return .inconclusive("the \(spec.facts.probe) probe failed")
        }
        let facts = FactTree(tree: tree)
        let value = facts.value(spec.facts)
        switch Self.match(spec.matcher, value, facts) {
        case true?:
            return .fail([FindingDraft(subject: facts.render(spec.subject, value: value), evidence: facts.render(spec.evidence, value: value))])
        case false?:
            return .pass
        case nil:
            switch spec.whenMissing {
            case .pass: return .pass
            case .notApplicable: return .notApplicable
            case .fail: return .fail([FindingDraft(subject: facts.render(spec.subject, value: value), evidence: facts.render(spec.evidence, value: value))])
            case .inconclusive:
                return .inconclusive(facts.render(spec.missingReason ?? "\(spec.facts) is not in the facts", value: value))
            }
        }
    }

    /// True (the bad case), false, or nil when a value the matcher needs is not there.
    static func match(_ matcher: FactMatcher, _ value: JSONValue?, _ facts: FactTree) -> Bool? {
        switch matcher {
        case .exists: return value != nil
        case .absent: return value == nil
        case .equals(let expected): return any(value) { $0 == expected || loosely($0, expected) }
        case .oneOf(let options): return any(value) { item in options.contains { $0 == item || loosely(item, $0) } }
        case .matches(let pattern):
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
            return any(value) { item in
                guard let text = scalarText(item) else { return false }
                return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            }
        case .lessThan(let bound): return any(value) { number($0).map { $0 < bound } ?? false }
        case .greaterThan(let bound): return any(value) { number($0).map { $0 > bound } ?? false }
        case .versionBelow(let version): return any(value) { item in scalarText(item).map { compareVersions($0, version) < 0 } ?? false }
        case .all(let matchers):
            var unknown = false
            for inner in matchers {
                switch match(inner, value, facts) {
                case false?: return false
                case nil: unknown = true
                case true?: continue
                }
            }
            return unknown ? nil : true
        case .any(let matchers):
            var unknown = false
            for inner in matchers {
                switch match(inner, value, facts) {
                case true?: return true
                case nil: unknown = true
                case false?: continue
                }
            }
            return unknown ? nil : false
        case .at(let path, let inner): return match(inner, facts.value(path), facts)
        case .negative(let inner): return match(inner, value, facts).map { !$0 }
        }
    }

    /// nil when the value is missing; on a list, true when any element satisfies the test.
    static func any(_ value: JSONValue?, _ test: (JSONValue) -> Bool) -> Bool? {
        guard let value else { return nil }
        if case .array(let items) = value { return items.contains(where: test) }
        return test(value)
    }

    /// YAML `on`/`1.0` against JSON text: numbers and booleans also equal their text.
    static func loosely(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.string(let text), .number(let value)), (.number(let value), .string(let text)): return Double(text) == value
        default: return false
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number
        case .string(let text): Double(text)
        default: nil
        }
    }

    static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): String(flag)
        default: nil
        }
    }

    /// Compares dotted versions numerically (`1.22.1` < `1.23`); non-numeric parts compare as text.
    static func compareVersions(_ a: String, _ b: String) -> Int {
        func parts(_ text: String) -> [Substring] { text.split { !$0.isLetter && !$0.isNumber } }
        let left = parts(a), right = parts(b)
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? left[index] : "0"
            let r = index < right.count ? right[index] : "0"
            if let x = Int(l), let y = Int(r) {
                if x != y { return x < y ? -1 : 1 }
            } else if l != r {
                return l < r ? -1 : 1
            }
        }
        return 0
    }
}

/// The facts as JSON, read by path (`tls.protocols["TLSv1.0"]` reads `tls` → `facts` → …).
struct FactTree {
    let tree: [String: JSONValue]

    func value(_ path: FactPath) -> JSONValue? {
        guard let entry = tree[path.probe] else { return nil }
        let found = entry[path: ["facts"] + path.components.dropFirst()]
        if case .null? = found { return nil }
        return found
    }

    /// Replaces `{{value}}` and `{{path}}` / `{{path | default}}` in a template.
    func render(_ template: String, value: JSONValue?) -> String {
        var out = ""
        var rest = Substring(template)
        var guardCount = 0
        while let open = rest.range(of: "{{"), guardCount < 64 {
            guardCount += 1
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { rest = rest[open.lowerBound...]; break }
            let expression = rest[open.upperBound..<close.lowerBound]
            let parts = expression.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let name = parts.first ?? ""
            let fallback = parts.count > 1 ? parts[1] : ""
            let resolved: JSONValue? = name == "value" ? value : (try? FactPath.parse(name)).flatMap { self.value($0) }
            out += resolved.map(Self.text) ?? fallback
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    static func text(_ value: JSONValue) -> String {
        if let scalar = DeclarativeRule.scalarText(value) { return scalar }
        switch value {
        case .array(let items): return items.map(text).joined(separator: ", ")
        case .null: return "null"
        default:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }
}
