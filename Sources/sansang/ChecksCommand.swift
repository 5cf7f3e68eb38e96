import ArgumentParser
import Foundation
import Inventory
import Rules
import SansangCore

struct ChecksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checks",
        abstract: "Show the checks (built-in and declarative) and validate declarative rule files.",
        subcommands: [List.self, Validate.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every rule with its id, severity, title and requirements.")

        @Option(help: "Language: vi or en.")
        var lang: Language = .vi

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @Option(help: "Declarative rules directory (default: Checks/rules near the working directory or the executable).")
        var rules: String?

        func run() async throws {
            let declarative = (try loadDeclarativeRules(self.rules)).map(\.meta)
            let replaced = Set(declarative.map(\.id))
            let rules = RuleCatalog.everything.map(\.meta).filter { !replaced.contains($0.id) } + declarative
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

extension ChecksCommand {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate declarative rule files (for CI): every error with file:line; exit 2 on errors.",
            discussion: "DIR defaults to Checks/rules near the working directory or the executable."
        )

        @Argument(help: "The rules directory, or one rule file.")
        var directory: String?

        func run() async throws {
            var path = directory
            if path == nil { path = DeclarativeRuleLoader.locate(near: DeclarativeRuleLoader.defaultSearchDirectories()) }
            guard let path else {
                printError("sansang: Checks/rules not found; give the directory")
                throw ExitCode(2)
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                printError("sansang: \(path): no such file or directory")
                throw ExitCode(2)
            }
            var rules: [DeclarativeRuleSpec] = []
            var errors: [SansangError] = []
            if isDirectory.boolValue {
                (rules, errors) = validateDeclarativeRules(directory: path)
            } else {
                do { rules = [try DeclarativeRuleLoader.load(path: path)] } catch { errors = [error] }
            }
            for error in errors { print(error.reason) }
            print("\(rules.count) rule(s) valid, \(errors.count) error(s) in \(path)")
            if !errors.isEmpty { throw ExitCode(2) }
        }
    }
}
