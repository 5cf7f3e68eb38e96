public import Foundation

/// One entry of `Checks/http/exposed-paths.json`: a path that should not answer, and what in
/// the answer proves it really is exposed (so a bare 200 from a catch-all site is not enough).
public struct ExposedPathCheck: Codable, Sendable, Hashable {
    /// The id suffix, `[a-z0-9-]+`; the rule id is `http.path.<id>`.
    public var id: String
    /// Absolute path (`/.git/config`), or a query (`?wsdl`) appended to the target's path.
    public var path: String
    public var severity: Severity
    public var title: Localized
    public var remediation: Localized
    public var requirements: [String]
    public var confirm: Confirmation

    /// What confirms exposure; every given condition must hold.
    public struct Confirmation: Codable, Sendable, Hashable {
        /// Accepted status codes.
        public var status: [Int]
        /// At least one of these strings occurs in the body (case-sensitive).
        public var bodyContains: [String]?
        /// None of these occurs in the body (to rule out login or error pages).
        public var bodyNotContains: [String]?
        /// The body matches this regular expression (ICU syntax).
        public var bodyRegex: String?
        /// The Content-Type header contains this, case-insensitively.
        public var contentType: String?

        public init(status: [Int], bodyContains: [String]? = nil, bodyNotContains: [String]? = nil, bodyRegex: String? = nil, contentType: String? = nil) {
            self.status = status
            self.bodyContains = bodyContains
            self.bodyNotContains = bodyNotContains
            self.bodyRegex = bodyRegex
            self.contentType = contentType
        }
    }

    public init(id: String, path: String, severity: Severity, title: Localized, remediation: Localized, requirements: [String], confirm: Confirmation) {
        self.id = id
        self.path = path
        self.severity = severity
        self.title = title
        self.remediation = remediation
        self.requirements = requirements
        self.confirm = confirm
    }

    public var ruleId: String { "http.path." + id }

    /// Whether an answer meets every condition. Pure; the probe and tests call it.
    public func confirms(status: Int?, contentType: String?, body: String) -> Bool {
        guard let status, confirm.status.contains(status) else { return false }
        if let markers = confirm.bodyContains, !markers.isEmpty, !markers.contains(where: { body.contains($0) }) { return false }
        if let negatives = confirm.bodyNotContains, negatives.contains(where: { body.contains($0) }) { return false }
        if let wanted = confirm.contentType {
            guard let contentType, contentType.lowercased().contains(wanted.lowercased()) else { return false }
        }
        if let pattern = confirm.bodyRegex {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                  regex.firstMatch(in: body, range: NSRange(body.startIndex..., in: body)) != nil else { return false }
        }
        return true
    }
}

/// Reads and validates the exposed-path file. Errors name the file, and the line when known.
public enum ExposedPathCatalog {
    struct File: Codable {
        var version: Int
        var checks: [ExposedPathCheck]
    }

    /// Decodes and validates; throws `.configuration` with `file:line: what` on the first problem.
    public static func decode(_ data: Data, file: String) throws(SansangError) -> [ExposedPathCheck] {
        let text = String(decoding: data, as: UTF8.self)
        let parsed: File
        do {
            parsed = try JSONDecoder().decode(File.self, from: data)
        } catch let error as DecodingError {
            throw SansangError(.configuration, describe(error, file: file, text: text))
        } catch {
            throw SansangError(.configuration, "\(file): \(error)")
        }
        guard parsed.version == 1 else {
            throw SansangError(.configuration, "\(file):\(line(of: "\"version\"", in: text) ?? 1): unsupported version \(parsed.version) (expected 1)")
        }
        var seen: Set<String> = []
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        for (index, check) in parsed.checks.enumerated() {
            let at = "\(file):\(line(of: "\"\(check.id)\"", in: text) ?? 0): checks[\(index)] (\(check.id))"
            guard !check.id.isEmpty, check.id.allSatisfy({ allowed.contains($0) }) else {
                throw SansangError(.configuration, "\(at): id must be lower-case letters, digits and '-'")
            }
            guard seen.insert(check.id).inserted else { throw SansangError(.configuration, "\(at): duplicate id") }
            guard check.path.hasPrefix("/") || check.path.hasPrefix("?"), !check.path.contains(where: { $0 == " " || $0 == "\n" || $0 == "\r" }) else {
                throw SansangError(.configuration, "\(at): path must start with '/' or '?' and contain no spaces")
            }
            guard !check.confirm.status.isEmpty, check.confirm.status.allSatisfy({ (100...599).contains($0) }) else {
                throw SansangError(.configuration, "\(at): confirm.status must list HTTP status codes")
            }
            let hasMarker = !(check.confirm.bodyContains ?? []).isEmpty || check.confirm.bodyRegex != nil || check.confirm.contentType != nil
            guard hasMarker else {
                throw SansangError(.configuration, "\(at): confirm needs bodyContains, bodyRegex or contentType (a status alone proves nothing)")
            }
            if let pattern = check.confirm.bodyRegex {
                do { _ = try NSRegularExpression(pattern: pattern) } catch {
                    throw SansangError(.configuration, "\(at): bodyRegex does not compile: \(pattern)")
                }
            }
            guard !check.title.vi.isEmpty, !check.title.en.isEmpty else { throw SansangError(.configuration, "\(at): title needs vi and en") }
        }
        return parsed.checks
    }

    static func describe(_ error: DecodingError, file: String, text: String) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined().trimmingPrefix(".").description
        }
        switch error {
        case .dataCorrupted(let context):
            // JSONSerialization names the byte offset ("around character 47"); turn it into a line.
            var detail = context.debugDescription
            var lineText = ""
            do { _ = try JSONSerialization.jsonObject(with: Data(text.utf8)) } catch {
                let message = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
                detail = message.isEmpty ? detail : message
                if let range = message.range(of: "character "), let offset = Int(message[range.upperBound...].prefix { $0.isNumber }) {
                    lineText = ":\(text.utf8.prefix(offset).filter { $0 == UInt8(ascii: "\n") }.count + 1)"
                }
            }
            return "\(file)\(lineText): not valid JSON: \(detail)"
        case .keyNotFound(let key, let context):
            return "\(file):\(entryLine(context.codingPath, text: text)): \(path(context.codingPath)): missing key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(file):\(entryLine(context.codingPath, text: text)): \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(file): \(error)"
        }
    }

    /// The line of the n-th `"id"` key when the path goes through `checks[n]`, else 1.
    static func entryLine(_ codingPath: [any CodingKey], text: String) -> Int {
        guard let index = codingPath.first(where: { $0.intValue != nil })?.intValue else { return 1 }
        var count = -1
        var line = 1
        var scanner = text[...]
        while let range = scanner.range(of: "\"id\"") {
            count += 1
            line += scanner[..<range.lowerBound].filter { $0 == "\n" }.count
            if count == index { return line }
            scanner = scanner[range.upperBound...]
        }
        return 1
    }

    static func line(of needle: String, in text: String) -> Int? {
        guard let range = text.range(of: needle) else { return nil }
        return text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
    }
}
