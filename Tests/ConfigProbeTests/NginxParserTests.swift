import ConfigProbe
import Foundation
import SansangCore
import TLSLab
import Testing

@Suite struct NginxParserTests {
    @Test func theGoodFixtureParsesWithIncludesAndInheritance() throws {
        let config = ConfigProbe.read([ConfigFixture.path("nginx-good/nginx.conf")])
        #expect(config.errors.isEmpty, "\(config.errors)")
        #expect(config.files.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["nginx.conf", "lgsp.conf"])
        #expect(config.nginx.count == 2)
        let lgsp = try #require(config.nginx.first { $0.serverNames == ["lgsp.example.gov.vn"] })
        #expect(lgsp.ssl && lgsp.integration && !lgsp.loopbackOnly)
        #expect(lgsp.file.hasSuffix("conf.d/lgsp.conf") && lgsp.line == 1)
        // Inherited from http, with the file:line where it was written.
        let tokens = try #require(lgsp.values("server_tokens").first)
        #expect(tokens.arguments == ["off"] && tokens.file.hasSuffix("nginx-good/nginx.conf") && tokens.line == 15)
        #expect(lgsp.values("ssl_ciphers").first?.arguments == ["ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"])
        #expect(lgsp.locations.map(\.match) == ["/", "/admin/", "~ ^/api/(?<version>v[0-9]+)/"])
        // A location with its own add_header replaces the inherited ones.
        let admin = lgsp.locations[1]
        #expect(admin.values("add_header").map { $0.arguments.first ?? "" } == ["X-Frame-Options", "Strict-Transport-Security"])
        #expect(lgsp.locations[0].values("add_header").first?.line == 23)
        #expect(lgsp.locations[2].values("proxy_set_header").first?.arguments == ["X-Version", "${version}"])
        let redirect = try #require(config.nginx.first { $0.serverNames == ["_"] })
        #expect(redirect.loopbackOnly && !redirect.ssl)
    }

    @Test func quotesCommentsAndNesting() throws {
        let text = """
        http { # comment { not a block
          add_header X-Test "a;b # not a comment \\" q" always;  # trailing
          server { listen 443 ssl; location /a { location /a/b { autoindex on; } } }
        }
        """
        let nodes = try NginxParserProbe.parse(text)
        #expect(nodes.count == 1)
        let config = try writeAndRead(text)
        let server = try #require(config.nginx.first)
        #expect(server.values("add_header").first?.arguments == ["X-Test", "a;b # not a comment \" q", "always"])
        #expect(server.locations.map(\.match) == ["/a", "/a > /a/b"])
        #expect(server.locations[1].values("autoindex").first?.line == 3)
    }

    @Test(arguments: [
        ("http {\n  server_tokens off\n}\n", 3, "unexpected \"}\""),
        ("http {\n  server { listen 80; }\n", 3, "unexpected end of file"),
        ("events {}\n}\n", 2, "unexpected \"}\""),
        ("http {\n  add_header X \"open;\n}\n", 2, "unterminated"),
        ("http {\n  ;\n}\n", 2, "unexpected \";\""),
        ("{ }\n", 1, "unexpected \"{\""),
    ])
    func syntaxErrorsNameFileAndLine(text: String, line: Int, message: String) throws {
        let config = try writeAndRead(text)
        let issue = try #require(config.errors.first)
        #expect(issue.kind == .nginx && issue.file.hasSuffix("nginx.conf"))
        #expect(issue.line == line, "\(issue)")
        #expect(issue.message.contains(message), "\(issue)")
    }

    @Test func errorsInIncludedFilesNameTheIncludedFile() throws {
        let directory = try ConfigFixture.temporary("include")
        try "http {\n  include sites/*.conf;\n  include missing.conf;\n}\n".write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sites"), withIntermediateDirectories: true)
        try "server {\n  listen 80;\n  location / {\n".write(to: directory.appendingPathComponent("sites/a.conf"), atomically: true, encoding: .utf8)
        let config = ConfigProbe.read(["nginx:" + directory.appendingPathComponent("nginx.conf").path])
        #expect(config.errors.count == 2)
        #expect(config.errors.contains { $0.file.hasSuffix("sites/a.conf") && $0.line == 4 })
        #expect(config.errors.contains { $0.file.hasSuffix("nginx.conf") && $0.line == 3 && $0.message.contains("missing.conf") })
        #expect(ConfigFixture.failing(config) == ["config.parse-error"])
        #expect(ConfigFixture.verdicts(config)["config.nginx.server-tokens"].map { if case .inconclusive = $0 { true } else { false } } == true)
    }

    @Test func everyTruncationInsideTheHTTPBlockFailsWithALine() throws {
        let text = try String(contentsOfFile: ConfigFixture.path("nginx-good/nginx.conf"), encoding: .utf8)
        let scalars = Array(text.unicodeScalars)
        let start = try #require(text.range(of: "http {")).upperBound.utf16Offset(in: text)
        let end = try #require(text.range(of: "}", options: .backwards)).lowerBound.utf16Offset(in: text)
        var checked = 0
        for length in 0..<scalars.count {
            var prefix = String.UnicodeScalarView()
            prefix.append(contentsOf: scalars[0..<length])
            let result = NginxParserProbe.parseResult(String(prefix))
            if length >= start && length <= end {
                guard case .failure(let issue) = result else {
                    Issue.record("prefix of \(length) characters parsed")
                    continue
                }
                #expect(issue.line >= 1 && issue.line <= 40)
                checked += 1
            }
        }
        #expect(checked > 500)
    }

    @Test func nginxAgreesTheFixturesAreValid() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else { return }
        let pki = try LabPKI(directory: try ConfigFixture.temporary("pki"))
        for name in ["nginx-good", "nginx-bad"] {
            let directory = try ConfigFixture.temporary(name)
            for file in try FileManager.default.subpathsOfDirectory(atPath: ConfigFixture.path(name)) {
                let source = ConfigFixture.directory.appendingPathComponent(name).appendingPathComponent(file)
                var isDirectory: ObjCBool = false
                FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory)
                if isDirectory.boolValue {
                    try FileManager.default.createDirectory(at: directory.appendingPathComponent(file), withIntermediateDirectories: true)
                } else {
                    try FileManager.default.copyItem(at: source, to: directory.appendingPathComponent(file))
                }
            }
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("tmp"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: pki.good.certPEMPath, toPath: directory.appendingPathComponent("cert.pem").path)
            try FileManager.default.copyItem(atPath: pki.good.keyPEMPath, toPath: directory.appendingPathComponent("key.pem").path)
            try FileManager.default.copyItem(atPath: pki.caPEMPath, toPath: directory.appendingPathComponent("ca.pem").path)
            let main = directory.appendingPathComponent("nginx.conf").path
            let (status, output) = try ConfigFixture.run("/usr/sbin/nginx", ["-t", "-p", directory.path + "/", "-c", main, "-e", directory.appendingPathComponent("error.log").path])
            #expect(status == 0, "nginx -t \(name): \(output)")
            #expect(ConfigProbe.read([main]).errors.isEmpty)
            // And both reject the same truncation.
            let broken = directory.appendingPathComponent("broken.conf").path
            let text = try String(contentsOfFile: main, encoding: .utf8)
            try String(text.dropLast(3)).write(toFile: broken, atomically: true, encoding: .utf8)
            let rejected = try ConfigFixture.run("/usr/sbin/nginx", ["-t", "-p", directory.path + "/", "-c", broken, "-e", directory.appendingPathComponent("error.log").path])
            #expect(rejected.status != 0)
            #expect(!ConfigProbe.read(["nginx:" + broken]).errors.isEmpty)
        }
    }

    func writeAndRead(_ text: String) throws -> ConfigFacts {
        let directory = try ConfigFixture.temporary("inline")
        let path = directory.appendingPathComponent("nginx.conf").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return ConfigProbe.read(["nginx:" + path])
    }
}

/// Parses text alone through a temporary file (the parser's text entry point is internal).
enum NginxParserProbe {
    static func parseResult(_ text: String) -> Result<[NginxServerFacts], ConfigIssue> {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-nginx-prefix-\(ProcessInfo.processInfo.processIdentifier).conf").path
        guard (try? text.write(toFile: path, atomically: true, encoding: .utf8)) != nil else {
            return .failure(ConfigIssue(kind: .nginx, file: path, line: 0, message: "cannot write"))
        }
        let parsed = NginxParser.parse(path: path)
        if let issue = parsed.issues.first { return .failure(issue) }
        return .success(parsed.servers)
    }

    static func parse(_ text: String) throws -> [NginxServerFacts] {
        try parseResult(text).get()
    }
}
