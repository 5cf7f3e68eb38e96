public import Store

/// What a request needs; each role holds a fixed set (the matrix is in README and docs/openapi.yaml).
public enum Permission: String, Sendable, CaseIterable {
    /// Systems, scans, findings, readiness, attestations (read).
    case read
    /// Trigger a scan.
    case triggerScan
    /// Change a finding's state, accept a risk.
    case changeFindings
    /// Record an attestation (an auditor's sign-off).
    case attest
    /// Download reports.
    case reports
    /// Reload the inventory.
    case administer
}

extension APIRole {
    /// admin: everything; engineer: scan, change findings; auditor: read, reports, attestations
    /// (sign-off); ci: trigger and read gate results.
    public var permissions: Set<Permission> {
        switch self {
        case .admin: Set(Permission.allCases)
        case .engineer: [.read, .triggerScan, .changeFindings]
        case .auditor: [.read, .reports, .attest]
        case .ci: [.read, .triggerScan]
        }
    }

    public func may(_ permission: Permission) -> Bool { permissions.contains(permission) }
}
