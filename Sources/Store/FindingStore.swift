public import Foundation
public import SansangCore
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The findings store: scans, the facts each gathered, findings with their lifecycle, and an
/// append-only event log. SQLite in WAL mode through GRDB; GRDB stays inside this module.
public final class FindingStore: Sendable {
    let writer: any DatabaseWriter
    public let path: String?
    public let sla: RemediationSLA

    init(writer: any DatabaseWriter, path: String?, sla: RemediationSLA) throws(SansangError) {
        self.writer = writer
        self.path = path
        self.sla = sla
        do {
            try Schema.migrator.migrate(writer)
        } catch {
            throw SansangError(.io, "\(path ?? "store"): cannot prepare the database: \(error)")
        }
    }

    /// Opens (creating if needed) the store at `path`, mode 0600, WAL. Marks scans left
    /// `running` by a process that no longer exists as interrupted.
    public static func open(path: String, sla: RemediationSLA = .standard) throws(SansangError) -> FindingStore {
        let existed = FileManager.default.fileExists(atPath: path)
        if !existed {
            let created = Glibc.open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            guard created >= 0 else {
                throw SansangError(.io, "\(path): cannot create the database: \(String(cString: strerror(errno)))")
            }
            close(created)
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        let store: FindingStore
        do {
            store = try FindingStore(writer: try DatabasePool(path: path, configuration: configuration), path: path, sla: sla)
        } catch let error as SansangError {
            throw error
        } catch {
            throw SansangError(.io, "\(path): cannot open the database: \(error)")
        }
        try store.recoverInterruptedScans()
        return store
    }

    /// A throwaway store in memory, for tests.
    public static func inMemory(sla: RemediationSLA = .standard) throws(SansangError) -> FindingStore {
        do {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            return try FindingStore(writer: try DatabaseQueue(configuration: configuration), path: nil, sla: sla)
        } catch let error as SansangError {
            throw error
        } catch {
            throw SansangError(.io, "cannot create an in-memory store: \(error)")
        }
    }

    /// Permission bits wider than 0600 on the database file (it holds evidence about weaknesses).
    public var permissionWarning: String? {
        guard let path, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = attributes[.posixPermissions] as? Int else { return nil }
        return mode & 0o077 != 0 ? "\(path) is readable or writable by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)" : nil
    }

    func write<T: Sendable>(_ what: String, _ work: @Sendable (Database) throws -> T) throws(SansangError) -> T {
        do {
            return try writer.write(work)
        } catch let error as SansangError {
            throw error
        } catch {
            throw SansangError(.io, "\(path ?? "store"): \(what) failed: \(error)")
        }
    }

    func read<T: Sendable>(_ what: String, _ work: @Sendable (Database) throws -> T) throws(SansangError) -> T {
        do {
            return try writer.read(work)
        } catch let error as SansangError {
            throw error
        } catch {
            throw SansangError(.io, "\(path ?? "store"): \(what) failed: \(error)")
        }
    }

    /// `PRAGMA integrity_check`: "ok" or the problems SQLite reports.
    public func integrityCheck() throws(SansangError) -> String {
        try read("integrity check") { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        }
    }

    // MARK: scans

    /// Records that a scan of `system` started (committed at once, so a crash leaves a trace).
    public func beginScan(system: String, trigger: String, actor: String, policy: String, now: Date) throws(SansangError) -> Int64 {
        let pid = Int64(getpid())
        let host = ProcessInfo.processInfo.hostName
        return try write("beginning a scan") { db in
            try db.execute(
                sql: "INSERT INTO scans (system_id, trigger, actor, policy, tool_version, status, started_at, pid, host) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)",
                arguments: [system, trigger, actor, policy, SansangVersion.current, now.timeIntervalSince1970, pid, host]
            )
            let id = db.lastInsertedRowID
            try Self.event(db, at: now, actor: actor, kind: "scan.started", scanID: id, reason: "\(trigger) scan of \(system)")
            return id
        }
    }

    /// Marks scans left `running` by a dead process on this host as interrupted.
    @discardableResult
    public func recoverInterruptedScans(now: Date = Date()) throws(SansangError) -> [Int64] {
        let host = ProcessInfo.processInfo.hostName
        return try write("recovering interrupted scans") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, pid, host FROM scans WHERE status = 'running'")
            var recovered: [Int64] = []
            for row in rows {
                let id: Int64 = row["id"]
                let pid: Int64? = row["pid"]
                let owner: String? = row["host"]
                let alive = owner == host && pid.map { kill(pid_t($0), 0) == 0 || errno == EPERM } == true
                guard !alive else { continue }
                try db.execute(sql: "UPDATE scans SET status = 'interrupted', finished_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, id])
                try Self.event(db, at: now, actor: "sansang", kind: "scan.interrupted", scanID: id, reason: "the process that ran it is gone; nothing was recorded")
                recovered.append(id)
            }
            return recovered
        }
    }

    /// Marks one scan interrupted (a deadline or a shutdown stopped it before recording).
    public func interruptScan(_ id: Int64, reason: String, now: Date) throws(SansangError) {
        try write("interrupting a scan") { db in
            try db.execute(sql: "UPDATE scans SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'", arguments: [now.timeIntervalSince1970, id])
            try Self.event(db, at: now, actor: "sansang", kind: "scan.interrupted", scanID: id, reason: reason)
        }
    }

    public func scans(system: String? = nil, limit: Int = 100) throws(SansangError) -> [ScanRecord] {
        try read("listing scans") { db in
            var sql = "SELECT * FROM scans"
            var arguments: StatementArguments = []
            if let system { sql += " WHERE system_id = ?"; arguments += [system] }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.scan)
        }
    }

    public func scan(_ id: Int64) throws(SansangError) -> ScanRecord? {
        try read("reading a scan") { db in try Row.fetchOne(db, sql: "SELECT * FROM scans WHERE id = ?", arguments: [id]).map(Self.scan) }
    }

    /// The facts a scan stored for its endpoints (JSON text by endpoint).
    public func facts(scan id: Int64) throws(SansangError) -> [String: String] {
        try read("reading facts") { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT endpoint, facts FROM scan_endpoints WHERE scan_id = ?", arguments: [id]) {
                out[row["endpoint"]] = row["facts"]
            }
            return out
        }
    }

    static func scan(_ row: Row) -> ScanRecord {
        ScanRecord(
            id: row["id"], systemID: row["system_id"], trigger: row["trigger"], actor: row["actor"], policy: row["policy"],
            toolVersion: row["tool_version"], status: ScanStatus(rawValue: row["status"]) ?? .interrupted,
            startedAt: Date(timeIntervalSince1970: row["started_at"]),
            finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)), findingCount: row["finding_count"]
        )
    }

    static func event(_ db: Database, at: Date, actor: String, kind: String, findingID: Int64? = nil, scanID: Int64? = nil, from: String? = nil, to: String? = nil, reason: String? = nil) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO events (at, actor, kind, finding_id, scan_id, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        try statement.execute(arguments: [at.timeIntervalSince1970, actor, kind, findingID, scanID, from, to, reason])
    }
}
