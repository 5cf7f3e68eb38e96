import ArgumentParser
import Engine
import Foundation
import Inventory
import Rules
import SansangCore

/// Loads the declarative rules for a command: `--rules DIR`, else `Checks/rules` near the
/// inventory, the working directory or the executable. Any invalid file stops the command (exit 2)
/// with every error printed; rules that reuse a built-in id are refused too.
func loadDeclarativeRules(_ option: String?, inventory: Inventory? = nil) throws -> [DeclarativeRuleSpec] {
    var extra: [String] = []
    if let inventory {
        var folder = URL(fileURLWithPath: inventory.source).deletingLastPathComponent()
        for _ in 0..<4 { extra.append(folder.path); folder.deleteLastPathComponent() }
    }
    guard let directory = option ?? DeclarativeRuleLoader.locate(near: DeclarativeRuleLoader.defaultSearchDirectories(extra: extra)) else {
        printError("sansang: warning: Checks/rules not found near the working directory or the executable; declarative rules (tls.protocol.sslv2, .sslv3, .tls10, .tls11 …) are not run. Pass --rules DIR.")
        return []
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
        printError("sansang: --rules \(directory): not a directory")
        throw ExitCode(2)
    }
    let (rules, errors) = validateDeclarativeRules(directory: directory)
    guard errors.isEmpty else {
        for error in errors { printError("sansang: \(error.reason)") }
        printError("sansang: \(errors.count) error(s) in the declarative rules; nothing was scanned (check with: sansang checks validate \(directory))")
        throw ExitCode(2)
    }
    return rules
}

/// Loads a rules directory. A declarative rule may replace the built-in rule of the same id (the
/// four `tls.protocol.*` rules ship both ways); it must keep that rule's probe.
func validateDeclarativeRules(directory: String) -> (rules: [DeclarativeRuleSpec], errors: [SansangError]) {
    var (rules, errors) = DeclarativeRuleLoader.load(directory: directory)
    let builtin = Dictionary(RuleCatalog.everything.map { ($0.meta.id, $0.meta.probe) }, uniquingKeysWith: { first, _ in first })
    let probeOf: (DeclarativeRuleSpec) -> String = { $0.facts.probe }
    for rule in rules {
        if let probe = builtin[rule.meta.id], probe != probeOf(rule) {
            errors.append(SansangError(.configuration, "\(rule.source): id: '\(rule.meta.id)' is a built-in \(probe) rule; a replacement must read \(probe) facts"))
        }
    }
    rules.removeAll { rule in builtin[rule.meta.id].map { $0 != probeOf(rule) } ?? false }
    return (rules, errors)
}

/// Executables in `Checks/plugins/` near the inventory or the working directory.
func discoverPlugins(inventory: Inventory? = nil) -> [PluginSpec] {
    var directories: [String] = []
    if let inventory { directories.append(URL(fileURLWithPath: inventory.source).deletingLastPathComponent().path) }
    directories.append(FileManager.default.currentDirectoryPath)
    guard let directory = DeclarativeRuleLoader.locate(near: directories, sub: "plugins") else { return [] }
    return PluginSpec.discover(in: directory)
}
