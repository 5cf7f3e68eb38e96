import ArgumentParser
import Foundation
import SansangCore
import Store

struct ScansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scans",
        abstract: "Recorded scans, and what changed between two of them (the re-inspection view).",
        subcommands: [List.self, Diff.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recorded scans, newest first.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this system.") var system: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            let scans = try storeCall { () throws(SansangError) in try findingStore.scans(system: system) }
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                FileHandle.standardOutput.write(try encoder.encode(scans))
                print("")
            case .text:
                for scan in scans {
                    print("#\(scan.id)  \(timestamp(scan.startedAt))  \(scan.systemID)  \(scan.status.rawValue)  \(scan.findingCount) finding(s)  \(scan.trigger) by \(scan.actor)  policy \(scan.policy)")
                }
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "New, fixed and still-open findings between scan A and scan B of one system.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The earlier scan id.") var from: Int64
        @Argument(help: "The later scan id.") var to: Int64
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text
        @Option(help: "Language: vi or en.") var lang: Language = .vi

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            let diff = try storeCall { () throws(SansangError) in try findingStore.diff(from: from, to: to) }
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileHandle.standardOutput.write(try encoder.encode(diff))
                print("")
            case .text:
                let vi = lang == .vi
                func section(_ title: String, _ findings: [StoredFinding], _ mark: String) {
                    print("\(title) (\(findings.count))")
                    for finding in findings {
                        print("  \(mark) #\(finding.id) \(finding.severity.label(lang))  \(finding.endpoint)  \(finding.title.text(lang))  [\(finding.ruleID)]")
                    }
                }
                print(vi ? "So sánh lần quét #\(from) → #\(to)" : "Scan #\(from) → #\(to)")
                section(vi ? "Đã khắc phục" : "Fixed", diff.fixed, "✓")
                section(vi ? "Phát hiện mới" : "New", diff.new, "+")
                section(vi ? "Vẫn còn" : "Still open", diff.stillOpen, "✗")
                if !diff.notRetested.isEmpty { section(vi ? "Chưa kiểm tra lại" : "Not retested", diff.notRetested, "?") }
            }
        }
    }
}

struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Back up, move and check the store.",
        subcommands: [Export.self, Import.self, Check.self, StoreBenchCommand.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the whole store as JSON.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Output file.") var file: String

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            let data = try storeCall { () throws(SansangError) in try findingStore.exportJSON() }
            do {
                try data.write(to: URL(fileURLWithPath: file), options: .atomic)
                chmod(file, 0o600)
            } catch {
                printError("sansang: cannot write \(file): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            print("exported \(data.count) bytes to \(file)")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load a JSON export into a new, empty store.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Export file.") var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                printError("sansang: cannot read \(file)")
                throw ExitCode(2)
            }
            let findingStore = try store.open()
            try storeCall { () throws(SansangError) in try findingStore.importJSON(data) }
            print("imported \(file) into \(store.path())")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the database's integrity and file permissions.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            let result = try storeCall { () throws(SansangError) in try findingStore.integrityCheck() }
            print("integrity: \(result)")
            if let warning = findingStore.permissionWarning { print("permissions: \(warning)") } else { print("permissions: ok (0600)") }
            if result != "ok" { throw ExitCode(2) }
        }
    }
}

struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Check an inventory file.",
        subcommands: [Validate.self]
    )

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate an inventory; errors name the file, line and field.")
        @Argument(help: "Inventory YAML file.") var file: String

        func run() async throws {
            let inventory = try loadInventory(file)
            print("\(file): ok — \(inventory.organization.name), authorisation \(inventory.authorization.number), \(inventory.systems.count) system(s): \(inventory.systems.map(\.id).joined(separator: ", "))")
        }
    }
}
