public import Foundation
public import SansangCore
import Yams

/// Reads declarative rules (`Checks/rules/**/*.yaml`, one rule per file) and validates every field
/// at load: unknown keys, missing titles, a bad fact path or regex, an unknown matcher are errors
/// naming `file:line:column: field: problem`. Loading a directory collects every error instead of
/// stopping at the first, for `sansang checks validate`.
public enum DeclarativeRuleLoader {
    public static let maxFiles = 2000

    /// Every rule of a directory tree and every error met (duplicate ids included).
    public static func load(directory: String) -> (rules: [DeclarativeRuleSpec], errors: [SansangError]) {
        var rules: [DeclarativeRuleSpec] = []
        var errors: [SansangError] = []
        var firstSeen: [String: String] = [:]
        let files = ruleFiles(in: directory)
        if files.count > maxFiles {
            errors.append(SansangError(.configuration, "\(directory): more than \(maxFiles) rule files; only the first \(maxFiles) were read"))
        }
        for path in files.prefix(maxFiles) {
            do {
                let rule = try load(path: path)
                if let previous = firstSeen[rule.meta.id] {
                    errors.append(SansangError(.configuration, "\(rule.source): id: duplicate rule id '\(rule.meta.id)' (first in \(previous))"))
                    continue
                }
                firstSeen[rule.meta.id] = rule.source
                rules.append(rule)
            } catch {
                errors.append(error)
            }
        }
        return (rules, errors)
    }

    /// `*.yaml` and `*.yml` files under a directory, sorted.
    public static func ruleFiles(in directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var out: [String] = []
        while let relative = enumerator.nextObject() as? String, out.count <= maxFiles {
            guard relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") else { continue }
            out.append(URL(fileURLWithPath: directory).appendingPathComponent(relative).path)
        }
        return out.sorted()
    }

    public static func load(path: String) throws(SansangError) -> DeclarativeRuleSpec {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SansangError(.configuration, "\(path): cannot read the rule (\(error.localizedDescription))")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws(SansangError) -> DeclarativeRuleSpec {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw SansangError(.configuration, "\(source): the rule file is empty") }
            root = node
        } catch let error as SansangError {
            throw error
        } catch let error as YamlError {
            throw SansangError(.configuration, "\(source): invalid YAML: \(InventoryLoader.describe(error))")
        } catch {
            throw SansangError(.configuration, "\(source): invalid YAML: \(error)".replacingOccurrences(of: "\n", with: " "))
        }
        return try NodeReader(node: root, path: "", source: source).declarativeRule()
    }
}

extension NodeReader {
    static let ruleKeys: Set<String> = [
        "id", "severity", "title", "remediation", "requirements", "references", "facts", "match",
        "subject", "evidence", "whenMissing", "missingReason", "description",
    ]

    func declarativeRule() throws(SansangError) -> DeclarativeRuleSpec {
        let keys = try mapping(allowed: Self.ruleKeys)
        func required(_ key: String) throws(SansangError) -> NodeReader {
            guard let node = keys[key] else { throw fail("missing '\(key)'") }
            return node
        }
        let idNode = try required("id")
        let id = try idNode.string()
        let idCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
        guard id.allSatisfy({ idCharacters.contains($0) }), id.contains("."), !id.hasPrefix("."), !id.hasSuffix(".") else {
            throw idNode.fail("'\(id)' is not a rule id (lower-case, dotted by family: config.nginx.example)")
        }
        let severityNode = try required("severity")
        let severityText = try severityNode.string()
        guard let severity = Severity(rawValue: severityText) else {
            throw severityNode.fail("unknown severity '\(severityText)'; choose one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let title = try required("title").localized()
        let remediation = try required("remediation").localized()
        var requirements: [String] = []
        if let node = keys["requirements"] {
            for item in try node.sequence() {
                let requirement = try item.string()
                guard requirement.range(of: "^[A-Z][0-9]{2}-[0-9]{2}$", options: .regularExpression) != nil else {
                    throw item.fail("'\(requirement)' is not a requirement id (A06-02)")
                }
                requirements.append(requirement)
            }
        }
        let factsNode = try required("facts")
        let facts = try factsNode.factPath()
        let matcher = try required("match").matcher()
        var whenMissing = MissingFact.inconclusive
        if let node = keys["whenMissing"] {
            let text = try node.string()
            guard let value = MissingFact(rawValue: text) else {
                throw node.fail("unknown value '\(text)'; choose one of \(MissingFact.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            whenMissing = value
        }
        let meta = RuleMeta(
            id: id, severity: severity, title: title, remediation: remediation,
            requirements: requirements, probe: facts.probe, references: try keys["references"]?.strings() ?? []
        )
        return DeclarativeRuleSpec(
            meta: meta, facts: facts, matcher: matcher, subject: try keys["subject"]?.string() ?? facts.text,
            evidence: try keys["evidence"]?.string() ?? "\(facts.text) = {{value}}", whenMissing: whenMissing,
            missingReason: try keys["missingReason"]?.string(), source: location
        )
    }

    func factPath() throws(SansangError) -> FactPath {
        let text = try string()
        do { return try FactPath.parse(text) } catch { throw fail(error.reason) }
    }

    /// One matcher: a mapping with exactly one matcher key, plus optional `facts` (another path)
    /// and `negative: true`.
    func matcher() throws(SansangError) -> FactMatcher {
        let keys = try mapping(allowed: Set(FactMatcher.names + ["facts", "negative"]))
        let chosen = keys.keys.filter { FactMatcher.names.contains($0) }
        guard chosen.count == 1, let name = chosen.first, let node = keys[name] else {
            throw fail(chosen.isEmpty ? "needs one matcher: \(FactMatcher.names.joined(separator: ", "))" : "has several matchers (\(chosen.sorted().joined(separator: ", "))); combine them with all or any")
        }
        var matcher: FactMatcher
        switch name {
        case "exists", "absent":
            guard try node.bool() else { throw node.fail("write '\(name): true' (use negative: true to invert)") }
            matcher = name == "exists" ? .exists : .absent
        case "equals": matcher = .equals(try node.jsonScalar())
        case "oneOf":
            var options: [JSONValue] = []
            for item in try node.sequence() { options.append(try item.jsonScalar()) }
            guard !options.isEmpty else { throw node.fail("list at least one value") }
            matcher = .oneOf(options)
        case "matches":
            let pattern = try node.string()
            do { _ = try NSRegularExpression(pattern: pattern) } catch { throw node.fail("invalid regular expression '\(pattern)'") }
            matcher = .matches(pattern)
        case "lessThan", "greaterThan":
            guard let scalar = node.node.scalar, let number = Double(scalar.string) else { throw node.fail("expected a number") }
            matcher = name == "lessThan" ? .lessThan(number) : .greaterThan(number)
        case "versionBelow":
            let version = try node.string()
            guard version.first?.isNumber == true else { throw node.fail("'\(version)' is not a version (1.2.3)") }
            matcher = .versionBelow(version)
        case "all", "any":
            var inner: [FactMatcher] = []
            for item in try node.sequence() { inner.append(try item.matcher()) }
            guard !inner.isEmpty else { throw node.fail("list at least one matcher") }
            matcher = name == "all" ? .all(inner) : .any(inner)
        default:
            throw node.fail("unknown matcher '\(name)'")
        }
        if let path = keys["facts"] { matcher = .at(try path.factPath(), matcher) }
        if let negative = keys["negative"], try negative.bool() { matcher = .negative(matcher) }
        return matcher
    }

    func bool() throws(SansangError) -> Bool {
        guard let scalar = node.scalar else { throw fail("expected true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw fail("expected true or false, not '\(scalar.string)'")
        }
    }

    /// A YAML scalar as JSON: plain `true`/`false`/`null`/numbers keep their type, quoted text stays text.
    func jsonScalar() throws(SansangError) -> JSONValue {
        guard let scalar = node.scalar else { throw fail("expected a single value (text, number, true/false or null)") }
        let text = scalar.string
        if scalar.style == .plain {
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null", "~": return .null
            default: if let number = Double(text) { return .number(number) }
            }
        }
        return .string(text)
    }
}

extension DeclarativeRuleLoader {
    /// The working directory and the executable's directory with up to four parents each.
    public static func defaultSearchDirectories(extra: [String] = []) -> [String] {
        var directories = extra + [FileManager.default.currentDirectoryPath]
        var executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 { directories.append(executable.path); executable.deleteLastPathComponent() }
        return directories
    }

    /// `Checks/<sub>` in the first of the directories that has it.
    public static func locate(near directories: [String], sub: String = "rules") -> String? {
        for directory in directories {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("Checks/\(sub)").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue { return candidate }
        }
        return nil
    }
}
