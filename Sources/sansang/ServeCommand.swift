import ArgumentParser
import Daemon
import Foundation
import SansangCore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: scheduled scans from the inventory's cron schedules, the HTTP API (/api/v1, docs/openapi.yaml), the dashboard, /healthz and /metrics.",
        discussion: """
        Logs are JSON lines on standard error. SIGTERM/SIGINT shut down gracefully (running scans get \
        --grace seconds, then are recorded interrupted); SIGHUP reloads the inventory (validated first). \
        Create API tokens with `sansang token create --owner NAME --role admin|engineer|auditor|ci`. \
        Serve plain HTTP on loopback and put a TLS-terminating reverse proxy in front for other hosts \
        (see packaging/).
        """
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Inventory: systems, schedules, scope (reloaded on SIGHUP).") var inventory: String
    @Option(help: "Address to listen on.") var host: String = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed in the log).") var port: Int = 8470
    @Option(help: "Readiness profile id or path.") var profile: String = "csdlqg-dc"
    @Option(help: "Folder with templates/ and strings/ (default: Reports/ near the inventory or the executable).") var templates: String?
    @Option(name: .customLong("max-scans"), help: "Scans running at once.") var maxScans: Int = 2
    @Option(name: .customLong("max-scans-per-host"), help: "Scans running at once that touch the same host.") var maxScansPerHost: Int = 1
    @Option(name: .customLong("scan-timeout"), help: "Longest a scan may run, in seconds (a scheduled scan also stops at its next fire).") var scanTimeout: Int = 3600
    @Option(help: "Seconds running scans may finish after SIGTERM before they are recorded interrupted.") var grace: Int = 30
    @Option(name: .customLong("tick-ms"), help: "How often the scheduler looks at the clock and the queue, in milliseconds.") var tickMilliseconds: Int = 1000
    @Option(help: "Time zone of the cron schedules.") var timezone: String = "Asia/Ho_Chi_Minh"
    @Option(help: "Timeout per connection, seconds.") var timeout: Double = 5
    @Option(name: .customLong("endpoint-timeout"), help: "Budget per endpoint, seconds.") var endpointTimeout: Double = 120
    @Flag(name: .customLong("insecure-cookies"), help: "Leave the Secure attribute off the dashboard cookie (plain HTTP on a non-loopback address; not recommended).") var insecureCookies = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard maxScans >= 1, maxScansPerHost >= 1 else { throw ValidationError("--max-scans and --max-scans-per-host must be at least 1") }
        guard scanTimeout >= 1, grace >= 0, tickMilliseconds >= 10 else { throw ValidationError("--scan-timeout ≥ 1, --grace ≥ 0, --tick-ms ≥ 10") }
        guard TimeZone(identifier: timezone) != nil else { throw ValidationError("--timezone '\(timezone)' is not a known time zone") }
    }

    func run() async throws {
        var configuration = DaemonConfiguration(inventoryPath: inventory)
        configuration.storePath = store.database
        configuration.host = host
        configuration.port = port
        configuration.profile = profile
        configuration.reportsDirectory = templates
        configuration.maxConcurrentScans = maxScans
        configuration.maxScansPerHost = maxScansPerHost
        configuration.scanTimeout = .seconds(scanTimeout)
        configuration.gracePeriod = .seconds(grace)
        configuration.tick = .milliseconds(tickMilliseconds)
        configuration.timeZone = TimeZone(identifier: timezone) ?? configuration.timeZone
        configuration.probeContext = ProbeContext(connectionTimeout: .milliseconds(Int(timeout * 1000)), endpointTimeout: .milliseconds(Int(endpointTimeout * 1000)))
        configuration.secureCookies = !insecureCookies
        let daemon: Daemon
        do {
            daemon = try Daemon(configuration: configuration)
        } catch {
            printError("sansang: \(error.reason)")
            throw ExitCode(2)
        }
        if let warning = daemon.store.permissionWarning { printError("sansang: warning: \(warning)") }
        try await daemon.run()
    }
}
