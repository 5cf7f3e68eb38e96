public import Foundation
public import SansangCore
public import Inventory
public import Store
public import Reporting

/// What the CLI (`report`, `readiness`) and the daemon (API, dashboard) share: readiness from the
/// store and the report document assembled from the inventory and the store.
public enum ReportAssembly {
    /// The working directory, the inventory's folder and its parents, and the executable's parents.
    public static func searchDirectories(inventory: Inventory?) -> [String] {
        var directories = [FileManager.default.currentDirectoryPath]
        if let inventory {
            var folder = URL(fileURLWithPath: inventory.source).deletingLastPathComponent()
            for _ in 0..<4 { directories.append(folder.path); folder.deleteLastPathComponent() }
        }
        var executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 { directories.append(executable.path); executable.deleteLastPathComponent() }
        return directories
    }

    /// Finds and loads a readiness profile by id or path.
    public static func loadProfile(_ reference: String, inventory: Inventory?) throws(SansangError) -> ReadinessProfile {
        let directories = searchDirectories(inventory: inventory)
        guard let path = ProfileLoader.locate(reference, near: directories) else {
            throw SansangError(.configuration, "profile '\(reference)' not found (looked for Checks/profiles/\(reference).yaml near \(directories.prefix(3).joined(separator: ", ")); pass a path with --profile)")
        }
        return try ProfileLoader.load(path: path)
    }

    /// Evaluates readiness for one system from the store (expired risk acceptances reopen first).
    public static func readiness(store: FindingStore, profile: ReadinessProfile, system: String, now: Date) throws(SansangError) -> ReadinessResult {
        _ = try store.expireAcceptances(now: now)
        return ReadinessEvaluator.evaluate(
            profile: profile, system: system, findings: try store.readinessFindings(system: system),
            scan: try store.scanEvidence(system: system), attestations: try store.attestations(system: system), now: now
        )
    }

    /// Who signs, and whether the report is final.
    public struct Signature: Sendable {
        public var authority: String, title: String, name: String, final: Bool
        public init(authority: String = "KT. GIÁM ĐỐC", title: String = "PHÓ GIÁM ĐỐC", name: String = "…………………", final: Bool = false) {
            self.authority = authority; self.title = title; self.name = name; self.final = final
        }
    }

    /// The readiness report of `systems`: readiness, findings, scans (from `since`), and the
    /// re-inspection against scan `compare` when given.
    public static func document(
        inventory: Inventory, store: FindingStore, profile: ReadinessProfile, systems: [SystemSpec], language: Language,
        compare: Int64? = nil, since: Date? = nil, signature: Signature = Signature(), now: Date
    ) throws(SansangError) -> ReportDocument {
        var reportSystems: [ReportDocument.System] = []
        for system in systems {
            let readiness = try readiness(store: store, profile: profile, system: system.id, now: now)
            let scans = try store.scans(system: system.id, limit: 200).filter { since == nil || $0.startedAt >= since! }
            var comparison: ReportDocument.Comparison?
            if let compare, let latest = scans.first(where: { $0.status == .complete || $0.status == .incomplete }) {
                let diff = try store.diff(from: compare, to: latest.id)
                func changes(_ findings: [StoredFinding]) -> [ReportDocument.Change] {
                    findings.map { ReportDocument.Change(ruleID: $0.ruleID, title: $0.title, endpoint: $0.endpoint, severity: $0.severity) }
                }
                comparison = ReportDocument.Comparison(fromScan: compare, toScan: latest.id, fixed: changes(diff.fixed), new: changes(diff.new), stillOpen: changes(diff.stillOpen))
            }
            reportSystems.append(ReportDocument.System(
                id: system.id, name: system.name, kind: system.kind.rawValue, owner: system.owner, level: system.level,
                endpoints: system.endpoints.map(\.description), readiness: readiness,
                findings: try store.readinessFindings(system: system.id),
                scans: scans.map { ReportDocument.Scan(id: $0.id, startedAt: $0.startedAt, finishedAt: $0.finishedAt, status: $0.status.rawValue, findingCount: $0.findingCount, trigger: $0.trigger, actor: $0.actor, policy: $0.policy, toolVersion: $0.toolVersion) },
                comparison: comparison
            ))
        }
        let organization = inventory.organization
        let vi = language == .vi
        let recipients = vi
            ? ["UBND \(organization.parent.replacingOccurrences(of: "UBND ", with: "")) (để b/c)", "Công an tỉnh (PA05)", "Cục A05, Cục C06 – Bộ Công an (nếu gửi)", "Văn phòng UBND tỉnh", "Lưu: VT, \(organization.draftingUnit)"]
            : ["Provincial People's Committee (for reporting)", "Provincial Police (PA05)", "Departments A05, C06 – Ministry of Public Security (if sent)", "Office of the Provincial People's Committee", "Filed: archive, \(organization.draftingUnit)"]
        return ReportDocument(
            language: language, generatedAt: now,
            organization: .init(parent: organization.parent, name: organization.name, abbreviation: organization.abbreviation, place: organization.place, draftingUnit: organization.draftingUnit),
            authorization: .init(number: inventory.authorization.number, date: inventory.authorization.date, scope: inventory.authorization.scope),
            profile: profile, systems: reportSystems, draft: !signature.final, toolVersion: SansangVersion.current,
            sourceHost: ProcessInfo.processInfo.hostName, recipients: recipients,
            signerAuthority: signature.authority, signerTitle: signature.title, signerName: signature.name
        )
    }
}
