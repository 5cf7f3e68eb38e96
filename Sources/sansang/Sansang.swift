public import ArgumentParser
import Foundation
public import SansangCore

@main
struct Sansang: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sansang",
        abstract: "Audits whether a province's systems are ready to connect to CSDLQG về dân cư (TLS, HTTP, ports, configuration).",
        discussion: """
        Exit codes: 0 pass; 1 policy failed (findings at or above --fail-on); \
        2 the scan could not complete (unreachable target, bad configuration); 64 usage error.
        """,
        version: SansangVersion.current,
        subcommands: [ScanCommand.self, GateCommand.self, ReadinessCommand.self, ReportCommand.self, AttestCommand.self, FindingsCommand.self, ScansCommand.self, InventoryCommand.self, StoreCommand.self, ChecksCommand.self, ServeCommand.self, TokenCommand.self]
    )
}

/// Choices shared by commands that print for people.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension Language: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
