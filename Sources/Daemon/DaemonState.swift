public import Foundation
public import SansangCore
public import Inventory
import Engine
import Reporting
import Synchronization

/// The inventory, profile and schedules the daemon works from; replaced whole by a reload that
/// validates first (a bad file leaves the running configuration untouched).
public final class DaemonState: Sendable {
    public struct Loaded: Sendable {
        public var inventory: Inventory
        public var profile: ReadinessProfile
        public var schedules: [String: CronSchedule]
        public var reportsDirectory: String?
        public var loadedAt: Date
    }

    let configuration: DaemonConfiguration
    private let current: Mutex<Loaded>

    public init(configuration: DaemonConfiguration) throws(SansangError) {
        self.configuration = configuration
        current = Mutex(try Self.load(configuration))
    }

    public var loaded: Loaded { current.withLock { $0 } }

    /// Reads and validates the inventory, its schedules and the profile; swaps them in only if all are valid.
    @discardableResult
    public func reload() throws(SansangError) -> Loaded {
        let fresh = try Self.load(configuration)
        current.withLock { $0 = fresh }
        return fresh
    }

    static func load(_ configuration: DaemonConfiguration) throws(SansangError) -> Loaded {
        let inventory = try InventoryLoader.load(path: configuration.inventoryPath)
        var schedules: [String: CronSchedule] = [:]
        for system in inventory.systems {
            guard let expression = system.schedule, !expression.isEmpty else { continue }
            schedules[system.id] = try CronSchedule(expression, timeZone: configuration.timeZone)
        }
        let profile = try ReportAssembly.loadProfile(configuration.profile, inventory: inventory)
        let reports = configuration.reportsDirectory ?? ReportRenderer.locate(near: ReportAssembly.searchDirectories(inventory: inventory))
        return Loaded(inventory: inventory, profile: profile, schedules: schedules, reportsDirectory: reports, loadedAt: Date())
    }

    /// The store path: the flag, else the inventory's `store` (relative to the inventory), else ./sansang.db.
    public static func storePath(configuration: DaemonConfiguration, inventory: Inventory) -> String {
        if let path = configuration.storePath { return path }
        if let store = inventory.store {
            if store.hasPrefix("/") { return store }
            return URL(fileURLWithPath: inventory.source).deletingLastPathComponent().appendingPathComponent(store).path
        }
        return "sansang.db"
    }
}
