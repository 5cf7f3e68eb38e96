public import Foundation
public import Logging
import Synchronization

/// Where JSON log lines go: standard error by default; tests capture them.
public final class LogSink: Sendable {
    private let lines: Mutex<[String]>?
    private let handle: FileHandle?

    public static let standardError = LogSink(handle: .standardError)

    public init(handle: FileHandle) { self.handle = handle; lines = nil }
    /// Keeps every line in memory (tests).
    public init() { handle = nil; lines = Mutex([]) }

    func write(_ line: String) {
        if let handle { handle.write(Data((line + "\n").utf8)) }
        lines?.withLock { $0.append(line) }
    }

    public var captured: [String] { lines?.withLock { $0 } ?? [] }
}

/// A swift-log handler writing one JSON object per line: time, level, label, message, metadata.
/// Secrets never reach it: the daemon logs token ids and owners, never an Authorization header,
/// a cookie or a token secret.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let sink: LogSink

    public init(label: String, sink: LogSink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(level: event.level, message: event.message, metadata: event.metadata)
    }

    func write(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?) {
        var object: [String: Any] = [
            "time": ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime, .withFractionalSeconds]),
            "level": level.rawValue, "label": label, "message": message.description,
        ]
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) { object[key] = Self.plain(value) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        sink.write(String(decoding: data, as: UTF8.self))
    }

    static func plain(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
    }
}
