public import Foundation
public import SansangCore

/// Where a finding stands in its remediation.
public enum FindingState: String, Codable, Sendable, CaseIterable {
    case open
    case acknowledged
    case inProgress = "in_progress"
    /// Set only by a complete scan that no longer sees the finding.
    case fixed
    case reopened
    case riskAccepted = "risk_accepted"
    case falsePositive = "false_positive"

    /// Still to be dealt with (counts as open for gates and reports).
    public var isActive: Bool { [.open, .acknowledged, .inProgress, .reopened].contains(self) }

    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.open, .vi): "Mới phát hiện"
        case (.acknowledged, .vi): "Đã tiếp nhận"
        case (.inProgress, .vi): "Đang khắc phục"
        case (.fixed, .vi): "Đã khắc phục"
        case (.reopened, .vi): "Tái xuất hiện"
        case (.riskAccepted, .vi): "Chấp nhận rủi ro"
        case (.falsePositive, .vi): "Cảnh báo sai"
        case (_, .en): rawValue.replacingOccurrences(of: "_", with: " ")
        }
    }
}

/// How a scan ended.
public enum ScanStatus: String, Codable, Sendable {
    case running
    /// Every endpoint was tested: may mark findings fixed.
    case complete
    /// Some endpoint or probe could not be tested: records sightings, never marks fixed.
    case incomplete
    /// Killed, crashed, or timed out before recording: changes nothing.
    case interrupted
}

/// A scan as recorded.
public struct ScanRecord: Codable, Sendable, Hashable {
    public var id: Int64
    public var systemID: String
    public var trigger: String
    public var actor: String
    public var policy: String
    public var toolVersion: String
    public var status: ScanStatus
    public var startedAt: Date
    public var finishedAt: Date?
    public var findingCount: Int
}

/// A finding as the store knows it, across every scan that saw it.
public struct StoredFinding: Codable, Sendable, Hashable {
    public var id: Int64
    public var fingerprint: String
    public var systemID: String
    public var ruleID: String
    public var endpoint: String
    public var subject: String
    public var severity: Severity
    public var title: Localized
    public var remediation: Localized
    public var requirements: [String]
    public var evidence: String
    public var state: FindingState
    public var firstSeenScan: Int64
    public var lastSeenScan: Int64
    public var firstSeenAt: Date
    public var lastSeenAt: Date
    public var sightings: Int
    public var dueAt: Date?
    public var acceptedUntil: Date?
    public var acceptedBy: String?
    public var stateReason: String?
    public var stateChangedAt: Date
    public var stateChangedBy: String

    public func isOverdue(at now: Date) -> Bool {
        state.isActive && (dueAt.map { $0 < now } ?? false)
    }
}

/// One entry of the append-only event log.
public struct FindingEvent: Codable, Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var kind: String
    public var findingID: Int64?
    public var scanID: Int64?
    public var fromState: String?
    public var toState: String?
    public var reason: String?
}

/// Filters for `findings list`.
public struct FindingFilter: Sendable {
    public var system: String?
    public var severities: Set<Severity>?
    public var states: Set<FindingState>?
    public var overdueAt: Date?
    public var ruleID: String?
    public var limit: Int?

    public init(system: String? = nil, severities: Set<Severity>? = nil, states: Set<FindingState>? = nil, overdueAt: Date? = nil, ruleID: String? = nil, limit: Int? = nil) {
        self.system = system
        self.severities = severities
        self.states = states
        self.overdueAt = overdueAt
        self.ruleID = ruleID
        self.limit = limit
    }
}

/// Remediation deadlines by severity, in days from first sight (or reopening).
public struct RemediationSLA: Sendable, Hashable, Codable {
    public var days: [Severity: Int]

    public static let standard = RemediationSLA(days: [.critical: 7, .high: 30, .medium: 90, .low: 180])

    public init(days: [Severity: Int]) { self.days = days }

    public func due(_ severity: Severity, from start: Date) -> Date? {
        days[severity].map { start.addingTimeInterval(TimeInterval($0) * 86400) }
    }
}

/// What recording a scan changed.
public struct ReconcileSummary: Codable, Sendable, Hashable {
    public var scanID: Int64
    public var status: ScanStatus
    public var new: Int
    public var seenAgain: Int
    public var reopened: Int
    public var fixed: Int
}

/// The heart of a re-inspection: what changed between two scans of one system.
public struct ScanDiff: Codable, Sendable, Hashable {
    public var from: Int64
    public var to: Int64
    /// Seen in `to`, not in `from`.
    public var new: [StoredFinding]
    /// Seen in `from`, not in `to`, where `to` tested the same endpoint and rule.
    public var fixed: [StoredFinding]
    /// Seen in both.
    public var stillOpen: [StoredFinding]
    /// Seen in `from`; `to` could not tell (endpoint or probe not tested).
    public var notRetested: [StoredFinding]
}
