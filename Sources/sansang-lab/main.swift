// sansang-lab: runs TLS endpoints on 127.0.0.1 for trying the scanner by hand.
//
//   sansang-lab demo --dir DIR          a demo "province" of good and deficient endpoints
//   sansang-lab fake --config FILE.json one FakeTLSServer, its port printed on stdout
//   sansang-lab http --dir DIR          nginx web sites for the HTTP probe (NginxLab)
//
// Both run until SIGTERM or SIGINT, then stop every server they started (by pid) and exit.
import Foundation
import TLSLab

#if canImport(Glibc)
import Glibc
#endif

let usage = """
    usage: sansang-lab demo --dir DIR
           sansang-lab fake --config FILE.json
           sansang-lab http --dir DIR
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("sansang-lab: \(message)\n".utf8))
    exit(1)
}

/// Unbuffered, so a parent reading our stdout through a pipe sees each line at once.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func option(_ name: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

/// Blocks until SIGTERM or SIGINT. The signals are ignored first so the dispatch sources get them;
/// children reset them to default when spawned.
func waitForTermination() {
    let done = DispatchSemaphore(value: 0)
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGTERM, SIGINT] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { done.signal() }
        source.resume()
        sources.append(source)
    }
    done.wait()
    sources.forEach { $0.cancel() }
}

signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())

switch arguments.first {
case "demo":
    guard let path = option("--dir", in: arguments) else { fail("demo needs --dir DIR\n\(usage)") }
    let directory = URL(fileURLWithPath: path).standardizedFileURL
    let lab: DemoLab
    do {
        lab = try DemoLab(directory: directory)
    } catch {
        fail("cannot start the demo lab: \(error)")
    }
    let pidFile = directory.appendingPathComponent("lab.pid")
    try? Data("\(getpid())\n".utf8).write(to: pidFile, options: .atomic)
    for endpoint in lab.endpoints {
        say("\(endpoint.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(endpoint.target)  \(endpoint.description)")
    }
    say("endpoints: \(lab.endpointsFile.path)")
    say("CA: \(lab.pki.caPEMPath)")
    say("running as pid \(getpid()); stop with SIGTERM or Ctrl-C")
    waitForTermination()
    lab.stop()
    try? FileManager.default.removeItem(at: pidFile)
    say("stopped")

case "fake":
    guard let path = option("--config", in: arguments) else { fail("fake needs --config FILE.json\n\(usage)") }
    let server: FakeTLSServer
    do {
        let config = try JSONDecoder().decode(FakeTLSConfig.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        server = try FakeTLSServer(config: config)
    } catch {
        fail("cannot start the fake server from \(path): \(error)")
    }
    say(String(server.port))
    waitForTermination()
    server.stop()

case "http":
    guard let path = option("--dir", in: arguments) else { fail("http needs --dir DIR\n\(usage)") }
    let directory = URL(fileURLWithPath: path).standardizedFileURL
    let lab: NginxLab
    let pki: LabPKI
    do {
        pki = try LabPKI(directory: directory.appendingPathComponent("pki"))
        lab = try NginxLab(pki: pki, directory: directory.appendingPathComponent("nginx"))
    } catch {
        fail("cannot start the nginx sites: \(error)")
    }
    for site in NginxLab.Site.allCases { say("\(site.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(lab.url(site))") }
    say("CA: \(pki.caPEMPath)")
    say("running as pid \(getpid()) (nginx \(lab.pid)); stop with SIGTERM or Ctrl-C")
    waitForTermination()
    lab.stop()
    say("stopped")

case "-h", "--help", "help":
    say(usage)

default:
    fail(usage)
}
