public import ArgumentParser
import Foundation
import Engine
import Inventory
public import Reporting
import SansangCore
import Store

extension ReportRenderer.Format: ExpressibleByArgument {}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the readiness report auditors sign (HTML in the Nghị định 30 layout, Markdown, CSV or JSON).",
        discussion: "The HTML is one self-contained file (inline CSS and SVG charts), printable to A4. Templates and strings live in Reports/ and can be edited without recompiling."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Inventory: organisation, authorisation and systems.") var inventory: String
    @Option(help: "One system id.") var system: String?
    @Flag(help: "Every system of the inventory.") var all = false
    @Option(help: "Format: html, md, csv or json.") var format: ReportRenderer.Format = .html
    @Option(help: "Language: vi or en.") var lang: Language = .vi
    @Option(name: .shortAndLong, help: "Output file (default: reports/<date>-<system>.<format> next to the store).") var output: String?
    @Option(help: "Only scans from this day on in the trend and annex (YYYY-MM-DD or DD/MM/YYYY).") var since: String?
    @Option(help: "Compare with this earlier scan id: what the re-inspection fixed.") var compare: Int64?
    @Option(help: "Profile id or path.") var profile: String = "csdlqg-dc"
    @Option(help: "Folder with templates/ and strings/ (default: Reports/).") var templates: String?
    @Flag(help: "A signed final version: drop the DỰ THẢO mark.") var final = false
    @Option(name: .customLong("signer-authority"), help: "Signature block, first line.") var signerAuthority = "KT. GIÁM ĐỐC"
    @Option(name: .customLong("signer-title"), help: "Signature block, title.") var signerTitle = "PHÓ GIÁM ĐỐC"
    @Option(name: .customLong("signer-name"), help: "Signer's full name.") var signerName = "…………………"

    func validate() throws {
        guard (system != nil) != all else { throw ValidationError("give --system ID or --all") }
        if let since, parseDay(since) == nil { throw ValidationError("--since '\(since)' is not a date") }
    }

    func run() async throws {
        let loaded = try loadInventory(inventory)
        let systems: [SystemSpec]
        if let system {
            guard let chosen = loaded.system(system) else {
                printError("sansang: \(inventory): no system '\(system)'; systems: \(loaded.systems.map(\.id).joined(separator: ", "))")
                throw ExitCode(2)
            }
            systems = [chosen]
        } else {
            systems = loaded.systems
        }
        let findingStore = try store.open(inventory: loaded, mustExist: true)
        let readinessProfile = try locateProfile(profile, inventory: loaded)
        let sinceDate = since.flatMap(parseDay).map { $0.addingTimeInterval(-86399) }
        let signature = ReportAssembly.Signature(authority: signerAuthority, title: signerTitle, name: signerName, final: final)
        let document = try storeCall { () throws(SansangError) in
            try ReportAssembly.document(
                inventory: loaded, store: findingStore, profile: readinessProfile, systems: systems, language: lang,
                compare: compare, since: sinceDate, signature: signature, now: Date()
            )
        }
        let reportSystems = document.systems
        guard let directory = templates ?? ReportRenderer.locate(near: searchDirectories(inventory: loaded)) else {
            printError("sansang: the Reports/ folder (templates and strings) was not found; pass --templates DIR")
            throw ExitCode(2)
        }
        let data = try storeCall { () throws(SansangError) in try ReportRenderer(directory: directory).render(document, format: format) }
        let path = output ?? defaultReportPath(store: store.path(inventory: loaded), name: system ?? "all")
        do {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            printError("sansang: cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        for item in reportSystems {
            print("\(item.id): \(item.readiness.verdict.label(lang))")
        }
        print(lang == .vi ? "Báo cáo: \(path)" : "Report: \(path)")
    }

    func defaultReportPath(store: String, name: String) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmm"
        formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        let folder = URL(fileURLWithPath: store).deletingLastPathComponent().appendingPathComponent("reports")
        return folder.appendingPathComponent("bao-cao-\(name)-\(formatter.string(from: Date())).\(format.rawValue)").path
    }
}

/// The working directory, the inventory's folder and its parents, and the executable's parents.
func searchDirectories(inventory: Inventory?) -> [String] {
    ReportAssembly.searchDirectories(inventory: inventory)
}
