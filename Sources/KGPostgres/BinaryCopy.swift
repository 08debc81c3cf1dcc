/// Rows in PostgreSQL's binary COPY format: a header, then each row as its number of fields and
/// each field as its length and bytes (integers big-endian), then a trailer.
struct BinaryCopy {
    private(set) var bytes: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]

    mutating func startRow(fields: Int) {
        append(UInt16(fields))
    }

    mutating func bigint(_ value: Int64) {
        append(UInt32(8))
        append(UInt64(bitPattern: value))
    }

    mutating func smallint(_ value: Int16) {
        append(UInt32(2))
        append(UInt16(bitPattern: value))
    }

    /// Text or bytea: the bytes as they are.
    mutating func bytes<C: Collection>(_ value: C) where C.Element == UInt8 {
        append(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// The stream, ended.
    var finished: [UInt8] { bytes + [0xFF, 0xFF] }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
