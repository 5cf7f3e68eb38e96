public import Foundation
public import SansangCore

/// SARIF 2.1.0 for code scanning (GitHub, GitLab) and JUnit XML for CI test reports.
public enum GateOutputs {
    /// Where a system's findings are anchored: its configuration file when the inventory names one,
    /// else a stable synthetic path per endpoint.
    public static func location(system: String, endpoint: Endpoint, configFiles: [String: [String]]) -> String {
        if let file = configFiles[system]?.first { return file }
        let host = endpoint.host.replacingOccurrences(of: ":", with: "_")
        return "sansang/\(system)/\(host)_\(endpoint.port)"
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "note"
        }
    }

    static func securitySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "3.0"
        case .info: "0.0"
        }
    }

    public static func sarif(_ result: GateResult, language: Language, configFiles: [String: [String]], informationURI: String = "https://github.com/sansang/sansang") throws(SansangError) -> Data {
        var ruleIndex: [String: Int] = [:]
        var rules: [JSONValue] = []
        for item in result.items where ruleIndex[item.finding.ruleId] == nil {
            let finding = item.finding
            ruleIndex[finding.ruleId] = rules.count
            rules.append(.object([
                "id": .string(finding.ruleId),
                "name": .string(finding.ruleId.split(separator: ".").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined().replacingOccurrences(of: "-", with: "")),
                "shortDescription": .object(["text": .string(finding.title.text(language))]),
                "fullDescription": .object(["text": .string(finding.title.text(language) + " — " + finding.title.text(language == .vi ? .en : .vi))]),
                "help": .object(["text": .string(finding.remediation.text(language))]),
                "defaultConfiguration": .object(["level": .string(level(finding.severity))]),
                "properties": .object([
                    "tags": .array((["security"] + finding.requirements).map(JSONValue.string)),
                    "security-severity": .string(securitySeverity(finding.severity)),
                ]),
            ]))
        }
        let results: [JSONValue] = result.items.map { item in
            let finding = item.finding
            var object: [String: JSONValue] = [
                "ruleId": .string(finding.ruleId),
                "ruleIndex": .number(Double(ruleIndex[finding.ruleId] ?? 0)),
                "level": .string(level(finding.severity)),
                "message": .object(["text": .string("\(finding.title.text(language)) — \(finding.endpoint): \(finding.evidence)")]),
                "locations": .array([.object([
                    "physicalLocation": .object([
                        "artifactLocation": .object(["uri": .string(location(system: item.system, endpoint: finding.endpoint, configFiles: configFiles))]),
                        "region": .object(["startLine": .number(1)]),
                    ]),
                    "message": .object(["text": .string("\(item.system) \(finding.endpoint)")]),
                ])]),
                "partialFingerprints": .object(["sansangFingerprint/v1": .string(finding.fingerprint(system: item.system))]),
                "properties": .object([
                    "severity": .string(finding.severity.rawValue), "system": .string(item.system), "endpoint": .string(finding.endpoint.description),
                    "subject": .string(finding.subject), "blocking": .bool(item.blocking),
                ]),
            ]
            if let baseline = item.baseline {
                object["baselineState"] = .string(baseline == .new ? "new" : baseline == .regressed ? "updated" : "unchanged")
            }
            if let waiver = item.waiver {
                object["suppressions"] = .array([.object([
                    "kind": .string("external"), "status": .string("accepted"),
                    "justification": .string("\(waiver.reason) (\(waiver.approver), until \(ISO8601DateFormatter().string(from: waiver.expires)))"),
                ])])
            }
            return .object(object)
        }
        let root: JSONValue = .object([
            "$schema": .string("https://json.schemastore.org/sarif-2.1.0.json"),
            "version": .string("2.1.0"),
            "runs": .array([.object([
                "tool": .object(["driver": .object([
                    "name": .string("sansang"), "version": .string(SansangVersion.current), "semanticVersion": .string(SansangVersion.current),
                    "informationUri": .string(informationURI), "rules": .array(rules),
                ])]),
                "results": .array(results),
                "invocations": .array([.object([
                    "executionSuccessful": .bool(result.incomplete.isEmpty),
                    "toolExecutionNotifications": .array(result.incomplete.map { .object(["level": .string("error"), "message": .object(["text": .string($0)])]) }
                        + result.expiredWaivers.map { .object(["level": .string("warning"), "message": .object(["text": .string("expired waiver at \($0.location) no longer applies: \($0.reason)")])]) }),
                ])]),
                "columnKind": .string("unicodeCodePoints"),
            ])]),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(root) } catch { throw SansangError(.io, "cannot encode SARIF: \(error)") }
    }

    /// JUnit XML: a suite per system, a failing test case per blocking finding, skipped for waived or
    /// baselined ones, passing for every rule that passed.
    public static func junit(_ result: GateResult, passed: [String: [String]], language: Language, timestamp: Date) -> String {
        func xml(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case "'": out += "&apos;"
                default:
                    // XML 1.0 forbids most control characters.
                    if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r" { out += "?" } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out
        }
        let systems = Array(Set(result.items.map(\.system)).union(passed.keys)).sorted()
        var suites: [String] = []
        var totalTests = 0, totalFailures = 0, totalSkipped = 0
        let stamp = ISO8601DateFormatter().string(from: timestamp)
        for system in systems {
            var cases: [String] = []
            var failures = 0, skipped = 0
            for item in result.items where item.system == system {
                let finding = item.finding
                let name = xml("\(finding.ruleId) [\(finding.subject)]")
                let classname = xml("\(system).\(finding.endpoint.authority)")
                if item.blocking {
                    failures += 1
                    cases.append("    <testcase classname=\"\(classname)\" name=\"\(name)\"><failure type=\"\(finding.severity.rawValue)\" message=\"\(xml(finding.title.text(language)))\">\(xml(finding.evidence))\n\(xml(finding.remediation.text(language)))</failure></testcase>")
                } else {
                    skipped += 1
                    let why = item.waiver.map { "waived: \($0.reason) (\($0.approver))" }
                        ?? (item.baseline == .unchanged ? "in the accepted baseline" : "below --fail-on \(result.failOn.rawValue)")
                    cases.append("    <testcase classname=\"\(classname)\" name=\"\(name)\"><skipped message=\"\(xml(why))\"/></testcase>")
                }
            }
            for rule in passed[system] ?? [] {
                cases.append("    <testcase classname=\"\(xml(system))\" name=\"\(xml(rule))\"/>")
            }
            for reason in result.incomplete where reason.hasPrefix(system) {
                failures += 1
                cases.append("    <testcase classname=\"\(xml(system))\" name=\"scan.complete\"><error type=\"incomplete\" message=\"\(xml(reason))\"/></testcase>")
            }
            totalTests += cases.count
            totalFailures += failures
            totalSkipped += skipped
            suites.append("  <testsuite name=\"sansang.\(xml(system))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" timestamp=\"\(stamp)\">\n" + cases.joined(separator: "\n") + "\n  </testsuite>")
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sansang\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\" skipped=\"\(totalSkipped)\">\n" + suites.joined(separator: "\n") + "\n</testsuites>\n"
    }
}
