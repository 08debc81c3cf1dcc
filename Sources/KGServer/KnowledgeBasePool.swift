import Dispatch
import Foundation
import KGLog

/// A knowledge base that one request at a time uses, on a thread of its own (the event loops
/// never wait on it). Its checkpoint stops a query past its deadline or once its client left.
final class KnowledgeBaseHandle: @unchecked Sendable {
    let knowledgeBase: KnowledgeBase
    private let queue: DispatchQueue
    /// The writer's generation this knowledge base last read its rules and arities at.
    var generation = 0

    init(_ knowledgeBase: KnowledgeBase, label: String) {
        self.knowledgeBase = knowledgeBase
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on this knowledge base's thread, stopped by `stop` (checked regularly while
    /// a query is evaluated).
    func run<T: Sendable>(stop: Stop, _ body: @escaping @Sendable (KnowledgeBase) throws -> T) async throws -> T {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    self.knowledgeBase.checkpoint = { try stop.check() }
                    defer { self.knowledgeBase.checkpoint = nil }
                    continuation.resume(with: Result { try stop.check(); return try body(self.knowledgeBase) })
                }
            }
        } onCancel: {
            stop.cancel()
        }
    }
}

/// Why a request stops early: a deadline, or its client went away.
final class Stop: @unchecked Sendable {
    private let deadline: ContinuousClock.Instant?
    private let lock = NSLock()
    private var cancelled = false

    init(after timeout: Duration?) {
        deadline = timeout.map { ContinuousClock.now + $0 }
    }

    func cancel() {
        lock.withLock { cancelled = true }
    }

    func check() throws {
        if lock.withLock({ cancelled }) { throw ServerError.cancelled }
        if let deadline, ContinuousClock.now >= deadline { throw ServerError.timedOut }
    }
}

/// The knowledge bases a server answers from: one writer, and for a file or a database some
/// readers, each on its own connection, so that queries run in parallel (SQLite in WAL mode,
/// PostgreSQL as ever) while writes go one at a time. A knowledge base in memory has only the
/// writer: everything goes through it, one request at a time.
actor KnowledgeBasePool {
    private let writer: KnowledgeBaseHandle
    private var idle: [KnowledgeBaseHandle]
    private var waiting: [CheckedContinuation<KnowledgeBaseHandle, Never>] = []
    /// Counts the writes: a reader that read its rules at an older one reads them again.
    private var generation = 0
    private var writerBusy = false
    private var writerWaiting: [CheckedContinuation<Void, Never>] = []

    init(writer: KnowledgeBase, readers: [KnowledgeBase]) {
        self.writer = KnowledgeBaseHandle(writer, label: "kglog.writer")
        idle = readers.enumerated().map { KnowledgeBaseHandle($0.element, label: "kglog.reader\($0.offset)") }
        hasReaders = !readers.isEmpty
    }

    nonisolated let hasReaders: Bool

    /// Runs a read on an idle reader (or, without readers, on the writer).
    func read<T: Sendable>(stop: Stop, _ body: @escaping @Sendable (KnowledgeBase) throws -> T) async throws -> T {
        guard hasReaders else { return try await write(stop: stop, changes: false, body) }
        let handle = await acquireReader()
        defer { idle.append(handle); resumeReader() }
        let current = generation
        let stale = handle.generation != current
        handle.generation = current
        return try await handle.run(stop: stop) { knowledgeBase in
            if stale { try knowledgeBase.reload() }
            return try body(knowledgeBase)
        }
    }

    /// Runs a write on the writer, one at a time; `changes` counts it as a change the readers
    /// must see.
    func write<T: Sendable>(stop: Stop, changes: Bool = true, _ body: @escaping @Sendable (KnowledgeBase) throws -> T) async throws -> T {
        while writerBusy { await withCheckedContinuation { writerWaiting.append($0) } }
        writerBusy = true
        defer {
            writerBusy = false
            if !writerWaiting.isEmpty { writerWaiting.removeFirst().resume() }
        }
        let result = try await writer.run(stop: stop, body)
        if changes { generation += 1 }
        return result
    }

    private func acquireReader() async -> KnowledgeBaseHandle {
        if let handle = idle.popLast() { return handle }
        return await withCheckedContinuation { waiting.append($0) }
    }

    private func resumeReader() {
        guard !waiting.isEmpty, let handle = idle.popLast() else { return }
        waiting.removeFirst().resume(returning: handle)
    }
}
