import Foundation
public import SansangCore

/// The project's sshd_config parser: `Keyword value` or `Keyword=value` lines, quotes, comments,
/// `Include` with globs (at top level and inside `Match`), and `Match` blocks that run to the next
/// `Match` or the end. The first value of a keyword wins, as sshd reads it (except inside Match,
/// where the block's first value applies to matching connections). Relative Include paths are
/// resolved against the directory of the including file (sshd uses /etc/ssh; give absolute paths).
public enum SSHDParser {
    public static func parse(path: String) -> (config: SSHDConfigFacts?, files: [ConfigFileFacts], issues: [ConfigIssue]) {
        var source = ConfigSource(kind: .sshd)
        guard let text = source.read(path) else { return (nil, source.files, source.issues) }
        var state = State(file: path)
        walk(text, file: path, depth: 0, state: &state, source: &source)
        return (SSHDConfigFacts(file: path, settings: state.global, matches: state.matches), source.files, source.issues)
    }

    struct State {
        let file: String
        var global: [String: ConfigDirective] = [:]
        var matches: [SSHDMatchFacts] = []
        var inMatch = false
    }

    /// Keywords that take several space-separated values (kept whole), and keywords with no value.
    static let multiValued: Set<String> = ["match", "allowusers", "denyusers", "allowgroups", "denygroups", "acceptenv", "setenv", "permitopen", "permitlisten", "include", "authorizedkeysfile", "subsystem", "authenticationmethods", "listenaddress", "ipqos", "channeltimeout", "persourcepenalties", "persourcepenaltyexemptlist", "persourcemaxstartups", "persourcenetblocksize", "rekeylimit", "maxstartups", "ciphers", "macs", "kexalgorithms", "hostkeyalgorithms", "pubkeyacceptedalgorithms", "casignaturealgorithms", "forcecommand", "authorizedkeyscommand", "authorizedprincipalscommand", "banner", "chrootdirectory", "hostkey", "pidfile"]

    static func walk(_ text: String, file: String, depth: Int, state: inout State, source: inout ConfigSource) {
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words: [String]
            switch LineTokens.split(Substring(line), singleQuotes: false, equalsSeparator: true) {
            case .success(let value): words = value
            case .failure(let error):
                source.issues.append(ConfigIssue(kind: .sshd, file: file, line: lineNumber, message: error.message))
                continue
            }
            guard let keyword = words.first else { continue }
            let name = keyword.lowercased()
            let arguments = Array(words.dropFirst())
            let directive = ConfigDirective(name: keyword, arguments: arguments, file: file, line: lineNumber)
            guard !arguments.isEmpty else {
                source.issues.append(ConfigIssue(kind: .sshd, file: file, line: lineNumber, message: "\(keyword): missing argument"))
                continue
            }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                source.issues.append(ConfigIssue(kind: .sshd, file: file, line: lineNumber, message: "bad configuration option '\(keyword)'"))
                continue
            }
            switch name {
            case "match":
                let criteria = arguments.joined(separator: " ")
                if criteria.lowercased() == "all" {
                    state.inMatch = false
                } else {
                    if arguments.count < 2 && arguments.first?.lowercased() != "all" && arguments.first?.lowercased() != "canonical" && arguments.first?.lowercased() != "final" {
                        source.issues.append(ConfigIssue(kind: .sshd, file: file, line: lineNumber, message: "Match \(criteria): missing criteria value"))
                    }
                    state.matches.append(SSHDMatchFacts(criteria: criteria, file: file, line: lineNumber, settings: [:]))
                    state.inMatch = true
                }
            case "include":
                guard depth < ConfigSource.maxDepth else {
                    source.issues.append(ConfigIssue(kind: .sshd, file: file, line: lineNumber, message: "includes nested more than \(ConfigSource.maxDepth) deep"))
                    continue
                }
                let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
                for pattern in arguments {
                    for path in source.expand(pattern, relativeTo: base, directive: directive, optional: false) {
                        guard let included = source.read(path, includedFrom: directive) else { continue }
                        walk(included, file: path, depth: depth + 1, state: &state, source: &source)
                    }
                }
            default:
                if state.inMatch, let last = state.matches.indices.last {
                    if state.matches[last].settings[name] == nil { state.matches[last].settings[name] = directive }
                } else if state.global[name] == nil {
                    state.global[name] = directive
                }
            }
        }
    }
}
