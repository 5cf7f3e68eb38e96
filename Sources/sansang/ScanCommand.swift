import ArgumentParser
import Engine
import Foundation
import Reporting
import Rules
import SansangCore
#if canImport(Glibc)
import Glibc
#endif

struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan endpoints now and print the findings.",
        discussion: """
        TARGET is https://host[:port][/path], host:port, host, an IPv4 literal, or an IPv6 literal \
        ([::1]:443 or ::1). Several targets are scanned concurrently within the connection limits.
        Exit codes: 0 pass, 1 findings at or above --fail-on, 2 a target could not be tested, 64 usage.
        """
    )

    @Argument(help: "Endpoints to scan.")
    var targets: [String] = []

    @Option(help: "Output format: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .text

    @Option(help: "Language of titles and remediation: vi or en.")
    var lang: Language = .vi

    @Option(help: "TLS policy: \(TLSPolicy.builtin.map(\.id).joined(separator: ", ")).")
    var policy: String = TLSPolicy.csdlqgLevel3.id

    @Option(help: "Checks to run (comma-separated). Available: \(ProbeRegistry.available.joined(separator: ", ")).")
    var checks: String = "tls"

    @Option(name: .customLong("ca-file"), help: "PEM file of extra trusted CA certificates (an internal CA).")
    var caFile: String?

    @Option(name: .customLong("expiry-days"), help: "Warn when the certificate expires within this many days.")
    var expiryDays: Int = 30

    @Option(help: "Timeout of one connection, in seconds.")
    var timeout: Double = 5

    @Option(name: .customLong("endpoint-timeout"), help: "Time budget for one endpoint, in seconds.")
    var endpointTimeout: Double = 120

    @Option(name: .customLong("max-connections-per-host"), help: "Simultaneous connections to one host.")
    var maxConnectionsPerHost: Int = 5

    @Option(name: .customLong("max-connections"), help: "Simultaneous connections overall.")
    var maxConnections: Int = 32

    @Option(name: .customLong("delay-ms"), help: "Pause between two connections to the same host, in milliseconds.")
    var delayMilliseconds: Int = 0

    @Option(name: .customLong("fail-on"), help: "Lowest severity that fails the scan (exit 1): critical, high, medium, low, info.")
    var failOn: Severity = .high

    @Option(name: .shortAndLong, help: "Write the report to this file instead of standard output.")
    var output: String?

    func validate() throws {
        guard !targets.isEmpty else { throw ValidationError("give at least one TARGET, e.g. sansang scan https://portal.example.gov.vn") }
        guard TLSPolicy.named(policy) != nil else {
            throw ValidationError("unknown --policy '\(policy)'; choose one of \(TLSPolicy.builtin.map(\.id).joined(separator: ", "))")
        }
        let unknown = checkSet.subtracting(ProbeRegistry.available)
        guard unknown.isEmpty else {
            throw ValidationError("unknown check(s) \(unknown.sorted().joined(separator: ", ")); available: \(ProbeRegistry.available.joined(separator: ", "))")
        }
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be between 0 and 300 seconds") }
        guard endpointTimeout > 0 else { throw ValidationError("--endpoint-timeout must be positive") }
        guard maxConnectionsPerHost >= 1, maxConnections >= 1 else { throw ValidationError("connection limits must be at least 1") }
        guard delayMilliseconds >= 0 else { throw ValidationError("--delay-ms cannot be negative") }
        guard expiryDays >= 0 else { throw ValidationError("--expiry-days cannot be negative") }
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw ValidationError("--ca-file '\(caFile)' cannot be read")
            }
        }
        for target in targets {
            do { _ = try Endpoint.parse(target) } catch { throw ValidationError(error.reason) }
        }
    }

    var checkSet: Set<String> {
        Set(checks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    func run() async throws {
        var endpoints: [Endpoint] = []
        for target in targets {
            do { endpoints.append(try Endpoint.parse(target)) } catch { throw ValidationError(error.reason) }
        }
        let context = ProbeContext(
            connectionTimeout: .milliseconds(Int(timeout * 1000)), endpointTimeout: .milliseconds(Int(endpointTimeout * 1000)),
            maxConnectionsPerHost: maxConnectionsPerHost, maxConnections: maxConnections, caFile: caFile,
            delayBetweenConnections: .milliseconds(delayMilliseconds)
        )
        let options = ScanOptions(
            context: context, checks: checkSet, policy: TLSPolicy.named(policy) ?? .csdlqgLevel3, expiryWarningDays: expiryDays
        )
        let report = await ScanRunner(options: options).run(endpoints)
        let data: Data
        switch format {
        case .json:
            data = try JSONReport.render(report, language: lang, failOn: failOn)
        case .text:
            let color = output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            data = Data(TextReport.render(report, language: lang, failOn: failOn, color: color).utf8)
        }
        if let output {
            do {
                try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                printError("sansang: cannot write report to \(output): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        } else {
            FileHandle.standardOutput.write(data)
            if format == .json { FileHandle.standardOutput.write(Data("\n".utf8)) }
        }
        let code = report.verdict(failOn: failOn).exitCode
        if code != 0 { throw ExitCode(code) }
    }
}
