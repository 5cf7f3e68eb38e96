import Foundation
public import SansangCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads configuration files for the parsers, with bounds: file size, number of files, include
/// depth. Include patterns are globbed; what cannot be read becomes a `ConfigIssue`.
struct ConfigSource {
    static let maxFileBytes = 4 << 20
    static let maxFiles = 256
    static let maxDepth = 16

    let kind: ConfigKind
    var files: [ConfigFileFacts] = []
    var issues: [ConfigIssue] = []

    init(kind: ConfigKind) { self.kind = kind }

    /// The text of a file, or nil with an issue recorded against `from` (the including line) or the file.
    mutating func read(_ path: String, includedFrom: ConfigDirective? = nil) -> String? {
        guard files.count < Self.maxFiles else {
            issues.append(ConfigIssue(kind: kind, file: includedFrom?.file ?? path, line: includedFrom?.line ?? 0, message: "more than \(Self.maxFiles) files included; \(path) not read"))
            return nil
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = String(cString: strerror(errno))
            if let includedFrom {
                issues.append(ConfigIssue(kind: kind, file: includedFrom.file, line: includedFrom.line, message: "cannot open included file \(path): \(reason)"))
            } else {
                issues.append(ConfigIssue(kind: kind, file: path, line: 0, message: "cannot be read: \(reason)"))
            }
            return nil
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: Self.maxFileBytes + 1)) ?? Data()
        guard data.count <= Self.maxFileBytes else {
            issues.append(ConfigIssue(kind: kind, file: path, line: 0, message: "larger than \(Self.maxFileBytes) bytes; not parsed"))
            return nil
        }
        let text = String(decoding: data, as: UTF8.self)
        files.append(ConfigFileFacts(path: path, kind: kind, includedFrom: includedFrom?.file, lines: text.split(separator: "\n", omittingEmptySubsequences: false).count))
        return text
    }

    /// Files an include pattern names: a glob matching nothing is fine when it has wildcards
    /// (nginx and Apache's IncludeOptional agree), an error otherwise.
    mutating func expand(_ pattern: String, relativeTo base: String, directive: ConfigDirective, optional: Bool = false) -> [String] {
        let full = pattern.hasPrefix("/") ? pattern : URL(fileURLWithPath: base).appendingPathComponent(pattern).path
        let wildcard = pattern.contains { "*?[".contains($0) }
        var result = glob_t()
        defer { globfree(&result) }
        var paths: [String] = []
        if glob(full, 0, nil, &result) == 0 {
            for index in 0..<min(Int(result.gl_pathc), Self.maxFiles) {
                if let pointer = result.gl_pathv[index] { paths.append(String(cString: pointer)) }
            }
        }
        if paths.isEmpty && !wildcard && !optional {
            issues.append(ConfigIssue(kind: kind, file: directive.file, line: directive.line, message: "included file \(full) does not exist"))
        }
        return paths.sorted()
    }

    func already(_ path: String) -> Bool { files.contains { $0.path == path } }
}
