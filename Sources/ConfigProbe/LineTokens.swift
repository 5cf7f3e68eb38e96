public import SansangCore

/// Splits one configuration line into words: whitespace separates, "double" (and for Apache
/// 'single') quotes group, a backslash escapes the quote inside quotes. Used by the sshd and
/// Apache parsers, whose syntax is one directive per line.
enum LineTokens {
    static func split(_ line: Substring, singleQuotes: Bool, equalsSeparator: Bool = false) -> Result<[String], LineError> {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var iterator = Array(line)
        var index = 0
        if equalsSeparator, words.isEmpty {
            // sshd accepts `Keyword=value` and `Keyword = value`.
            if let equals = iterator.firstIndex(of: "="), !iterator[..<equals].contains("\"") {
                let keyword = String(iterator[..<equals]).trimmingCharacters(in: .whitespaces)
                if !keyword.isEmpty, !keyword.contains(" "), !keyword.contains("\t") {
                    words.append(keyword)
                    iterator = Array(iterator[(equals + 1)...])
                }
            }
        }
        while index < iterator.count {
            let c = iterator[index]
            if let open = quote {
                if c == "\\", index + 1 < iterator.count, iterator[index + 1] == open || iterator[index + 1] == "\\" {
                    current.append(iterator[index + 1])
                    index += 2
                    continue
                }
                if c == open { quote = nil } else { current.append(c) }
                index += 1
                continue
            }
            if c == " " || c == "\t" || c == "\r" {
                if inWord { words.append(current); current = ""; inWord = false }
            } else if c == "\"" || (singleQuotes && c == "'" && !inWord) {
                quote = c
                inWord = true
            } else {
                current.append(c)
                inWord = true
            }
            index += 1
        }
        if quote != nil { return .failure(LineError(message: "unterminated quoted string")) }
        if inWord { words.append(current) }
        return .success(words)
    }
}

struct LineError: Error {
    let message: String
}
