public import Foundation

/// A probe's observations about one endpoint: plain Codable values, judged by rules later.
public protocol Facts: Codable, Sendable {
    /// The key under which these facts are stored and shown (`tls`, `http`, …).
    static var key: String { get }
}

/// Why a probe could not gather its facts.
public struct ProbeFailure: Codable, Sendable, Hashable, CustomStringConvertible {
    /// A stable machine-readable kind: `timeout`, `refused`, `unreachable`, `resolution`, `malformed`, `limit`, `error`.
    public var kind: String
    public var reason: String

    public init(kind: String, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public init(_ error: SansangError) {
        let kind: String = switch error.code {
        case .timeout: "timeout"
        case .connection: "connection"
        case .resolution: "resolution"
        case .malformedReply: "malformed"
        case .limitExceeded: "limit"
        case .outOfScope: "scope"
        default: "error"
        }
        self.init(kind: kind, reason: error.reason)
    }

    public var description: String { reason }
}

/// What a probe produced: its facts, or why it has none.
public enum ProbeAttempt<F: Facts>: Sendable {
    case completed(F)
    case failed(ProbeFailure)

    public var facts: F? {
        if case .completed(let facts) = self { return facts }
        return nil
    }

    public var failure: ProbeFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}

/// All facts gathered about one endpoint, keyed by probe. New probes add entries without
/// changing this type.
public struct FactSet: Sendable {
    private var entries: [String: Entry] = [:]

    enum Entry: Sendable {
        case completed(any Facts)
        case failed(ProbeFailure)
    }

    public init() {}

    public subscript<F: Facts>(_ type: F.Type) -> ProbeAttempt<F>? {
        get {
            switch entries[F.key] {
            case .completed(let facts as F): .completed(facts)
            case .failed(let failure): .failed(failure)
            default: nil
            }
        }
        set {
            switch newValue {
            case .completed(let facts): entries[F.key] = .completed(facts)
            case .failed(let failure): entries[F.key] = .failed(failure)
            case nil: entries[F.key] = nil
            }
        }
    }

    public mutating func record<F: Facts>(_ attempt: ProbeAttempt<F>) {
        self[F.self] = attempt
    }

    public var keys: [String] { entries.keys.sorted() }

    /// Probe failures by probe key.
    public var failures: [String: ProbeFailure] {
        entries.compactMapValues { if case .failed(let failure) = $0 { failure } else { nil } }
    }

    /// The facts as a JSON tree, `{key: {status, facts|failure}}`, for storage and declarative rules.
    public func jsonObject(encoder: JSONEncoder = JSONEncoder()) throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (key, entry) in entries {
            switch entry {
            case .completed(let facts):
                let data = try encoder.encode(facts)
                out[key] = .object(["status": .string("completed"), "facts": try JSONDecoder().decode(JSONValue.self, from: data)])
            case .failed(let failure):
                out[key] = .object([
                    "status": .string("failed"),
                    "failure": .object(["kind": .string(failure.kind), "reason": .string(failure.reason)]),
                ])
            }
        }
        return out
    }
}
