public import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
        let scopeText = (inventory.scope.cidrs + inventory.scope.hosts).joined(separator: ", ")
        for endpoint in system.endpoints {
            guard ScopeCheck.permits(host: endpoint.host, scope: inventory.scope) else {
                throw SansangError(.outOfScope, "\(inventory.source): system '\(system.id)': \(endpoint) is outside the authorised scope (\(scopeText)); authorisation \(inventory.authorization.number)")
            }
            guard !endpoint.isIPLiteral, !inventory.scope.cidrs.isEmpty else { continue }
            for address in ScopeCheck.resolve(endpoint.host) where !ScopeCheck.permits(host: address, scope: ScopeSpec(cidrs: inventory.scope.cidrs, hosts: [])) {
                throw SansangError(.outOfScope, "\(inventory.source): system '\(system.id)': \(endpoint.host) resolves to \(address), outside the authorised scope (\(scopeText)); refusing to scan")
            }
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

/// Scope membership for host names and IP literals (CIDR math over IPv4 and IPv6).
public enum ScopeCheck {
    public static func permits(host: String, scope: ScopeSpec) -> Bool {
        if scope.hosts.contains(host.lowercased()) { return true }
        guard let address = bytes(of: host) else { return false }
        return scope.cidrs.contains { cidr in
            let parts = cidr.split(separator: "/")
            guard parts.count == 2, let bits = Int(parts[1]), let network = bytes(of: String(parts[0])), network.count == address.count else { return false }
            var remaining = bits
            for index in 0..<address.count {
                guard remaining > 0 else { break }
                let take = min(8, remaining)
                let mask: UInt8 = take == 8 ? 0xFF : ~(0xFF >> UInt8(take))
                if address[index] & mask != network[index] & mask { return false }
                remaining -= take
            }
            return true
        }
    }

    /// The addresses a name resolves to (numeric text).
    public static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor, out.count < 32 {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                let name = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !out.contains(name) { out.append(name) }
            }
            cursor = info.pointee.ai_next
        }
        return out
    }

    /// The address bytes of an IP literal (4 or 16), nil for a name.
    public static func bytes(of text: String) -> [UInt8]? {
        if IPAddress.isIPv4(text) { return text.split(separator: ".").compactMap { UInt8($0) } }
        guard IPAddress.isIPv6(text) else { return nil }
        var storage = in6_addr()
        guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
        return withUnsafeBytes(of: &storage) { Array($0) }
    }
}
