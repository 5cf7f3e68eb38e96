public import ArgumentParser
import Foundation
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
        let now = Date()
        let sinceDate = since.flatMap(parseDay).map { $0.addingTimeInterval(-86399) }
        var reportSystems: [ReportDocument.System] = []
        for system in systems {
            let readiness = try evaluateReadiness(store: findingStore, profile: readinessProfile, system: system.id, now: now)
            let scans = try storeCall { () throws(SansangError) in try findingStore.scans(system: system.id, limit: 200) }
                .filter { sinceDate == nil || $0.startedAt >= sinceDate! }
            var comparison: ReportDocument.Comparison?
            if let compare, let latest = scans.first(where: { $0.status == .complete || $0.status == .incomplete }) {
                let diff = try storeCall { () throws(SansangError) in try findingStore.diff(from: compare, to: latest.id) }
                func changes(_ findings: [StoredFinding]) -> [ReportDocument.Change] {
                    findings.map { ReportDocument.Change(ruleID: $0.ruleID, title: $0.title, endpoint: $0.endpoint, severity: $0.severity) }
                }
                comparison = ReportDocument.Comparison(fromScan: compare, toScan: latest.id, fixed: changes(diff.fixed), new: changes(diff.new), stillOpen: changes(diff.stillOpen))
            }
            reportSystems.append(ReportDocument.System(
                id: system.id, name: system.name, kind: system.kind.rawValue, owner: system.owner, level: system.level,
                endpoints: system.endpoints.map(\.description), readiness: readiness,
                findings: try storeCall { () throws(SansangError) in try findingStore.readinessFindings(system: system.id) },
                scans: scans.map { ReportDocument.Scan(id: $0.id, startedAt: $0.startedAt, finishedAt: $0.finishedAt, status: $0.status.rawValue, findingCount: $0.findingCount, trigger: $0.trigger, actor: $0.actor, policy: $0.policy, toolVersion: $0.toolVersion) },
                comparison: comparison
            ))
        }
        let organization = loaded.organization
        let vi = lang == .vi
        let recipients = vi
            ? ["UBND \(organization.parent.replacingOccurrences(of: "UBND ", with: "")) (để b/c)", "Công an tỉnh (PA05)", "Cục A05, Cục C06 – Bộ Công an (nếu gửi)", "Văn phòng UBND tỉnh", "Lưu: VT, \(organization.draftingUnit)"]
            : ["Provincial People's Committee (for reporting)", "Provincial Police (PA05)", "Departments A05, C06 – Ministry of Public Security (if sent)", "Office of the Provincial People's Committee", "Filed: archive, \(organization.draftingUnit)"]
        let document = ReportDocument(
            language: lang, generatedAt: now,
            organization: .init(parent: organization.parent, name: organization.name, abbreviation: organization.abbreviation, place: organization.place, draftingUnit: organization.draftingUnit),
            authorization: .init(number: loaded.authorization.number, date: loaded.authorization.date, scope: loaded.authorization.scope),
            profile: readinessProfile, systems: reportSystems, draft: !final, toolVersion: SansangVersion.current,
            sourceHost: ProcessInfo.processInfo.hostName, recipients: recipients,
            signerAuthority: signerAuthority, signerTitle: signerTitle, signerName: signerName
        )
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
        print(vi ? "Báo cáo: \(path)" : "Report: \(path)")
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
    var directories = [FileManager.default.currentDirectoryPath]
    if let inventory {
        var folder = URL(fileURLWithPath: inventory.source).deletingLastPathComponent()
        for _ in 0..<4 { directories.append(folder.path); folder.deleteLastPathComponent() }
    }
    var executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 { directories.append(executable.path); executable.deleteLastPathComponent() }
    return directories
}
