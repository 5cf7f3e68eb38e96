import ConfigProbe
import Foundation
import Rules
import SansangCore
import TLSLab

enum ConfigFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }
    static let now = Date()

    /// A fresh temporary directory for one test.
    static func temporary(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-config-\(ProcessInfo.processInfo.processIdentifier)-\(name)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every config rule's verdict on these facts.
    static func verdicts(_ config: ConfigFacts, now: Date = now) -> [String: RuleVerdict] {
        var facts = FactSet()
        facts.record(ProbeAttempt<ConfigFacts>.completed(config))
        let input = RuleInput(endpoint: Endpoint(host: "config", port: 0, scheme: "file"), facts: facts, settings: RuleSettings(now: now))
        var out: [String: RuleVerdict] = [:]
        for rule in RuleCatalog.rules(tlsPolicy: .csdlqgLevel3) where rule.meta.probe == "config" { out[rule.meta.id] = rule.evaluate(input) }
        return out
    }

    static func failing(_ config: ConfigFacts, prefix: String = "") -> Set<String> {
        Set(verdicts(config).filter { $0.key.hasPrefix(prefix) && $0.value.failed }.map(\.key))
    }

    /// Runs a tool, returns its exit status and output (bounded by a 30 s deadline).
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try LabCommand.run(executable, arguments, timeout: 30)
    }
}

extension RuleVerdict {
    var failed: Bool { if case .fail = self { true } else { false } }
    var drafts: [FindingDraft] { if case .fail(let drafts) = self { drafts } else { [] } }
}
