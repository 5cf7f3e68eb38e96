import Testing
import SansangCore

@Suite struct PortSpecTests {
    @Test func listsRangesAndNames() throws {
        #expect(try PortSpec("22,80,443").ports == [22, 80, 443])
        #expect(try PortSpec("443, 22 ,22").ports == [22, 443])
        #expect(try PortSpec("1-1024").ports.count == 1024)
        #expect(try PortSpec("all").ports.count == 65535)
        #expect(try PortSpec("top-100").ports.count == 100)
        #expect(try PortSpec("top-1000").ports.count == 1000)
        #expect(try PortSpec("top-100,8000-8002").ports.contains(8002))
        #expect(try PortSpec("TOP-100").text == "top-100")
    }

    @Test func commonListsHoldTheExposurePorts() {
        let top100 = Set(CommonPorts.top100)
        #expect(top100.count == 100)
        #expect(Set(CommonPorts.top1000).count == 1000)
        #expect(top100.isSubset(of: Set(CommonPorts.top1000)))
        for port in [22, 23, 21, 3389, 3306, 5432, 1433, 1521, 6379, 27017, 9200, 2375, 6443, 445, 389, 5900] {
            #expect(top100.contains(port), "top-100 lacks \(port)")
        }
        #expect(CommonPorts.top1000.allSatisfy { (1...65535).contains($0) })
    }

    @Test(arguments: ["", "0", "65536", "80-", "-80", "90-80", "1-2-3", "http", "top-50", "22,,80", "1e3", "99999999999999999999"])
    func rejects(_ text: String) {
        #expect(throws: SansangError(.configuration, "")) { try PortSpec(text) }
    }
}

@Suite struct CIDRTests {
    @Test func parsesAndContains() throws {
        let block = try CIDR("10.0.0.0/24")
        #expect(block.contains(IPBytes("10.0.0.255")!))
        #expect(!block.contains(IPBytes("10.0.1.0")!))
        #expect(block.contains(IPBytes("::ffff:10.0.0.7")!))
        let v6 = try CIDR("2001:db8::/32")
        #expect(v6.contains(IPBytes("2001:db8:1::5")!))
        #expect(!v6.contains(IPBytes("2001:db9::1")!))
        #expect(!v6.contains(IPBytes("10.0.0.1")!))
        #expect(try CIDR("192.0.2.7").prefix == 32)
        #expect(try CIDR("0.0.0.0/0").contains(IPBytes("203.0.113.9")!))
    }

    @Test(arguments: ["10.0.0.1/24", "10.0.0.0/33", "10.0.0/24", "2001:db8::/129", "example.gov.vn/24", "10.0.0.0/", "10.0.0.0/x", "1.2.3.4/24/1", "256.0.0.0/8", "::1::/64"])
    func rejects(_ text: String) {
        #expect(throws: SansangError(.invalidTarget, "")) { try CIDR(text) }
    }

    @Test func hostBitsErrorNamesTheNetwork() {
        do {
            _ = try CIDR("10.0.0.1/24")
            Issue.record("accepted host bits")
        } catch {
            #expect(error.reason.contains("10.0.0.0/24"))
        }
    }

    @Test func expandsWithALimit() throws {
        #expect(try CIDR("127.0.0.0/30").addresses().map(\.description) == ["127.0.0.0", "127.0.0.1", "127.0.0.2", "127.0.0.3"])
        #expect(try CIDR("10.0.0.255/32").addresses().map(\.description) == ["10.0.0.255"])
        #expect(try CIDR("10.0.0.0/20").addresses().count == 4096)
        #expect(try CIDR("2001:db8::fe/127").addresses().map(\.description) == ["2001:db8::fe", "2001:db8::ff"])
        #expect(throws: SansangError(.limitExceeded, "")) { try CIDR("10.0.0.0/19").addresses() }
        #expect(throws: SansangError(.limitExceeded, "")) { try CIDR("2001:db8::/64").addresses() }
    }

    @Test func ipv6TextIsCompressed() {
        #expect(IPBytes("2001:0db8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(IPBytes("::1")?.description == "::1")
        #expect(IPBytes("fe80::1%eth0")?.description == "fe80::1")
        #expect(IPBytes("1:2:3:4:5:6:7:8:9") == nil)
        #expect(IPBytes("12345::") == nil)
    }

    @Test func endpointTargetsExpandCIDRAndKeepEverythingElse() throws {
        #expect(try Endpoint.targets("127.0.0.0/30").map(\.authority) == ["127.0.0.0:443", "127.0.0.1:443", "127.0.0.2:443", "127.0.0.3:443"])
        #expect(try Endpoint.targets("127.0.0.1:8443") == [try Endpoint.parse("127.0.0.1:8443")])
        #expect(try Endpoint.targets("https://portal.example/30") == [try Endpoint.parse("https://portal.example/30")])
        #expect(try Endpoint.targets("[::1]:443").first?.host == "::1")
        #expect(throws: SansangError(.limitExceeded, "")) { try Endpoint.targets("10.0.0.0/8") }
    }
}

@Suite struct ScopeTests {
    let scope = Scope(
        networks: [try! CIDR("10.0.0.0/24"), try! CIDR("2001:db8::/64")], hostNames: ["portal.tinh.gov.vn", "*.lgsp.tinh.gov.vn"],
        authorisation: "123/QĐ-UBND", authorisationDate: "2026-11-01"
    )

    @Test func permitsAddressesAndNames() {
        #expect(scope.permits(address: "10.0.0.5"))
        #expect(!scope.permits(address: "10.0.1.5"))
        #expect(scope.permits(address: "2001:db8::9"))
        #expect(!scope.permits(address: "not-an-ip"))
        #expect(scope.permits(host: "PORTAL.tinh.gov.vn"))
        #expect(scope.permits(host: "api.lgsp.tinh.gov.vn"))
        #expect(!scope.permits(host: "lgsp.tinh.gov.vn.evil.example"))
        #expect(!scope.permits(host: "other.gov.vn"))
        #expect(scope.permits(host: "10.0.0.9"))
    }

    @Test func refusesNamesThatResolveOutside() throws {
        try scope.check(host: "portal.tinh.gov.vn", resolved: ["10.0.0.7"])
        try scope.check(host: "unlisted.example", resolved: ["10.0.0.8"])  // its addresses are authorised
        try scope.check(host: "10.0.0.1", resolved: [])
        #expect(throws: SansangError(.outOfScope, "")) { try scope.check(host: "portal.tinh.gov.vn", resolved: ["10.0.0.7", "203.0.113.5"]) }
        #expect(throws: SansangError(.outOfScope, "")) { try scope.check(host: "unlisted.example", resolved: []) }
        #expect(throws: SansangError(.outOfScope, "")) { try scope.check(host: "192.0.2.1", resolved: []) }
        do {
            try scope.check(host: "portal.tinh.gov.vn", resolved: ["198.51.100.1"])
        } catch {
            #expect(error.reason.contains("portal.tinh.gov.vn") && error.reason.contains("198.51.100.1") && error.reason.contains("123/QĐ-UBND"))
        }
    }

    @Test func namesOnlyScope() throws {
        let names = try Scope.parse("portal.tinh.gov.vn")
        try names.check(host: "portal.tinh.gov.vn", resolved: ["203.0.113.1"])
        #expect(throws: SansangError(.outOfScope, "")) { try names.check(host: "other.tinh.gov.vn", resolved: ["203.0.113.1"]) }
        #expect(throws: SansangError(.outOfScope, "")) { try names.check(host: "127.0.0.1", resolved: []) }
    }

    @Test func parsesCommandLineLists() throws {
        let parsed = try Scope.parse("127.0.0.0/30, ::1 ,*.lab.example")
        #expect(parsed.networks.count == 2)
        #expect(parsed.permits(address: "::1") && parsed.permits(address: "127.0.0.3") && !parsed.permits(address: "127.0.0.4"))
        #expect(parsed.permits(host: "a.lab.example"))
        #expect(throws: SansangError(.invalidTarget, "")) { try Scope.parse("") }
        #expect(throws: SansangError(.invalidTarget, "")) { try Scope.parse("10.0.0.0/33") }
        #expect(throws: SansangError(.invalidTarget, "")) { try Scope.parse("bad name!") }
    }
}
