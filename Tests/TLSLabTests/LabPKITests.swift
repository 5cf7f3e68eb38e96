import Foundation
import Testing
import TLSLab

@Suite struct LabPKITests {
    @Test func goodChainVerifiesAndExpiredDoesNot() throws {
        let pki = try Lab.pki.get()
        let good = try Lab.openssl(["verify", "-CAfile", pki.caPEMPath, "-untrusted", pki.intermediatePEMPath, pki.good.certPEMPath])
        #expect(good.status == 0, "\(good.output)")
        let ecdsa = try Lab.openssl(["verify", "-CAfile", pki.caPEMPath, "-untrusted", pki.intermediatePEMPath, pki.ecdsa.certPEMPath])
        #expect(ecdsa.status == 0, "\(ecdsa.output)")
        let expired = try Lab.openssl(["verify", "-CAfile", pki.caPEMPath, "-untrusted", pki.intermediatePEMPath, pki.expired.certPEMPath])
        #expect(expired.status != 0)
        #expect(expired.output.contains("expired"))
        let missingIntermediate = try Lab.openssl(["verify", "-CAfile", pki.caPEMPath, pki.good.certPEMPath])
        #expect(missingIntermediate.status != 0)
    }

    @Test func leavesSayWhatTheirNamesPromise() throws {
        let pki = try Lab.pki.get()
        #expect(pki.leaves.count == 9)
        let sha1 = try Lab.openssl(["x509", "-in", pki.sha1.certPEMPath, "-noout", "-text"])
        #expect(sha1.output.contains("sha1WithRSAEncryption"))
        let small = try Lab.openssl(["x509", "-in", pki.rsa1024.certPEMPath, "-noout", "-text"])
        #expect(small.output.contains("(1024 bit)"))
        let good = try Lab.openssl(["x509", "-in", pki.good.certPEMPath, "-noout", "-ext", "subjectAltName"])
        #expect(good.output.contains("DNS:localhost"))
        #expect(good.output.contains("IP Address:127.0.0.1"))
        #expect(pki.good.chainPEM == pki.good.certPEM + pki.intermediate.certPEM)
        #expect(pki.good.der.first == 0x30)
    }

    @Test func md5SignedCertificate() throws {
        let directory = Lab.temporaryDirectory("md5")
        let spec = CertificateSpec(name: "md5", commonName: "md5.test", subjectAltNames: ["md5.test"], key: .rsa(bits: 1024), digest: "md5")
        let issued = try CertificateFactory.selfSigned(spec, in: directory)
        let text = try Lab.openssl(["x509", "-in", issued.certPEMPath, "-noout", "-text"])
        #expect(text.output.contains("md5WithRSAEncryption"))
    }
}
