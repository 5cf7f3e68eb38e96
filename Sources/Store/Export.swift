public import Foundation
public import SansangCore
import GRDB

extension FindingStore {
    static let tables = ["scans", "scan_endpoints", "findings", "sightings", "events", "attestations"]

    /// The whole store as one JSON document: `{"format": "sansang-store", "version": 1, "tables": {...}}`.
    public func exportJSON() throws(SansangError) -> Data {
        let tables: [String: JSONValue] = try read("exporting the store") { db in
            var out: [String: JSONValue] = [:]
            for table in Self.tables {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2")
                out[table] = .array(rows.map { row in
                    var object: [String: JSONValue] = [:]
                    for column in row.columnNames {
                        let value: DatabaseValue = row[column]
                        switch value.storage {
                        case .null: object[column] = .null
                        case .int64(let number): object[column] = .number(Double(number))
                        case .double(let number): object[column] = .number(number)
                        case .string(let text): object[column] = .string(text)
                        case .blob(let data): object[column] = .string(data.base64EncodedString())
                        }
                    }
                    return .object(object)
                })
            }
            return out
        }
        let document: JSONValue = .object(["format": .string("sansang-store"), "version": .number(1), "tables": .object(tables)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return try encoder.encode(document) } catch { throw SansangError(.io, "cannot encode the export: \(error)") }
    }

    /// Loads an export into this store, which must be empty; all or nothing.
    public func importJSON(_ data: Data) throws(SansangError) {
        let document: JSONValue
        do { document = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw SansangError(.configuration, "not a sansang store export: \(error)")
        }
        guard document[path: ["format"]] == .string("sansang-store"), document[path: ["version"]] == .number(1),
              case .object(let tables)? = document[path: ["tables"]] else {
            throw SansangError(.configuration, "not a sansang store export (format 'sansang-store', version 1 expected)")
        }
        try write("importing the store") { db in
            let existing = try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM scans) + (SELECT count(*) FROM findings)") ?? 0
            guard existing == 0 else { throw SansangError(.configuration, "the target store is not empty; import into a new file") }
            for table in Self.tables {
                guard case .array(let rows)? = tables[table] else { continue }
                let known = Set(try db.columns(in: table).map(\.name))
                for (index, row) in rows.enumerated() {
                    guard case .object(let object) = row, !object.isEmpty else {
                        throw SansangError(.configuration, "tables.\(table)[\(index)] is not an object")
                    }
                    let columns = object.keys.sorted()
                    if let unknown = columns.first(where: { !known.contains($0) }) {
                        throw SansangError(.configuration, "tables.\(table)[\(index)]: unknown column '\(unknown)'")
                    }
                    let values: [(any DatabaseValueConvertible)?] = columns.map { column in
                        switch object[column] {
                        case .number(let number)?: number.rounded() == number && abs(number) < 9e15 ? Int64(number) : number
                        case .string(let text)?: text
                        case .bool(let flag)?: flag
                        default: nil
                        }
                    }
                    let names = columns.map { "\"\($0)\"" }.joined(separator: ", ")  // checked against the schema above
                    let marks = columns.map { _ in "?" }.joined(separator: ", ")
                    do {
                        try db.execute(sql: "INSERT INTO \(table) (\(names)) VALUES (\(marks))", arguments: StatementArguments(values))
                    } catch {
                        throw SansangError(.configuration, "tables.\(table)[\(index)]: \(error)")
                    }
                }
            }
        }
    }
}
