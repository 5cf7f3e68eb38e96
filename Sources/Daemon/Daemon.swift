public import Foundation
public import Logging
public import SansangCore
public import Store
import Hummingbird
import ServiceLifecycle
import UnixSignals
import Synchronization

/// `sansang serve`: the scheduler and the HTTP API and dashboard as services of one
/// `ServiceGroup`. SIGTERM/SIGINT shut down gracefully (the API stops first, then running scans
/// get the grace period, then the store is closed); SIGHUP reloads the inventory.
public final class Daemon: Sendable {
    public let configuration: DaemonConfiguration
    public let state: DaemonState
    public let store: FindingStore
    public let metrics = DaemonMetrics()
    public let scheduler: Scheduler
    public let logger: Logger
    let sink: LogSink
    private let group = Mutex<ServiceGroup?>(nil)

    /// Loads and validates the inventory and profile and opens the store (marking scans left
    /// running by a dead process interrupted).
    public init(configuration: DaemonConfiguration, logSink: LogSink = .standardError) throws(SansangError) {
        self.configuration = configuration
        sink = logSink
        var logger = Logger(label: "sansang") { JSONLogHandler(label: $0, sink: logSink) }
        logger.logLevel = .info
        self.logger = logger
        state = try DaemonState(configuration: configuration)
        store = try FindingStore.open(path: DaemonState.storePath(configuration: configuration, inventory: state.loaded.inventory))
        scheduler = Scheduler(state: state, store: store, metrics: metrics, logger: logger)
    }

    /// Runs until a shutdown signal (or `shutdown()`); `onListening` gets the bound port.
    /// `handleSignals` false leaves the process's signals alone (in-process tests).
    public func run(handleSignals: Bool = true, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let authenticator = Authenticator(store: store)
        let backend = Backend(state: state, store: store, scheduler: scheduler, metrics: metrics, logger: logger)
        let router = Router(context: DaemonRequestContext.self)
        router.add(middleware: AuthMiddleware(authenticator: authenticator))
        router.add(middleware: AccessLogMiddleware(logger: logger, metrics: metrics))
        router.get("healthz") { _, _ -> Response in
            _ = try backend.store.scans(limit: 1)
            return try JSONBody.response(["status": "ok", "version": SansangVersion.current])
        }
        router.get("metrics") { _, context -> Response in
            _ = try context.require(.read)
            let queued = (try? backend.store.jobs(state: .queued, limit: 10_000).count) ?? 0
            let text = backend.metrics.exposition(store: backend.store, queued: queued, running: backend.scheduler.runningJobs.count)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        APIRoutes(backend: backend).register(on: router)
        Dashboard(backend: backend, authenticator: authenticator, secureCookies: configuration.secureCookies).register(on: router)

        let logger = self.logger
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.notice("listening", metadata: ["host": "\(self.configuration.host)", "port": "\(port)"])
                await onListening(port)
            },
            logger: logger
        )
        // Shut down in reverse order: stop reloading, stop the API, then let the scans finish.
        let serviceGroup = ServiceGroup(
            configuration: .init(
                services: [scheduler, application, HangupReloader(backend: backend, enabled: handleSignals)],
                gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                logger: logger
            )
        )
        group.withLock { $0 = serviceGroup }
        logger.notice("daemon starting", metadata: ["systems": "\(state.loaded.inventory.systems.count)", "store": "\(store.path ?? "memory")"])
        defer {
            try? store.closeDatabase()
            logger.notice("daemon stopped; store closed")
        }
        try await serviceGroup.run()
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    public func shutdown() async {
        if let serviceGroup = group.withLock({ $0 }) { await serviceGroup.triggerGracefulShutdown() }
    }
}

/// Reloads the inventory on SIGHUP (validated first; a bad file keeps the running one).
struct HangupReloader: Service {
    let backend: Backend
    let enabled: Bool

    func run() async throws {
        guard enabled else {
            try? await gracefulShutdown()
            return
        }
        let signals = await UnixSignalsSequence(trapping: .sighup)
        try await cancelWhenGracefulShutdown {
            for await _ in signals {
                _ = try? backend.reload(actor: "SIGHUP")
            }
        }
    }
}
