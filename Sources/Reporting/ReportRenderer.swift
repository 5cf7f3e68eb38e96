public import Foundation
public import SansangCore
import Mustache

/// Renders a readiness report as HTML, Markdown (both from Mustache templates in `Reports/`),
/// CSV or JSON.
public struct ReportRenderer: Sendable {
    public enum Format: String, CaseIterable, Sendable {
        case html, md, csv, json
    }

    /// The folder holding `templates/` and `strings/`.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Finds the `Reports` folder: the working directory, then around the executable.
    public static func locate(near directories: [String]) -> String? {
        for directory in directories {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("Reports")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("templates/report.html.mustache").path) {
                return candidate.path
            }
        }
        return nil
    }

    public func strings(_ language: Language) throws(SansangError) -> [String: String] {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("strings/\(language.rawValue).json").path
        guard let data = FileManager.default.contents(atPath: path) else { throw SansangError(.configuration, "\(path): cannot read the report strings") }
        do {
            return try JSONDecoder().decode([String: String].self, from: data)
        } catch {
            throw SansangError(.configuration, "\(path): not a JSON object of strings: \(error)")
        }
    }

    func template(_ name: String) throws(SansangError) -> MustacheTemplate {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("templates/\(name).mustache").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SansangError(.configuration, "\(path): cannot read the template")
        }
        do {
            return try MustacheTemplate(string: text)
        } catch {
            throw SansangError(.configuration, "\(path): the template does not parse: \(error)")
        }
    }

    public func render(_ document: ReportDocument, format: Format) throws(SansangError) -> Data {
        switch format {
        case .html:
            let context = ReportContext.build(document, strings: try strings(document.language), charts: true)
            return Data(try template("report.html").render(context).utf8)
        case .md:
            let context = ReportContext.build(document, strings: try strings(document.language), charts: false)
            return Data(try template("report.md").render(context).utf8)
        case .csv:
            return Data(csv(document).utf8)
        case .json:
            return try json(document)
        }
    }

    /// One row per requirement per system, for spreadsheets (RFC 4180 quoting, UTF-8 with BOM for Excel).
    func csv(_ document: ReportDocument) -> String {
        let language = document.language
        var rows = [["system", "group", "requirement", "severity", "title", "status", "reason", "due", "findings", "attestations", "citation"]]
        for system in document.systems {
            for item in system.readiness.requirements {
                rows.append([
                    system.id, item.requirement.group, item.requirement.id, item.requirement.severity.rawValue,
                    item.requirement.title.text(language), item.status.label(language), item.reason.text(language),
                    item.dueAt.map(ReportContext.day) ?? "", item.findings.map { "#\($0.id)" }.joined(separator: " "),
                    item.attestations.map { "#\($0.id)" }.joined(separator: " "),
                    document.citesCurrentBasis ? item.requirement.currentCitation : item.requirement.legacyCitation,
                ])
            }
        }
        func quote(_ field: String) -> String {
            let safe = field.first.map { "=+-@".contains($0) } == true ? "'" + field : field  // no spreadsheet formulas from data
            return safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : safe
        }
        return "\u{FEFF}" + rows.map { $0.map(quote).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    func json(_ document: ReportDocument) throws(SansangError) -> Data {
        let language = document.language
        let systems: [JSONValue] = document.systems.map { system in
            .object([
                "id": .string(system.id), "name": .string(system.name), "kind": .string(system.kind),
                "verdict": .string(system.readiness.verdict.rawValue), "verdictLabel": .string(system.readiness.verdict.label(language)),
                "reasons": .array(system.readiness.reasons.map { .string($0.text(language)) }),
                "requirements": .array(system.readiness.requirements.map { item in
                    .object([
                        "id": .string(item.requirement.id), "group": .string(item.requirement.group),
                        "severity": .string(item.requirement.severity.rawValue), "title": .string(item.requirement.title.text(language)),
                        "status": .string(item.status.rawValue), "statusLabel": .string(item.status.label(language)),
                        "reason": .string(item.reason.text(language)),
                        "findings": .array(item.findings.map { .number(Double($0.id)) }),
                        "attestations": .array(item.attestations.map { .number(Double($0.id)) }),
                        "dueAt": item.dueAt.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null,
                        "citation": .object(["legacy": .string(item.requirement.legacyCitation), "current": .string(item.requirement.currentCitation)]),
                    ])
                }),
                "findings": .array(system.findings.map { finding in
                    .object([
                        "id": .number(Double(finding.id)), "rule": .string(finding.ruleID), "severity": .string(finding.severity.rawValue),
                        "title": .string(finding.title.text(language)), "endpoint": .string(finding.endpoint), "state": .string(finding.state),
                        "dueAt": finding.dueAt.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null,
                    ])
                }),
                "scans": .array(system.scans.map { .object(["id": .number(Double($0.id)), "status": .string($0.status), "findings": .number(Double($0.findingCount)), "startedAt": .string(ISO8601DateFormatter().string(from: $0.startedAt))]) }),
            ])
        }
        let root: JSONValue = .object([
            "format": .string("sansang-readiness-report"), "version": .number(1),
            "generatedAt": .string(ISO8601DateFormatter().string(from: document.generatedAt)),
            "language": .string(language.rawValue), "draft": .bool(document.draft),
            "profile": .object(["id": .string(document.profile.id), "version": .string(document.profile.version), "disclaimer": .string(document.profile.disclaimer.text(language))]),
            "organization": .object(["name": .string(document.organization.name), "parent": .string(document.organization.parent)]),
            "authorization": .object(["number": .string(document.authorization.number), "date": .string(ReportContext.day(document.authorization.date)), "scope": .string(document.authorization.scope)]),
            "verdict": .string(document.verdict.rawValue), "verdictLabel": .string(document.verdict.label(language)),
            "systems": .array(systems),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(root) } catch { throw SansangError(.io, "cannot encode the report: \(error)") }
    }
}
