public import Foundation
public import Logging
public import ServiceLifecycle
public import SansangCore
public import Store
import Engine
import Inventory
import Synchronization

/// Runs the inventory's schedules through the persistent job queue: enqueues each cron fire
/// (unique per system and due time), starts queued jobs within the global and per-host limits,
/// cancels a scan that overruns its window and records it interrupted, and on graceful shutdown
/// stops taking work, lets running scans finish within the grace period, then records the rest
/// interrupted. A job left running by a killed daemon goes back to the queue on start.
public final class Scheduler: Service, Sendable {
    struct Running: Sendable {
        var systemID: String
        var hosts: Set<String>
        var scanID: Int64?
    }

    struct Fires: Sendable {
        var next: [String: (expression: String, at: Date)] = [:]
    }

    let state: DaemonState
    let store: FindingStore
    let metrics: DaemonMetrics
    let logger: Logger
    let clock: @Sendable () -> Date
    private let running = Mutex<[Int64: Running]>([:])
    private let fires = Mutex(Fires())

    public init(state: DaemonState, store: FindingStore, metrics: DaemonMetrics, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.state = state
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
    }

    var configuration: DaemonConfiguration { state.configuration }

    /// Jobs running now (job id → system).
    public var runningJobs: [Int64: String] { running.withLock { $0.mapValues(\.systemID) } }

    public func run() async throws {
        let recovered = try store.recoverJobs(maxAttempts: configuration.maxAttempts, now: clock())
        if !recovered.requeued.isEmpty || !recovered.interrupted.isEmpty {
            logger.notice("recovered the queue", metadata: ["requeued": "\(recovered.requeued)", "interrupted": "\(recovered.interrupted)"])
        }
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                enqueueFires()
                for (job, system, inventory) in startable() {
                    group.addTask { await self.execute(job, system: system, inventory: inventory) }
                }
                try? await Task.sleep(for: configuration.tick)
            }
            await drain()
            group.cancelAll()
        }
        logger.info("scheduler stopped")
    }

    // MARK: cron

    /// Queues every fire that is due. On first sight of a schedule, one fire missed while the
    /// daemon was down (within `catchUp`) is queued too; the queue's uniqueness makes this idempotent.
    func enqueueFires() {
        let now = clock()
        let loaded = state.loaded
        for (systemID, cron) in loaded.schedules {
            var known = fires.withLock { $0.next[systemID] }
            if known?.expression != cron.expression {
                let last = (try? store.lastScheduledFire(system: systemID)) ?? nil
                let floor = now.addingTimeInterval(-Double(configuration.catchUp.components.seconds))
                var cursor = max(last ?? floor, floor)
                var missed: Date?
                for _ in 0..<10_000 {
                    guard let fire = cron.next(after: cursor), fire <= now else { break }
                    missed = fire
                    cursor = fire
                }
                if let missed, missed > (last ?? .distantPast) { enqueue(systemID, at: missed, now: now) }
                known = cron.next(after: now).map { (cron.expression, $0) }
                fires.withLock { $0.next[systemID] = known }
            }
            guard let due = known, due.at <= now else { continue }
            enqueue(systemID, at: due.at, now: now)
            let following = cron.next(after: max(due.at, now))
            fires.withLock { $0.next[systemID] = following.map { (cron.expression, $0) } }
        }
        fires.withLock { fires in
            for systemID in fires.next.keys where loaded.schedules[systemID] == nil { fires.next[systemID] = nil }
        }
    }

    private func enqueue(_ systemID: String, at due: Date, now: Date) {
        do {
            if let job = try store.enqueueScheduledScan(system: systemID, dueAt: due, now: now) {
                logger.info("scan queued", metadata: ["job": "\(job.id)", "system": "\(systemID)", "due": "\(due)"])
            }
        } catch {
            logger.error("cannot queue a scan", metadata: ["system": "\(systemID)", "error": "\(error.reason)"])
        }
    }

    /// The next time `system` fires, if it has a schedule.
    public func nextFire(system: String) -> Date? {
        fires.withLock { $0.next[system]?.at } ?? state.loaded.schedules[system]?.next(after: clock())
    }

    // MARK: dispatch

    /// Due jobs that fit the limits, marked as running in memory (the store marks them in `execute`).
    func startable() -> [(ScanJob, SystemSpec, Inventory)] {
        guard let due = try? store.dueJobs(now: clock()), !due.isEmpty else { return [] }
        let inventory = state.loaded.inventory
        var out: [(ScanJob, SystemSpec, Inventory)] = []
        for job in due {
            guard let system = inventory.system(job.systemID) else {
                if (try? store.startJob(job.id, deadline: clock(), now: clock())) == true {
                    try? store.finishJob(job.id, state: .failed, scanID: nil, detail: "system \(job.systemID) is no longer in the inventory", now: clock())
                }
                continue
            }
            let hosts = Set(system.endpoints.map { $0.host.lowercased() })
            let admitted = running.withLock { running -> Bool in
                guard running[job.id] == nil, running.count < configuration.maxConcurrentScans,
                      !running.values.contains(where: { $0.systemID == job.systemID }) else { return false }
                for host in hosts where running.values.filter({ $0.hosts.contains(host) }).count >= configuration.maxScansPerHost { return false }
                running[job.id] = Running(systemID: job.systemID, hosts: hosts, scanID: nil)
                return true
            }
            if admitted { out.append((job, system, inventory)) }
        }
        return out
    }

    enum Ending: Sendable {
        case finished(InventoryScan.Outcome)
        case failed(SansangError)
        case timedOut
    }

    func execute(_ job: ScanJob, system: SystemSpec, inventory: Inventory) async {
        defer { _ = running.withLock { $0.removeValue(forKey: job.id) } }
        let start = clock()
        var deadline = start.addingTimeInterval(Double(configuration.scanTimeout.components.seconds) + Double(configuration.scanTimeout.components.attoseconds) / 1e18)
        if job.kind == "scheduled", let cron = state.loaded.schedules[system.id], let next = cron.next(after: job.dueAt), next > start {
            deadline = min(deadline, next)
        }
        guard (try? store.startJob(job.id, deadline: deadline, now: start)) == true else { return }
        logger.info("scan started", metadata: ["job": "\(job.id)", "system": "\(system.id)", "attempt": "\(job.attempts + 1)"])
        let scan = InventoryScan(
            inventory: inventory, store: store, context: configuration.probeContext, trigger: "daemon",
            actor: job.kind == "manual" ? job.requestedBy : "scheduler", clock: clock
        )
        let started = ContinuousClock.now
        let deadlineAt = deadline
        let ending: Ending = await withTaskGroup(of: Ending?.self) { group in
            group.addTask {
                do {
                    return .finished(try await scan.run(system: system) { scanID in
                        self.running.withLock { $0[job.id]?.scanID = scanID }
                        try? self.store.attachScan(scanID, toJob: job.id)
                    })
                } catch let error as SansangError {
                    return .failed(error)
                } catch {
                    return .failed(SansangError(.io, "\(error)"))
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(max(0, deadlineAt.timeIntervalSince(self.clock()))))
                guard !Task.isCancelled else { return nil }
                return self.interrupt(job.id, reason: "the scan overran its window (deadline \(deadlineAt))") ? .timedOut : nil
            }
            var result: Ending = .timedOut
            while let item = await group.next() {
                if let item { result = item; break }
            }
            group.cancelAll()
            return result
        }
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        switch ending {
        case .finished(let outcome):
            try? store.finishJob(job.id, state: .done, scanID: outcome.scanID, detail: "\(outcome.summary.status.rawValue): \(outcome.summary.new) new, \(outcome.summary.fixed) fixed", now: clock())
            metrics.scanEnded(outcome: outcome.summary.status.rawValue, seconds: seconds, probeErrors: outcome.report.endpoints.filter { !$0.complete }.count, system: system.id)
            logger.info("scan recorded", metadata: ["job": "\(job.id)", "system": "\(system.id)", "scan": "\(outcome.scanID)", "status": "\(outcome.summary.status.rawValue)"])
        case .timedOut:
            metrics.scanEnded(outcome: "interrupted", seconds: seconds, probeErrors: 0, system: system.id)
            logger.warning("scan interrupted", metadata: ["job": "\(job.id)", "system": "\(system.id)", "reason": "deadline"])
        case .failed(let error):
            let interrupted = (try? store.job(job.id))??.state == .interrupted || error.code == .timeout
            if interrupted {
                _ = interrupt(job.id, reason: error.reason)
                metrics.scanEnded(outcome: "interrupted", seconds: seconds, probeErrors: 0, system: system.id)
            } else {
                try? store.finishJob(job.id, state: .failed, scanID: running.withLock { $0[job.id]?.scanID }, detail: error.reason, now: clock())
                metrics.scanEnded(outcome: "failed", seconds: seconds, probeErrors: 0, system: system.id)
            }
            logger.warning("scan did not complete", metadata: ["job": "\(job.id)", "system": "\(system.id)", "error": "\(error.reason)"])
        }
    }

    /// Records job `id` (and its scan, if still running) as interrupted. False when the scan
    /// already finished and was recorded (the deadline lost the race).
    @discardableResult
    func interrupt(_ id: Int64, reason: String) -> Bool {
        let scanID = running.withLock { $0[id]?.scanID }
        if let scanID {
            guard let scan = (try? store.scan(scanID)) ?? nil else { return false }
            if scan.status == .complete || scan.status == .incomplete { return false }
            if scan.status == .running { try? store.interruptScan(scanID, reason: reason, now: clock()) }
        }
        try? store.finishJob(id, state: .interrupted, scanID: scanID, detail: reason, now: clock())
        return true
    }

    /// Graceful shutdown: no new work; running scans get the grace period, then are recorded interrupted.
    func drain() async {
        let deadline = ContinuousClock.now + configuration.gracePeriod
        logger.notice("shutting down: waiting for running scans", metadata: ["running": "\(running.withLock { $0.count })"])
        while running.withLock({ !$0.isEmpty }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        for id in running.withLock({ Array($0.keys) }) {
            interrupt(id, reason: "the daemon shut down before the scan finished (grace period over)")
            logger.warning("scan interrupted by shutdown", metadata: ["job": "\(id)"])
        }
    }
}
