// Shadows the standard library's `precondition` and `preconditionFailure` inside this module so
// that a programmer error (a shape mismatch, an argument out of range) stops with its message in
// every build: the standard versions drop the message in optimized builds and vanish entirely
// under -Ounchecked, which left users of release builds with "precondition failure" and no hint.

@inline(__always)
func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
                  file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

@inline(__always)
func preconditionFailure(_ message: @autoclosure () -> String = String(), file: StaticString = #fileID,
                         line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
