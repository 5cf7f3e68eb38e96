import Foundation
import Testing
@testable import Reporting
import SansangCore

@Suite struct ReportTests {
    static let golden = ReportFixture.repository.appendingPathComponent("Tests/ReportingTests/Golden")

    /// Compares with the committed golden file; `SANSANG_UPDATE_GOLDEN=1 swift test` rewrites them.
    func matchesGolden(_ data: Data, _ name: String) throws {
        let path = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["SANSANG_UPDATE_GOLDEN"] == "1" {
            try data.write(to: path)
            return
        }
        let expected = try #require(FileManager.default.contents(atPath: path.path), "missing golden file \(name); run with SANSANG_UPDATE_GOLDEN=1")
        #expect(String(decoding: data, as: UTF8.self) == String(decoding: expected, as: UTF8.self), "\(name) differs from its golden file")
    }

    @Test(arguments: [(Language.vi, ReportRenderer.Format.html), (.vi, .md), (.vi, .csv), (.vi, .json), (.en, .html), (.en, .md)])
    func everyFormatMatchesItsGoldenFile(language: Language, format: ReportRenderer.Format) throws {
        let data = try ReportRenderer(directory: ReportFixture.reports).render(ReportFixture.document(language), format: format)
        try matchesGolden(data, "report.\(language.rawValue).\(format.rawValue)")
    }

    @Test func theVietnameseReportFollowsTheOfficialLayout() throws {
        let html = String(decoding: try ReportRenderer(directory: ReportFixture.reports).render(ReportFixture.document(.vi), format: .html), as: UTF8.self)
        for expected in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Demo, ngày 05 tháng 02 năm 2026", "Số: …/BC-SKHCN",
            "UBND TỈNH DEMO", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", ">BÁO CÁO<", "DỰ THẢO", "I. THÔNG TIN CHUNG", "II. KẾT QUẢ ĐÁNH GIÁ",
            "III. TỒN TẠI, HẠN CHẾ", "IV. KIẾN NGHỊ, ĐỀ XUẤT", "Nơi nhận:", "- Lưu: VT, TTCNTT.", "KT. GIÁM ĐỐC",
            "không thay thế biên bản kiểm tra của cơ quan chức năng", "margin: 20mm 15mm 20mm 30mm", "<svg", "CHƯA ĐẠT",
        ] {
            #expect(html.contains(expected), "missing \(expected)")
        }
        #expect(!html.contains("http://") || html.contains("xmlns=\"http://www.w3.org/2000/svg\""), "no external fetches")
        #expect(!html.contains("<script"), "no scripts")
        #expect(html.contains("Evidence &lt;for&gt;"), "evidence is HTML-escaped")
    }

    @Test func csvNeutralisesFormulas() throws {
        let csv = ReportRenderer(directory: ReportFixture.reports).csv(ReportFixture.document(.vi))
        #expect(csv.hasPrefix("\u{FEFF}system,group,requirement"))
        #expect(csv.components(separatedBy: "\r\n").count == 2 * ReportFixture.profile.requirements.count + 2)
    }

    @Test func englishDateLine() {
        #expect(ReportContext.dateLine(ReportFixture.date, place: "Demo", language: .en) == "Demo, 5 February 2026")
        #expect(ReportContext.dateLine(ISO8601DateFormatter().date(from: "2026-11-23T03:00:00Z")!, place: "Huế", language: .vi) == "Huế, ngày 23 tháng 11 năm 2026")
    }
}
