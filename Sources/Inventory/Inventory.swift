public import Foundation
public import SansangCore

/// The province's inventory: who it is, what it may scan (and by whose authorisation), and its systems.
public struct Inventory: Sendable, Hashable {
    /// The file it was read from, for messages.
    public var source: String
    public var organization: Organization
    public var authorization: Authorization
    public var scope: ScopeSpec
    /// The SQLite store; relative paths are relative to the inventory file.
    public var store: String?
    public var systems: [SystemSpec]

    public func system(_ id: String) -> SystemSpec? { systems.first { $0.id == id } }
}

/// The organisation that owns the systems and signs the report.
public struct Organization: Sendable, Hashable {
    /// Issuing body, e.g. "Sở Khoa học và Công nghệ".
    public var name: String
    /// Parent body, e.g. "UBND tỉnh Demo".
    public var parent: String
    /// Abbreviation for document numbers, e.g. "SKHCN".
    public var abbreviation: String
    /// Place name for the date line, e.g. "Demo".
    public var place: String
    /// Drafting unit for "Lưu: VT, …".
    public var draftingUnit: String
}

/// The written authorisation to scan: number, date, scope, expiry.
public struct Authorization: Sendable, Hashable {
    public var number: String
    public var date: Date
    public var scope: String
    public var validUntil: Date?
    public var issuedBy: String?
}

/// Where scanning is allowed: CIDR blocks and host names (checked again after resolution).
public struct ScopeSpec: Sendable, Hashable {
    public var cidrs: [String]
    public var hosts: [String]

    public init(cidrs: [String], hosts: [String]) {
        self.cidrs = cidrs
        self.hosts = hosts
    }
}

/// What kind of system this is.
public enum SystemKind: String, Sendable, Hashable, CaseIterable, Codable {
    case lgsp, tthc, sso, esb, portal, database, other
}

/// One system to audit.
public struct SystemSpec: Sendable, Hashable {
    public var id: String
    public var name: String
    public var kind: SystemKind
    public var owner: String
    public var contact: String?
    /// The approved security level (cấp độ), when known.
    public var level: Int?
    public var endpoints: [Endpoint]
    public var allowedPorts: [Int]?
    public var configFiles: [String]
    public var plugins: [String]
    /// A 5-field cron expression (Asia/Ho_Chi_Minh) for the daemon.
    public var schedule: String?
    public var profile: String
    public var tlsPolicy: String
    public var checks: [String]
    public var caFile: String?
    /// The client certificate, key and expected CA used towards the national platform (paths as written, relative to the inventory).
    public var clientCertificate: ClientCertificateSpec? = nil
}
