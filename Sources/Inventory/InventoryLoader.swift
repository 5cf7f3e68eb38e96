public import Foundation
public import SansangCore
import Yams

/// Reads and validates an inventory file. Every error names the file, line, column and field path.
public enum InventoryLoader {
    public static let knownChecks: Set<String> = ["tls", "http", "ports", "config"]
    public static let knownPolicies: Set<String> = ["csdlqg-level3", "mozilla-modern", "mozilla-intermediate", "mozilla-old"]

    public static func load(path: String) throws(SansangError) -> Inventory {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SansangError(.configuration, "\(path): cannot read the inventory (\(error.localizedDescription))")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws(SansangError) -> Inventory {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw SansangError(.configuration, "\(source): the inventory is empty")
            }
            root = node
        } catch let error as SansangError {
            throw error
        } catch let error as YamlError {
            throw SansangError(.configuration, "\(source): invalid YAML: \(describe(error))")
        } catch {
            throw SansangError(.configuration, "\(source): invalid YAML: \(error)")
        }
        let reader = NodeReader(node: root, path: "", source: source)
        return try reader.inventory()
    }

    static func describe(_ error: YamlError) -> String {
        "\(error)".replacingOccurrences(of: "\n", with: " ")
    }
}

/// Walks the YAML tree keeping the field path and position for messages.
struct NodeReader {
    let node: Node
    let path: String
    let source: String

    var location: String {
        if let mark = node.mark { return "\(source):\(mark.line):\(mark.column)" }
        return source
    }

    func fail(_ message: String) -> SansangError {
        SansangError(.configuration, "\(location): \(path.isEmpty ? "inventory" : path): \(message)")
    }

    func mapping(allowed: Set<String>) throws(SansangError) -> [String: NodeReader] {
        guard let mapping = node.mapping else { throw fail("expected a mapping of keys to values") }
        var out: [String: NodeReader] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw fail("keys must be strings") }
            let childPath = path.isEmpty ? name : "\(path).\(name)"
            guard allowed.contains(name) else {
                let keyReader = NodeReader(node: key, path: childPath, source: source)
                let hint = allowed.min { distance($0, name) < distance($1, name) }.map { " (did you mean '\($0)'?)" } ?? ""
                throw keyReader.fail("unknown key '\(name)'\(hint); allowed: \(allowed.sorted().joined(separator: ", "))")
            }
            out[name] = NodeReader(node: value, path: childPath, source: source)
        }
        return out
    }

    func sequence() throws(SansangError) -> [NodeReader] {
        guard let sequence = node.sequence else { throw fail("expected a list") }
        return sequence.enumerated().map { NodeReader(node: $1, path: "\(path)[\($0)]", source: source) }
    }

    func string() throws(SansangError) -> String {
        guard let scalar = node.scalar else { throw fail("expected a text value") }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw fail("must not be empty") }
        return text
    }

    func int(_ range: ClosedRange<Int>) throws(SansangError) -> Int {
        guard let scalar = node.scalar, let value = Int(scalar.string) else { throw fail("expected a whole number") }
        guard range.contains(value) else { throw fail("\(value) is outside \(range.lowerBound)…\(range.upperBound)") }
        return value
    }

    /// Dates as `YYYY-MM-DD` (or `DD/MM/YYYY`, as written in Vietnamese documents).
    func date() throws(SansangError) -> Date {
        let text = try string()
        for format in ["yyyy-MM-dd", "dd/MM/yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        throw fail("'\(text)' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
    }

    func strings() throws(SansangError) -> [String] {
        var out: [String] = []
        for item in try sequence() { out.append(try item.string()) }
        return out
    }

    private func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }

    // MARK: the schema

    func inventory() throws(SansangError) -> Inventory {
        let keys = try mapping(allowed: ["version", "organization", "authorization", "scope", "store", "defaults", "systems"])
        if let version = keys["version"] {
            guard try version.int(1...1) == 1 else { throw version.fail("unsupported version") }
        }
        guard let organizationNode = keys["organization"] else { throw fail("missing 'organization'") }
        guard let authorizationNode = keys["authorization"] else {
            throw fail("missing 'authorization' (the written authorisation to scan: number, date, scope)")
        }
        guard let scopeNode = keys["scope"] else { throw fail("missing 'scope' (the CIDRs and host names that may be scanned)") }
        guard let systemsNode = keys["systems"] else { throw fail("missing 'systems'") }
        let defaults = try keys["defaults"].map { reader throws(SansangError) in try reader.defaults() } ?? Defaults()
        var systems: [SystemSpec] = []
        var seen: [String: String] = [:]
        for item in try systemsNode.sequence() {
            let system = try item.system(defaults: defaults)
            if let previous = seen[system.id] { throw item.fail("duplicate system id '\(system.id)' (first at \(previous))") }
            seen[system.id] = item.location
            systems.append(system)
        }
        guard !systems.isEmpty else { throw systemsNode.fail("list at least one system") }
        return Inventory(
            source: source, organization: try organizationNode.organization(), authorization: try authorizationNode.authorization(),
            scope: try scopeNode.scope(), store: try keys["store"]?.string(), systems: systems
        )
    }

    func organization() throws(SansangError) -> Organization {
        let keys = try mapping(allowed: ["name", "parent", "abbreviation", "place", "draftingUnit"])
        func required(_ key: String) throws(SansangError) -> String {
            guard let node = keys[key] else { throw fail("missing '\(key)'") }
            return try node.string()
        }
        return Organization(
            name: try required("name"), parent: try required("parent"), abbreviation: try required("abbreviation"),
            place: try required("place"), draftingUnit: try keys["draftingUnit"]?.string() ?? "KTHT"
        )
    }

    func authorization() throws(SansangError) -> Authorization {
        let keys = try mapping(allowed: ["number", "date", "scope", "validUntil", "issuedBy"])
        guard let number = keys["number"] else { throw fail("missing 'number' (the authorisation's document number)") }
        guard let date = keys["date"] else { throw fail("missing 'date'") }
        guard let scope = keys["scope"] else { throw fail("missing 'scope' (what the authorisation allows)") }
        let issued = try date.date()
        let validUntil = try keys["validUntil"]?.date()
        if let validUntil, let node = keys["validUntil"], validUntil < issued { throw node.fail("is before the authorisation date") }
        return Authorization(number: try number.string(), date: issued, scope: try scope.string(), validUntil: validUntil, issuedBy: try keys["issuedBy"]?.string())
    }

    func scope() throws(SansangError) -> ScopeSpec {
        let keys = try mapping(allowed: ["cidrs", "hosts"])
        let cidrs = try keys["cidrs"]?.strings() ?? []
        for (index, cidr) in cidrs.enumerated() where !CIDRSyntax.isValid(cidr) {
            guard let node = keys["cidrs"], let items = try? node.sequence(), items.indices.contains(index) else { throw fail("invalid CIDR '\(cidr)'") }
            throw items[index].fail("'\(cidr)' is not a CIDR block (e.g. 10.10.0.0/24 or 2001:db8::/64)")
        }
        let hosts = try keys["hosts"]?.strings() ?? []
        guard !cidrs.isEmpty || !hosts.isEmpty else { throw fail("list at least one CIDR or host name that may be scanned") }
        return ScopeSpec(cidrs: cidrs, hosts: hosts.map { $0.lowercased() })
    }

    struct Defaults {
        var profile = "csdlqg-dc"
        var tlsPolicy = "csdlqg-level3"
        var checks = ["tls"]
        var caFile: String?
        var schedule: String?
    }

    func defaults() throws(SansangError) -> Defaults {
        let keys = try mapping(allowed: ["profile", "tlsPolicy", "checks", "caFile", "schedule"])
        var defaults = Defaults()
        if let node = keys["profile"] { defaults.profile = try node.string() }
        if let node = keys["tlsPolicy"] { defaults.tlsPolicy = try node.policy() }
        if let node = keys["checks"] { defaults.checks = try node.checks() }
        if let node = keys["caFile"] { defaults.caFile = try node.string() }
        if let node = keys["schedule"] { defaults.schedule = try node.cron() }
        return defaults
    }

    func policy() throws(SansangError) -> String {
        let value = try string()
        guard InventoryLoader.knownPolicies.contains(value) else {
            throw fail("unknown TLS policy '\(value)'; choose one of \(InventoryLoader.knownPolicies.sorted().joined(separator: ", "))")
        }
        return value
    }

    func checks() throws(SansangError) -> [String] {
        let values = try strings()
        for (index, value) in values.enumerated() where !InventoryLoader.knownChecks.contains(value) {
            let items = try sequence()
            throw items[index].fail("unknown check '\(value)'; choose from \(InventoryLoader.knownChecks.sorted().joined(separator: ", "))")
        }
        return values
    }

    func cron() throws(SansangError) -> String {
        let value = try string()
        let fields = value.split(separator: " ", omittingEmptySubsequences: true)
        let allowed = Set("0123456789*/,-")
        guard fields.count == 5, fields.allSatisfy({ $0.allSatisfy { allowed.contains($0) } }) else {
            throw fail("'\(value)' is not a 5-field cron expression (minute hour day month weekday, e.g. '0 2 * * *')")
        }
        return fields.joined(separator: " ")
    }

    func system(defaults: Defaults) throws(SansangError) -> SystemSpec {
        let keys = try mapping(allowed: [
            "id", "name", "kind", "owner", "contact", "level", "endpoints", "allowedPorts", "configFiles", "plugins",
            "schedule", "profile", "tlsPolicy", "checks", "caFile", "clientCertificate",
        ])
        guard let idNode = keys["id"] else { throw fail("missing 'id'") }
        let id = try idNode.string()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        guard id.allSatisfy({ allowed.contains($0) }) else { throw idNode.fail("'\(id)' may use only a-z, 0-9, '-' and '_'") }
        guard let nameNode = keys["name"] else { throw fail("missing 'name'") }
        var kind = SystemKind.other
        if let kindNode = keys["kind"] {
            let text = try kindNode.string()
            guard let value = SystemKind(rawValue: text) else {
                throw kindNode.fail("unknown kind '\(text)'; choose one of \(SystemKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kind = value
        }
        guard let endpointsNode = keys["endpoints"] else { throw fail("missing 'endpoints'") }
        var endpoints: [Endpoint] = []
        for item in try endpointsNode.sequence() {
            let text = try item.string()
            do {
                endpoints.append(try Endpoint.parse(text))
            } catch {
                throw item.fail(error.reason)
            }
        }
        guard !endpoints.isEmpty else { throw endpointsNode.fail("list at least one endpoint") }
        var allowedPorts: [Int]?
        if let node = keys["allowedPorts"] {
            allowedPorts = []
            for item in try node.sequence() { allowedPorts?.append(try item.int(1...65535)) }
        }
        return SystemSpec(
            id: id, name: try nameNode.string(), kind: kind, owner: try keys["owner"]?.string() ?? "",
            contact: try keys["contact"]?.string(), level: try keys["level"]?.int(1...5), endpoints: endpoints,
            allowedPorts: allowedPorts, configFiles: try keys["configFiles"]?.strings() ?? [], plugins: try keys["plugins"]?.strings() ?? [],
            schedule: try keys["schedule"]?.cron() ?? defaults.schedule, profile: try keys["profile"]?.string() ?? defaults.profile,
            tlsPolicy: try keys["tlsPolicy"]?.policy() ?? defaults.tlsPolicy, checks: try keys["checks"]?.checks() ?? defaults.checks,
            caFile: try keys["caFile"]?.string() ?? defaults.caFile,
            clientCertificate: try keys["clientCertificate"]?.clientCertificate()
        )
    }

    /// `clientCertificate: {cert: PATH, key: PATH, ca: PATH}` (key and ca optional).
    func clientCertificate() throws(SansangError) -> ClientCertificateSpec {
        let keys = try mapping(allowed: ["cert", "key", "ca"])
        guard let cert = keys["cert"] else { throw fail("missing 'cert' (the PEM client certificate)") }
        return ClientCertificateSpec(cert: try cert.string(), key: try keys["key"]?.string(), ca: try keys["ca"]?.string())
    }
}

/// CIDR syntax only (membership is the scope checker's job).
enum CIDRSyntax {
    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]) else { return false }
        let address = String(parts[0])
        if IPAddress.isIPv4(address) { return (0...32).contains(bits) }
        if IPAddress.isIPv6(address) { return (0...128).contains(bits) }
        return false
    }
}
