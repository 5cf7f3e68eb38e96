public import Foundation

/// A rule written as data (`Checks/rules/**/*.yaml`): what it is, the fact it reads, and a matcher
/// that describes the *bad* case. A match is a finding; no match is a pass; a value that is not
/// there is `whenMissing` (inconclusive unless the file says otherwise). Validated at load.
public struct DeclarativeRuleSpec: Sendable, Hashable {
    public var meta: RuleMeta
    /// The fact the rule reads; its first component is the probe (`tls`, `http`, `config`, `plugin`).
    public var facts: FactPath
    public var matcher: FactMatcher
    /// Subject and evidence of the finding; `{{value}}` and `{{path | default}}` are replaced.
    public var subject: String
    public var evidence: String
    public var whenMissing: MissingFact
    /// The inconclusive reason when the value is missing (templated like the evidence).
    public var missingReason: String?
    /// `file:line` of the rule, for messages.
    public var source: String

    public init(
        meta: RuleMeta, facts: FactPath, matcher: FactMatcher, subject: String, evidence: String,
        whenMissing: MissingFact = .inconclusive, missingReason: String? = nil, source: String
    ) {
        self.meta = meta
        self.facts = facts
        self.matcher = matcher
        self.subject = subject
        self.evidence = evidence
        self.whenMissing = whenMissing
        self.missingReason = missingReason
        self.source = source
    }
}

/// What a declarative rule says when the value it reads is absent or null.
public enum MissingFact: String, Sendable, Hashable, CaseIterable {
    case inconclusive, pass, notApplicable, fail
}

/// A path into the facts tree: `tls.protocols["TLSv1.0"]`, `http.headers.hsts.maxAge`,
/// `tls.cipherSuites["TLSv1.2"][0].name`. Keys with dots or spaces go in `["..."]`.
public struct FactPath: Sendable, Hashable, CustomStringConvertible {
    public var components: [String]
    public var text: String

    public init(components: [String], text: String) {
        self.components = components
        self.text = text
    }

    public var description: String { text }
    /// The probe key (`tls`).
    public var probe: String { components.first ?? "" }

    /// Parses the path syntax; throws `.configuration` naming the column of the problem.
    public static func parse(_ text: String) throws(SansangError) -> FactPath {
        let characters = Array(text)
        var components: [String] = []
        var index = 0
        var expectKey = true
        func fail(_ message: String) -> SansangError {
            SansangError(.configuration, "fact path '\(text)': \(message) at column \(index + 1)")
        }
        while index < characters.count {
            let character = characters[index]
            if character == "[" {
                index += 1
                guard index < characters.count else { throw fail("unterminated '['") }
                if characters[index] == "\"" || characters[index] == "'" {
                    let quote = characters[index]
                    index += 1
                    var key = ""
                    while index < characters.count, characters[index] != quote {
                        if characters[index] == "\\", index + 1 < characters.count { index += 1 }
                        key.append(characters[index])
                        index += 1
                    }
                    guard index < characters.count else { throw fail("unterminated quoted key") }
                    index += 1
                    components.append(key)
                } else {
                    var number = ""
                    while index < characters.count, characters[index].isNumber { number.append(characters[index]); index += 1 }
                    guard !number.isEmpty else { throw fail("expected a quoted key or an index inside '[ ]'") }
                    components.append(number)
                }
                guard index < characters.count, characters[index] == "]" else { throw fail("expected ']'") }
                index += 1
                expectKey = false
            } else if character == "." {
                guard !components.isEmpty, !expectKey else { throw fail("unexpected '.'") }
                index += 1
                expectKey = true
                guard index < characters.count, characters[index] != "." && characters[index] != "[" else { throw fail("expected a name after '.'") }
            } else if character.isLetter || character.isNumber || character == "_" || character == "-" {
                guard expectKey else { throw fail("expected '.' or '['") }
                var key = ""
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" || characters[index] == "-" {
                    key.append(characters[index])
                    index += 1
                }
                components.append(key)
                expectKey = false
            } else {
                throw fail("unexpected '\(character)'")
            }
        }
        guard !components.isEmpty else { throw SansangError(.configuration, "fact path is empty") }
        guard !expectKey else { throw SansangError(.configuration, "fact path '\(text)': ends with '.'") }
        return FactPath(components: components, text: text)
    }
}

/// The closed set of matchers. Each answers true (the bad case), false, or nil (the value is not
/// there). On a list, value matchers hold when any element matches.
public indirect enum FactMatcher: Sendable, Hashable {
    case exists
    case absent
    case equals(JSONValue)
    case oneOf([JSONValue])
    case matches(String)
    case lessThan(Double)
    case greaterThan(Double)
    case versionBelow(String)
    case all([FactMatcher])
    case any([FactMatcher])
    /// The same matcher applied to another fact path.
    case at(FactPath, FactMatcher)
    case negative(FactMatcher)

    public static let names = ["exists", "absent", "equals", "oneOf", "matches", "lessThan", "greaterThan", "versionBelow", "all", "any"]
}
