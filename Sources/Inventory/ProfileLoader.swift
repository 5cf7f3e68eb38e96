public import Foundation
public import SansangCore
import Yams

/// Reads a readiness profile (`Checks/profiles/*.yaml`); errors name the file, line and field.
public enum ProfileLoader {
    public static let methods: Set<String> = ["scan:tls", "scan:http", "scan:port", "config:nginx", "config:sshd", "config:apache", "attestation"]

    public static func load(path: String) throws(SansangError) -> ReadinessProfile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SansangError(.configuration, "\(path): cannot read the profile (\(error.localizedDescription))")
        }
        return try parse(text, source: path)
    }

    /// Finds a profile by path or by id in `Checks/profiles` (next to the working directory or the inventory).
    public static func locate(_ reference: String, near directories: [String]) -> String? {
        if FileManager.default.fileExists(atPath: reference) { return reference }
        for directory in directories {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("Checks/profiles/\(reference).yaml").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    public static func parse(_ text: String, source: String) throws(SansangError) -> ReadinessProfile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw SansangError(.configuration, "\(source): the profile is empty") }
            root = node
        } catch let error as SansangError {
            throw error
        } catch {
            throw SansangError(.configuration, "\(source): invalid YAML: \(error)".replacingOccurrences(of: "\n", with: " "))
        }
        let reader = NodeReader(node: root, path: "", source: source)
        let keys = try reader.mapping(allowed: ["id", "version", "title", "disclaimer", "currentBasisFrom", "basis", "groups", "requirements"])
        func required(_ key: String) throws(SansangError) -> NodeReader {
            guard let node = keys[key] else { throw reader.fail("missing '\(key)'") }
            return node
        }
        var groups: [ReadinessProfile.Group] = []
        for item in try required("groups").sequence() {
            let fields = try item.mapping(allowed: ["id", "title"])
            guard let id = fields["id"], let title = fields["title"] else { throw item.fail("a group needs 'id' and 'title'") }
            groups.append(.init(id: try id.string(), title: try title.localized()))
        }
        var basis: [ReadinessProfile.BasisRow] = []
        for item in try keys["basis"]?.sequence() ?? [] {
            let fields = try item.mapping(allowed: ["topic", "legacy", "current"])
            guard let topic = fields["topic"], let legacy = fields["legacy"], let current = fields["current"] else {
                throw item.fail("a basis row needs 'topic', 'legacy' and 'current'")
            }
            basis.append(.init(topic: try topic.localized(), legacy: try legacy.string(), current: try current.string()))
        }
        let groupIDs = Set(groups.map(\.id))
        var requirements: [Requirement] = []
        var seen = Set<String>()
        for item in try required("requirements").sequence() {
            let fields = try item.mapping(allowed: ["id", "group", "severity", "title", "methods", "rules", "evidence", "citations", "confidence", "note"])
            func field(_ key: String) throws(SansangError) -> NodeReader {
                guard let node = fields[key] else { throw item.fail("missing '\(key)'") }
                return node
            }
            let id = try field("id").string()
            guard seen.insert(id).inserted else { throw try field("id").fail("duplicate requirement id '\(id)'") }
            let groupNode = try field("group")
            let group = try groupNode.string()
            guard groupIDs.contains(group) else { throw groupNode.fail("unknown group '\(group)'; groups: \(groups.map(\.id).joined(separator: ", "))") }
            let severityNode = try field("severity")
            let severityText = try severityNode.string()
            guard let severity = Severity(rawValue: severityText), severity != .info else {
                throw severityNode.fail("severity must be critical, high, medium or low, not '\(severityText)'")
            }
            let methodsNode = try field("methods")
            let methods = try methodsNode.strings()
            for (index, method) in methods.enumerated() where !methods.isEmpty && !ProfileLoader.methods.contains(method) {
                throw try methodsNode.sequence()[index].fail("unknown method '\(method)'; use \(ProfileLoader.methods.sorted().joined(separator: ", "))")
            }
            guard !methods.isEmpty else { throw methodsNode.fail("list at least one method") }
            var legacy = "—", current = "—"
            if let citations = fields["citations"] {
                let parts = try citations.mapping(allowed: ["legacy", "current"])
                legacy = try parts["legacy"]?.string() ?? "—"
                current = try parts["current"]?.string() ?? "—"
            }
            requirements.append(Requirement(
                id: id, group: group, severity: severity, title: try field("title").localized(), methods: methods,
                rules: try fields["rules"]?.strings() ?? [], evidence: try fields["evidence"]?.localized(),
                legacyCitation: legacy, currentCitation: current, confidence: try fields["confidence"]?.string() ?? "derived",
                note: try fields["note"]?.string()
            ))
        }
        guard !requirements.isEmpty else { throw try required("requirements").fail("list at least one requirement") }
        return ReadinessProfile(
            id: try required("id").string(), version: try keys["version"]?.string() ?? "1",
            title: try required("title").localized(),
            disclaimer: try keys["disclaimer"]?.localized() ?? Localized(vi: "Bộ tiêu chí tham chiếu, không thay thế biên bản kiểm tra của cơ quan chức năng.", en: "A reference profile; it does not replace the competent authority's inspection record."),
            currentBasisFrom: try keys["currentBasisFrom"]?.date() ?? Date(timeIntervalSince1970: 1_787_097_600),
            basis: basis, groups: groups, requirements: requirements, source: source
        )
    }
}

extension NodeReader {
    func localized() throws(SansangError) -> Localized {
        let keys = try mapping(allowed: ["vi", "en"])
        guard let vi = keys["vi"], let en = keys["en"] else { throw fail("needs both 'vi' and 'en'") }
        return Localized(vi: try vi.string(), en: try en.string())
    }
}
