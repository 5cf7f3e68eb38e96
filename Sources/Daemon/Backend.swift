import Foundation
import Logging
import SansangCore
import Store
import Inventory
import Engine
import Reporting

/// What the API and the dashboard both do: read the state of systems, render reports, reload.
struct Backend: Sendable {
    let state: DaemonState
    let store: FindingStore
    let scheduler: Scheduler
    let metrics: DaemonMetrics
    let logger: Logger

    struct SystemSummary: Encodable, Sendable {
        var id: String, name: String, kind: String, owner: String, level: Int?
        var endpoints: [String]
        var schedule: String?
        var nextScan: Date?
        var verdict: String
        var verdictLabel: String
        var lastScan: ScanRecord?
        var openFindings: Int
    }

    func system(_ id: String) throws -> SystemSpec {
        guard let system = state.loaded.inventory.system(id) else { throw NotFound("no system '\(id)' in the inventory") }
        return system
    }

    func readiness(_ id: String, now: Date = Date()) throws(SansangError) -> ReadinessResult {
        try ReportAssembly.readiness(store: store, profile: state.loaded.profile, system: id, now: now)
    }

    func summaries(language: Language) throws(SansangError) -> [SystemSummary] {
        let loaded = state.loaded
        let now = Date()
        var out: [SystemSummary] = []
        for system in loaded.inventory.systems {
            let result = try readiness(system.id, now: now)
            out.append(SystemSummary(
                id: system.id, name: system.name, kind: system.kind.rawValue, owner: system.owner, level: system.level,
                endpoints: system.endpoints.map(\.description), schedule: system.schedule, nextScan: scheduler.nextFire(system: system.id),
                verdict: result.verdict.rawValue, verdictLabel: result.verdict.label(language),
                lastScan: try store.scans(system: system.id, limit: 1).first,
                openFindings: try store.findings(FindingFilter(system: system.id, states: [.open, .acknowledged, .inProgress, .reopened])).count
            ))
        }
        return out
    }

    /// A report of one system (or every system with id "all"): bytes, content type, file name.
    func report(system id: String, format: ReportRenderer.Format, language: Language) throws -> (Data, String, String) {
        let loaded = state.loaded
        let systems = id == "all" ? loaded.inventory.systems : [try system(id)]
        guard let directory = loaded.reportsDirectory else { throw SansangError(.configuration, "the Reports/ folder (templates and strings) was not found; start with --templates DIR") }
        let document = try ReportAssembly.document(inventory: loaded.inventory, store: store, profile: loaded.profile, systems: systems, language: language, now: Date())
        let data = try ReportRenderer(directory: directory).render(document, format: format)
        let type = switch format {
        case .html: "text/html; charset=utf-8"
        case .md: "text/markdown; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        case .json: "application/json"
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmm"
        formatter.timeZone = CronSchedule.defaultTimeZone
        return (data, type, "bao-cao-\(id)-\(formatter.string(from: Date())).\(format.rawValue)")
    }

    /// Reloads the inventory (validated first); logged as an event with who asked.
    func reload(actor: String) throws(SansangError) -> DaemonState.Loaded {
        do {
            let loaded = try state.reload()
            try? store.logEvent(kind: "inventory.reloaded", actor: actor, reason: "\(loaded.inventory.source): \(loaded.inventory.systems.count) systems", now: Date())
            logger.notice("inventory reloaded", metadata: ["systems": "\(loaded.inventory.systems.count)", "by": "\(actor)"])
            return loaded
        } catch {
            logger.error("inventory reload refused; keeping the running inventory", metadata: ["error": "\(error.reason)"])
            throw error
        }
    }
}

/// A 404 with a message.
struct NotFound: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
