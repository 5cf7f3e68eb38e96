import Foundation
import Inventory
@testable import Rules
import SansangCore
import Testing

@Suite struct DeclarativeRuleTests {
    static let header = """
    id: plugin.demo.check
    severity: medium
    title: {vi: "Kiểm tra mẫu", en: "Sample check"}
    remediation: {vi: "Sửa", en: "Fix"}
    requirements: [A05-19]

    """

    static func rule(_ body: String) throws -> DeclarativeRule {
        DeclarativeRule(try DeclarativeRuleLoader.parse(header + body, source: "demo.yaml"))
    }

    /// Facts from a plugin named `demo`, as the plugin runner records them.
    static func facts(_ values: [String: JSONValue]) -> RuleInput {
        var facts = FactSet()
        facts.record(ProbeAttempt<PluginFacts>.completed(PluginFacts(results: ["demo": PluginResult(path: "/x/demo.sh", facts: values)])))
        return RuleInput(endpoint: Endpoint(host: "a", port: 1), facts: facts, settings: RuleSettings())
    }

    static let sample: [String: JSONValue] = [
        "version": .string("1.22.1"), "firewall": .bool(true), "open": .number(3), "name": .string("nginx"),
        "ports": .array([.number(22), .number(443)]), "weird.key": .object(["TLSv1.0": .bool(true)]), "nothing": .null,
    ]

    @Test(arguments: [
        ("facts: plugin.demo.version\nmatch: {versionBelow: \"1.23.4\"}", true),
        ("facts: plugin.demo.version\nmatch: {versionBelow: \"1.9\"}", false),
        ("facts: plugin.demo.firewall\nmatch: {equals: false}", false),
        ("facts: plugin.demo.firewall\nmatch: {equals: true, negative: true}", false),
        ("facts: plugin.demo.open\nmatch: {greaterThan: 2}", true),
        ("facts: plugin.demo.open\nmatch: {lessThan: 3}", false),
        ("facts: plugin.demo.ports\nmatch: {oneOf: [22, 23]}", true),
        ("facts: plugin.demo.name\nmatch: {matches: \"^ngi\"}", true),
        ("facts: plugin.demo[\"weird.key\"][\"TLSv1.0\"]\nmatch: {equals: true}", true),
        ("facts: plugin.demo.missing\nmatch: {absent: true}", true),
        ("facts: plugin.demo.nothing\nmatch: {exists: true}", false),
        ("facts: plugin.demo.open\nmatch:\n  all:\n    - {greaterThan: 1}\n    - {facts: plugin.demo.firewall, equals: true}", true),
        ("facts: plugin.demo.open\nmatch:\n  any:\n    - {greaterThan: 10}\n    - {facts: plugin.demo.name, equals: \"apache\"}", false),
    ])
    func matchers(body: String, fails: Bool) throws {
        let verdict = try Self.rule(body).evaluate(Self.facts(Self.sample))
        #expect(verdict.failed == fails, "\(verdict)")
        if !fails { #expect(verdict == .pass) }
    }

    @Test func missingValuesAreInconclusiveUnlessTheRuleSaysOtherwise() throws {
        let inconclusive = try Self.rule("facts: plugin.demo.absentValue\nmatch: {equals: 1}\nmissingReason: 'no value ({{plugin.demo.name | ?}})'")
        #expect(inconclusive.evaluate(Self.facts(Self.sample)) == .inconclusive("no value (nginx)"))
        let pass = try Self.rule("facts: plugin.demo.absentValue\nmatch: {equals: 1}\nwhenMissing: pass")
        #expect(pass.evaluate(Self.facts(Self.sample)) == .pass)
        // No plugin facts at all: not applicable; a failed probe: inconclusive with its reason.
        #expect(inconclusive.evaluate(RuleInput(endpoint: Endpoint(host: "a", port: 1), facts: FactSet(), settings: RuleSettings())) == .notApplicable)
        var failed = FactSet()
        failed.record(ProbeAttempt<PluginFacts>.failed(ProbeFailure(kind: "error", reason: "boom")))
        #expect(inconclusive.evaluate(RuleInput(endpoint: Endpoint(host: "a", port: 1), facts: failed, settings: RuleSettings())) == .inconclusive("boom"))
    }

    @Test func evidenceTemplates() throws {
        let rule = try Self.rule("facts: plugin.demo.version\nmatch: {versionBelow: \"2\"}\nsubject: \"{{plugin.demo.name}}\"\nevidence: \"{{plugin.demo.name}} {{value}} on ports {{plugin.demo.ports}}; {{plugin.demo.none | unset}}\"")
        let draft = try #require(rule.evaluate(Self.facts(Self.sample)).drafts.first)
        #expect(draft.subject == "nginx")
        #expect(draft.evidence == "nginx 1.22.1 on ports 22, 443; unset")
    }

    @Test(arguments: [
        ("facts: plugin.demo.x\nmatch: {equals: 1}\ncolour: red", 8, "unknown key 'colour'"),
        ("facts: plugin.demo.x\nmatch: {equal: 1}", 7, "unknown key 'equal'"),
        ("facts: plugin.demo.x\nmatch: {equals: 1, oneOf: [1]}", 7, "several matchers"),
        ("facts: plugin..x\nmatch: {exists: true}", 6, "fact path"),
        ("facts: plugin.demo.x\nmatch: {matches: \"([a-z\"}", 7, "invalid regular expression"),
        ("facts: plugin.demo.x\nmatch: {lessThan: many}", 7, "expected a number"),
        ("facts: plugin.demo.x\nmatch: {all: []}", 7, "at least one matcher"),
        ("facts: plugin.demo.x\nmatch: {exists: false}", 7, "negative"),
        ("facts: plugin.demo.x\nmatch: {equals: 1}\nwhenMissing: maybe", 8, "unknown value 'maybe'"),
    ])
    func loadErrorsNameFileAndLine(body: String, line: Int, message: String) {
        do {
            _ = try DeclarativeRuleLoader.parse(Self.header + body, source: "demo.yaml")
            Issue.record("accepted: \(body)")
        } catch {
            #expect(error.reason.hasPrefix("demo.yaml:\(line):"), "\(error.reason)")
            #expect(error.reason.contains(message), "\(error.reason)")
        }
    }

    @Test func headerErrors() {
        for (text, message) in [
            ("id: Bad Id\nseverity: high", "is not a rule id"),
            ("id: a.b\nseverity: severe", "unknown severity"),
            ("id: a.b\nseverity: high\ntitle: {vi: x}", "needs both 'vi' and 'en'"),
            ("id: a.b\nseverity: high\ntitle: {vi: x, en: y}\nremediation: {vi: x, en: y}\nrequirements: [A6-2]\nfacts: tls.x\nmatch: {exists: true}", "not a requirement id"),
        ] {
            #expect(throws: SansangError.self) { try DeclarativeRuleLoader.parse(text, source: "h.yaml") }
            do { _ = try DeclarativeRuleLoader.parse(text, source: "h.yaml") } catch {
                #expect(error.reason.hasPrefix("h.yaml:") && error.reason.contains(message), "\(error.reason)")
            }
        }
    }

    @Test func aDirectoryReportsEveryErrorAndDuplicates() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-rules-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("family"), withIntermediateDirectories: true)
        let good = Self.header + "facts: plugin.demo.x\nmatch: {exists: true}\n"
        try good.write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try good.write(to: directory.appendingPathComponent("family/b.yaml"), atomically: true, encoding: .utf8)
        try "id: [".write(to: directory.appendingPathComponent("family/c.yml"), atomically: true, encoding: .utf8)
        try (Self.header + "facts: plugin.demo.x\nmatch: {nope: 1}\n").write(to: directory.appendingPathComponent("family/d.yaml"), atomically: true, encoding: .utf8)
        let (rules, errors) = DeclarativeRuleLoader.load(directory: directory.path)
        #expect(rules.count == 1)
        #expect(errors.count == 3)
        #expect(errors.contains { $0.reason.contains("family/b.yaml:1:1: id: duplicate rule id 'plugin.demo.check'") })
        #expect(errors.contains { $0.reason.contains("family/c.yml") && $0.reason.contains("invalid YAML") })
        #expect(errors.contains { $0.reason.contains("family/d.yaml:7:") })
    }

    @Test(arguments: [
        ("tls.protocols[\"TLSv1.0\"]", ["tls", "protocols", "TLSv1.0"]),
        ("tls.cipherSuites['TLSv1.2'][0].name", ["tls", "cipherSuites", "TLSv1.2", "0", "name"]),
        ("plugin.my-plugin.key_1", ["plugin", "my-plugin", "key_1"]),
    ])
    func factPaths(text: String, components: [String]) throws {
        #expect(try FactPath.parse(text).components == components)
    }

    @Test(arguments: ["", "tls.", ".tls", "tls..a", "tls[\"a\"", "tls[a]", "tls a", "tls[0]x"])
    func badFactPaths(text: String) {
        #expect(throws: SansangError.self) { try FactPath.parse(text) }
    }

    @Test func theRepositoryRulesLoadCleanly() {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Checks/rules").standardized.path
        let (rules, errors) = DeclarativeRuleLoader.load(directory: directory)
        #expect(errors.isEmpty, "\(errors.map(\.reason))")
        #expect(Set(rules.map(\.meta.id)).isSuperset(of: ["tls.protocol.sslv2", "tls.protocol.sslv3", "tls.protocol.tls10", "tls.protocol.tls11"]))
        // A declarative rule may replace the built-in rule of the same id; it must read the same probe's facts.
        let builtin = Dictionary(RuleCatalog.everything.map { ($0.meta.id, $0.meta.probe) }, uniquingKeysWith: { first, _ in first })
        for rule in rules {
            if let probe = builtin[rule.meta.id] { #expect(probe == rule.facts.probe, "\(rule.meta.id)") }
        }
    }
}
