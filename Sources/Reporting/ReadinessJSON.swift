public import Foundation
public import SansangCore

/// The readiness result in the shape machines read.
public struct ReadinessJSON: Encodable, Sendable {
    public struct Item: Encodable, Sendable {
        var id: String, group: String, severity: String, title: String, status: String, statusLabel: String, reason: String
        var findings: [Int64], attestations: [Int64], dueAt: Date?
    }
    var system: String, profile: String, profileVersion: String, verdict: String, verdictLabel: String, evaluatedAt: Date
    var reasons: [String]
    var counts: [String: Int]
    var requirements: [Item]

    public init(_ result: ReadinessResult, language: Language) {
        system = result.systemID
        profile = result.profile.id
        profileVersion = result.profile.version
        verdict = result.verdict.rawValue
        verdictLabel = result.verdict.label(language)
        evaluatedAt = result.evaluatedAt
        reasons = result.reasons.map { $0.text(language) }
        counts = Dictionary(uniqueKeysWithValues: RequirementStatus.allCases.map { ($0.rawValue, result.count($0)) })
        requirements = result.requirements.map { item in
            Item(
                id: item.requirement.id, group: item.requirement.group, severity: item.requirement.severity.rawValue,
                title: item.requirement.title.text(language), status: item.status.rawValue, statusLabel: item.status.label(language),
                reason: item.reason.text(language), findings: item.findings.map(\.id), attestations: item.attestations.map(\.id), dueAt: item.dueAt
            )
        }
    }
}

