public import Foundation
public import SansangCore
import GRDB

extension FindingStore {
    /// Records an attestation; returns its id. Logged as an event.
    @discardableResult
    public func attest(
        system: String, requirement: String, kind: String, statement: String, document: String?, file: String?,
        sha256: String?, link: String?, by actor: String, expiresAt: Date?, now: Date
    ) throws(SansangError) -> Int64 {
        guard kind == "control" || kind == "not-applicable" else { throw SansangError(.configuration, "kind must be 'control' or 'not-applicable'") }
        guard !statement.isEmpty, !actor.isEmpty else { throw SansangError(.configuration, "an attestation needs a statement and who attests (--by)") }
        guard document != nil || file != nil || link != nil || kind == "not-applicable" else {
            throw SansangError(.configuration, "an attestation needs evidence: --document, --file or --link")
        }
        if let expiresAt, expiresAt <= now { throw SansangError(.configuration, "the attestation would already be expired") }
        return try write("recording an attestation") { db in
            try db.execute(
                sql: """
                    INSERT INTO attestations (system_id, requirement_id, kind, statement, document, file, sha256, link, attested_by, attested_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [system, requirement, kind, statement, document, file, sha256, link, actor, now.timeIntervalSince1970, expiresAt?.timeIntervalSince1970]
            )
            let id = db.lastInsertedRowID
            try Self.event(db, at: now, actor: actor, kind: "attestation.recorded", reason: "\(system) \(requirement) (\(kind)) #\(id): \(statement)")
            return id
        }
    }

    public func revokeAttestation(_ id: Int64, by actor: String, reason: String, now: Date) throws(SansangError) {
        try write("revoking an attestation") { db in
            try db.execute(sql: "UPDATE attestations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now.timeIntervalSince1970, id])
            guard db.changesCount == 1 else { throw SansangError(.configuration, "no active attestation #\(id)") }
            try Self.event(db, at: now, actor: actor, kind: "attestation.revoked", reason: "#\(id): \(reason)")
        }
    }

    public func attestations(system: String? = nil) throws(SansangError) -> [Attestation] {
        try read("listing attestations") { db in
            var sql = "SELECT * FROM attestations"
            var arguments: StatementArguments = []
            if let system { sql += " WHERE system_id = ?"; arguments += [system] }
            sql += " ORDER BY requirement_id, id"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                Attestation(
                    id: row["id"], systemID: row["system_id"], requirementID: row["requirement_id"], kind: row["kind"], statement: row["statement"],
                    document: row["document"], file: row["file"], sha256: row["sha256"], link: row["link"], attestedBy: row["attested_by"],
                    attestedAt: Date(timeIntervalSince1970: row["attested_at"]),
                    expiresAt: (row["expires_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:))
                )
            }
        }
    }

    /// The latest scan of a system as readiness sees it: rules judged and undecided.
    public func scanEvidence(system: String) throws(SansangError) -> ScanEvidence {
        try read("reading scan evidence") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, status, finished_at FROM scans WHERE system_id = ? AND status IN ('complete', 'incomplete') ORDER BY id DESC LIMIT 1", arguments: [system]) else {
                return ScanEvidence(judgedRules: [], inconclusiveRules: [], scanID: nil, scanDate: nil, complete: false)
            }
            let id: Int64 = row["id"]
            var judged = Set<String>()
            var inconclusive = Set<String>()
            for endpoint in try Row.fetchAll(db, sql: "SELECT passed, inconclusive FROM scan_endpoints WHERE scan_id = ?", arguments: [id]) {
                judged.formUnion((try? JSONDecoder().decode([String].self, from: Data((endpoint["passed"] as String).utf8))) ?? [])
                inconclusive.formUnion((try? JSONDecoder().decode([String].self, from: Data((endpoint["inconclusive"] as String).utf8))) ?? [])
            }
            judged.formUnion(try String.fetchAll(db, sql: "SELECT DISTINCT f.rule_id FROM sightings s JOIN findings f ON f.id = s.finding_id WHERE s.scan_id = ?", arguments: [id]))
            return ScanEvidence(
                judgedRules: judged, inconclusiveRules: inconclusive, scanID: id,
                scanDate: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)), complete: (row["status"] as String) == "complete"
            )
        }
    }

    /// Findings that count for readiness: active ones and accepted risks.
    public func readinessFindings(system: String) throws(SansangError) -> [ReadinessFinding] {
        try findings(FindingFilter(system: system, states: [.open, .acknowledged, .inProgress, .reopened, .riskAccepted])).map { finding in
            ReadinessFinding(
                id: finding.id, ruleID: finding.ruleID, severity: finding.severity, title: finding.title, endpoint: finding.endpoint,
                state: finding.state.rawValue, dueAt: finding.dueAt, evidence: finding.evidence
            )
        }
    }
}

extension FindingStore {
    /// The findings a scan saw, as a gate baseline: severity by system-less fingerprint.
    public func baseline(scan id: Int64) throws(SansangError) -> [String: Severity] {
        guard try scan(id) != nil else { throw SansangError(.configuration, "no scan #\(id) in the store to use as a baseline") }
        return try read("reading a baseline") { db in
            var out: [String: Severity] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT f.rule_id, f.endpoint, f.subject, f.severity FROM sightings s JOIN findings f ON f.id = s.finding_id WHERE s.scan_id = ?", arguments: [id])
            for row in rows {
                guard let endpoint = try? Endpoint.parse(row["endpoint"] as String) else { continue }
                let key = Finding.fingerprint(ruleId: row["rule_id"], system: "", host: endpoint.host, port: endpoint.port, subject: row["subject"])
                out[key] = Severity(rawValue: row["severity"]) ?? .info
            }
            return out
        }
    }
}
