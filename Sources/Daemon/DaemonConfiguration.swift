public import Foundation
public import SansangCore

/// How `sansang serve` runs: where it listens, what it reads, and its limits.
public struct DaemonConfiguration: Sendable {
    /// The inventory (systems, schedules, scope); reloaded on SIGHUP or POST /api/v1/reload.
    public var inventoryPath: String
    /// The SQLite store; nil uses the inventory's `store`, else ./sansang.db.
    public var storePath: String?
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (tests); the bound port is reported through `onListening`.
    public var port: Int = 8470
    /// Readiness profile id or path.
    public var profile: String = "csdlqg-dc"
    /// The Reports/ folder (templates, strings); nil looks near the inventory and the executable.
    public var reportsDirectory: String?
    /// Scans running at once over all systems.
    public var maxConcurrentScans: Int = 2
    /// Scans running at once that touch the same host.
    public var maxScansPerHost: Int = 1
    /// The longest a scan may run; a scheduled scan also stops at its system's next fire.
    public var scanTimeout: Duration = .seconds(3600)
    /// How long running scans may finish after SIGTERM/SIGINT before they are recorded interrupted.
    public var gracePeriod: Duration = .seconds(30)
    /// How often the scheduler looks at the clock and the queue.
    public var tick: Duration = .seconds(1)
    /// Attempts per job (a job the daemon died during goes back to the queue until this many).
    public var maxAttempts: Int = 3
    /// A cron fire missed while the daemon was down is run once on start if it is this recent.
    public var catchUp: Duration = .seconds(86400)
    /// Time zone for cron expressions.
    public var timeZone: TimeZone = CronSchedule.defaultTimeZone
    /// Probe timeouts and politeness.
    public var probeContext = ProbeContext()
    /// The Secure attribute on the dashboard cookie (browsers accept it on https and on 127.0.0.1).
    public var secureCookies = true

    public init(inventoryPath: String) {
        self.inventoryPath = inventoryPath
    }
}
