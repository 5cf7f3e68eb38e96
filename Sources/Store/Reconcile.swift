public import Foundation
public import SansangCore
import GRDB

extension FindingStore {
    /// Records a finished scan and reconciles its findings with what the store knows, in one
    /// transaction (a crash leaves the store as it was):
    /// new fingerprints open; known ones gain a sighting; fixed ones seen again reopen; active
    /// ones the scan no longer sees become fixed — only when the scan is complete and it judged
    /// the same rule on the same endpoint; expired risk acceptances reopen.
    @discardableResult
    public func record(scan id: Int64, system: String, results: [EndpointResult], actor: String, now: Date) throws(SansangError) -> ReconcileSummary {
        let status: ScanStatus = results.allSatisfy(\.complete) ? .complete : .incomplete
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        var endpointRows: [(endpoint: String, complete: Bool, facts: String, passed: String, inconclusive: String)] = []
        for result in results {
            let facts: String
            do {
                facts = String(decoding: try encoder.encode(try result.facts.jsonObject(encoder: encoder)), as: UTF8.self)
            } catch {
                throw SansangError(.io, "cannot encode the facts of \(result.endpoint): \(error)")
            }
            let passed = String(decoding: (try? encoder.encode(result.passed)) ?? Data("[]".utf8), as: UTF8.self)
            let inconclusive = String(decoding: (try? encoder.encode(result.inconclusive.map(\.ruleId))) ?? Data("[]".utf8), as: UTF8.self)
            endpointRows.append((result.endpoint.description, result.complete, facts, passed, inconclusive))
        }
        let sla = self.sla
        let rows = endpointRows
        return try write("recording scan \(id)") { db in
            guard let statusText = try String.fetchOne(db, sql: "SELECT status FROM scans WHERE id = ?", arguments: [id]) else {
                throw SansangError(.configuration, "scan \(id) does not exist")
            }
            guard statusText == ScanStatus.running.rawValue else {
                throw SansangError(.configuration, "scan \(id) is already \(statusText); a scan is recorded once")
            }
            let insertEndpoint = try db.cachedStatement(sql: "INSERT INTO scan_endpoints (scan_id, endpoint, complete, facts, passed, inconclusive) VALUES (?, ?, ?, ?, ?, ?)")
            for row in rows {
                try insertEndpoint.execute(arguments: [id, row.endpoint, row.complete, row.facts, row.passed, row.inconclusive])
            }
            var summary = ReconcileSummary(scanID: id, status: status, new: 0, seenAgain: 0, reopened: 0, fixed: 0)
            struct Known { var id: Int64; var state: FindingState; var ruleID: String; var endpoint: String }
            var known: [String: Known] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, fingerprint, state, rule_id, endpoint FROM findings WHERE system_id = ?", arguments: [system]) {
                known[row["fingerprint"]] = Known(id: row["id"], state: FindingState(rawValue: row["state"]) ?? .open, ruleID: row["rule_id"], endpoint: row["endpoint"])
            }
            let time = now.timeIntervalSince1970
            let insertFinding = try db.cachedStatement(sql: """
                INSERT INTO findings (fingerprint, system_id, rule_id, endpoint, subject, severity, title_vi, title_en, remediation_vi,
                    remediation_en, requirements, evidence, state, first_seen_scan, last_seen_scan, first_seen_at, last_seen_at,
                    sightings, due_at, state_changed_at, state_changed_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, 1, ?, ?, ?)
                """)
            let seenAgain = try db.cachedStatement(sql: """
                UPDATE findings SET last_seen_scan = ?, last_seen_at = ?, sightings = sightings + 1, evidence = ?, severity = ?
                WHERE id = ?
                """)
            let reopen = try db.cachedStatement(sql: """
                UPDATE findings SET state = 'reopened', due_at = ?, state_changed_at = ?, state_changed_by = ?, state_reason = ?
                WHERE id = ?
                """)
            let insertSighting = try db.cachedStatement(sql: "INSERT OR IGNORE INTO sightings (finding_id, scan_id, evidence) VALUES (?, ?, ?)")
            var seen = Set<String>()
            // Which rules each endpoint judged: a finding is fixed only where its rule was judged again.
            var judged: [String: Set<String>] = [:]
            var failedRules: [String: Set<String>] = [:]
            for result in results {
                let key = result.endpoint.description
                judged[key] = Set(result.passed)
                failedRules[key] = Set(result.findings.map(\.ruleId))
                for finding in result.findings {
                    let fingerprint = finding.fingerprint(system: system)
                    guard seen.insert(fingerprint).inserted else { continue }
                    if let existing = known[fingerprint] {
                        try seenAgain.execute(arguments: [id, time, finding.evidence, finding.severity.rawValue, existing.id])
                        summary.seenAgain += 1
                        if existing.state == .fixed {
                            let reason = "seen again by scan \(id)"
                            try reopen.execute(arguments: [sla.due(finding.severity, from: now)?.timeIntervalSince1970, time, actor, reason, existing.id])
                            try Self.event(db, at: now, actor: actor, kind: "finding.reopened", findingID: existing.id, scanID: id, from: existing.state.rawValue, to: FindingState.reopened.rawValue, reason: reason)
                            summary.reopened += 1
                        }
                        try insertSighting.execute(arguments: [existing.id, id, finding.evidence])
                    } else {
                        let requirements = String(decoding: (try? JSONEncoder().encode(finding.requirements)) ?? Data("[]".utf8), as: UTF8.self)
                        try insertFinding.execute(arguments: [
                            fingerprint, system, finding.ruleId, key, finding.subject, finding.severity.rawValue,
                            finding.title.vi, finding.title.en, finding.remediation.vi, finding.remediation.en, requirements,
                            finding.evidence, id, id, time, time, sla.due(finding.severity, from: now)?.timeIntervalSince1970, time, actor,
                        ])
                        let findingID = db.lastInsertedRowID
                        try Self.event(db, at: now, actor: actor, kind: "finding.opened", findingID: findingID, scanID: id, to: FindingState.open.rawValue)
                        try insertSighting.execute(arguments: [findingID, id, finding.evidence])
                        summary.new += 1
                    }
                }
            }
            if status == .complete {
                let fix = try db.cachedStatement(sql: "UPDATE findings SET state = 'fixed', state_changed_at = ?, state_changed_by = ?, state_reason = ? WHERE id = ?")
                for (fingerprint, finding) in known where !seen.contains(fingerprint) && finding.state.isActive {
                    let judgedAgain = judged[finding.endpoint]?.contains(finding.ruleID) == true || failedRules[finding.endpoint]?.contains(finding.ruleID) == true
                    guard judgedAgain else { continue }
                    let reason = "not seen by complete scan \(id) (verification)"
                    try fix.execute(arguments: [time, actor, reason, finding.id])
                    try Self.event(db, at: now, actor: actor, kind: "finding.fixed", findingID: finding.id, scanID: id, from: finding.state.rawValue, to: FindingState.fixed.rawValue, reason: reason)
                    summary.fixed += 1
                }
            }
            _ = try Self.expireAcceptances(db, now: now)
            try db.execute(
                sql: "UPDATE scans SET status = ?, finished_at = ?, finding_count = ? WHERE id = ?",
                arguments: [status.rawValue, time, seen.count, id]
            )
            try Self.event(db, at: now, actor: actor, kind: "scan.recorded", scanID: id, reason: "\(status.rawValue): \(summary.new) new, \(summary.reopened) reopened, \(summary.fixed) fixed")
            return summary
        }
    }

    /// Risk acceptances past their expiry reopen themselves; returns how many.
    @discardableResult
    public func expireAcceptances(now: Date) throws(SansangError) -> Int {
        try write("expiring risk acceptances") { db in try Self.expireAcceptances(db, now: now) }
    }

    static func expireAcceptances(_ db: Database, now: Date) throws -> Int {
        let expired = try Row.fetchAll(db, sql: "SELECT id, severity FROM findings WHERE state = 'risk_accepted' AND accepted_until IS NOT NULL AND accepted_until < ?", arguments: [now.timeIntervalSince1970])
        for row in expired {
            let id: Int64 = row["id"]
            let reason = "risk acceptance expired"
            try db.execute(
                sql: "UPDATE findings SET state = 'reopened', state_changed_at = ?, state_changed_by = 'sansang', state_reason = ? WHERE id = ?",
                arguments: [now.timeIntervalSince1970, reason, id]
            )
            try event(db, at: now, actor: "sansang", kind: "finding.reopened", findingID: id, from: FindingState.riskAccepted.rawValue, to: FindingState.reopened.rawValue, reason: reason)
        }
        return expired.count
    }
}
