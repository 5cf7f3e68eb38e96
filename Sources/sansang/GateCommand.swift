import ArgumentParser
import Engine
import Foundation
import Inventory
import Reporting
import SansangCore
import Store

struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Scan a system, apply waivers and a baseline, write SARIF/JUnit, and exit 0 pass / 1 policy failed / 2 could not complete.",
        discussion: """
        A target that could not be reached fails the gate with exit 2; it never passes silently.
        --baseline SCAN_ID|FILE fails only on findings that are new or more severe than in the accepted \
        baseline (a scan id in the store, or a JSON report written by --json-out), while still listing the old ones.
        """
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Inventory file.") var inventory: String
    @Option(help: "System id.") var system: String
    @Option(name: .customLong("fail-on"), help: "Lowest severity that fails the gate.") var failOn: Severity = .high
    @Option(help: "Waiver file (YAML).") var waivers: String?
    @Option(help: "Accepted baseline: a scan id in the store, or a JSON report file.") var baseline: String?
    @Option(help: "Write SARIF 2.1.0 here.") var sarif: String?
    @Option(help: "Write JUnit XML here.") var junit: String?
    @Option(name: .customLong("json-out"), help: "Write the scan's JSON report here (usable later as --baseline).") var jsonOutput: String?
    @Option(help: "Profile id or path: also evaluate readiness.") var profile: String?
    @Flag(name: .customLong("require-ready"), help: "Also fail (exit 1) unless the readiness verdict is ĐẠT.") var requireReady = false
    @Option(help: "Language: vi or en.") var lang: Language = .vi
    @Option(help: "Timeout of one connection, in seconds.") var timeout: Double = 5

    func run() async throws {
        let loaded = try loadInventory(inventory)
        guard let spec = loaded.system(system) else {
            printError("sansang: \(inventory): no system '\(system)'; systems: \(loaded.systems.map(\.id).joined(separator: ", "))")
            throw ExitCode(2)
        }
        var waiverList: [Waiver] = []
        if let waivers {
            do { waiverList = try WaiverLoader.load(path: waivers) } catch {
                printError("sansang: \(error.reason)")
                throw ExitCode(2)
            }
        }
        let findingStore = try store.open(inventory: loaded)
        let baselineMap = try baseline.map { try loadBaseline($0, store: findingStore) }
        let context = ProbeContext(connectionTimeout: .milliseconds(Int(timeout * 1000)))
        let scanner = InventoryScan(inventory: loaded, store: findingStore, context: context, trigger: "ci", actor: defaultActor())
        let outcome: InventoryScan.Outcome
        do { outcome = try await scanner.run(system: spec) } catch {
            printError("sansang: \(error.reason)")
            throw ExitCode(2)
        }
        let report = outcome.report
        if let jsonOutput {
            try? JSONReport.render(report, language: lang, failOn: failOn).write(to: URL(fileURLWithPath: jsonOutput), options: .atomic)
        }
        let incomplete = report.endpoints.flatMap { result in
            result.failures.map { "\(system) \(result.endpoint): \($0.key) could not be tested: \($0.value.reason)" }
        }
        let now = Date()
        let result = GateEvaluator.evaluate(
            findings: report.findings.map { (system, $0) }, failOn: failOn, waivers: waiverList, baseline: baselineMap,
            incomplete: incomplete, now: now
        )
        let configFiles = Dictionary(uniqueKeysWithValues: loaded.systems.map { ($0.id, $0.configFiles) })
        if let sarif {
            let data = try storeCall { () throws(SansangError) in try GateOutputs.sarif(result, language: lang, configFiles: configFiles) }
            try write(data, to: sarif)
        }
        if let junit {
            let passed = [system: report.endpoints.flatMap { result in result.passed.map { "\($0) @ \(result.endpoint.authority)" } }]
            try write(Data(GateOutputs.junit(result, passed: passed, language: lang, timestamp: now).utf8), to: junit)
        }
        var code = result.exitCode
        var readinessLine: String?
        if let profile {
            let readinessProfile = try locateProfile(profile, inventory: loaded)
            let readiness = try evaluateReadiness(store: findingStore, profile: readinessProfile, system: system, now: now)
            readinessLine = (lang == .vi ? "Mức sẵn sàng: " : "Readiness: ") + readiness.verdict.label(lang)
            if requireReady && readiness.verdict != .ready && code == 0 { code = 1 }
        }
        print(summary(result, readiness: readinessLine))
        if code != 0 { throw ExitCode(code) }
    }

    func loadBaseline(_ reference: String, store: FindingStore) throws -> [String: Severity] {
        if let id = Int64(reference) {
            return try storeCall { () throws(SansangError) in try store.baseline(scan: id) }
        }
        guard let data = FileManager.default.contents(atPath: reference),
              let document = try? JSONDecoder().decode(JSONValue.self, from: data),
              case .array(let endpoints)? = document[path: ["endpoints"]] else {
            printError("sansang: --baseline \(reference): neither a scan id nor a JSON report written by --json-out")
            throw ExitCode(2)
        }
        var out: [String: Severity] = [:]
        for endpoint in endpoints {
            guard case .array(let findings)? = endpoint[path: ["findings"]] else { continue }
            for finding in findings {
                if case .string(let fingerprint)? = finding[path: ["fingerprint"]], case .string(let severity)? = finding[path: ["severity"]] {
                    out[fingerprint] = Severity(rawValue: severity) ?? .info
                }
            }
        }
        return out
    }

    func write(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            printError("sansang: cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(2)
        }
    }

    func summary(_ result: GateResult, readiness: String?) -> String {
        let vi = lang == .vi
        var lines: [String] = []
        let verdict: String = switch result.exitCode {
        case 0: vi ? "QUA CỔNG" : "PASS"
        case 1: vi ? "KHÔNG QUA CỔNG" : "FAIL"
        default: vi ? "KHÔNG HOÀN TẤT" : "INCOMPLETE"
        }
        lines.append("sansang gate [\(system)] — \(verdict) (fail-on \(result.failOn.rawValue))")
        for item in result.blocking {
            let tag = item.baseline.map { " [\($0.rawValue)]" } ?? ""
            lines.append("  ✗ \(item.finding.severity.label(lang)) \(item.finding.ruleId) \(item.finding.endpoint) \(item.finding.subject)\(tag)")
        }
        let old = result.items.filter { !$0.blocking && $0.baseline == .unchanged && $0.waiver == nil && $0.finding.severity >= result.failOn }
        if !old.isEmpty { lines.append(vi ? "  \(old.count) phát hiện cũ (trong baseline), không chặn:" : "  \(old.count) known finding(s) in the baseline, not blocking:") }
        for item in old { lines.append("    · \(item.finding.ruleId) \(item.finding.endpoint) \(item.finding.subject)") }
        for item in result.waived { lines.append("  ~ \(item.finding.ruleId) \(item.finding.endpoint): waived (\(item.waiver?.reason ?? "")) until \(item.waiver.map { day($0.expires) } ?? "")") }
        for waiver in result.expiredWaivers { lines.append(vi ? "  ! miễn trừ đã hết hạn, không còn áp dụng: \(waiver.location) (\(waiver.reason))" : "  ! expired waiver no longer applies: \(waiver.location) (\(waiver.reason))") }
        for reason in result.incomplete { lines.append("  ? \(reason)") }
        if let readiness { lines.append("  \(readiness)") }
        return lines.joined(separator: "\n")
    }
}
