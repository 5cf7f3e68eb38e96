public import Foundation
public import SansangCore
import GRDB

/// Where a queued scan stands.
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, done, interrupted, failed
}

/// A scan waiting in, or gone through, the daemon's persistent queue.
public struct ScanJob: Codable, Sendable, Hashable {
    public var id: Int64
    public var systemID: String
    /// `scheduled` (a cron fire) or `manual` (an API or dashboard trigger).
    public var kind: String
    public var dueAt: Date
    public var requestedBy: String
    public var state: JobState
    public var attempts: Int
    public var scanID: Int64?
    public var queuedAt: Date
    public var startedAt: Date?
    public var deadlineAt: Date?
    public var finishedAt: Date?
    public var detail: String?
}

extension FindingStore {
    /// Queues the cron fire of `system` at `dueAt`; nil when that fire is already queued or done
    /// (a restart that computes the same fire again duplicates nothing).
    @discardableResult
    public func enqueueScheduledScan(system: String, dueAt: Date, now: Date) throws(SansangError) -> ScanJob? {
        try write("queueing a scheduled scan") { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO jobs (system_id, kind, due_at, requested_by, state, queued_at) VALUES (?, 'scheduled', ?, 'scheduler', 'queued', ?)",
                arguments: [system, dueAt.timeIntervalSince1970, now.timeIntervalSince1970]
            )
            guard db.changesCount == 1 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [db.lastInsertedRowID]).map(Self.job)
        }
    }

    /// Queues a manual scan of `system` for `actor`, unless one is already queued or running:
    /// then that one is returned (`created` false). Logged as an event with the requester.
    public func enqueueManualScan(system: String, requestedBy actor: String, now: Date) throws(SansangError) -> (job: ScanJob, created: Bool) {
        try write("queueing a manual scan") { db in
            if let existing = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE system_id = ? AND state IN ('queued', 'running') ORDER BY id LIMIT 1", arguments: [system]) {
                return (Self.job(existing), false)
            }
            try db.execute(
                sql: "INSERT INTO jobs (system_id, kind, due_at, requested_by, state, queued_at) VALUES (?, 'manual', ?, ?, 'queued', ?)",
                arguments: [system, now.timeIntervalSince1970, actor, now.timeIntervalSince1970]
            )
            let id = db.lastInsertedRowID
            try Self.event(db, at: now, actor: actor, kind: "scan.requested", reason: "manual scan of \(system) (job #\(id))")
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]) else {
                throw SansangError(.io, "job #\(id) vanished")
            }
            return (Self.job(row), true)
        }
    }

    /// Queued jobs due by `now`, oldest first.
    public func dueJobs(now: Date, limit: Int = 100) throws(SansangError) -> [ScanJob] {
        try read("reading the queue") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE state = 'queued' AND due_at <= ? ORDER BY due_at, id LIMIT ?", arguments: [now.timeIntervalSince1970, limit]).map(Self.job)
        }
    }

    public func job(_ id: Int64) throws(SansangError) -> ScanJob? {
        try read("reading a job") { db in try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]).map(Self.job) }
    }

    public func jobs(state: JobState? = nil, limit: Int = 100) throws(SansangError) -> [ScanJob] {
        try read("listing jobs") { db in
            var sql = "SELECT * FROM jobs"
            var arguments: StatementArguments = []
            if let state { sql += " WHERE state = ?"; arguments += [state.rawValue] }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.job)
        }
    }

    /// The latest cron fire queued for `system` (the scheduler resumes after it).
    public func lastScheduledFire(system: String) throws(SansangError) -> Date? {
        try read("reading the last fire") { db in
            try Double.fetchOne(db, sql: "SELECT MAX(due_at) FROM jobs WHERE system_id = ? AND kind = 'scheduled'", arguments: [system]).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// queued → running, one more attempt; false when the job is no longer queued.
    public func startJob(_ id: Int64, deadline: Date, now: Date) throws(SansangError) -> Bool {
        try write("starting a job") { db in
            try db.execute(
                sql: "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ?, deadline_at = ?, finished_at = NULL WHERE id = ? AND state = 'queued'",
                arguments: [now.timeIntervalSince1970, deadline.timeIntervalSince1970, id]
            )
            return db.changesCount == 1
        }
    }

    /// Links the scan a running job began (so a crash can be traced from the job to its scan).
    public func attachScan(_ scanID: Int64, toJob id: Int64) throws(SansangError) {
        try write("linking a job to its scan") { db in
            try db.execute(sql: "UPDATE jobs SET scan_id = ? WHERE id = ?", arguments: [scanID, id])
        }
    }

    /// running → done / interrupted / failed.
    public func finishJob(_ id: Int64, state: JobState, scanID: Int64?, detail: String?, now: Date) throws(SansangError) {
        guard state != .queued && state != .running else { throw SansangError(.configuration, "a job finishes as done, interrupted or failed") }
        try write("finishing a job") { db in
            try db.execute(
                sql: "UPDATE jobs SET state = ?, scan_id = COALESCE(?, scan_id), detail = ?, finished_at = ? WHERE id = ? AND state = 'running'",
                arguments: [state.rawValue, scanID, detail, now.timeIntervalSince1970, id]
            )
        }
    }

    /// At daemon start: jobs left `running` by a process that died. Their scans were marked
    /// interrupted by `recoverInterruptedScans`; the job goes back to the queue (same row, so
    /// nothing is duplicated) while it has attempts left, else it is recorded interrupted.
    @discardableResult
    public func recoverJobs(maxAttempts: Int, now: Date) throws(SansangError) -> (requeued: [Int64], interrupted: [Int64]) {
        try write("recovering the queue") { db in
            var requeued: [Int64] = [], interrupted: [Int64] = []
            for row in try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE state = 'running'") {
                let job = Self.job(row)
                if let scanID = job.scanID {
                    // The scan row was begun by the dead process; it must not stay `running`.
                    try db.execute(sql: "UPDATE scans SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'", arguments: [now.timeIntervalSince1970, scanID])
                    if db.changesCount == 1 {
                        try Self.event(db, at: now, actor: "sansang", kind: "scan.interrupted", scanID: scanID, reason: "the daemon stopped during the scan (job #\(job.id)); nothing was recorded")
                    }
                }
                if job.attempts < maxAttempts {
                    try db.execute(sql: "UPDATE jobs SET state = 'queued', scan_id = NULL, started_at = NULL, deadline_at = NULL, detail = ? WHERE id = ?",
                                   arguments: ["requeued after the daemon stopped during attempt \(job.attempts)", job.id])
                    requeued.append(job.id)
                } else {
                    try db.execute(sql: "UPDATE jobs SET state = 'interrupted', finished_at = ?, detail = ? WHERE id = ?",
                                   arguments: [now.timeIntervalSince1970, "the daemon stopped during the last attempt (\(job.attempts))", job.id])
                    interrupted.append(job.id)
                }
            }
            return (requeued, interrupted)
        }
    }

    static func job(_ row: Row) -> ScanJob {
        ScanJob(
            id: row["id"], systemID: row["system_id"], kind: row["kind"], dueAt: Date(timeIntervalSince1970: row["due_at"]),
            requestedBy: row["requested_by"], state: JobState(rawValue: row["state"]) ?? .failed, attempts: row["attempts"], scanID: row["scan_id"],
            queuedAt: Date(timeIntervalSince1970: row["queued_at"]),
            startedAt: (row["started_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            deadlineAt: (row["deadline_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)), detail: row["detail"]
        )
    }
}
