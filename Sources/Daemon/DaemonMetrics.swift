import Foundation
import SansangCore
import Store
import Synchronization

/// Counters the daemon keeps in memory and writes in the Prometheus text format (0.0.4).
/// Open findings are read from the store at scrape time, so they are right after a restart too.
public final class DaemonMetrics: Sendable {
    struct State {
        var scansByOutcome: [String: Int] = [:]
        var durationBuckets: [Double: Int] = [:]
        var durationSum = 0.0
        var durationCount = 0
        var probeErrors: [String: Int] = [:]
        var requests: [String: Int] = [:]
    }

    static let buckets: [Double] = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600]
    private let state = Mutex(State())

    public init() {}

    /// A scan ended: `outcome` is complete / incomplete / interrupted / failed.
    public func scanEnded(outcome: String, seconds: Double, probeErrors: Int, system: String) {
        state.withLock { state in
            state.scansByOutcome[outcome, default: 0] += 1
            for bucket in Self.buckets where seconds <= bucket { state.durationBuckets[bucket, default: 0] += 1 }
            state.durationSum += seconds
            state.durationCount += 1
            if probeErrors > 0 { state.probeErrors[system, default: 0] += probeErrors }
        }
    }

    func request(status: Int) {
        state.withLock { $0.requests[String(status / 100) + "xx", default: 0] += 1 }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    func exposition(store: FindingStore, queued: Int, running: Int) -> String {
        let snapshot = state.withLock { $0 }
        var lines: [String] = []
        lines.append("# HELP sansang_scans_total Scans the daemon ran, by outcome.")
        lines.append("# TYPE sansang_scans_total counter")
        for outcome in ["complete", "incomplete", "interrupted", "failed"] {
            lines.append("sansang_scans_total{outcome=\"\(outcome)\"} \(snapshot.scansByOutcome[outcome] ?? 0)")
        }
        lines.append("# HELP sansang_scan_duration_seconds How long the daemon's scans took.")
        lines.append("# TYPE sansang_scan_duration_seconds histogram")
        for bucket in Self.buckets {
            lines.append("sansang_scan_duration_seconds_bucket{le=\"\(bucket)\"} \(snapshot.durationBuckets[bucket] ?? 0)")
        }
        lines.append("sansang_scan_duration_seconds_bucket{le=\"+Inf\"} \(snapshot.durationCount)")
        lines.append("sansang_scan_duration_seconds_sum \(snapshot.durationSum)")
        lines.append("sansang_scan_duration_seconds_count \(snapshot.durationCount)")
        lines.append("# HELP sansang_probe_errors_total Endpoints a scan could not test completely, by system.")
        lines.append("# TYPE sansang_probe_errors_total counter")
        for (system, count) in snapshot.probeErrors.sorted(by: { $0.key < $1.key }) {
            lines.append("sansang_probe_errors_total{system=\"\(Self.escape(system))\"} \(count)")
        }
        lines.append("# HELP sansang_open_findings Findings still to be dealt with, by system and severity.")
        lines.append("# TYPE sansang_open_findings gauge")
        for row in (try? store.activeFindingCounts()) ?? [] {
            lines.append("sansang_open_findings{system=\"\(Self.escape(row.system))\",severity=\"\(row.severity.rawValue)\"} \(row.count)")
        }
        lines.append("# HELP sansang_jobs Jobs in the persistent queue, by state.")
        lines.append("# TYPE sansang_jobs gauge")
        lines.append("sansang_jobs{state=\"queued\"} \(queued)")
        lines.append("sansang_jobs{state=\"running\"} \(running)")
        lines.append("# HELP sansang_http_responses_total API and dashboard responses, by status class.")
        lines.append("# TYPE sansang_http_responses_total counter")
        for (status, count) in snapshot.requests.sorted(by: { $0.key < $1.key }) {
            lines.append("sansang_http_responses_total{status=\"\(status)\"} \(count)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
