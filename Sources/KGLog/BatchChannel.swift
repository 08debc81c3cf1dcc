import Foundation

/// Hands batches from one thread to another, holding at most `capacity`: the reader waits
/// when the writer falls behind, so memory stays flat.
final class BatchChannel<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [Result<Item, Error>] = []
    private var finished = false
    private var abandoned = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A channel that `produce` fills on a thread of its own, passing each item to the `send`
    /// it is given. `send` throws once the receiver has abandoned the channel, which ends the
    /// producer quietly; any other error it throws reaches the receiver. The channel is finished
    /// when `produce` returns. The producer is not waited for.
    static func filled(capacity: Int,
                       by produce: @escaping @Sendable (_ send: @escaping (Item) throws -> Void) throws -> Void) -> BatchChannel {
        let channel = BatchChannel(capacity: capacity)
        Thread {
            defer { channel.finish() }
            do {
                try produce { item in guard channel.send(.success(item)) else { throw Abandoned() } }
            } catch is Abandoned {
            } catch {
                _ = channel.send(.failure(error))
            }
        }.start()
        return channel
    }

    private struct Abandoned: Error {}

    /// Waits for room, then passes `item` on; false when the receiver has stopped listening.
    func send(_ item: Result<Item, Error>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while waiting.count >= capacity && !abandoned { condition.wait() }
        guard !abandoned else { return false }
        waiting.append(item)
        condition.broadcast()
        return true
    }

    /// Nothing more will be sent.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, waiting for it; nil once everything sent has been received. While it
    /// waits (a slow disk, a pipe with nothing in it yet) it calls `check` every tenth of a
    /// second, which may throw to stop waiting.
    func receive(checking check: () throws -> Void) throws -> Result<Item, Error>? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !finished {
            if !condition.wait(until: Date(timeIntervalSinceNow: 0.1)) {
                condition.unlock()
                defer { condition.lock() }
                try check()
            }
        }
        guard !waiting.isEmpty else { return nil }
        condition.broadcast()
        return waiting.removeFirst()
    }

    /// The receiver stops: a waiting or later `send` returns false.
    func abandon() {
        condition.lock()
        abandoned = true
        waiting.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
