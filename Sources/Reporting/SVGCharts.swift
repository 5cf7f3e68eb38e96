import Foundation
import SansangCore

/// Charts drawn as inline SVG, so an HTML report is one self-contained file.
enum SVGCharts {
    static let severityColors: [Severity: String] = [.critical: "#7f1d1d", .high: "#dc2626", .medium: "#f59e0b", .low: "#0ea5e9", .info: "#9ca3af"]
    static let statusColors: [RequirementStatus: String] = [.met: "#16a34a", .notMet: "#dc2626", .notAssessed: "#9ca3af", .notApplicable: "#e5e7eb"]

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Horizontal bars: open findings by severity.
    static func severityBars(_ counts: [(Severity, Int)], title: String, language: Language) -> String {
        let width = 460, rowHeight = 26, top = 28
        let height = top + counts.count * rowHeight + 8
        let maximum = max(1, counts.map(\.1).max() ?? 1)
        var svg = "<svg class=\"chart\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
        svg += "<text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>"
        for (index, item) in counts.enumerated() {
            let y = top + index * rowHeight
            let bar = Int(Double(item.1) / Double(maximum) * 300)
            svg += "<text x=\"0\" y=\"\(y + 15)\" font-size=\"12\">\(escape(item.0.label(language)))</text>"
            svg += "<rect x=\"120\" y=\"\(y + 3)\" width=\"\(max(bar, item.1 > 0 ? 2 : 0))\" height=\"16\" fill=\"\(severityColors[item.0] ?? "#999")\"/>"
            svg += "<text x=\"\(126 + bar)\" y=\"\(y + 15)\" font-size=\"12\">\(item.1)</text>"
        }
        return svg + "</svg>"
    }

    /// One stacked bar per group: met / not met / not assessed / not applicable.
    static func readinessByGroup(_ result: ReadinessResult, title: String, language: Language) -> String {
        let groups = result.profile.groups
        let width = 560, rowHeight = 30, top = 28, barWidth = 380
        let legendY = top + groups.count * rowHeight + 8
        let height = legendY + 24
        var svg = "<svg class=\"chart\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
        svg += "<text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>"
        for (index, group) in groups.enumerated() {
            let y = top + index * rowHeight
            let total = max(1, result.requirements.filter { $0.requirement.group == group.id }.count)
            svg += "<text x=\"0\" y=\"\(y + 16)\" font-size=\"12\" font-weight=\"bold\">\(escape(group.id))</text>"
            var x = 50
            for status in RequirementStatus.allCases {
                let count = result.count(status, group: group.id)
                guard count > 0 else { continue }
                let segment = max(1, Int(Double(count) / Double(total) * Double(barWidth)))
                svg += "<rect x=\"\(x)\" y=\"\(y + 4)\" width=\"\(segment)\" height=\"18\" fill=\"\(statusColors[status] ?? "#999")\"><title>\(escape(status.label(language))): \(count)</title></rect>"
                if segment >= 18 {
                    let textColor = status == .notApplicable ? "#111" : "#fff"
                    svg += "<text x=\"\(x + segment / 2)\" y=\"\(y + 17)\" font-size=\"11\" text-anchor=\"middle\" fill=\"\(textColor)\">\(count)</text>"
                }
                x += segment
            }
        }
        var x = 0
        for status in RequirementStatus.allCases {
            let label = escape(status.label(language))
            svg += "<rect x=\"\(x)\" y=\"\(legendY)\" width=\"12\" height=\"12\" fill=\"\(statusColors[status] ?? "#999")\" stroke=\"#999\" stroke-width=\"0.5\"/>"
            svg += "<text x=\"\(x + 16)\" y=\"\(legendY + 11)\" font-size=\"11\">\(label)</text>"
            x += 30 + label.count * 7
        }
        return svg + "</svg>"
    }

    /// A line of findings seen per scan, oldest to newest.
    static func trend(_ scans: [ReportDocument.Scan], title: String, language: Language) -> String {
        let points = scans.sorted { $0.id < $1.id }.suffix(30)
        let width = 560, height = 190, left = 40, right = 16, top = 30, bottom = 36
        var svg = "<svg class=\"chart\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
        svg += "<text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>"
        guard !points.isEmpty else {
            return svg + "<text x=\"\(left)\" y=\"\(top + 40)\" font-size=\"12\">\(language == .vi ? "Chưa có lần quét nào" : "No scans yet")</text></svg>"
        }
        let maximum = max(1, points.map(\.findingCount).max() ?? 1)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - right)\" y2=\"\(top + plotHeight)\" stroke=\"#555\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\" stroke=\"#555\"/>"
        svg += "<text x=\"\(left - 6)\" y=\"\(top + 4)\" font-size=\"10\" text-anchor=\"end\">\(maximum)</text>"
        svg += "<text x=\"\(left - 6)\" y=\"\(top + plotHeight)\" font-size=\"10\" text-anchor=\"end\">0</text>"
        let step = points.count > 1 ? Double(plotWidth) / Double(points.count - 1) : 0
        var coordinates: [(Int, Int)] = []
        for (index, scan) in points.enumerated() {
            let x = left + (points.count > 1 ? Int(Double(index) * step) : plotWidth / 2)
            let y = top + plotHeight - Int(Double(scan.findingCount) / Double(maximum) * Double(plotHeight))
            coordinates.append((x, y))
        }
        if coordinates.count > 1 {
            svg += "<polyline fill=\"none\" stroke=\"#1d4ed8\" stroke-width=\"2\" points=\"\(coordinates.map { "\($0.0),\($0.1)" }.joined(separator: " "))\"/>"
        }
        for (index, scan) in points.enumerated() {
            let (x, y) = coordinates[index]
            svg += "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"3.5\" fill=\"#1d4ed8\"><title>#\(scan.id): \(scan.findingCount)</title></circle>"
            svg += "<text x=\"\(x)\" y=\"\(y - 7)\" font-size=\"10\" text-anchor=\"middle\">\(scan.findingCount)</text>"
            if points.count <= 12 || index % max(1, points.count / 8) == 0 {
                svg += "<text x=\"\(x)\" y=\"\(top + plotHeight + 16)\" font-size=\"10\" text-anchor=\"middle\">#\(scan.id)</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Fixed / new / still open between two scans.
    static func comparison(_ comparison: ReportDocument.Comparison, title: String, labels: (String, String, String)) -> String {
        let items: [(String, Int, String)] = [(labels.0, comparison.fixed.count, "#16a34a"), (labels.1, comparison.new.count, "#dc2626"), (labels.2, comparison.stillOpen.count, "#f59e0b")]
        let width = 460, rowHeight = 26, top = 28
        let height = top + items.count * rowHeight + 8
        let maximum = max(1, items.map(\.1).max() ?? 1)
        var svg = "<svg class=\"chart\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
        svg += "<text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>"
        for (index, item) in items.enumerated() {
            let y = top + index * rowHeight
            let bar = Int(Double(item.1) / Double(maximum) * 280)
            svg += "<text x=\"0\" y=\"\(y + 15)\" font-size=\"12\">\(escape(item.0))</text>"
            svg += "<rect x=\"140\" y=\"\(y + 3)\" width=\"\(max(bar, item.1 > 0 ? 2 : 0))\" height=\"16\" fill=\"\(item.2)\"/>"
            svg += "<text x=\"\(146 + bar)\" y=\"\(y + 15)\" font-size=\"12\">\(item.1)</text>"
        }
        return svg + "</svg>"
    }
}
