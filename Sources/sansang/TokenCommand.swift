public import ArgumentParser
import Foundation
import SansangCore
public import Store

extension APIRole: ExpressibleByArgument {}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "API tokens for `sansang serve`: create (shown once, stored hashed), list, revoke.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token. Roles: admin (everything), engineer (scan, change findings), auditor (read, reports, attestations), ci (trigger scans, read gate results)."
        )
        @OptionGroup var store: StoreOptions
        @Option(help: "Whose token this is; every change made with it is logged under this name.") var owner: String
        @Option(help: "admin, engineer, auditor or ci.") var role: APIRole
        @Option(help: "Who creates it (default: $SANSANG_ACTOR or the login name).") var by: String?

        func run() async throws {
            let findingStore = try store.open()
            let (token, secret) = try storeCall { () throws(SansangError) in
                try findingStore.createToken(owner: owner, role: role, by: by ?? defaultActor(), now: Date())
            }
            printError("token #\(token.id) for \(token.owner) (\(token.role.rawValue)); it is shown once — store it now:")
            print(secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            let formatter = ISO8601DateFormatter()
            for token in try storeCall({ () throws(SansangError) in try findingStore.tokens() }) {
                let used = token.lastUsedAt.map { formatter.string(from: $0) } ?? "never"
                let status = token.revokedAt.map { "revoked \(formatter.string(from: $0))" } ?? "active"
                print("#\(token.id)\t\(token.role.rawValue)\t\(token.owner)\tcreated \(formatter.string(from: token.createdAt)) by \(token.createdBy)\tlast used \(used)\t\(status)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id (it stops working at once, sessions included).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Token id (from `token list`).") var id: Int64
        @Option(help: "Who revokes it.") var by: String?

        func run() async throws {
            let findingStore = try store.open(mustExist: true)
            try storeCall { () throws(SansangError) in try findingStore.revokeToken(id, by: by ?? defaultActor(), now: Date()) }
            print("token #\(id) revoked")
        }
    }
}
