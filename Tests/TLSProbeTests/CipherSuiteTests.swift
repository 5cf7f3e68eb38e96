import Testing
@testable import TLSProbe

@Suite struct CipherSuiteTests {
    @Test func registryHasEveryIANASuiteOnce() {
        #expect(CipherSuiteRegistry.all.count >= 350)
        #expect(Set(CipherSuiteRegistry.all.map(\.code)).count == CipherSuiteRegistry.all.count)
        #expect(CipherSuiteRegistry.suite(0xC02F)?.name == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        #expect(CipherSuiteRegistry.tls13.map(\.code).contains(0x1301))
        #expect(CipherSuiteRegistry.tls13.map(\.code).contains(0x00C6))
        #expect(!CipherSuiteRegistry.legacy.map(\.code).contains(0x1301))
    }

    @Test(arguments: [
        (UInt16(0xC02F), "ECDHE", "RSA", "AES-GCM", 128, "AEAD", true, false, false),
        (0x0005, "RSA", "RSA", "RC4", 128, "SHA1", false, false, false),
        (0x0003, "RSA", "RSA", "RC4", 40, "MD5", false, true, false),
        (0x000A, "RSA", "RSA", "3DES-CBC", 112, "SHA1", false, false, false),
        (0x0018, "DH", "anon", "RC4", 128, "MD5", false, false, true),
        (0x0001, "RSA", "RSA", "NULL", 0, "MD5", false, false, false),
        (0x0014, "DHE", "RSA", "DES40-CBC", 40, "SHA1", true, true, false),
        (0xCCA8, "ECDHE", "RSA", "CHACHA20-POLY1305", 256, "AEAD", true, false, false),
        (0xC0A0, "RSA", "RSA", "AES-CCM8", 128, "AEAD", false, false, false),
        (0x1302, "ANY", "ANY", "AES-GCM", 256, "AEAD", true, false, false),
        (0x00AA, "DHE", "PSK", "AES-GCM", 128, "AEAD", true, false, false),
        (0x0062, "RSA", "RSA", "DES-CBC", 56, "SHA1", false, true, false),
        (0xC015, "ECDH", "anon", "NULL", 0, "SHA1", false, false, true),
    ] as [(UInt16, String, String, String, Int, String, Bool, Bool, Bool)])
    func classifiesByName(code: UInt16, kx: String, auth: String, enc: String, bits: Int, mac: String, fs: Bool, export: Bool, anon: Bool) throws {
        let suite = try #require(CipherSuiteRegistry.suite(code))
        #expect(suite.keyExchange == kx)
        #expect(suite.authentication == auth)
        #expect(suite.encryption == enc)
        #expect(suite.bits == bits)
        #expect(suite.mac == mac)
        #expect(suite.forwardSecrecy == fs)
        #expect(suite.export == export)
        #expect(suite.anonymous == anon)
    }

    @Test func factsCarryTheJudgement() throws {
        #expect(CipherSuiteRegistry.fact(0x0005).isRC4)
        #expect(CipherSuiteRegistry.fact(0x0005).isInsecure)
        #expect(CipherSuiteRegistry.fact(0x000A).isTripleDES)
        #expect(!CipherSuiteRegistry.fact(0x000A).isInsecure)
        #expect(CipherSuiteRegistry.fact(0x002F).isCBC)
        #expect(!CipherSuiteRegistry.fact(0xC02F).isCBC)
        #expect(CipherSuiteRegistry.fact(0xC02F).code == "0xC02F")
        #expect(CipherSuiteRegistry.fact(0x0a0a).name == "UNKNOWN_0x0A0A")
        #expect(SSLv2CipherKind.fact(0x0700C0).code == "0x0700C0")
    }
}
