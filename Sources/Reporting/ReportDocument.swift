public import Foundation
public import SansangCore

/// Everything a readiness report shows, assembled by the caller from the inventory and the store.
public struct ReportDocument: Sendable {
    public struct Organization: Sendable {
        public var parent: String, name: String, abbreviation: String, place: String, draftingUnit: String
        public init(parent: String, name: String, abbreviation: String, place: String, draftingUnit: String) {
            self.parent = parent; self.name = name; self.abbreviation = abbreviation; self.place = place; self.draftingUnit = draftingUnit
        }
    }

    public struct Authorization: Sendable {
        public var number: String, date: Date, scope: String
        public init(number: String, date: Date, scope: String) { self.number = number; self.date = date; self.scope = scope }
    }

    public struct Scan: Sendable {
        public var id: Int64, startedAt: Date, finishedAt: Date?, status: String, findingCount: Int, trigger: String, actor: String, policy: String, toolVersion: String
        public init(id: Int64, startedAt: Date, finishedAt: Date?, status: String, findingCount: Int, trigger: String, actor: String, policy: String, toolVersion: String) {
            self.id = id; self.startedAt = startedAt; self.finishedAt = finishedAt; self.status = status; self.findingCount = findingCount
            self.trigger = trigger; self.actor = actor; self.policy = policy; self.toolVersion = toolVersion
        }
    }

    public struct Change: Sendable {
        public var ruleID: String, title: Localized, endpoint: String, severity: Severity
        public init(ruleID: String, title: Localized, endpoint: String, severity: Severity) { self.ruleID = ruleID; self.title = title; self.endpoint = endpoint; self.severity = severity }
    }

    /// A re-inspection: what changed between an earlier scan and the latest.
    public struct Comparison: Sendable {
        public var fromScan: Int64, toScan: Int64, fixed: [Change], new: [Change], stillOpen: [Change]
        public init(fromScan: Int64, toScan: Int64, fixed: [Change], new: [Change], stillOpen: [Change]) {
            self.fromScan = fromScan; self.toScan = toScan; self.fixed = fixed; self.new = new; self.stillOpen = stillOpen
        }
    }

    public struct System: Sendable {
        public var id: String, name: String, kind: String, owner: String, level: Int?, endpoints: [String]
        public var readiness: ReadinessResult
        public var findings: [ReadinessFinding]
        public var scans: [Scan]
        public var comparison: Comparison?
        public init(id: String, name: String, kind: String, owner: String, level: Int?, endpoints: [String], readiness: ReadinessResult, findings: [ReadinessFinding], scans: [Scan], comparison: Comparison?) {
            self.id = id; self.name = name; self.kind = kind; self.owner = owner; self.level = level; self.endpoints = endpoints
            self.readiness = readiness; self.findings = findings; self.scans = scans; self.comparison = comparison
        }
    }

    public var language: Language
    public var generatedAt: Date
    public var organization: Organization
    public var authorization: Authorization
    public var profile: ReadinessProfile
    public var systems: [System]
    public var draft: Bool
    public var toolVersion: String
    public var sourceHost: String
    public var recipients: [String]
    public var signerAuthority: String
    public var signerTitle: String
    public var signerName: String

    public init(language: Language, generatedAt: Date, organization: Organization, authorization: Authorization, profile: ReadinessProfile, systems: [System], draft: Bool, toolVersion: String, sourceHost: String, recipients: [String], signerAuthority: String, signerTitle: String, signerName: String) {
        self.language = language; self.generatedAt = generatedAt; self.organization = organization; self.authorization = authorization
        self.profile = profile; self.systems = systems; self.draft = draft; self.toolVersion = toolVersion; self.sourceHost = sourceHost
        self.recipients = recipients; self.signerAuthority = signerAuthority; self.signerTitle = signerTitle; self.signerName = signerName
    }

    /// The overall verdict: the worst system's.
    public var verdict: ReadinessVerdict {
        if systems.contains(where: { $0.readiness.verdict == .notReady }) { return .notReady }
        if systems.contains(where: { $0.readiness.verdict == .conditional }) { return .conditional }
        return .ready
    }

    /// Whether citations use the current legal basis (reports dated from `currentBasisFrom`).
    public var citesCurrentBasis: Bool { generatedAt >= profile.currentBasisFrom }
}
