public import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SansangCore

/// Web sites for the HTTP probe: one nginx on 127.0.0.1, started with a generated config in
/// its own directory, stopped by pid. Core nginx directives only (Debian's nginx-light).
///
/// - `good` (HTTPS): every security header, a `__Host-` cookie with all flags, security.txt.
/// - `bare` (HTTPS): no security headers, `server_tokens on`, X-Powered-By, HSTS max-age=300,
///   a session cookie without flags, CORS reflecting any Origin with credentials, autoindex on
///   `/files/`, an exposed `/.git/config`.
/// - `redirect` (HTTP): 301 to `good`.
/// - `plain` (HTTP): content over plain HTTP, no redirect.
/// - `soft404` (HTTPS): 200 and the same page for every path; the page contains markers of
///   exposed files (`[core]`, `DB_PASSWORD`, `swagger-ui`) that must not be reported.
public final class NginxLab: Sendable {
    public enum Site: String, CaseIterable, Sendable {
        case good, bare, redirect, plain, soft404

        public var scheme: String { self == .redirect || self == .plain ? "http" : "https" }
    }

    public let directory: URL
    public let ports: [Site: Int]
    private let child: ChildProcess

    public var pid: Int32 { child.pid }
    public var isRunning: Bool { child.isRunning }

    public func url(_ site: Site) -> String { "\(site.scheme)://127.0.0.1:\(ports[site] ?? 0)/" }

    /// Writes the sites under `directory` and starts nginx; waits (bounded) until every port listens.
    public init(pki: LabPKI, directory: URL, executable: String = "/usr/sbin/nginx", startTimeout: TimeInterval = 20) throws {
        self.directory = directory
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.writeSites(in: directory)
        var lastError = SansangError(.io, "nginx did not start")
        for _ in 0..<3 {  // a free port may be taken between our probe and nginx's bind
            var ports: [Site: Int] = [:]
            for site in Site.allCases { ports[site] = try LabSocket.freePort() }
            let config = directory.appendingPathComponent("nginx.conf")
            try Self.config(directory: directory, ports: ports, pki: pki).write(to: config, atomically: true, encoding: .utf8)
            let child = try ChildProcess(executable: executable, arguments: [
                "-p", directory.path, "-c", config.path, "-e", directory.appendingPathComponent("error.log").path,
                "-g", "daemon off; master_process on; pid \(directory.appendingPathComponent("nginx.pid").path);",
            ])
            let deadline = Date().addingTimeInterval(min(max(startTimeout, 0.1), 60))
            var ready = false
            while Date() < deadline && child.exitStatus == nil {
                if ports.values.allSatisfy(OpenSSLServer.isListening(port:)) { ready = true; break }
                usleep(50_000)
            }
            if ready {
                self.ports = ports
                self.child = child
                return
            }
            let log = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
            child.stop()
            lastError = SansangError(.io, "nginx did not listen on \(ports.values.sorted()): \(child.standardError) \(log.suffix(600))")
            if !(log.contains("in use") || child.standardError.contains("in use")) { throw lastError }
        }
        throw lastError
    }

    deinit { child.stop() }

    /// SIGTERM, then SIGKILL after a grace period; nginx's workers exit with their master.
    public func stop() { child.stop(grace: 3) }

    public var errorLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
    }

    static func writeSites(in directory: URL) throws {
        let files: [String: String] = [
            "good/index.html": "<!doctype html><html><head><title>Cổng dịch vụ công</title></head><body>Xin chào</body></html>\n",
            "good/.well-known/security.txt": "Contact: mailto:soc@example.gov.vn\nExpires: 2030-01-01T00:00:00.000Z\n",
            "bare/index.html": "<!doctype html><html><head><title>Một cửa điện tử</title></head><body>Đăng nhập</body></html>\n",
            "bare/.git/config": "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n[remote \"origin\"]\n\turl = git@git.example.gov.vn:tthc/portal.git\n",
            "bare/files/ho-so-1.pdf": "%PDF-1.4 demo\n",
            "bare/files/danh-sach.xlsx": "demo\n",
            "plain/index.html": "<!doctype html><html><body>HTTP only</body></html>\n",
            "soft404/index.html": "<!doctype html><html><body>Trang chủ — hướng dẫn: [core] DB_PASSWORD swagger-ui \"openapi\"</body></html>\n",
        ]
        for (path, content) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    static func config(directory: URL, ports: [Site: Int], pki: LabPKI) -> String {
        let dir = directory.path
        let port = { (site: Site) in ports[site] ?? 0 }
        let tls = """
                ssl_certificate \(pki.good.chainPEMPath);
                ssl_certificate_key \(pki.good.keyPEMPath);
                ssl_protocols TLSv1.2 TLSv1.3;
        """
        // Started as root, nginx drops its workers to `nobody`, who may not be allowed into the
        // checkout (try_files then answers 404); the lab keeps them as root, on loopback only.
        let user = geteuid() == 0 ? "user root root;\n" : ""
        return """
        \(user)worker_processes 1;
        error_log \(dir)/error.log warn;
        events { worker_connections 64; }
        http {
            access_log off;
            client_body_temp_path \(dir)/tmp/body;
            proxy_temp_path \(dir)/tmp/proxy;
            fastcgi_temp_path \(dir)/tmp/fastcgi;
            uwsgi_temp_path \(dir)/tmp/uwsgi;
            scgi_temp_path \(dir)/tmp/scgi;
            types { text/html html; text/plain txt; application/pdf pdf; }
            default_type application/octet-stream;
            server_tokens off;

            server {
                listen 127.0.0.1:\(port(.good)) ssl;
        \(tls)
                root \(dir)/good;
                add_header Strict-Transport-Security "max-age=63072000; includeSubDomains; preload" always;
                add_header Content-Security-Policy "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'" always;
                add_header X-Frame-Options "DENY" always;
                add_header X-Content-Type-Options "nosniff" always;
                add_header Referrer-Policy "strict-origin-when-cross-origin" always;
                add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;
                add_header Cross-Origin-Opener-Policy "same-origin" always;
                add_header Cross-Origin-Resource-Policy "same-origin" always;
                add_header Cache-Control "no-store" always;
                add_header Set-Cookie "__Host-sid=s3cr3t; Path=/; Secure; HttpOnly; SameSite=Strict" always;
                location / { try_files $uri $uri/ =404; }
            }

            server {
                listen 127.0.0.1:\(port(.bare)) ssl;
        \(tls)
                server_tokens on;
                root \(dir)/bare;
                add_header Strict-Transport-Security "max-age=300" always;
                add_header X-Powered-By "PHP/7.4.3" always;
                add_header Set-Cookie "PHPSESSID=abc123; Path=/" always;
                add_header Access-Control-Allow-Origin $http_origin always;
                add_header Access-Control-Allow-Credentials "true" always;
                location /files/ { autoindex on; }
                location / { try_files $uri $uri/ =404; }
            }

            server {
                listen 127.0.0.1:\(port(.redirect));
                location / { return 301 https://127.0.0.1:\(port(.good))$request_uri; }
            }

            server {
                listen 127.0.0.1:\(port(.plain));
                root \(dir)/plain;
                location / { try_files $uri $uri/ =404; }
            }

            server {
                listen 127.0.0.1:\(port(.soft404)) ssl;
        \(tls)
                root \(dir)/soft404;
                add_header Strict-Transport-Security "max-age=31536000" always;
                location / { try_files $uri /index.html; }
            }
        }

        """
    }
}
