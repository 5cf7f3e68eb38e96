/// The one error type of sansang: equal by code, with a reason a person can act on.
public struct SansangError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let invalidTarget = Code("invalidTarget")
        public static let resolution = Code("resolution")
        public static let connection = Code("connection")
        public static let timeout = Code("timeout")
        public static let malformedReply = Code("malformedReply")
        public static let limitExceeded = Code("limitExceeded")
        public static let tls = Code("tls")
        public static let configuration = Code("configuration")
        public static let io = Code("io")
        public static let outOfScope = Code("outOfScope")
    }

    public var code: Code
    public var reason: String
    public var file: String
    public var line: Int

    public init(_ code: Code, _ reason: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    public var description: String { reason }

    public static func == (lhs: SansangError, rhs: SansangError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
