import Foundation

/// Runs work whose recursion is as deep as its input on a thread with a stack of a chosen size
/// (reserved, not touched until used), and waits for it: the caller's own stack (8 MiB on a
/// main thread, less elsewhere) would overflow at a few thousand levels.
enum DeepStack {
    /// Plans with at most this many steps run on the caller's stack.
    static let stepsOnAnyStack = 500

    /// What crosses to the thread and back; the caller waits, so nothing is shared at once.
    private final class Work<T>: @unchecked Sendable {
        var body: (() throws -> T)?
        var result: Result<T, Error>?
        let done = DispatchSemaphore(value: 0)
    }

    static func run<T>(bytes: Int, _ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            let work = Work<T>()
            work.body = body
            let thread = Thread {
                work.result = Result { try work.body!() }
                work.done.signal()
            }
            thread.stackSize = bytes
            thread.start()
            work.done.wait()
            work.body = nil
            return try work.result!.get()
        }
    }
}
