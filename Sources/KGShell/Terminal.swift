import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Raw mode for the line editor, restored on every way out: normal return, `exit`, and the
/// signals that end a process.
final class Terminal {
    private var original = termios()
    private(set) var isRaw = false

    /// The settings to restore, reachable from a signal handler.
    nonisolated(unsafe) private static var saved: termios?

    init?() {
        guard isatty(STDIN_FILENO) != 0, tcgetattr(STDIN_FILENO, &original) == 0 else { return nil }
        Terminal.saved = original
        atexit { Terminal.restoreSaved() }
        for signal in [SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS] {
            Glibc.signal(signal) { number in
                Terminal.restoreSaved()
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    static func restoreSaved() {
        if var settings = saved { tcsetattr(STDIN_FILENO, TCSAFLUSH, &settings) }
    }

    /// No echo, no line buffering, no signals from keys: the editor sees every byte. Keys typed
    /// ahead (while a query ran) are kept, not discarded.
    func enableRaw() {
        guard !isRaw else { return }
        var raw = original
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(STDIN_FILENO, TCSADRAIN, &raw)
        isRaw = true
    }

    /// Back to the settings the session started with (Ctrl-C sends SIGINT again).
    func restore() {
        guard isRaw else { return }
        tcsetattr(STDIN_FILENO, TCSADRAIN, &original)
        isRaw = false
    }

    func write(_ text: String) {
        Console.out(text)
    }

    /// The screen's size in rows and columns, when standard output is this terminal.
    var screenSize: (rows: Int, columns: Int)? {
        var size = winsize()
        guard isatty(STDOUT_FILENO) != 0, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return nil }
        return (Int(size.ws_row), Int(size.ws_col))
    }

    /// One byte from the keyboard, or nil at the end of input.
    func readByte() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let n = read(STDIN_FILENO, &byte, 1)
            if n == 1 { return byte }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }
}
