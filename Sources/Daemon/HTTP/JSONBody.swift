import Foundation
import Hummingbird

/// JSON in and out: ISO 8601 dates, sorted keys, bodies read up to 256 KiB.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func bytes(_ request: Request) async throws -> Data {
        var request = request
        let buffer = try await request.collectBody(upTo: 256 * 1024)
        return Data(buffer: buffer)
    }

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let data = try await bytes(request)
        let decoder = JSONDecoder()
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw HTTPError(.badRequest, message: "the body is not the expected JSON: \(error)")
        }
    }
}

extension Data {
    init(buffer: ByteBuffer) {
        self = buffer.withUnsafeReadableBytes { Data($0) }
    }
}
