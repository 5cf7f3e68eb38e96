import Foundation
import Testing
import Reporting
import SansangCore
import TLSLab

/// The HTML report opened in Debian's headless Chromium and printed to PNG and A4 PDF.
@Suite struct ReportRenderingTests {
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 90) throws -> (Int32, String) {
        try LabCommand.run(executable, arguments, timeout: timeout)
    }

    @Test func chromiumRendersTheReportToPNGAndA4PDF() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let browser = try #require(chromium, "Debian's chromium is required (ci/test installs it)")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = ReadinessProfile(
            id: "p", version: "1", title: Localized(vi: "Bộ tiêu chí", en: "Profile"), disclaimer: Localized(vi: "Bộ tiêu chí tham chiếu, không thay thế biên bản kiểm tra của cơ quan chức năng.", en: "x"),
            currentBasisFrom: Date(timeIntervalSince1970: 0), basis: [], groups: [.init(id: "A06", title: Localized(vi: "Kỹ thuật", en: "Technical"))],
            requirements: [Requirement(id: "A06-02", group: "A06", severity: .high, title: Localized(vi: "Chỉ TLS 1.2/1.3", en: "TLS 1.2+"), methods: ["scan:tls"], rules: ["tls.protocol.*"], evidence: nil, legacyCitation: "—", currentCitation: "—", confidence: "R", note: nil)],
            source: "test"
        )
        let finding = ReadinessFinding(id: 1, ruleID: "tls.protocol.tls10", severity: .high, title: Localized(vi: "Còn TLS 1.0", en: "TLS 1.0"), endpoint: "127.0.0.1:443", state: "open", dueAt: nil, evidence: "x")
        let readiness = ReadinessEvaluator.evaluate(profile: profile, system: "lgsp", findings: [finding], scan: ScanEvidence(judgedRules: ["tls.protocol.tls10"], inconclusiveRules: [], scanID: 1, scanDate: Date(), complete: true), attestations: [], now: Date())
        let document = ReportDocument(
            language: .vi, generatedAt: Date(),
            organization: .init(parent: "UBND tỉnh Demo", name: "Sở Khoa học và Công nghệ", abbreviation: "SKHCN", place: "Demo", draftingUnit: "TTCNTT"),
            authorization: .init(number: "01/QĐ", date: Date(), scope: "thử"), profile: profile,
            systems: [.init(id: "lgsp", name: "LGSP", kind: "lgsp", owner: "TT", level: 3, endpoints: ["127.0.0.1:443"], readiness: readiness, findings: [finding],
                            scans: [.init(id: 1, startedAt: Date(), finishedAt: Date(), status: "complete", findingCount: 1, trigger: "cli", actor: "a", policy: "p", toolVersion: "0.1.0")], comparison: nil)],
            draft: true, toolVersion: "0.1.0", sourceHost: "h", recipients: ["Lưu: VT"], signerAuthority: "KT. GIÁM ĐỐC", signerTitle: "PHÓ GIÁM ĐỐC", signerName: "A"
        )
        let html = directory.appendingPathComponent("report.html")
        try ReportRenderer(directory: repository.appendingPathComponent("Reports").path).render(document, format: .html).write(to: html)
        let png = directory.appendingPathComponent("report.png")
        let pdf = directory.appendingPathComponent("report.pdf")
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(directory.appendingPathComponent("chrome").path)"]
        _ = try Self.run(browser, common + ["--screenshot=\(png.path)", "--window-size=1240,1754", html.absoluteString])
        _ = try Self.run(browser, common + ["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", html.absoluteString])
        let pngSize = (try? FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int) ?? 0
        #expect(pngSize > 20_000, "the screenshot is empty")
        let pdfData = try #require(FileManager.default.contents(atPath: pdf.path), "no PDF was printed")
        #expect(pdfData.starts(with: Data("%PDF".utf8)))
        // Keep the artefacts where CI can pick them up.
        let artefacts = repository.appendingPathComponent(".build/test-artefacts")
        try? FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: artefacts.appendingPathComponent("report.png"))
        try? FileManager.default.copyItem(at: png, to: artefacts.appendingPathComponent("report.png"))
        // The text of the printed PDF carries the header block, the verdict and the chart titles.
        let (status, text) = try Self.run("/usr/bin/pdftotext", ["-layout", pdf.path, "-"])
        #expect(status == 0, "pdftotext (poppler-utils) is required")
        for expected in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "CHƯA ĐẠT", "Mức đáp ứng theo nhóm", "Phát hiện còn mở theo mức độ", "DỰ THẢO"] {
            #expect(text.contains(expected), "the PDF lacks \(expected)")
        }
        let (_, info) = try Self.run("/usr/bin/pdfinfo", [pdf.path])
        #expect(info.contains("A4"), "the PDF is not A4: \(info)")
    }
}
