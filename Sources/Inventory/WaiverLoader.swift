public import Foundation
public import SansangCore
import Yams

/// Reads a waiver file: `waivers: [{finding|rule, system, endpoint, reason, approver, expires}]`.
public enum WaiverLoader {
    public static func load(path: String) throws(SansangError) -> [Waiver] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SansangError(.configuration, "\(path): cannot read the waiver file (\(error.localizedDescription))")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return [] }
            root = node
        } catch {
            throw SansangError(.configuration, "\(path): invalid YAML: \(error)".replacingOccurrences(of: "\n", with: " "))
        }
        let reader = NodeReader(node: root, path: "", source: path)
        let keys = try reader.mapping(allowed: ["waivers"])
        var waivers: [Waiver] = []
        for item in try keys["waivers"]?.sequence() ?? [] {
            let fields = try item.mapping(allowed: ["finding", "rule", "system", "endpoint", "reason", "approver", "expires"])
            let finding = try fields["finding"]?.string()
            let rule = try fields["rule"]?.string()
            guard (finding == nil) != (rule == nil) else { throw item.fail("give exactly one of 'finding' (a fingerprint) or 'rule'") }
            if let finding, finding.count < 8 { throw item.fail("'finding' must be a fingerprint or a prefix of at least 8 characters") }
            guard let reason = fields["reason"], let approver = fields["approver"], let expires = fields["expires"] else {
                throw item.fail("a waiver needs 'reason', 'approver' and 'expires'")
            }
            waivers.append(Waiver(
                finding: finding, rule: rule, system: try fields["system"]?.string(), endpoint: try fields["endpoint"]?.string(),
                reason: try reason.string(), approver: try approver.string(), expires: try expires.date().addingTimeInterval(86399),
                location: item.location
            ))
        }
        return waivers
    }
}
