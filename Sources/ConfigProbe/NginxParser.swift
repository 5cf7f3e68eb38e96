import Foundation
public import SansangCore

/// One parsed nginx directive or block, with includes already spliced in.
struct NginxNode: Sendable {
    var directive: ConfigDirective
    /// nil for a simple directive, the block's contents otherwise.
    var children: [NginxNode]?
    /// `# sansang: <word>` comments written directly inside the block.
    var markers: [String] = []
}

/// The project's nginx configuration parser: tokens (quotes, escapes, `${var}`, comments), blocks,
/// `include` with globs (relative to the main file's directory, as nginx resolves them against
/// its configuration prefix), and the effective directives per server and location. Syntax errors
/// name file:line like `nginx -t`; the parser never traps on any input.
public enum NginxParser {
    /// Parses the main file and what it includes into server facts, plus the issues met.
    public static func parse(path: String) -> (servers: [NginxServerFacts], files: [ConfigFileFacts], issues: [ConfigIssue]) {
        var source = ConfigSource(kind: .nginx)
        guard let text = source.read(path) else { return ([], source.files, source.issues) }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var nodes: [NginxNode] = []
        switch parse(text, file: path) {
        case .success(let parsed): nodes = resolveIncludes(parsed, base: base, depth: 0, source: &source)
        case .failure(let issue): source.issues.append(issue)
        }
        return (servers(from: nodes), source.files, source.issues)
    }

    /// Parses text alone (no includes followed).
    static func parse(_ text: String, file: String) -> Result<[NginxNode], ConfigIssue> {
        var lexer = Lexer(Array(text.unicodeScalars), file: file)
        do {
            let nodes = try lexer.block(depth: 0)
            return .success(nodes.nodes)
        } catch {
            return .failure(error)
        }
    }

    static func resolveIncludes(_ nodes: [NginxNode], base: String, depth: Int, source: inout ConfigSource) -> [NginxNode] {
        var out: [NginxNode] = []
        for var node in nodes {
            if node.directive.name == "include", node.children == nil {
                guard depth < ConfigSource.maxDepth else {
                    source.issues.append(ConfigIssue(kind: .nginx, file: node.directive.file, line: node.directive.line, message: "includes nested more than \(ConfigSource.maxDepth) deep"))
                    continue
                }
                guard node.directive.arguments.count == 1 else {
                    source.issues.append(ConfigIssue(kind: .nginx, file: node.directive.file, line: node.directive.line, message: "invalid number of arguments in \"include\" directive"))
                    continue
                }
                for path in source.expand(node.directive.arguments[0], relativeTo: base, directive: node.directive) {
                    guard let text = source.read(path, includedFrom: node.directive) else { continue }
                    switch parse(text, file: path) {
                    case .success(let included): out += resolveIncludes(included, base: base, depth: depth + 1, source: &source)
                    case .failure(let issue): source.issues.append(issue)
                    }
                }
                continue
            }
            if let children = node.children {
                node.children = resolveIncludes(children, base: base, depth: depth, source: &source)
            }
            out.append(node)
        }
        return out
    }

    // MARK: effective directives

    typealias Scope = [String: [ConfigDirective]]

    /// Directives set at one level (blocks excluded), grouped by name.
    static func own(_ nodes: [NginxNode]) -> Scope {
        var scope: Scope = [:]
        for node in nodes where node.children == nil { scope[node.directive.name, default: []].append(node.directive) }
        return scope
    }

    /// nginx inheritance: a level that sets a directive replaces the inherited value(s) entirely.
    static func inherit(_ parent: Scope, _ own: Scope) -> Scope {
        parent.merging(own) { _, mine in mine }
    }

    static let integrationNames = try? NSRegularExpression(pattern: "(lgsp|ndxp|integration|tich-?hop|dan-?cu|csdl|agent-?node|^api\\.|\\.api\\.)", options: [.caseInsensitive])

    static func servers(from root: [NginxNode]) -> [NginxServerFacts] {
        var out: [NginxServerFacts] = []
        let main = own(root)
        for http in root where http.directive.name == "http" {
            let children = http.children ?? []
            let httpScope = inherit(main, own(children))
            for server in children where server.directive.name == "server" {
                let body = server.children ?? []
                let scope = inherit(httpScope, own(body))
                let listen = (scope["listen"] ?? []).map(\.value)
                let names = (scope["server_name"] ?? []).flatMap(\.arguments)
                let ssl = (scope["listen"] ?? []).contains { $0.arguments.dropFirst().contains("ssl") || $0.arguments.dropFirst().contains("quic") }
                    || scope["ssl"]?.last?.arguments.first == "on"
                let loopback = !listen.isEmpty && listen.allSatisfy { value in
                    let address = value.split(separator: " ").first.map(String.init) ?? ""
                    return address.hasPrefix("127.") || address.hasPrefix("[::1]") || address.hasPrefix("localhost") || address.hasPrefix("unix:")
                }
                var integration = server.markers.contains("integration")
                if !integration, let regex = integrationNames {
                    integration = names.contains { regex.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
                }
                out.append(NginxServerFacts(
                    file: server.directive.file, line: server.directive.line, listen: listen, serverNames: names, ssl: ssl,
                    loopbackOnly: loopback, integration: integration, directives: scope,
                    locations: locations(in: body, scope: scope, prefix: "", depth: 0)
                ))
            }
        }
        return out
    }

    static func locations(in nodes: [NginxNode], scope: Scope, prefix: String, depth: Int) -> [NginxLocationFacts] {
        guard depth < 16 else { return [] }
        var out: [NginxLocationFacts] = []
        for node in nodes where node.directive.name == "location" {
            let body = node.children ?? []
            let effective = inherit(scope, own(body))
            let match = prefix.isEmpty ? node.directive.value : "\(prefix) > \(node.directive.value)"
            out.append(NginxLocationFacts(match: match, file: node.directive.file, line: node.directive.line, directives: effective))
            out += locations(in: body, scope: effective, prefix: match, depth: depth + 1)
        }
        return out
    }

    // MARK: tokens

    struct Lexer {
        let scalars: [Unicode.Scalar]
        let file: String
        var index = 0
        var line = 1

        init(_ scalars: [Unicode.Scalar], file: String) {
            self.scalars = scalars
            self.file = file
        }

        enum Token {
            case word(String, line: Int)
            case semicolon(line: Int)
            case open(line: Int)
            case close(line: Int)
            case marker(String)
            case end
        }

        func issue(_ message: String, line: Int? = nil) -> ConfigIssue {
            ConfigIssue(kind: .nginx, file: file, line: line ?? self.line, message: message)
        }

        mutating func next() throws(ConfigIssue) -> Token {
            while index < scalars.count {
                let c = scalars[index]
                if c == "\n" { line += 1; index += 1; continue }
                if c == " " || c == "\t" || c == "\r" { index += 1; continue }
                if c == "#" {
                    var comment = ""
                    while index < scalars.count, scalars[index] != "\n" { comment.unicodeScalars.append(scalars[index]); index += 1 }
                    let body = comment.dropFirst().trimmingCharacters(in: .whitespaces)
                    if body.lowercased().hasPrefix("sansang:") {
                        return .marker(body.dropFirst("sansang:".count).trimmingCharacters(in: .whitespaces).lowercased())
                    }
                    continue
                }
                break
            }
            guard index < scalars.count else { return .end }
            let c = scalars[index]
            switch c {
            case ";": index += 1; return .semicolon(line: line)
            case "{": index += 1; return .open(line: line)
            case "}": index += 1; return .close(line: line)
            case "\"", "'":
                let startLine = line
                index += 1
                var text = ""
                while index < scalars.count, scalars[index] != c {
                    if scalars[index] == "\\", index + 1 < scalars.count {
                        let escaped = scalars[index + 1]
                        // nginx keeps the backslash except before the quote, another backslash, or t/r/n.
                        switch escaped {
                        case "\"", "'", "\\": text.unicodeScalars.append(escaped)
                        case "n": text.append("\n")
                        case "t": text.append("\t")
                        case "r": text.append("\r")
                        default: text.unicodeScalars.append("\\"); text.unicodeScalars.append(escaped)
                        }
                        index += 2
                        continue
                    }
                    if scalars[index] == "\n" { line += 1 }
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                guard index < scalars.count else { throw issue("unexpected end of file, unterminated quoted string", line: startLine) }
                index += 1
                if index < scalars.count, !" \t\r\n;{})".unicodeScalars.contains(scalars[index]) {
                    throw issue("unexpected \"\(scalars[index])\" after the quoted string")
                }
                return .word(text, line: startLine)
            default:
                let startLine = line
                var text = ""
                while index < scalars.count {
                    let s = scalars[index]
                    if " \t\r\n;{}".unicodeScalars.contains(s) {
                        // `${name}` inside a word is a variable, not a block.
                        if s == "{", text.hasSuffix("$") {
                            while index < scalars.count, scalars[index] != "}" {
                                if scalars[index] == "\n" { throw issue("the closing bracket in \"\(text)\" variable is missing") }
                                text.unicodeScalars.append(scalars[index]); index += 1
                            }
                            guard index < scalars.count else { throw issue("unexpected end of file in a variable name") }
                            text.unicodeScalars.append(scalars[index]); index += 1
                            continue
                        }
                        break
                    }
                    if s == "\\", index + 1 < scalars.count, scalars[index + 1] != "\n" {
                        text.unicodeScalars.append(s)
                        text.unicodeScalars.append(scalars[index + 1])
                        index += 2
                        continue
                    }
                    text.unicodeScalars.append(s)
                    index += 1
                }
                return .word(text, line: startLine)
            }
        }

        /// Reads directives until `}` (depth > 0) or the end of the file (depth 0).
        mutating func block(depth: Int) throws(ConfigIssue) -> (nodes: [NginxNode], markers: [String]) {
            guard depth < 64 else { throw issue("blocks nested too deep") }
            var nodes: [NginxNode] = []
            var markers: [String] = []
            var words: [String] = []
            var wordLine = line
            while true {
                let token = try next()
                switch token {
                case .marker(let word):
                    if words.isEmpty { markers.append(word) }
                case .word(let text, let at):
                    if words.isEmpty { wordLine = at }
                    words.append(text)
                case .semicolon(let at):
                    guard let name = words.first else { throw issue("unexpected \";\"", line: at) }
                    nodes.append(NginxNode(directive: ConfigDirective(name: name, arguments: Array(words.dropFirst()), file: file, line: wordLine)))
                    words = []
                case .open(let at):
                    guard let name = words.first else { throw issue("unexpected \"{\"", line: at) }
                    let inner = try block(depth: depth + 1)
                    nodes.append(NginxNode(directive: ConfigDirective(name: name, arguments: Array(words.dropFirst()), file: file, line: wordLine), children: inner.nodes, markers: inner.markers))
                    words = []
                case .close(let at):
                    guard words.isEmpty else { throw issue("unexpected \"}\"", line: at) }
                    guard depth > 0 else { throw issue("unexpected \"}\"", line: at) }
                    return (nodes, markers)
                case .end:
                    guard words.isEmpty else { throw issue("unexpected end of file, expecting \";\" or \"}\"") }
                    guard depth == 0 else { throw issue("unexpected end of file, expecting \"}\"") }
                    return (nodes, markers)
                }
            }
        }
    }
}

