public import Foundation
public import SansangCore
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// What an API token may do; the daemon maps each role to its permissions.
public enum APIRole: String, Codable, Sendable, CaseIterable {
    case admin, engineer, auditor, ci
}

/// An API token as stored: never the secret, only its SHA-256.
public struct APIToken: Codable, Sendable, Hashable {
    public var id: Int64
    public var owner: String
    public var role: APIRole
    public var createdAt: Date
    public var createdBy: String
    public var lastUsedAt: Date?
    public var revokedAt: Date?
}

/// The token secret format: `ssg_` and 64 hex digits (32 random bytes).
public enum TokenSecret {
    public static let prefix = "ssg_"

    /// 32 bytes from the system's CSPRNG (getrandom on Linux), as `ssg_<hex>`.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether the text has the shape of a token (checked before hashing anything).
    public static func isWellFormed(_ text: String) -> Bool {
        text.count == prefix.count + 64 && text.hasPrefix(prefix) && text.dropFirst(prefix.count).allSatisfy(\.isHexDigit)
    }

    public static func digest(_ secret: String) -> String { SHA256Digest.hex(Data(secret.utf8)) }

    /// Equal without an early exit, so the time taken says nothing about where two digests differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<x.count { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

extension FindingStore {
    /// Creates a token for `owner` with `role`; returns it and its secret (shown once, stored hashed).
    public func createToken(owner: String, role: APIRole, by actor: String, now: Date) throws(SansangError) -> (token: APIToken, secret: String) {
        let owner = owner.trimmingCharacters(in: .whitespaces)
        guard !owner.isEmpty else { throw SansangError(.configuration, "a token needs an owner (--owner)") }
        let secret = TokenSecret.generate()
        let digest = TokenSecret.digest(secret)
        let id = try write("creating a token") { db in
            try db.execute(
                sql: "INSERT INTO api_tokens (owner, role, secret_sha256, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                arguments: [owner, role.rawValue, digest, now.timeIntervalSince1970, actor]
            )
            let id = db.lastInsertedRowID
            try Self.event(db, at: now, actor: actor, kind: "token.created", reason: "token #\(id) for \(owner) (\(role.rawValue))")
            return id
        }
        return (APIToken(id: id, owner: owner, role: role, createdAt: now, createdBy: actor, lastUsedAt: nil, revokedAt: nil), secret)
    }

    /// The active token whose secret this is, or nil. Every active digest is compared in constant time.
    public func authenticate(secret: String) throws(SansangError) -> APIToken? {
        guard TokenSecret.isWellFormed(secret) else { return nil }
        let digest = TokenSecret.digest(secret)
        let rows = try read("authenticating a token") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens WHERE revoked_at IS NULL").map { ($0["secret_sha256"] as String, Self.token($0)) }
        }
        var match: APIToken?
        for (stored, token) in rows where TokenSecret.constantTimeEquals(stored, digest) { match = token }
        return match
    }

    /// Notes when a token was last used (callers throttle this).
    public func touchToken(_ id: Int64, now: Date) throws(SansangError) {
        try write("noting token use") { db in
            try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, id])
        }
    }

    public func tokens() throws(SansangError) -> [APIToken] {
        try read("listing tokens") { db in try Row.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY id").map(Self.token) }
    }

    public func revokeToken(_ id: Int64, by actor: String, now: Date) throws(SansangError) {
        try write("revoking a token") { db in
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now.timeIntervalSince1970, id])
            guard db.changesCount == 1 else { throw SansangError(.configuration, "no active token #\(id)") }
            try Self.event(db, at: now, actor: actor, kind: "token.revoked", reason: "token #\(id)")
        }
    }

    static func token(_ row: Row) -> APIToken {
        APIToken(
            id: row["id"], owner: row["owner"], role: APIRole(rawValue: row["role"]) ?? .ci,
            createdAt: Date(timeIntervalSince1970: row["created_at"]), createdBy: row["created_by"],
            lastUsedAt: (row["last_used_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        )
    }

    /// Writes an event that is not about one finding or scan (API calls, reloads), with who made it.
    public func logEvent(kind: String, actor: String, reason: String, scanID: Int64? = nil, now: Date) throws(SansangError) {
        try write("logging an event") { db in try Self.event(db, at: now, actor: actor, kind: kind, scanID: scanID, reason: reason) }
    }

    /// Active findings counted by system and severity (for /metrics).
    public func activeFindingCounts() throws(SansangError) -> [(system: String, severity: Severity, count: Int)] {
        try read("counting findings") { db in
            try Row.fetchAll(db, sql: "SELECT system_id, severity, COUNT(*) AS n FROM findings WHERE state IN ('open', 'acknowledged', 'in_progress', 'reopened') GROUP BY system_id, severity ORDER BY system_id, severity").map {
                (system: $0["system_id"] as String, severity: Severity(rawValue: $0["severity"]) ?? .info, count: $0["n"] as Int)
            }
        }
    }

    /// Closes the database (the daemon calls this last, after every scan has stopped).
    public func closeDatabase() throws(SansangError) {
        do {
            if let pool = writer as? DatabasePool { try pool.close() }
            if let queue = writer as? DatabaseQueue { try queue.close() }
        } catch {
            throw SansangError(.io, "\(path ?? "store"): cannot close: \(error)")
        }
    }
}
