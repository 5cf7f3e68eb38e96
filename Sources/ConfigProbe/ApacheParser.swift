import Foundation
public import SansangCore

/// The project's Apache httpd parser: one directive per line, `\` continuations, `<Section>`
/// nesting checked, `Include`/`IncludeOptional` with globs (relative to `ServerRoot` when set, else
/// the main file's directory). `<IfModule>`, `<IfDefine>`, `<IfVersion>` are read as if true.
/// Names are lower-cased (httpd is case-insensitive); within a context the last value wins.
public enum ApacheParser {
    public static func parse(path: String) -> (config: ApacheConfigFacts?, files: [ConfigFileFacts], issues: [ConfigIssue]) {
        var source = ConfigSource(kind: .apache)
        guard let text = source.read(path) else { return (nil, source.files, source.issues) }
        var state = State(base: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        var stack: [Frame] = []
        walk(text, file: path, depth: 0, state: &state, stack: &stack, source: &source)
        for frame in stack.reversed() {
            source.issues.append(ConfigIssue(kind: .apache, file: frame.file, line: frame.line, message: "<\(frame.name)> is never closed"))
        }
        let vhosts = state.virtualHosts.map { host in
            ApacheVirtualHostFacts(address: host.address, file: host.file, line: host.line, directives: state.global.merging(host.directives) { _, mine in mine })
        }
        return (ApacheConfigFacts(file: path, global: state.global, virtualHosts: vhosts, sections: state.sections), source.files, source.issues)
    }

    struct Frame {
        var name: String
        var argument: String
        var file: String
        var line: Int
    }

    struct State {
        var base: String
        var global: [String: [ConfigDirective]] = [:]
        var virtualHosts: [ApacheVirtualHostFacts] = []
        var sections: [ApacheSectionFacts] = []
    }

    static let transparent: Set<String> = ["ifmodule", "ifdefine", "ifversion", "ifdirective", "iffile", "ifsection"]

    static func walk(_ text: String, file: String, depth: Int, state: inout State, stack: inout [Frame], source: inout ConfigSource) {
        var lineNumber = 0
        var pending = ""
        var pendingLine = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = raw.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty && (line.isEmpty || line.hasPrefix("#")) { continue }
            if line.hasSuffix("\\") {
                line.removeLast()
                if pending.isEmpty { pendingLine = lineNumber }
                pending += line + " "
                continue
            }
            if !pending.isEmpty {
                line = pending + line
                pending = ""
            } else {
                pendingLine = lineNumber
            }
            handle(line, file: file, lineNumber: pendingLine, depth: depth, state: &state, stack: &stack, source: &source)
        }
        if !pending.isEmpty {
            source.issues.append(ConfigIssue(kind: .apache, file: file, line: pendingLine, message: "the file ends inside a continued line"))
        }
    }

    static func handle(_ line: String, file: String, lineNumber: Int, depth: Int, state: inout State, stack: inout [Frame], source: inout ConfigSource) {
        func issue(_ message: String) { source.issues.append(ConfigIssue(kind: .apache, file: file, line: lineNumber, message: message)) }
        if line.hasPrefix("</") {
            guard line.hasSuffix(">") else { return issue("\(line): missing '>'") }
            let name = line.dropFirst(2).dropLast().trimmingCharacters(in: .whitespaces).lowercased()
            guard let top = stack.last else { return issue("</\(name)> without matching <\(name)> section") }
            guard top.name.lowercased() == name else { return issue("</\(name)> closes <\(top.name)> opened at \(top.file):\(top.line)") }
            stack.removeLast()
            return
        }
        if line.hasPrefix("<") {
            guard line.hasSuffix(">") else { return issue("\(line): <\(line.dropFirst().prefix { $0 != " " }) directive missing closing '>'") }
            let inner = line.dropFirst().dropLast()
            let name = String(inner.prefix { $0 != " " && $0 != "\t" })
            guard !name.isEmpty else { return issue("empty section name") }
            let argument = inner.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
            stack.append(Frame(name: name, argument: argument, file: file, line: lineNumber))
            let lower = name.lowercased()
            if lower == "virtualhost" {
                state.virtualHosts.append(ApacheVirtualHostFacts(address: argument, file: file, line: lineNumber, directives: [:]))
            } else if !transparent.contains(lower) {
                state.sections.append(ApacheSectionFacts(type: lower, argument: argument, file: file, line: lineNumber, directives: [:]))
            }
            return
        }
        let words: [String]
        switch LineTokens.split(Substring(line), singleQuotes: true) {
        case .success(let value): words = value
        case .failure(let error): return issue(error.message)
        }
        guard let keyword = words.first else { return }
        let directive = ConfigDirective(name: keyword, arguments: Array(words.dropFirst()), file: file, line: lineNumber)
        let name = keyword.lowercased()
        if name == "include" || name == "includeoptional" {
            guard depth < ConfigSource.maxDepth else { return issue("includes nested more than \(ConfigSource.maxDepth) deep") }
            guard let pattern = directive.arguments.first else { return issue("\(keyword) takes one argument") }
            for path in source.expand(pattern, relativeTo: state.base, directive: directive, optional: name == "includeoptional") {
                guard let text = source.read(path, includedFrom: directive) else { continue }
                walk(text, file: path, depth: depth + 1, state: &state, stack: &stack, source: &source)
            }
            return
        }
        if name == "serverroot", let root = directive.arguments.first {
            state.base = root.hasPrefix("/") ? root : URL(fileURLWithPath: state.base).appendingPathComponent(root).standardized.path
        }
        // The innermost non-transparent section receives the directive.
        guard let owner = stack.last(where: { !transparent.contains($0.name.lowercased()) }) else {
            state.global[name, default: []].append(directive)
            return
        }
        if owner.name.lowercased() == "virtualhost", let index = state.virtualHosts.lastIndex(where: { $0.file == owner.file && $0.line == owner.line }) {
            state.virtualHosts[index].directives[name, default: []].append(directive)
        } else if let index = state.sections.lastIndex(where: { $0.file == owner.file && $0.line == owner.line }) {
            state.sections[index].directives[name, default: []].append(directive)
        }
    }
}
