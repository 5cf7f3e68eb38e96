/// How much a finding matters, from hygiene (`low`) to "likely blocks connection" (`critical`).
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    var rank: Int {
        switch self {
        case .info: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        case .critical: 4
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.critical, .vi): "NGHIÊM TRỌNG"
        case (.high, .vi): "CAO"
        case (.medium, .vi): "TRUNG BÌNH"
        case (.low, .vi): "THẤP"
        case (.info, .vi): "THÔNG TIN"
        case (_, .en): rawValue.uppercased()
        }
    }
}
