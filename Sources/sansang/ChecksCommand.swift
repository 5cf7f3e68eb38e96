import ArgumentParser
import Foundation
import Rules
import SansangCore

struct ChecksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checks",
        abstract: "Show the built-in checks.",
        subcommands: [List.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every rule with its id, severity, title and requirements.")

        @Option(help: "Language: vi or en.")
        var lang: Language = .vi

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() async throws {
            let rules = RuleCatalog.everything.map(\.meta)
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileHandle.standardOutput.write(try encoder.encode(rules))
                print("")
            case .text:
                let width = rules.map(\.id.count).max() ?? 20
                for rule in rules {
                    let id = rule.id.padding(toLength: width, withPad: " ", startingAt: 0)
                    let severity = rule.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                    print("\(id)  \(severity)  \(rule.title.text(lang))  [\(rule.requirements.joined(separator: ", "))]")
                }
                print(lang == .vi ? "\n\(rules.count) quy tắc." : "\n\(rules.count) rules.")
            }
        }
    }
}
