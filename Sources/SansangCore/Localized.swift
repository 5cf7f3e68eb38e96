/// Output language; Vietnamese is the default everywhere.
public enum Language: String, Codable, Sendable, CaseIterable {
    case vi, en
}

/// A text in Vietnamese and English.
public struct Localized: Codable, Sendable, Hashable {
    public var vi: String
    public var en: String

    public init(vi: String, en: String) {
        self.vi = vi
        self.en = en
    }

    public func text(_ language: Language) -> String {
        language == .vi ? vi : en
    }
}
