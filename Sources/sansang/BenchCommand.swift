import ArgumentParser
import Foundation
import SansangCore
import Store

/// Synthetic load for benchmarks and crash tests: records scans of N findings into a store.
struct StoreBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Record synthetic scans (benchmarks/store and crash tests).",
        shouldDisplay: false
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Findings per scan.") var findings = 100_000
    @Option(help: "Scans to record.") var scans = 1
    @Option(help: "System id.") var system = "bench"
    @Option(help: "Share of findings that change between scans (0–1).") var churn = 0.1
    @Option(help: "Also list with filters this many times and report the median time.") var listRuns = 0

    func run() async throws {
        let findingStore = try store.open()
        let meta = (0..<40).map { index in
            RuleMeta(id: "bench.rule.\(index)", severity: Severity.allCases[index % 5], title: Localized(vi: "Quy tắc \(index)", en: "Rule \(index)"),
                     remediation: Localized(vi: "Khắc phục", en: "Fix"), requirements: ["A06-02"], probe: "tls")
        }
        let clock = ContinuousClock()
        for scanIndex in 0..<scans {
            let endpoints = max(1, findings / 500)
            var results: [EndpointResult] = []
            let now = Date()
            for endpointIndex in 0..<endpoints {
                let endpoint = Endpoint(host: "10.\(endpointIndex / 65536 % 256).\(endpointIndex / 256 % 256).\(endpointIndex % 256)", port: 443)
                var facts = FactSet()
                facts.record(ProbeAttempt<TLSFacts>.completed(TLSFacts()))
                var list: [Finding] = []
                for item in 0..<500 where endpointIndex * 500 + item < findings {
                    let shifted = Double(item) / 500 < churn ? "\(item)-\(scanIndex)" : "\(item)"
                    let rule = meta[item % meta.count]
                    list.append(Finding(rule: rule, draft: FindingDraft(subject: "subject-\(shifted)", evidence: "synthetic evidence \(item)"), endpoint: endpoint))
                }
                results.append(EndpointResult(endpoint: endpoint, facts: facts, findings: list, inconclusive: [], passed: meta.map(\.id), startedAt: now, finishedAt: now))
            }
            let id = try storeCall { () throws(SansangError) in try findingStore.beginScan(system: system, trigger: "bench", actor: "bench", policy: "bench", now: now) }
            say("scan #\(id) recording \(findings) findings…")
            let started = clock.now
            let summary = try storeCall { () throws(SansangError) in try findingStore.record(scan: id, system: system, results: results, actor: "bench", now: now) }
            let elapsed = started.duration(to: clock.now)
            say("scan #\(id): reconcile \(format(elapsed)) — \(summary.new) new, \(summary.seenAgain) seen again, \(summary.fixed) fixed, \(summary.reopened) reopened")
        }
        if listRuns > 0 {
            var times: [Duration] = []
            var count = 0
            for _ in 0..<listRuns {
                let started = clock.now
                count = try storeCall { () throws(SansangError) in
                    try findingStore.findings(FindingFilter(system: system, severities: [.critical, .high], states: [.open, .reopened], limit: 100)).count
                }
                times.append(started.duration(to: clock.now))
            }
            times.sort()
            print("filtered list (system, critical+high, open, first 100 → \(count)): median \(format(times[times.count / 2])), max \(format(times.last ?? .zero))")
        }
    }

    /// Unbuffered, so a test reading the pipe sees progress as it happens.
    func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    func format(_ duration: Duration) -> String {
        String(format: "%.1f ms", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }
}
