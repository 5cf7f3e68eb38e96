import ArgumentParser
import Foundation
import Inventory
import SansangCore
import Store

/// `--db`: where the findings store lives.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "SQLite store (default: the inventory's 'store', else ./sansang.db).")
    var database: String?

    func path(inventory: Inventory? = nil) -> String {
        if let database { return database }
        if let inventory, let store = inventory.store {
            if store.hasPrefix("/") { return store }
            return URL(fileURLWithPath: inventory.source).deletingLastPathComponent().appendingPathComponent(store).path
        }
        return "sansang.db"
    }

    func open(inventory: Inventory? = nil, mustExist: Bool = false) throws -> FindingStore {
        let path = path(inventory: inventory)
        if mustExist && !FileManager.default.fileExists(atPath: path) {
            printError("sansang: no store at \(path) (run a scan with --inventory first, or pass --db)")
            throw ExitCode(2)
        }
        do {
            let store = try FindingStore.open(path: path)
            if let warning = store.permissionWarning { printError("sansang: warning: \(warning)") }
            return store
        } catch {
            printError("sansang: \(error.reason)")
            throw ExitCode(2)
        }
    }
}

func loadInventory(_ path: String) throws -> Inventory {
    do {
        return try InventoryLoader.load(path: path)
    } catch {
        printError("sansang: \(error.reason)")
        throw ExitCode(2)
    }
}

/// Runs a store call, turning its errors into a message and exit code 2.
func storeCall<T>(_ work: () throws(SansangError) -> T) throws -> T {
    do {
        return try work()
    } catch {
        printError("sansang: \(error.reason)")
        throw ExitCode(2)
    }
}

/// Parses `YYYY-MM-DD` or `DD/MM/YYYY` (end of that day, Asia/Ho_Chi_Minh).
func parseDay(_ text: String) -> Date? {
    for format in ["yyyy-MM-dd", "dd/MM/yyyy"] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        formatter.dateFormat = format
        if let date = formatter.date(from: text) { return date.addingTimeInterval(86399) }
    }
    return nil
}

/// Who runs this command, for the event log: --by, else $SANSANG_ACTOR, else the login name.
func defaultActor() -> String {
    ProcessInfo.processInfo.environment["SANSANG_ACTOR"] ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
}
