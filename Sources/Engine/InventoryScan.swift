public import Foundation
public import SansangCore
public import Inventory
public import Store
public import Rules

/// Scans the systems of an inventory and records each scan in the store.
public struct InventoryScan: Sendable {
    public let inventory: Inventory
    public let store: FindingStore
    public let context: ProbeContext
    public let trigger: String
    public let actor: String
    public let clock: @Sendable () -> Date
    /// Declarative rules for every system (nil: `Checks/rules` located at scan start).
    public var declarativeRules: [DeclarativeRuleSpec]?
    /// Plugins for every system besides the system's own (`Checks/plugins/`).
    public var extraPlugins: [PluginSpec] = []

    public init(inventory: Inventory, store: FindingStore, context: ProbeContext, trigger: String, actor: String, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.inventory = inventory
        self.store = store
        self.context = context
        self.trigger = trigger
        self.actor = actor
        self.clock = clock
    }

    /// One system's recorded scan.
    public struct Outcome: Sendable {
        public var system: SystemSpec
        public var scanID: Int64
        public var report: ScanReport
        public var summary: ReconcileSummary
    }

    /// Refuses endpoints outside the inventory's scope before any packet is sent: a host must be
    /// listed by name or be an address inside a CIDR, and every address a name resolves to must
    /// lie inside the CIDRs (when any are given).
    /// A path from the inventory, relative to the inventory file.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: inventory.source).deletingLastPathComponent().appendingPathComponent(path).path
    }

    /// `kind:path` keeps its kind prefix; the path part is resolved.
    func resolveConfigSpec(_ spec: String) -> String {
        for kind in ["nginx:", "apache:", "sshd:"] where spec.hasPrefix(kind) { return kind + resolve(String(spec.dropFirst(kind.count))) }
        return resolve(spec)
    }

    /// What a plugin is told about the system it checks.
    static func pluginSettings(_ system: SystemSpec) -> JSONValue {
        .object([
            "system": .string(system.id), "name": .string(system.name), "kind": .string(system.kind.rawValue),
            "owner": .string(system.owner), "level": system.level.map { .number(Double($0)) } ?? .null,
            "endpoints": .array(system.endpoints.map { .string($0.description) }),
            "configFiles": .array(system.configFiles.map { .string($0) }), "profile": .string(system.profile),
        ])
    }

    public func checkScope(_ system: SystemSpec) throws(SansangError) {
        var networks: [CIDR] = []
        for cidr in inventory.scope.cidrs { networks.append(try CIDR(cidr)) }
        let formatter = DateFormatter()
        formatter.dateFormat = "dd/MM/yyyy"
        formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        let scope = Scope(
            networks: networks, hostNames: Set(inventory.scope.hosts), authorisation: inventory.authorization.number,
            authorisationDate: formatter.string(from: inventory.authorization.date)
        )
        do {
            try ScopeGate.enforce(scope, on: system.endpoints)
        } catch {
            throw SansangError(.outOfScope, "\(inventory.source): system '\(system.id)': \(error.reason)")
        }
    }

    /// Scans one system and records it. `began` receives the scan id as soon as the scan row
    /// exists (the daemon links it to its job). A task cancelled before recording (a deadline,
    /// a shutdown) records nothing: the scan is marked interrupted and `.timeout` is thrown.
    public func run(system: SystemSpec, began: @Sendable (Int64) -> Void = { _ in }) async throws(SansangError) -> Outcome {
        try checkScope(system)
        var context = self.context
        if let caFile = system.caFile {
            context.caFile = caFile.hasPrefix("/") ? caFile : URL(fileURLWithPath: inventory.source).deletingLastPathComponent().appendingPathComponent(caFile).path
        }
        let policy = TLSPolicy.named(system.tlsPolicy) ?? .csdlqgLevel3
        var options = ScanOptions(context: context, checks: Set(system.checks).intersection(ProbeRegistry.available), policy: policy, clock: clock)
        if let allowed = system.allowedPorts { options.allowedPorts = Set(allowed) }
        var endpoints = system.endpoints
        // Configuration files and the client certificate are judged on one `file://` endpoint.
        if system.checks.contains("config"), !system.configFiles.isEmpty || system.clientCertificate != nil {
            options.context.configFiles = system.configFiles.map(resolveConfigSpec)
            options.context.clientCertificate = system.clientCertificate.map { spec in
                ClientCertificateSpec(cert: resolve(spec.cert), key: spec.key.map(resolve), ca: spec.ca.map(resolve))
            }
            endpoints.append(ProbeRegistry.configEndpoint(options.context.configFiles))
        }
        options.declarativeRules = declarativeRules
        options.plugins = system.plugins.map { PluginSpec(path: resolve($0)) } + extraPlugins
        options.pluginSettings = Self.pluginSettings(system)
        let scanID = try store.beginScan(system: system.id, trigger: trigger, actor: actor, policy: policy.id, now: clock())
        began(scanID)
        let report = await ScanRunner(options: options).run(endpoints)
        if Task.isCancelled {
            if (try? store.scan(scanID))?.status == .running {
                try? store.interruptScan(scanID, reason: "cancelled before recording (deadline or shutdown)", now: clock())
            }
            throw SansangError(.timeout, "scan \(scanID) of \(system.id) was cancelled; recorded as interrupted")
        }
        let summary: ReconcileSummary
        do {
            summary = try store.record(scan: scanID, system: system.id, results: report.endpoints, actor: actor, now: clock())
        } catch {
            try? store.interruptScan(scanID, reason: "recording failed: \(error.reason)", now: clock())
            throw error
        }
        return Outcome(system: system, scanID: scanID, report: report, summary: summary)
    }
}
