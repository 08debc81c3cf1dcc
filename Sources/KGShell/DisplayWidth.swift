/// The number of terminal columns a string takes: wide East Asian characters count two,
/// combining marks and zero-width characters none.
func displayWidth(_ text: String) -> Int {
    var width = 0
    for character in text {
        guard let scalar = character.unicodeScalars.first else { continue }
        width += scalarWidth(scalar)
    }
    return width
}

private func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    if v == 0 || v == 0x200B || (0x0300...0x036F).contains(v) { return 0 }
    if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark { return 0 }
    let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
    return wide.contains { $0.contains(v) } ? 2 : 1
}

/// `text` cut to at most `limit` columns, ending with an ellipsis when cut.
func truncated(_ text: String, to limit: Int) -> String {
    guard displayWidth(text) > limit else { return text }
    var result = ""
    var width = 0
    for character in text {
        let w = displayWidth(String(character))
        if width + w > limit - 1 { break }
        result.append(character)
        width += w
    }
    return result + "…"
}
