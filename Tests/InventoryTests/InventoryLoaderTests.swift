import Foundation
import Testing
import Inventory
import SansangCore

@Suite struct InventoryLoaderTests {
    static let good = """
    version: 1
    organization:
      name: Sở Khoa học và Công nghệ
      parent: UBND tỉnh Demo
      abbreviation: SKHCN
      place: Demo
    authorization:
      number: 123/QĐ-SKHCN
      date: 2026-11-01
      scope: Rà soát kỹ thuật không xâm nhập LGSP và TTHC
      validUntil: 31/12/2026
    scope:
      cidrs: [127.0.0.0/8, "::1/128"]
      hosts: [lgsp.demo.gov.vn]
    store: sansang.db
    defaults:
      checks: [tls]
      schedule: "0 2 * * *"
    systems:
      - id: lgsp
        name: Nền tảng tích hợp, chia sẻ dữ liệu
        kind: lgsp
        owner: Trung tâm CNTT
        level: 3
        endpoints: ["https://127.0.0.1:8443", "lgsp.demo.gov.vn:443"]
        allowedPorts: [443]
      - id: tthc
        name: Hệ thống thông tin giải quyết TTHC
        kind: tthc
        endpoints: ["[::1]:9443"]
        tlsPolicy: mozilla-intermediate
    """

    @Test func readsAWellFormedInventory() throws {
        let inventory = try InventoryLoader.parse(Self.good, source: "demo.yaml")
        #expect(inventory.organization.abbreviation == "SKHCN")
        #expect(inventory.authorization.number == "123/QĐ-SKHCN")
        #expect(inventory.authorization.validUntil != nil)
        #expect(inventory.scope.cidrs == ["127.0.0.0/8", "::1/128"])
        #expect(inventory.systems.map(\.id) == ["lgsp", "tthc"])
        let lgsp = try #require(inventory.system("lgsp"))
        #expect(lgsp.kind == .lgsp && lgsp.level == 3)
        #expect(lgsp.endpoints.map(\.port) == [8443, 443])
        #expect(lgsp.schedule == "0 2 * * *")
        #expect(lgsp.tlsPolicy == "csdlqg-level3")
        #expect(inventory.system("tthc")?.tlsPolicy == "mozilla-intermediate")
        #expect(inventory.system("tthc")?.endpoints.first?.host == "::1")
    }

    /// Each broken variant must be refused with the field path and line of the problem.
    @Test(arguments: [
        ("  - id: lgsp\n", "  - id: LGSP!\n", "systems[0].id", "may use only"),
        ("endpoints: [\"https://127.0.0.1:8443\"", "endpoints: [\"htps://127.0.0.1:8443\"", "systems[0].endpoints[0]", "unsupported scheme"),
        ("  number: 123/QĐ-SKHCN\n", "", "authorization", "missing 'number'"),
        ("  date: 2026-11-01", "  date: 2026-13-45", "authorization.date", "not a date"),
        ("  cidrs: [127.0.0.0/8,", "  cidrs: [127.0.0.0/33,", "scope.cidrs[0]", "not a CIDR"),
        ("    kind: tthc\n", "    kind: portal-x\n", "systems[1].kind", "unknown kind"),
        ("  checks: [tls]", "  checks: [tls, nessus]", "defaults.checks[1]", "unknown check"),
        ("  schedule: \"0 2 * * *\"", "  schedule: \"every night\"", "defaults.schedule", "cron"),
        ("    allowedPorts: [443]", "    allowedPorts: [443, 70000]", "systems[0].allowedPorts[1]", "outside"),
        ("    owner: Trung tâm CNTT\n", "    ownr: Trung tâm CNTT\n", "systems[0].ownr", "did you mean 'owner'"),
        ("  - id: tthc\n", "  - id: lgsp\n", "systems[1]", "duplicate system id"),
        ("    tlsPolicy: mozilla-intermediate", "    tlsPolicy: strong", "systems[1].tlsPolicy", "unknown TLS policy"),
    ])
    func refusesWithFieldAndLine(original: String, replacement: String, field: String, message: String) throws {
        let text = Self.good.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.good, "the fixture edit did not apply")
        #expect {
            _ = try InventoryLoader.parse(text, source: "demo.yaml")
        } throws: { error in
            guard let error = error as? SansangError else { return false }
            let hasLine = error.reason.range(of: #"^demo\.yaml:\d+:\d+: "#, options: .regularExpression) != nil
            return hasLine && error.reason.contains(field) && error.reason.contains(message)
        }
    }

    @Test func reportsBrokenYAMLAndMissingFiles() {
        #expect(throws: SansangError.self) { try InventoryLoader.parse("systems: [", source: "x.yaml") }
        #expect(throws: SansangError.self) { try InventoryLoader.parse("", source: "x.yaml") }
        #expect(throws: SansangError.self) { try InventoryLoader.load(path: "/nonexistent/inventory.yaml") }
    }
}
