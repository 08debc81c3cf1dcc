import Dispatch

/// Work started on another thread now; `result()` waits for it (and may be called again).
/// The stores use it to sort or pack the next batch of rows while the current one is written.
public struct BackgroundWork<Result: Sendable> {
    private final class Box: @unchecked Sendable {
        var result: Result?
        let done = DispatchSemaphore(value: 0)
    }
    private let box = Box()

    public init(_ work: @escaping @Sendable () -> Result) {
        let box = self.box
        DispatchQueue.global().async {
            box.result = work()
            box.done.signal()
        }
    }

    public func result() -> Result {
        box.done.wait()
        box.done.signal()
        return box.result!
    }
}
