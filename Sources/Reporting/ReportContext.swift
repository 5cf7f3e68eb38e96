import Foundation
import SansangCore

/// Turns a report document into the key/value tree the Mustache templates read.
enum ReportContext {
    static func build(_ document: ReportDocument, strings: [String: String], charts: Bool) -> [String: Any] {
        let language = document.language
        let vi = language == .vi
        func s(_ key: String) -> String { strings[key] ?? key }
        var systems: [[String: Any]] = []
        for system in document.systems {
            let readiness = system.readiness
            var groups: [[String: Any]] = []
            for group in readiness.profile.groups {
                let items = readiness.requirements.filter { $0.requirement.group == group.id }
                groups.append([
                    "id": group.id, "title": group.title.text(language),
                    "met": readiness.count(.met, group: group.id), "notMet": readiness.count(.notMet, group: group.id),
                    "notAssessed": readiness.count(.notAssessed, group: group.id), "notApplicable": readiness.count(.notApplicable, group: group.id),
                    "requirements": items.map { requirementRow($0, document: document) },
                ])
            }
            let gaps = readiness.requirements.filter { $0.status == .notMet || $0.status == .notAssessed }
                .sorted { ($0.requirement.severity, $1.requirement.id) > ($1.requirement.severity, $0.requirement.id) }
            var recommendations: [[String: Any]] = []
            for gap in gaps where gap.status == .notMet {
                let remediations = Array(Set(system.findings.filter { gap.requirement.covers(rule: $0.ruleID) }.map(\.ruleID))).sorted()
                let due = gap.dueAt.map(day) ?? (vi ? "sớm nhất" : "as soon as possible")
                recommendations.append([
                    "text": vi ? "Khắc phục yêu cầu \(gap.requirement.id) — \(gap.requirement.title.vi) (quy tắc: \(remediations.joined(separator: ", ")))"
                        : "Fix requirement \(gap.requirement.id) — \(gap.requirement.title.en) (rules: \(remediations.joined(separator: ", ")))",
                    "due": due,
                ])
            }
            for gap in gaps where gap.status == .notAssessed && gap.requirement.severity >= .high {
                let evidence = gap.requirement.evidence?.text(language) ?? (vi ? "kết quả quét kỹ thuật" : "a technical scan")
                recommendations.append([
                    "text": vi ? "Bổ sung chứng cứ cho \(gap.requirement.id) — \(gap.requirement.title.vi): \(evidence)"
                        : "Provide evidence for \(gap.requirement.id) — \(gap.requirement.title.en): \(evidence)",
                    "due": vi ? "trước khi đề nghị kết nối" : "before the connection request",
                ])
            }
            let severityCounts = Severity.allCases.reversed().filter { $0 != .info }.map { severity in
                (severity, system.findings.filter { $0.severity == severity && !$0.isAcceptedRisk }.count)
            }
            var entry: [String: Any] = [
                "id": system.id, "name": system.name, "kind": system.kind, "owner": system.owner.isEmpty ? "—" : system.owner,
                "level": system.level.map { String($0) } ?? "—", "endpoints": system.endpoints.joined(separator: ", "),
                "verdict": readiness.verdict.label(language), "verdictClass": readiness.verdict.rawValue,
                "reasons": readiness.reasons.map { $0.text(language) },
                "groups": groups,
                "gaps": gaps.map { requirementRow($0, document: document) },
                "hasGaps": !gaps.isEmpty,
                "recommendations": recommendations,
                "findings": system.findings.sorted { ($0.severity, $1.id) > ($1.severity, $0.id) }.map { finding in
                    [
                        "id": finding.id, "severity": finding.severity.label(language), "severityClass": finding.severity.rawValue,
                        "title": finding.title.text(language), "endpoint": finding.endpoint, "rule": finding.ruleID,
                        "state": stateLabel(finding.state, language), "due": finding.dueAt.map(day) ?? "—",
                        "evidence": String(finding.evidence.prefix(400)),
                    ] as [String: Any]
                },
                "hasFindings": !system.findings.isEmpty,
                "severityCounts": severityCounts.map { ["label": $0.0.label(language), "count": $0.1, "class": $0.0.rawValue] },
                "scans": system.scans.sorted { $0.id > $1.id }.prefix(20).map { scan in
                    [
                        "id": scan.id, "system": system.id, "date": timestamp(scan.startedAt), "status": scan.status, "count": scan.findingCount,
                        "trigger": scan.trigger, "actor": scan.actor, "policy": scan.policy, "tool": scan.toolVersion,
                    ] as [String: Any]
                },
                "requirementsMet": readiness.count(.met), "requirementsNotMet": readiness.count(.notMet),
                "requirementsNotAssessed": readiness.count(.notAssessed), "requirementsNotApplicable": readiness.count(.notApplicable),
                "requirementsTotal": readiness.requirements.count,
            ]
            if charts {
                entry["chartSeverity"] = SVGCharts.severityBars(severityCounts, title: s("chartSeverity"), language: language)
                entry["chartGroups"] = SVGCharts.readinessByGroup(readiness, title: s("chartGroups"), language: language)
                entry["chartTrend"] = SVGCharts.trend(system.scans, title: s("chartTrend"), language: language)
            }
            if let comparison = system.comparison {
                func rows(_ changes: [ReportDocument.Change]) -> [[String: Any]] {
                    changes.map { ["title": $0.title.text(language), "endpoint": $0.endpoint, "rule": $0.ruleID, "severity": $0.severity.label(language)] }
                }
                entry["comparison"] = [
                    "from": comparison.fromScan, "to": comparison.toScan, "fixed": rows(comparison.fixed), "new": rows(comparison.new),
                    "stillOpen": rows(comparison.stillOpen), "fixedCount": comparison.fixed.count, "newCount": comparison.new.count,
                    "stillOpenCount": comparison.stillOpen.count,
                ] as [String: Any]
                if charts {
                    entry["chartCompare"] = SVGCharts.comparison(comparison, title: s("chartCompare"), labels: (s("fixed"), s("new"), s("stillOpen")))
                }
            }
            systems.append(entry)
        }
        let recipients = document.recipients.enumerated().map { index, text in
            ["text": text, "last": index == document.recipients.count - 1] as [String: Any]
        }
        let names = document.systems.map(\.name).joined(separator: vi ? " và " : " and ")
        return [
            "t": strings,
            "lang": language.rawValue,
            "draft": document.draft,
            "org": [
                "parent": document.organization.parent, "parentUpper": document.organization.parent.uppercased(),
                "name": document.organization.name, "nameUpper": document.organization.name.uppercased(),
                "abbreviation": document.organization.abbreviation, "place": document.organization.place,
                "draftingUnit": document.organization.draftingUnit,
            ],
            "number": "…/BC-\(document.organization.abbreviation)",
            "dateLine": dateLine(document.generatedAt, place: document.organization.place, language: language),
            "summary": vi ? "Kết quả đánh giá mức độ sẵn sàng kết nối \(names) với Cơ sở dữ liệu quốc gia về dân cư"
                : "Readiness of \(names) to connect to the national population database",
            "profile": [
                "id": document.profile.id, "version": document.profile.version, "title": document.profile.title.text(language),
                "disclaimer": document.profile.disclaimer.text(language),
                "basisLabel": document.citesCurrentBasis ? s("basisCurrent") : s("basisLegacy"),
            ],
            "basis": document.profile.basis.map { ["topic": $0.topic.text(language), "legacy": $0.legacy, "current": $0.current] },
            "verdict": document.verdict.label(language), "verdictClass": document.verdict.rawValue,
            "authorization": ["number": document.authorization.number, "date": day(document.authorization.date), "scope": document.authorization.scope],
            "systems": systems,
            "generatedAt": timestamp(document.generatedAt),
            "tool": "sansang \(document.toolVersion)", "host": document.sourceHost,
            "recipients": recipients,
            "signer": ["authority": document.signerAuthority, "title": document.signerTitle, "name": document.signerName],
        ]
    }

    static func requirementRow(_ item: RequirementResult, document: ReportDocument) -> [String: Any] {
        let language = document.language
        let citation = document.citesCurrentBasis ? item.requirement.currentCitation : item.requirement.legacyCitation
        return [
            "id": item.requirement.id, "title": item.requirement.title.text(language),
            "severity": item.requirement.severity.label(language), "severityClass": item.requirement.severity.rawValue,
            "status": item.status.label(language), "statusClass": item.status.rawValue,
            "reason": item.reason.text(language), "citation": citation == "—" ? item.requirement.legacyCitation : citation,
            "methods": item.requirement.methods.joined(separator: ", "), "due": item.dueAt.map(day) ?? "—",
            "evidence": item.attestations.map { attestation in
                [attestation.document, attestation.sha256.map { "SHA-256 " + $0.prefix(16) + "…" }, attestation.link].compactMap { $0 }.joined(separator: "; ") + " (\(attestation.attestedBy))"
            }.joined(separator: " | "),
            "confidence": item.requirement.confidence,
        ]
    }

    static func stateLabel(_ state: String, _ language: Language) -> String {
        let vi: [String: String] = [
            "open": "Mới phát hiện", "acknowledged": "Đã tiếp nhận", "in_progress": "Đang khắc phục", "fixed": "Đã khắc phục",
            "reopened": "Tái xuất hiện", "risk_accepted": "Chấp nhận rủi ro", "false_positive": "Cảnh báo sai",
        ]
        return language == .vi ? (vi[state] ?? state) : state.replacingOccurrences(of: "_", with: " ")
    }

    static func calendar() -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current
        return calendar
    }

    static func day(_ date: Date) -> String {
        let parts = calendar().dateComponents([.day, .month, .year], from: date)
        return String(format: "%02d/%02d/%04d", parts.day ?? 0, parts.month ?? 0, parts.year ?? 0)
    }

    static func timestamp(_ date: Date) -> String {
        let parts = calendar().dateComponents([.day, .month, .year, .hour, .minute], from: date)
        return String(format: "%02d/%02d/%04d %02d:%02d", parts.day ?? 0, parts.month ?? 0, parts.year ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    /// "Demo, ngày 05 tháng 02 năm 2026": days below 10 and months 1–2 take a leading zero.
    static func dateLine(_ date: Date, place: String, language: Language) -> String {
        let parts = calendar().dateComponents([.day, .month, .year], from: date)
        let dayValue = parts.day ?? 1, month = parts.month ?? 1, year = parts.year ?? 2026
        if language == .vi {
            let dayText = String(format: "%02d", dayValue)
            let monthText = month <= 2 ? String(format: "%02d", month) : String(month)
            return "\(place), ngày \(dayText) tháng \(monthText) năm \(year)"
        }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(place), \(dayValue) \(months[max(0, min(11, month - 1))]) \(year)"
    }
}
