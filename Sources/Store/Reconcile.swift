public import Foundation
public import SansangCore
import GRDB

extension FindingStore {
    /// Records a finished scan and reconciles its findings with what the store knows, in one
    /// transaction (a crash leaves the store as it was):
    /// new fingerprints open; known ones gain a sighting; fixed ones seen again reopen; active
    /// ones the scan no longer sees become fixed — only when the scan is complete and it judged
    /// the same rule on the same endpoint; expired risk acceptances reopen.
    ///
    /// The work is set-based: the scan's findings go into a temporary table, then a few
    /// statements update, insert, reopen and fix in bulk (100,000 findings in about a second).
    @discardableResult
    public func record(scan id: Int64, system: String, results: [EndpointResult], actor: String, now: Date) throws(SansangError) -> ReconcileSummary {
        let status: ScanStatus = results.allSatisfy(\.complete) ? .complete : .incomplete
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        var endpointRows: [(endpoint: String, complete: Bool, facts: String, passed: String, inconclusive: String)] = []
        var judged: [(endpoint: String, rule: String)] = []
        var incoming: [IncomingFinding] = []
        var seen = Set<String>()
        var requirementsJSON: [String: String] = [:]  // per rule: one encoding, not one per finding
        let listEncoder = JSONEncoder()
        for result in results {
            let facts: String
            do {
                facts = String(decoding: try encoder.encode(try result.facts.jsonObject(encoder: encoder)), as: UTF8.self)
            } catch {
                throw SansangError(.io, "cannot encode the facts of \(result.endpoint): \(error)")
            }
            let passed = String(decoding: (try? encoder.encode(result.passed)) ?? Data("[]".utf8), as: UTF8.self)
            let inconclusive = String(decoding: (try? encoder.encode(result.inconclusive.map(\.ruleId))) ?? Data("[]".utf8), as: UTF8.self)
            let key = result.endpoint.description
            endpointRows.append((key, result.complete, facts, passed, inconclusive))
            for rule in Set(result.passed).union(result.findings.map(\.ruleId)) { judged.append((key, rule)) }
            for finding in result.findings {
                let fingerprint = finding.fingerprint(system: system)
                guard seen.insert(fingerprint).inserted else { continue }
                let requirements: String
                if let cached = requirementsJSON[finding.ruleId] {
                    requirements = cached
                } else {
                    requirements = String(decoding: (try? listEncoder.encode(finding.requirements)) ?? Data("[]".utf8), as: UTF8.self)
                    requirementsJSON[finding.ruleId] = requirements
                }
                incoming.append(IncomingFinding(fingerprint: fingerprint, finding: finding, endpoint: key, requirements: requirements))
            }
        }
        let sla = self.sla
        let rows = endpointRows
        let judgedRows = judged
        let findings = incoming
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
            try db.execute(sql: """
                CREATE TEMP TABLE IF NOT EXISTS reconcile_incoming (
                    fingerprint TEXT PRIMARY KEY, rule_id TEXT, endpoint TEXT, subject TEXT, severity TEXT, title_vi TEXT,
                    title_en TEXT, remediation_vi TEXT, remediation_en TEXT, requirements TEXT, evidence TEXT
                ) WITHOUT ROWID;
                CREATE TEMP TABLE IF NOT EXISTS reconcile_judged (endpoint TEXT, rule_id TEXT, PRIMARY KEY (endpoint, rule_id)) WITHOUT ROWID;
                DELETE FROM reconcile_incoming;
                DELETE FROM reconcile_judged;
                """)
            let stage = try db.cachedStatement(sql: "INSERT OR IGNORE INTO reconcile_incoming VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for item in findings {
                let finding = item.finding
                // The statement and the argument count are fixed: skip GRDB's per-call validation.
                stage.setUncheckedArguments([
                    item.fingerprint, finding.ruleId, item.endpoint, finding.subject, finding.severity.rawValue, finding.title.vi,
                    finding.title.en, finding.remediation.vi, finding.remediation.en, item.requirements, finding.evidence,
                ])
                try stage.execute()
            }
            let stageJudged = try db.cachedStatement(sql: "INSERT OR IGNORE INTO reconcile_judged VALUES (?, ?)")
            for row in judgedRows { try stageJudged.execute(arguments: [row.endpoint, row.rule]) }

            let time = now.timeIntervalSince1970
            // Due dates by severity, as SQL over the staged severity.
            func due(_ column: String) -> String {
                "CASE \(column) " + Severity.allCases.compactMap { severity in
                    sla.days[severity].map { "WHEN '\(severity.rawValue)' THEN \(time + Double($0) * 86400)" }
                }.joined(separator: " ") + " ELSE NULL END"
            }
            var summary = ReconcileSummary(scanID: id, status: status, new: 0, seenAgain: 0, reopened: 0, fixed: 0)

            // 1. Fixed findings seen again reopen (events first, while the old state is known).
            try db.execute(sql: """
                INSERT INTO events (at, actor, kind, finding_id, scan_id, from_state, to_state, reason)
                SELECT ?, ?, 'finding.reopened', f.id, ?, 'fixed', 'reopened', ?
                FROM findings f JOIN reconcile_incoming i ON i.fingerprint = f.fingerprint WHERE f.state = 'fixed'
                """, arguments: [time, actor, id, "seen again by scan \(id)"])
            try db.execute(sql: """
                UPDATE findings SET state = 'reopened', due_at = (SELECT \(due("i.severity")) FROM reconcile_incoming i WHERE i.fingerprint = findings.fingerprint),
                    state_changed_at = ?, state_changed_by = ?, state_reason = ?
                WHERE state = 'fixed' AND fingerprint IN (SELECT fingerprint FROM reconcile_incoming)
                """, arguments: [time, actor, "seen again by scan \(id)"])
            summary.reopened = db.changesCount

            // 2. Known findings gain a sighting's worth of freshness.
            try db.execute(sql: """
                UPDATE findings SET last_seen_scan = ?, last_seen_at = ?, sightings = sightings + 1,
                    evidence = (SELECT i.evidence FROM reconcile_incoming i WHERE i.fingerprint = findings.fingerprint),
                    severity = (SELECT i.severity FROM reconcile_incoming i WHERE i.fingerprint = findings.fingerprint)
                WHERE fingerprint IN (SELECT fingerprint FROM reconcile_incoming)
                """, arguments: [id, time])
            summary.seenAgain = db.changesCount

            // 3. New fingerprints open.
            try db.execute(sql: """
                INSERT INTO findings (fingerprint, system_id, rule_id, endpoint, subject, severity, title_vi, title_en, remediation_vi,
                    remediation_en, requirements, evidence, state, first_seen_scan, last_seen_scan, first_seen_at, last_seen_at,
                    sightings, due_at, state_changed_at, state_changed_by)
                SELECT i.fingerprint, ?, i.rule_id, i.endpoint, i.subject, i.severity, i.title_vi, i.title_en, i.remediation_vi,
                    i.remediation_en, i.requirements, i.evidence, 'open', ?, ?, ?, ?, 1, \(due("i.severity")), ?, ?
                FROM reconcile_incoming i WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.fingerprint = i.fingerprint)
                """, arguments: [system, id, id, time, time, time, actor])
            summary.new = db.changesCount
            try db.execute(sql: """
                INSERT INTO events (at, actor, kind, finding_id, scan_id, from_state, to_state, reason)
                SELECT ?, ?, 'finding.opened', id, ?, NULL, 'open', NULL FROM findings WHERE first_seen_scan = ? AND system_id = ?
                """, arguments: [time, actor, id, id, system])

            // 4. One sighting per finding seen.
            try db.execute(sql: """
                INSERT OR IGNORE INTO sightings (finding_id, scan_id, evidence)
                SELECT f.id, ?, i.evidence FROM reconcile_incoming i JOIN findings f ON f.fingerprint = i.fingerprint
                """, arguments: [id])

            // 5. A complete scan that judged the same rule on the same endpoint and no longer sees a finding verifies its fix.
            if status == .complete {
                let fixable = """
                    system_id = ? AND state IN ('open', 'acknowledged', 'in_progress', 'reopened')
                    AND fingerprint NOT IN (SELECT fingerprint FROM reconcile_incoming)
                    AND EXISTS (SELECT 1 FROM reconcile_judged j WHERE j.endpoint = findings.endpoint AND j.rule_id = findings.rule_id)
                    """
                let reason = "not seen by complete scan \(id) (verification)"
                try db.execute(sql: """
                    INSERT INTO events (at, actor, kind, finding_id, scan_id, from_state, to_state, reason)
                    SELECT ?, ?, 'finding.fixed', id, ?, state, 'fixed', ? FROM findings WHERE \(fixable)
                    """, arguments: [time, actor, id, reason, system])
                try db.execute(sql: "UPDATE findings SET state = 'fixed', state_changed_at = ?, state_changed_by = ?, state_reason = ? WHERE \(fixable)",
                               arguments: [time, actor, reason, system])
                summary.fixed = db.changesCount
            }
            try db.execute(sql: "DELETE FROM reconcile_incoming; DELETE FROM reconcile_judged;")
            _ = try Self.expireAcceptances(db, now: now)
            try db.execute(
                sql: "UPDATE scans SET status = ?, finished_at = ?, finding_count = ? WHERE id = ?",
                arguments: [status.rawValue, time, findings.count, id]
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

/// One finding of the scan being recorded, staged for the bulk statements.
struct IncomingFinding: Sendable {
    var fingerprint: String
    var finding: Finding
    var endpoint: String
    var requirements: String
}
