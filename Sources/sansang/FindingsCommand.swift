public import ArgumentParser
import Foundation
import SansangCore
public import Store

extension FindingState: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.replacingOccurrences(of: "-", with: "_"))
    }
}

struct FindingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "findings",
        abstract: "List findings and move them through their lifecycle (every change is logged).",
        subcommands: [List.self, Show.self, Update.self, Accept.self, FalsePositive.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List findings, most severe first.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this system.") var system: String?
        @Option(help: "Severities, comma-separated (critical,high,…).") var severity: String?
        @Option(help: "States, comma-separated (open,acknowledged,in-progress,fixed,reopened,risk-accepted,false-positive). Default: all but fixed and false-positive.") var state: String?
        @Flag(help: "Only findings past their due date.") var overdue = false
        @Option(help: "Only this rule id.") var rule: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text
        @Option(help: "Language: vi or en.") var lang: Language = .vi

        func validate() throws {
            for part in severity?.split(separator: ",") ?? [] where Severity(rawValue: String(part)) == nil {
                throw ValidationError("unknown severity '\(part)'")
            }
            for part in state?.split(separator: ",") ?? [] where FindingState(argument: String(part)) == nil {
                throw ValidationError("unknown state '\(part)'")
            }
        }

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            var filter = FindingFilter(system: system, ruleID: rule)
            if let severity { filter.severities = Set(severity.split(separator: ",").compactMap { Severity(rawValue: String($0)) }) }
            filter.states = state.map { Set($0.split(separator: ",").compactMap { FindingState(argument: String($0)) }) }
                ?? Set(FindingState.allCases.filter { $0 != .fixed && $0 != .falsePositive })
            let now = Date()
            if overdue { filter.overdueAt = now }
            let findings = try storeCall { () throws(SansangError) in
                _ = try findingStore.expireAcceptances(now: now)
                return try findingStore.findings(filter)
            }
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileHandle.standardOutput.write(try encoder.encode(findings))
                print("")
            case .text:
                for finding in findings {
                    let overdueMark = finding.isOverdue(at: now) ? (lang == .vi ? " QUÁ HẠN" : " OVERDUE") : ""
                    let due = finding.dueAt.map { (lang == .vi ? " hạn " : " due ") + day($0) } ?? ""
                    print("#\(finding.id)  \(finding.severity.label(lang))  \(finding.state.label(lang))\(overdueMark)  [\(finding.systemID)] \(finding.endpoint)  \(finding.title.text(lang))  (\(finding.ruleID))\(due)")
                }
                print(lang == .vi ? "\(findings.count) phát hiện." : "\(findings.count) finding(s).")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one finding with its evidence, sightings and history.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Finding id or fingerprint (prefix of 6+ characters).") var reference: String
        @Option(help: "Language: vi or en.") var lang: Language = .vi

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            guard let finding = try storeCall({ () throws(SansangError) in try findingStore.finding(reference) }) else {
                printError("sansang: no finding '\(reference)'")
                throw ExitCode(2)
            }
            let events = try storeCall { () throws(SansangError) in try findingStore.events(finding: finding.id) }
            let sightings = try storeCall { () throws(SansangError) in try findingStore.sightings(finding: finding.id) }
            print("#\(finding.id) \(finding.title.text(lang))")
            print("  rule: \(finding.ruleID)   severity: \(finding.severity.label(lang))   state: \(finding.state.label(lang))")
            print("  system: \(finding.systemID)   endpoint: \(finding.endpoint)   subject: \(finding.subject)")
            print("  fingerprint: \(finding.fingerprint)")
            print("  first seen: \(day(finding.firstSeenAt)) (scan #\(finding.firstSeenScan))   last seen: \(day(finding.lastSeenAt)) (scan #\(finding.lastSeenScan))   sightings: \(finding.sightings) \(sightings.map { "#\($0)" }.joined(separator: " "))")
            if let due = finding.dueAt { print("  due: \(day(due))") }
            if let until = finding.acceptedUntil { print("  risk accepted until \(day(until)) by \(finding.acceptedBy ?? "?")") }
            print("  requirements: \(finding.requirements.joined(separator: ", "))")
            print("  evidence: \(finding.evidence)")
            print("  remediation: \(finding.remediation.text(lang))")
            print("  history:")
            for event in events {
                let change = [event.fromState, event.toState].compactMap { $0 }.joined(separator: " → ")
                print("    \(timestamp(event.at))  \(event.actor)  \(event.kind)  \(change)\(event.reason.map { "  — \($0)" } ?? "")")
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a finding's state (acknowledged, in-progress, open). 'fixed' comes only from a rescan.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Finding id or fingerprint.") var reference: String
        @Option(help: "New state.") var state: FindingState
        @Option(help: "Who makes the change.") var by: String?
        @Option(help: "Why.") var reason: String?

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            let finding = try resolve(findingStore, reference)
            try storeCall { () throws(SansangError) in
                try findingStore.transition(finding.id, to: state, actor: by ?? defaultActor(), reason: reason, now: Date())
            }
            print("#\(finding.id): \(finding.state.rawValue) → \(state.rawValue)")
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a risk until a date; it reopens itself after that.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Finding id or fingerprint.") var reference: String
        @Option(help: "Last day of the acceptance (YYYY-MM-DD or DD/MM/YYYY).") var until: String
        @Option(help: "Who approves (name and title).") var by: String
        @Option(help: "Why the risk is accepted.") var reason: String

        func validate() throws {
            guard parseDay(until) != nil else { throw ValidationError("--until '\(until)' is not a date (YYYY-MM-DD or DD/MM/YYYY)") }
        }

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            let finding = try resolve(findingStore, reference)
            guard let date = parseDay(until) else { throw ExitCode(64) }
            try storeCall { () throws(SansangError) in
                try findingStore.acceptRisk(finding.id, until: date, approver: by, reason: reason, now: Date())
            }
            print("#\(finding.id): risk accepted until \(day(date)) by \(by)")
        }
    }

    struct FalsePositive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "false-positive", abstract: "Mark a finding as a false positive, with a reason.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Finding id or fingerprint.") var reference: String
        @Option(help: "Who decides.") var by: String?
        @Option(help: "Why it is not a real weakness.") var reason: String

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            let finding = try resolve(findingStore, reference)
            try storeCall { () throws(SansangError) in
                try findingStore.transition(finding.id, to: .falsePositive, actor: by ?? defaultActor(), reason: reason, now: Date())
            }
            print("#\(finding.id): false positive")
        }
    }
}

func resolve(_ store: FindingStore, _ reference: String) throws -> StoredFinding {
    guard let finding = try storeCall({ () throws(SansangError) in try store.finding(reference) }) else {
        printError("sansang: no finding '\(reference)' (use an id from 'sansang findings list' or a fingerprint prefix)")
        throw ExitCode(2)
    }
    return finding
}

func day(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
    formatter.dateFormat = "dd/MM/yyyy"
    return formatter.string(from: date)
}

func timestamp(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
    formatter.dateFormat = "dd/MM/yyyy HH:mm"
    return formatter.string(from: date)
}
