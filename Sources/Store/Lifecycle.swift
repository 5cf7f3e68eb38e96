public import Foundation
public import SansangCore
import GRDB

extension FindingStore {
    public func findings(_ filter: FindingFilter = FindingFilter()) throws(SansangError) -> [StoredFinding] {
        try read("listing findings") { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let system = filter.system { clauses.append("system_id = ?"); arguments += [system] }
            if let severities = filter.severities, !severities.isEmpty {
                clauses.append("severity IN (\(severities.map { _ in "?" }.joined(separator: ",")))")
                for severity in severities.sorted() { arguments += [severity.rawValue] }
            }
            if let states = filter.states, !states.isEmpty {
                clauses.append("state IN (\(states.map { _ in "?" }.joined(separator: ",")))")
                for state in states.map(\.rawValue).sorted() { arguments += [state] }
            }
            if let overdue = filter.overdueAt {
                clauses.append("due_at < ? AND state IN ('open', 'acknowledged', 'in_progress', 'reopened')")
                arguments += [overdue.timeIntervalSince1970]
            }
            if let rule = filter.ruleID { clauses.append("rule_id = ?"); arguments += [rule] }
            var sql = "SELECT * FROM findings"
            if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
            sql += " ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, id"
            if let limit = filter.limit { sql += " LIMIT ?"; arguments += [limit] }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.finding)
        }
    }

    /// A finding by id or by fingerprint (or a unique fingerprint prefix of 6+ characters).
    public func finding(_ reference: String) throws(SansangError) -> StoredFinding? {
        try read("reading a finding") { db in
            if let id = Int64(reference), let row = try Row.fetchOne(db, sql: "SELECT * FROM findings WHERE id = ?", arguments: [id]) {
                return Self.finding(row)
            }
            guard reference.count >= 6 else { return nil }
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM findings WHERE fingerprint LIKE ? LIMIT 2", arguments: [reference + "%"])
            return rows.count == 1 ? Self.finding(rows[0]) : nil
        }
    }

    public func events(finding id: Int64) throws(SansangError) -> [FindingEvent] {
        try read("reading events") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE finding_id = ? ORDER BY id", arguments: [id]).map(Self.event)
        }
    }

    public func allEvents() throws(SansangError) -> [FindingEvent] {
        try read("reading events") { db in try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY id").map(Self.event) }
    }

    /// Scan ids that saw a finding.
    public func sightings(finding id: Int64) throws(SansangError) -> [Int64] {
        try read("reading sightings") { db in try Int64.fetchAll(db, sql: "SELECT scan_id FROM sightings WHERE finding_id = ? ORDER BY scan_id", arguments: [id]) }
    }

    /// A person's change of state. `fixed` is refused: only a complete scan can verify a fix.
    public func transition(_ id: Int64, to state: FindingState, actor: String, reason: String?, now: Date) throws(SansangError) {
        guard state != .fixed else {
            throw SansangError(.configuration, "a finding becomes fixed only when a complete scan no longer sees it; rescan instead")
        }
        guard state != .riskAccepted else { throw SansangError(.configuration, "use accept (with an expiry, an approver and a reason) to accept a risk") }
        if state == .falsePositive, (reason ?? "").isEmpty { throw SansangError(.configuration, "a false positive needs a reason") }
        try change(id, to: state, actor: actor, reason: reason, acceptedUntil: nil, now: now)
    }

    /// Accepts the risk until `until`; it reopens itself after that.
    public func acceptRisk(_ id: Int64, until: Date, approver: String, reason: String, now: Date) throws(SansangError) {
        guard until > now else { throw SansangError(.configuration, "the acceptance must end in the future") }
        guard !approver.isEmpty, !reason.isEmpty else { throw SansangError(.configuration, "a risk acceptance needs an approver and a reason") }
        try change(id, to: .riskAccepted, actor: approver, reason: reason, acceptedUntil: until, now: now)
    }

    private func change(_ id: Int64, to state: FindingState, actor: String, reason: String?, acceptedUntil: Date?, now: Date) throws(SansangError) {
        guard !actor.isEmpty else { throw SansangError(.configuration, "say who makes the change (--by)") }
        try write("changing finding \(id)") { db in
            guard let current = try String.fetchOne(db, sql: "SELECT state FROM findings WHERE id = ?", arguments: [id]) else {
                throw SansangError(.configuration, "no finding \(id)")
            }
            guard current != state.rawValue || state == .riskAccepted else {
                throw SansangError(.configuration, "finding \(id) is already \(current)")
            }
            if current == FindingState.fixed.rawValue && state != .falsePositive {
                throw SansangError(.configuration, "finding \(id) is fixed (verified by a scan); it reopens by itself if seen again")
            }
            try db.execute(
                sql: "UPDATE findings SET state = ?, state_changed_at = ?, state_changed_by = ?, state_reason = ?, accepted_until = ?, accepted_by = ? WHERE id = ?",
                arguments: [state.rawValue, now.timeIntervalSince1970, actor, reason, acceptedUntil?.timeIntervalSince1970, state == .riskAccepted ? actor : nil, id]
            )
            try Self.event(db, at: now, actor: actor, kind: state == .riskAccepted ? "finding.risk-accepted" : "finding.state", findingID: id, from: current, to: state.rawValue, reason: reason)
        }
    }

    /// New, fixed and still-open findings between two scans of the same system.
    public func diff(from: Int64, to: Int64) throws(SansangError) -> ScanDiff {
        guard let first = try scan(from), let second = try scan(to) else {
            throw SansangError(.configuration, "no such scan: \(try scan(from) == nil ? from : to)")
        }
        guard first.systemID == second.systemID else {
            throw SansangError(.configuration, "scan \(from) is of \(first.systemID), scan \(to) of \(second.systemID); compare scans of one system")
        }
        return try read("comparing scans") { db in
            let a = Set(try Int64.fetchAll(db, sql: "SELECT finding_id FROM sightings WHERE scan_id = ?", arguments: [from]))
            let b = Set(try Int64.fetchAll(db, sql: "SELECT finding_id FROM sightings WHERE scan_id = ?", arguments: [to]))
            var judged: [String: Set<String>] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT endpoint, complete, passed FROM scan_endpoints WHERE scan_id = ?", arguments: [to]) {
                let passed = (try? JSONDecoder().decode([String].self, from: Data((row["passed"] as String).utf8))) ?? []
                judged[row["endpoint"]] = Set(passed)
            }
            let all = try Row.fetchAll(db, sql: "SELECT * FROM findings WHERE id IN (SELECT finding_id FROM sightings WHERE scan_id IN (?, ?))", arguments: [from, to]).map(Self.finding)
            let failedInTo = Set(all.filter { b.contains($0.id) }.map { "\($0.endpoint)\u{1F}\($0.ruleID)" })
            var result = ScanDiff(from: from, to: to, new: [], fixed: [], stillOpen: [], notRetested: [])
            for finding in all {
                switch (a.contains(finding.id), b.contains(finding.id)) {
                case (false, true): result.new.append(finding)
                case (true, true): result.stillOpen.append(finding)
                case (true, false):
                    let retested = judged[finding.endpoint]?.contains(finding.ruleID) == true || failedInTo.contains("\(finding.endpoint)\u{1F}\(finding.ruleID)")
                    if retested { result.fixed.append(finding) } else { result.notRetested.append(finding) }
                case (false, false): continue
                }
            }
            return result
        }
    }

    static func finding(_ row: Row) -> StoredFinding {
        let requirements = (try? JSONDecoder().decode([String].self, from: Data((row["requirements"] as String).utf8))) ?? []
        return StoredFinding(
            id: row["id"], fingerprint: row["fingerprint"], systemID: row["system_id"], ruleID: row["rule_id"], endpoint: row["endpoint"],
            subject: row["subject"], severity: Severity(rawValue: row["severity"]) ?? .info,
            title: Localized(vi: row["title_vi"], en: row["title_en"]), remediation: Localized(vi: row["remediation_vi"], en: row["remediation_en"]),
            requirements: requirements, evidence: row["evidence"], state: FindingState(rawValue: row["state"]) ?? .open,
            firstSeenScan: row["first_seen_scan"], lastSeenScan: row["last_seen_scan"],
            firstSeenAt: Date(timeIntervalSince1970: row["first_seen_at"]), lastSeenAt: Date(timeIntervalSince1970: row["last_seen_at"]),
            sightings: row["sightings"], dueAt: (row["due_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            acceptedUntil: (row["accepted_until"] as Double?).map(Date.init(timeIntervalSince1970:)), acceptedBy: row["accepted_by"],
            stateReason: row["state_reason"], stateChangedAt: Date(timeIntervalSince1970: row["state_changed_at"]), stateChangedBy: row["state_changed_by"]
        )
    }

    static func event(_ row: Row) -> FindingEvent {
        FindingEvent(
            id: row["id"], at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"], kind: row["kind"], findingID: row["finding_id"],
            scanID: row["scan_id"], fromState: row["from_state"], toState: row["to_state"], reason: row["reason"]
        )
    }
}
