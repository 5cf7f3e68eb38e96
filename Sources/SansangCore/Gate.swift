public import Foundation

/// A waiver: a finding or a rule excused for a system until an expiry, with who and why.
public struct Waiver: Sendable, Hashable {
    /// A finding fingerprint (or a prefix of 8+ characters).
    public var finding: String?
    public var rule: String?
    public var system: String?
    public var endpoint: String?
    public var reason: String
    public var approver: String
    public var expires: Date
    /// `file:line` of the waiver, for messages.
    public var location: String

    public init(finding: String?, rule: String?, system: String?, endpoint: String?, reason: String, approver: String, expires: Date, location: String) {
        self.finding = finding
        self.rule = rule
        self.system = system
        self.endpoint = endpoint
        self.reason = reason
        self.approver = approver
        self.expires = expires
        self.location = location
    }

    public func matches(_ finding: Finding, system: String) -> Bool {
        if let wanted = self.system, wanted != system { return false }
        if let endpoint, endpoint != finding.endpoint.authority && endpoint != finding.endpoint.description { return false }
        if let prefix = self.finding { return finding.fingerprint().hasPrefix(prefix) || finding.fingerprint(system: system).hasPrefix(prefix) }
        if let rule { return rule.hasSuffix("*") ? finding.ruleId.hasPrefix(String(rule.dropLast())) : finding.ruleId == rule }
        return false
    }
}

/// How one finding fares at the gate.
public struct GateItem: Sendable, Hashable {
    public enum Baseline: String, Sendable { case new, unchanged, regressed }

    public var finding: Finding
    public var system: String
    /// Relative to the baseline, when one is given.
    public var baseline: Baseline?
    public var waiver: Waiver?
    /// At or above the threshold, not waived, and (with a baseline) new or regressed.
    public var blocking: Bool
}

/// The gate's decision.
public struct GateResult: Sendable {
    public var items: [GateItem]
    public var expiredWaivers: [Waiver]
    public var incomplete: [String]
    public var failOn: Severity

    public var blocking: [GateItem] { items.filter(\.blocking) }
    public var waived: [GateItem] { items.filter { $0.waiver != nil } }

    /// 0 pass, 1 policy failed, 2 could not complete (an unreachable target never passes).
    public var exitCode: Int32 {
        if !incomplete.isEmpty { return 2 }
        return blocking.isEmpty ? 0 : 1
    }
}

/// Applies threshold, waivers and baseline. Pure.
public enum GateEvaluator {
    /// - Parameter baseline: severities by system-less fingerprint of the accepted baseline, or nil.
    public static func evaluate(
        findings: [(system: String, finding: Finding)], failOn: Severity, waivers: [Waiver], baseline: [String: Severity]?,
        incomplete: [String], now: Date
    ) -> GateResult {
        let valid = waivers.filter { $0.expires > now }
        let expired = waivers.filter { $0.expires <= now }
        var items: [GateItem] = []
        for (system, finding) in findings {
            var state: GateItem.Baseline?
            if let baseline {
                if let before = baseline[finding.fingerprint()] {
                    state = finding.severity > before ? .regressed : .unchanged
                } else {
                    state = .new
                }
            }
            let waiver = valid.first { $0.matches(finding, system: system) }
            let severe = finding.severity >= failOn
            let blocking = severe && waiver == nil && (state == nil || state == .new || state == .regressed)
            items.append(GateItem(finding: finding, system: system, baseline: state, waiver: waiver, blocking: blocking))
        }
        return GateResult(items: items, expiredWaivers: expired, incomplete: incomplete, failOn: failOn)
    }
}
