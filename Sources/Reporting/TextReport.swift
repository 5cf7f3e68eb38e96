import Foundation
public import SansangCore

/// The human-readable scan result: a verdict line, then per endpoint a summary line and the
/// findings grouped by severity, each with what was seen and how to fix it.
public enum TextReport {
    public static func render(_ report: ScanReport, language: Language, failOn: Severity, color: Bool = false) -> String {
        let t = Strings(language: language)
        var lines: [String] = []
        let verdict = report.verdict(failOn: failOn)
        let counts = Severity.allCases.reversed().filter { $0 != .info }.map { "\(report.count($0)) \(t.severityWord($0))" }
        let verdictText: String = switch verdict {
        case .pass: t.pass
        case .fail: t.fail
        case .incomplete: t.incomplete
        }
        let paint = Painter(enabled: color)
        lines.append(paint.bold("sansang \(report.version)") + " · \(report.endpoints.count) \(t.endpoints) · \(t.policy) \(report.policy) · \(t.threshold) \(failOn.rawValue)")
        lines.append(paint.verdict(verdict, "\(t.verdict): \(verdictText)") + " — " + counts.joined(separator: ", "))
        for result in report.endpoints {
            lines.append("")
            lines.append(contentsOf: endpointBlock(result, t: t, paint: paint))
        }
        lines.append("")
        lines.append(t.footer(seconds: report.finishedAt.timeIntervalSince(report.startedAt)))
        return lines.joined(separator: "\n") + "\n"
    }

    static func endpointBlock(_ result: EndpointResult, t: Strings, paint: Painter) -> [String] {
        var lines: [String] = []
        let header = paint.bold(result.endpoint.description)
        switch result.facts[TLSFacts.self] {
        case .completed(let tls)?:
            let protocols = tls.protocols.supported.map(\.rawValue).joined(separator: " ")
            var parts = ["[\(protocols.isEmpty ? "—" : protocols)]", "\(tls.allSuites.count) \(t.suites)"]
            if let leaf = tls.certificate?.leaf {
                parts.append("\(leaf.keyType) \(leaf.keyBits) · \(t.expires) \(t.date(leaf.notAfter))")
            }
            parts.append("\(tls.connections) \(t.connections), \(String(format: "%.1f", Double(tls.durationMilliseconds) / 1000)) s")
            lines.append("\(header)  " + parts.joined(separator: " · "))
        case .failed(let failure)?:
            lines.append("\(header)  " + paint.red("\(t.couldNotTest): \(failure.reason)"))
        case nil:
            lines.append(header)
        }
        if result.findings.isEmpty && result.complete {
            lines.append("  " + paint.green("✓ " + t.noFindings))
        }
        for severity in Severity.allCases.reversed() {
            let group = result.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            lines.append("  " + paint.severity(severity, "\(severity.label(t.language)) (\(group.count))"))
            var ruleOrder: [String] = []
            for finding in group where !ruleOrder.contains(finding.ruleId) { ruleOrder.append(finding.ruleId) }
            for ruleId in ruleOrder {
                let same = group.filter { $0.ruleId == ruleId }
                guard let first = same.first else { continue }
                lines.append("   ✗ \(first.title.text(t.language))  [\(ruleId)]")
                for finding in same {
                    lines.append("       \(t.seen): \(abbreviate(finding.evidence))")
                }
                lines.append("       \(t.fix): \(first.remediation.text(t.language))")
            }
        }
        if !result.inconclusive.isEmpty && !result.failures.isEmpty && result.facts.keys.allSatisfy({ result.failures[$0] != nil }) {
            // Every probe failed: one line instead of a line per rule.
            lines.append("  " + paint.yellow(t.language == .vi ? "\(result.inconclusive.count) kiểm tra không thực hiện được vì không kết nối/kiểm tra được điểm cuối." : "\(result.inconclusive.count) checks could not run because the endpoint could not be tested."))
        } else if !result.inconclusive.isEmpty {
            lines.append("  " + paint.yellow("\(t.inconclusive) (\(result.inconclusive.count))"))
            for check in result.inconclusive {
                lines.append("   ? \(check.title.text(t.language))  [\(check.ruleId)] — \(check.reason)")
            }
        }
        return lines
    }
}

/// Keeps long evidence (a list of forty suites) readable; JSON carries it whole.
func abbreviate(_ text: String, limit: Int = 320) -> String {
    guard text.count > limit else { return text }
    return String(text.prefix(limit)) + "… (+\(text.count - limit) chars, see --format json)"
}

/// The words of the text report, in Vietnamese and English.
struct Strings {
    let language: Language
    var vi: Bool { language == .vi }

    var endpoints: String { vi ? "điểm cuối" : "endpoint(s)" }
    var policy: String { vi ? "chính sách" : "policy" }
    var threshold: String { vi ? "ngưỡng" : "fail on" }
    var verdict: String { vi ? "KẾT LUẬN" : "VERDICT" }
    var pass: String { vi ? "ĐẠT" : "PASS" }
    var fail: String { vi ? "KHÔNG ĐẠT" : "FAIL" }
    var incomplete: String { vi ? "CHƯA HOÀN TẤT (có điểm cuối không kiểm tra được)" : "INCOMPLETE (some endpoints could not be tested)" }
    var suites: String { vi ? "bộ mã" : "suites" }
    var expires: String { vi ? "hết hạn" : "expires" }
    var connections: String { vi ? "kết nối" : "connections" }
    var couldNotTest: String { vi ? "KHÔNG KIỂM TRA ĐƯỢC" : "COULD NOT TEST" }
    var noFindings: String { vi ? "Không phát hiện vấn đề" : "No findings" }
    var seen: String { vi ? "Phát hiện" : "Seen" }
    var fix: String { vi ? "Khắc phục" : "Fix" }
    var inconclusive: String { vi ? "Chưa kết luận được" : "Inconclusive" }

    func severityWord(_ severity: Severity) -> String {
        vi ? severity.label(.vi).lowercased() : severity.rawValue
    }

    func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        formatter.dateFormat = vi ? "dd/MM/yyyy" : "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    func footer(seconds: Double) -> String {
        let time = String(format: "%.1f", seconds)
        return vi ? "Hoàn tất trong \(time) s. Mã thoát: 0 đạt, 1 không đạt, 2 không hoàn tất." : "Finished in \(time) s. Exit codes: 0 pass, 1 fail, 2 incomplete."
    }
}

/// ANSI colours, only when writing to a terminal.
struct Painter {
    let enabled: Bool

    func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { wrap("1", text) }
    func red(_ text: String) -> String { wrap("31", text) }
    func green(_ text: String) -> String { wrap("32", text) }
    func yellow(_ text: String) -> String { wrap("33", text) }

    func severity(_ severity: Severity, _ text: String) -> String {
        switch severity {
        case .critical: wrap("1;31", text)
        case .high: wrap("31", text)
        case .medium: wrap("33", text)
        case .low: wrap("36", text)
        case .info: text
        }
    }

    func verdict(_ verdict: ScanReport.Verdict, _ text: String) -> String {
        switch verdict {
        case .pass: wrap("1;32", text)
        case .fail: wrap("1;31", text)
        case .incomplete: wrap("1;33", text)
        }
    }
}
