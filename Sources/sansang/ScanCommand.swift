import ArgumentParser
import Engine
import Foundation
import Reporting
import Rules
import SansangCore
#if canImport(Glibc)
import Glibc
#endif

struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan endpoints now and print the findings.",
        discussion: """
        TARGET is https://host[:port][/path], host:port, host, an IPv4 literal, or an IPv6 literal \
        ([::1]:443 or ::1). Several targets are scanned concurrently within the connection limits.
        Exit codes: 0 pass, 1 findings at or above --fail-on, 2 a target could not be tested, 64 usage.
        """
    )

    @Argument(help: "Endpoints to scan (or use --inventory).")
    var targets: [String] = []

    @Option(help: "Scan the systems of this inventory and record the results in the store.")
    var inventory: String?

    @Option(help: "With --inventory: only this system.")
    var system: String?

    @OptionGroup var store: StoreOptions

    @Option(help: "Output format: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .text

    @Option(help: "Language of titles and remediation: vi or en.")
    var lang: Language = .vi

    @Option(help: "TLS policy: \(TLSPolicy.builtin.map(\.id).joined(separator: ", ")).")
    var policy: String = TLSPolicy.csdlqgLevel3.id

    @Option(help: "Checks to run (comma-separated): auto, or any of \(ProbeRegistry.available.joined(separator: ", ")). auto = TLS for host:port and https://, HTTP for http:// and https://.")
    var checks: String = "auto"

    @Option(name: .customLong("ca-file"), help: "PEM file of extra trusted CA certificates (an internal CA).")
    var caFile: String?

    @Flag(help: "HTTP checks: do not verify server certificates (prefer --ca-file for an internal CA).")
    var insecure = false

    @Option(name: .customLong("http-paths"), help: "HTTP checks: the exposed-path file (default Checks/http/exposed-paths.json).")
    var httpPaths: String?

    @Option(name: .customLong("max-requests"), help: "HTTP checks: at most this many requests per endpoint.")
    var maxRequests: Int = 60

    @Option(name: .customLong("expiry-days"), help: "Warn when the certificate expires within this many days.")
    var expiryDays: Int = 30

    @Option(help: "Timeout of one connection, in seconds.")
    var timeout: Double = 5

    @Option(name: .customLong("endpoint-timeout"), help: "Time budget for one endpoint, in seconds.")
    var endpointTimeout: Double = 120

    @Option(name: .customLong("max-connections-per-host"), help: "Simultaneous connections to one host.")
    var maxConnectionsPerHost: Int = 5

    @Option(name: .customLong("max-connections"), help: "Simultaneous connections overall.")
    var maxConnections: Int = 32

    @Option(name: .customLong("delay-ms"), help: "Pause between two connections to the same host, in milliseconds.")
    var delayMilliseconds: Int = 0

    @Option(name: .customLong("fail-on"), help: "Lowest severity that fails the scan (exit 1): critical, high, medium, low, info.")
    var failOn: Severity = .high

    @Option(name: .shortAndLong, help: "Write the report to this file instead of standard output.")
    var output: String?

    @Option(name: .customLong("json-out"), help: "Also write the JSON report to this file (for CI artefacts).")
    var jsonOutput: String?

    @Option(help: "Port checks: ports to scan: 22,80,443, 1-1024, top-100, top-1000 or all.")
    var ports: String = "top-100"

    @Option(name: .customLong("port-profile"), help: "Port checks: pace for production servers (100 new connections/s per host, 64 in flight) or lab (no pacing, 1000 in flight).")
    var portProfile: PortProfile = .production

    @Option(help: "Port checks: new connections per second to one host (0 = no limit); overrides --port-profile.")
    var rate: Int?

    @Option(name: .customLong("port-concurrency"), help: "Port checks: connection attempts in flight to one host; overrides --port-profile.")
    var portConcurrency: Int?

    @Option(name: .customLong("allowed-ports"), help: "Port checks: the exposure policy, ports the system may expose (default 80,443).")
    var allowedPorts: String?

    @Option(help: "Refuse any target (or address a name resolves to) outside these networks and names: 10.0.0.0/24,portal.example.gov.vn.")
    var scope: String?

    @Option(name: .customLong("config-file"), help: "Configuration checks: an nginx, Apache or sshd_config file (repeatable; prefix nginx:, apache: or sshd: to name the kind). Implies --checks config.")
    var configFiles: [String] = []

    @Option(name: .customLong("client-cert"), help: "Configuration checks: the PEM client certificate used towards the national platform.")
    var clientCert: String?

    @Option(name: .customLong("client-key"), help: "Configuration checks: the private key of --client-cert (PEM, unencrypted).")
    var clientKey: String?

    @Option(name: .customLong("client-ca"), help: "Configuration checks: the CA the client certificate must chain to (PEM).")
    var clientCA: String?

    @Option(help: "Declarative rules directory (default: Checks/rules near the working directory or the executable).")
    var rules: String?

    @Option(name: .customLong("plugin"), help: "An external plugin executable to run on every endpoint (repeatable; Checks/plugins/ is also read).")
    var plugins: [String] = []

    @Option(name: .customLong("plugin-timeout"), help: "External plugins: seconds before a plugin is stopped.")
    var pluginTimeout: Double = 30

    func validate() throws {
        if inventory != nil {
            guard targets.isEmpty else { throw ValidationError("give either TARGETs or --inventory, not both") }
        } else {
            guard !targets.isEmpty || !configFiles.isEmpty || clientCert != nil else { throw ValidationError("give at least one TARGET, e.g. sansang scan https://portal.example.gov.vn, --config-file FILE, or --inventory FILE") }
            guard system == nil else { throw ValidationError("--system needs --inventory") }
        }
        guard TLSPolicy.named(policy) != nil else {
            throw ValidationError("unknown --policy '\(policy)'; choose one of \(TLSPolicy.builtin.map(\.id).joined(separator: ", "))")
        }
        let unknown = checkSet.subtracting(ProbeRegistry.available)
        guard unknown.isEmpty else {
            throw ValidationError("unknown check(s) \(unknown.sorted().joined(separator: ", ")); available: \(ProbeRegistry.available.joined(separator: ", "))")
        }
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be between 0 and 300 seconds") }
        guard endpointTimeout > 0 else { throw ValidationError("--endpoint-timeout must be positive") }
        guard maxConnectionsPerHost >= 1, maxConnections >= 1 else { throw ValidationError("connection limits must be at least 1") }
        guard maxRequests >= 1 else { throw ValidationError("--max-requests must be at least 1") }
        guard delayMilliseconds >= 0 else { throw ValidationError("--delay-ms cannot be negative") }
        guard expiryDays >= 0 else { throw ValidationError("--expiry-days cannot be negative") }
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw ValidationError("--ca-file '\(caFile)' cannot be read")
            }
        }
        for target in targets {
            do { _ = try Endpoint.targets(target) } catch { throw ValidationError(error.reason) }
        }
        do { _ = try PortSpec(ports) } catch { throw ValidationError("--ports: \(error.reason)") }
        if let scope { do { _ = try Scope.parse(scope) } catch { throw ValidationError("--scope: \(error.reason)") } }
        if let allowedPorts { do { _ = try PortSpec(allowedPorts) } catch { throw ValidationError("--allowed-ports: \(error.reason)") } }
        if clientCert == nil, clientKey != nil || clientCA != nil { throw ValidationError("--client-key and --client-ca need --client-cert") }
        guard pluginTimeout > 0, pluginTimeout <= 3600 else { throw ValidationError("--plugin-timeout must be between 0 and 3600 seconds") }
        guard (rate ?? 0) >= 0 else { throw ValidationError("--rate cannot be negative") }
        guard (portConcurrency ?? 1) >= 1, (portConcurrency ?? 1) <= 4096 else { throw ValidationError("--port-concurrency must be from 1 to 4096") }
    }

    var checkSet: Set<String> {
        let configOnly = !configFiles.isEmpty || clientCert != nil ? Set(["config"]) : []
        if checks == "auto" { return Set(targets.isEmpty ? [] : ["tls", "http"]).union(configOnly) }
        return Set(checks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }).union(configOnly)
    }

    var context: ProbeContext {
        ProbeContext(
            connectionTimeout: .milliseconds(Int(timeout * 1000)), endpointTimeout: .milliseconds(Int(endpointTimeout * 1000)),
            maxConnectionsPerHost: maxConnectionsPerHost, maxConnections: maxConnections, caFile: caFile,
            delayBetweenConnections: .milliseconds(delayMilliseconds)
        ).with { $0.verifyTLS = !insecure; $0.httpPathsFile = httpPaths; $0.maxRequestsPerEndpoint = maxRequests }
            .with(applyPortOptions)
            .with { $0.configFiles = configFiles; $0.clientCertificate = clientCert.map { ClientCertificateSpec(cert: $0, key: clientKey, ca: clientCA) } }
    }

    func run() async throws {
        if let inventory {
            try await runInventory(inventory)
            return
        }
        var endpoints: [Endpoint] = []
        for target in targets {
            do { endpoints.append(contentsOf: try Endpoint.targets(target)) } catch { throw ValidationError(error.reason) }
        }
        try enforceScope(on: endpoints)
        if !configFiles.isEmpty || clientCert != nil { endpoints.append(ProbeRegistry.configEndpoint(configFiles)) }
        var options = ScanOptions(
            context: context, checks: checkSet, policy: TLSPolicy.named(policy) ?? .csdlqgLevel3, expiryWarningDays: expiryDays
        )
        options.declarativeRules = try loadDeclarativeRules(rules)
        options.plugins = plugins.map { PluginSpec(path: $0) } + discoverPlugins()
        options.pluginTimeout = .milliseconds(Int(pluginTimeout * 1000))
        options.allowedPorts = try? allowedPorts.map { Set(try PortSpec($0).ports) }
        options.automaticChecks = checks == "auto"
        let report = await ScanRunner(options: options).run(endpoints)
        try emit(report)
        let code = report.verdict(failOn: failOn).exitCode
        if code != 0 { throw ExitCode(code) }
    }

    /// Scans each system of the inventory (or one), records it, prints what changed.
    func runInventory(_ path: String) async throws {
        let inventory = try loadInventory(path)
        var systems = inventory.systems
        if let system {
            guard let chosen = inventory.system(system) else {
                printError("sansang: \(path): no system '\(system)'; systems: \(inventory.systems.map(\.id).joined(separator: ", "))")
                throw ExitCode(2)
            }
            systems = [chosen]
        }
        let findingStore = try store.open(inventory: inventory)
        var scanner = InventoryScan(inventory: inventory, store: findingStore, context: context, trigger: "cli", actor: defaultActor())
        scanner.declarativeRules = try loadDeclarativeRules(rules, inventory: inventory)
        scanner.extraPlugins = plugins.map { PluginSpec(path: $0) } + discoverPlugins(inventory: inventory)
        var worst: Int32 = 0
        var reports: [ScanReport] = []
        for system in systems {
            let outcome: InventoryScan.Outcome
            do {
                outcome = try await scanner.run(system: system)
            } catch {
                printError("sansang: \(error.reason)")
                throw ExitCode(2)
            }
            reports.append(outcome.report)
            let summary = outcome.summary
            let line = lang == .vi
                ? "[\(system.id)] đã ghi lần quét #\(summary.scanID) (\(summary.status.rawValue)): \(summary.new) mới, \(summary.seenAgain) lặp lại, \(summary.reopened) tái xuất hiện, \(summary.fixed) đã khắc phục — \(store.path(inventory: inventory))"
                : "[\(system.id)] recorded scan #\(summary.scanID) (\(summary.status.rawValue)): \(summary.new) new, \(summary.seenAgain) seen again, \(summary.reopened) reopened, \(summary.fixed) fixed — \(store.path(inventory: inventory))"
            printError(line)
            worst = max(worst, outcome.report.verdict(failOn: failOn).exitCode)
        }
        if let first = reports.first {
            var combined = first
            combined.endpoints = reports.flatMap(\.endpoints)
            combined.finishedAt = reports.last?.finishedAt ?? first.finishedAt
            try emit(combined)
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    func emit(_ report: ScanReport) throws {
        if let jsonOutput {
            do {
                try JSONReport.render(report, language: lang, failOn: failOn).write(to: URL(fileURLWithPath: jsonOutput), options: .atomic)
            } catch {
                printError("sansang: cannot write \(jsonOutput): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        let data: Data
        switch format {
        case .json:
            data = try JSONReport.render(report, language: lang, failOn: failOn)
        case .text:
            let color = output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            data = Data(TextReport.render(report, language: lang, failOn: failOn, color: color).utf8)
        }
        if let output {
            do {
                try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                printError("sansang: cannot write report to \(output): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        } else {
            FileHandle.standardOutput.write(data)
            if format == .json { FileHandle.standardOutput.write(Data("\n".utf8)) }
        }
    }
}

extension ProbeContext {
    /// A copy with HTTP settings changed, so the initialiser stays as it is.
    func with(_ change: (inout ProbeContext) -> Void) -> ProbeContext {
        var copy = self
        change(&copy)
        return copy
    }
}

/// How hard the port probe may push: production government servers, or a lab.
enum PortProfile: String, ExpressibleByArgument, CaseIterable {
    case production, lab
}

extension ScanCommand {
    /// Port-probe settings from the command line (a profile, then explicit overrides).
    func applyPortOptions(_ context: inout ProbeContext) {
        context.ports = ports
        switch portProfile {
        case .production:
            context.portConnectRate = 100
            context.portConnectRateOverall = 400
            context.portConcurrency = 64
        case .lab:
            context.portConnectRate = 0
            context.portConnectRateOverall = 0
            context.portConcurrency = 1000
        }
        if let rate {
            context.portConnectRate = rate
            if rate == 0 || (context.portConnectRateOverall > 0 && rate > context.portConnectRateOverall) { context.portConnectRateOverall = rate }
        }
        if let portConcurrency { context.portConcurrency = portConcurrency }
        if let scope { context.scope = try? Scope.parse(scope) }
    }

    /// With --scope: refuse the whole run (exit 2) before anything is sent when a target is outside it.
    func enforceScope(on endpoints: [Endpoint]) throws {
        guard let scope else { return }
        do {
            try ScopeGate.enforce(try Scope.parse(scope), on: endpoints)
        } catch {
            printError("sansang: \(error.reason)")
            throw ExitCode(2)
        }
    }
}
