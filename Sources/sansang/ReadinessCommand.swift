import ArgumentParser
import Foundation
import Engine
import Inventory
import Reporting
import SansangCore
import Store
#if canImport(Glibc)
import Glibc
#endif

/// Where to find a profile: the inventory's folder, the working directory, the executable's repository.
func locateProfile(_ reference: String, inventory: Inventory?) throws -> ReadinessProfile {
    try storeCall { () throws(SansangError) in try ReportAssembly.loadProfile(reference, inventory: inventory) }
}

/// Evaluates readiness for one system from the store.
func evaluateReadiness(store: FindingStore, profile: ReadinessProfile, system: String, now: Date) throws -> ReadinessResult {
    try storeCall { () throws(SansangError) in try ReportAssembly.readiness(store: store, profile: profile, system: system, now: now) }
}

struct ReadinessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readiness",
        abstract: "Evaluate the readiness profile for a system: each requirement Đạt / Không đạt / Chưa đánh giá / Không áp dụng, and the verdict.",
        discussion: "Exit codes: 0 ĐẠT (ready), 1 ĐẠT CÓ ĐIỀU KIỆN or CHƯA ĐẠT, 2 could not evaluate."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Inventory (for the store path and system names).") var inventory: String?
    @Option(help: "System id.") var system: String
    @Option(help: "Profile id or path.") var profile: String = "csdlqg-dc"
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text
    @Option(help: "Language: vi or en.") var lang: Language = .vi
    @Flag(help: "List every requirement, not only the ones that are not met.") var all = false

    func run() async throws {
        let loaded = try inventory.map(loadInventory)
        let findingStore = try store.open(inventory: loaded, mustExist: true)
        let readinessProfile = try locateProfile(profile, inventory: loaded)
        let result = try evaluateReadiness(store: findingStore, profile: readinessProfile, system: system, now: Date())
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(ReadinessJSON(result, language: lang)))
            print("")
        case .text:
            print(readinessText(result, language: lang, all: all))
        }
        if result.verdict != .ready { throw ExitCode(1) }
    }
}

func readinessText(_ result: ReadinessResult, language: Language, all: Bool) -> String {
    let vi = language == .vi
    var lines: [String] = []
    lines.append("\(vi ? "Hệ thống" : "System") \(result.systemID) — \(result.profile.title.text(language)) (\(result.profile.version))")
    lines.append("\(vi ? "KẾT LUẬN" : "VERDICT"): \(result.verdict.label(language))")
    for reason in result.reasons { lines.append("  • \(reason.text(language))") }
    for group in result.profile.groups {
        let items = result.requirements.filter { $0.requirement.group == group.id }
        let counts = RequirementStatus.allCases.map { "\(result.count($0, group: group.id)) \($0.label(language).lowercased())" }.joined(separator: ", ")
        lines.append("")
        lines.append("\(group.id) — \(group.title.text(language)): \(counts)")
        for item in items where all || item.status == .notMet || (item.status == .notAssessed && item.requirement.severity >= .high) {
            lines.append("  \(item.requirement.id) [\(item.status.label(language))] \(item.requirement.title.text(language)) (\(item.requirement.severity.label(language)))")
            lines.append("      \(item.reason.text(language))")
        }
    }
    lines.append("")
    lines.append(result.profile.disclaimer.text(language))
    return lines.joined(separator: "\n")
}

struct AttestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Record evidence that a control is in place (or that a requirement does not apply to a system).",
        discussion: "Example: sansang attest --system lgsp --requirement C06-01 --statement 'Hồ sơ cấp độ 3 đã được phê duyệt' --document 'Quyết định 123/QĐ-UBND ngày 01/02/2024' --file qd-123.pdf --by 'Nguyễn Văn A, Phó Giám đốc' --expires 2027-02-01"
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Inventory (for the store path; the system id is checked against it).") var inventory: String?
    @Option(help: "System id.") var system: String
    @Option(help: "Requirement id (e.g. C06-01).") var requirement: String
    @Option(help: "What is attested.") var statement: String
    @Option(help: "Document number and date (e.g. 'Quyết định 123/QĐ-UBND ngày 01/02/2024').") var document: String?
    @Option(help: "An evidence file; its SHA-256 is recorded.") var file: String?
    @Option(help: "A link to the evidence.") var link: String?
    @Option(help: "Who attests (name and title).") var by: String
    @Option(help: "Last day the attestation counts (YYYY-MM-DD or DD/MM/YYYY).") var expires: String?
    @Flag(name: .customLong("not-applicable"), help: "Declare that the requirement does not apply to this system (the statement says why).") var notApplicable = false
    @Option(help: "Profile id or path, to check the requirement id.") var profile: String = "csdlqg-dc"

    func run() async throws {
        let loaded = try inventory.map(loadInventory)
        if let loaded, loaded.system(system) == nil {
            printError("sansang: \(loaded.source): no system '\(system)'")
            throw ExitCode(2)
        }
        let readinessProfile = try locateProfile(profile, inventory: loaded)
        guard readinessProfile.requirements.contains(where: { $0.id == requirement }) else {
            printError("sansang: requirement '\(requirement)' is not in profile \(readinessProfile.id) (\(readinessProfile.source))")
            throw ExitCode(2)
        }
        var digest: String?
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                printError("sansang: cannot read evidence file \(file)")
                throw ExitCode(2)
            }
            digest = SHA256Digest.hex(data)
        }
        let expiry = try expires.map { text -> Date in
            guard let date = parseDay(text) else { throw ValidationError("--expires '\(text)' is not a date") }
            return date
        }
        let findingStore = try store.open(inventory: loaded)
        let id = try storeCall { () throws(SansangError) in
            try findingStore.attest(
                system: system, requirement: requirement, kind: notApplicable ? "not-applicable" : "control", statement: statement,
                document: document, file: file, sha256: digest, link: link, by: by, expiresAt: expiry, now: Date()
            )
        }
        print("attestation #\(id) recorded for \(system) \(requirement)\(digest.map { " (sha256 \($0.prefix(16))…)" } ?? "")")
    }
}
