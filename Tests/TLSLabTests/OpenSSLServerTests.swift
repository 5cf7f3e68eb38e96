import Foundation
import Testing
import TLSLab

@Suite struct OpenSSLServerTests {
    @Test func sClientCompletesAHandshake() throws {
        let pki = try Lab.pki.get()
        // -naccept 1: the start-up check must not use up s_server's only connection.
        let server = try OpenSSLServer(certificate: pki.good, chainPath: pki.intermediatePEMPath, extraArguments: ["-naccept", "1"])
        defer { server.stop() }
        let result = try Lab.openssl([
            "s_client", "-connect", server.target, "-CAfile", pki.caPEMPath, "-verify_return_error",
            "-verify_hostname", "localhost", "-brief",
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Verification: OK"), "\(result.output)")
        server.stop()
        #expect(!server.isRunning)
    }

    @Test func earlyExitIsReportedWithStderr() throws {
        let pki = try Lab.pki.get()
        let error = #expect(throws: (any Error).self) {
            _ = try OpenSSLServer(certificatePath: pki.good.certPEMPath, keyPath: pki.ecdsa.keyPEMPath)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("does not match"))
    }
}
