import KGFormats
#if canImport(Glibc)
import Glibc
#endif

/// Standard output and standard error for the REPL and the command line: every write is
/// checked. A closed pipe (the reader went away, as `kglog query ... | head -1` does) ends the
/// process quietly with status 0; any other failure (`> /dev/full`) is reported on standard
/// error and ends it with status 1, instead of a trap or a silent success.
public enum Console {
    /// Turns a closed pipe into an `EPIPE` error of the write, which `write` handles, instead
    /// of the signal that would end the process unannounced. Called once at start.
    public static func install() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes `text` to standard output.
    public static func out(_ text: String) {
        write(text, to: STDOUT_FILENO, name: "standard output")
    }

    /// Writes `text` to standard error.
    public static func error(_ text: String) {
        write(text, to: STDERR_FILENO, name: "standard error")
    }

    private static func write(_ text: String, to descriptor: Int32, name: String) {
        let failure = OutputFile.write(text, to: descriptor)
        guard failure != 0 else { return }
        if failure == EPIPE { exit(0) }
        if descriptor != STDERR_FILENO {
            let message = "kglog: error: \(FileError(path: name, errno: failure, writing: true).message)\n"
            _ = OutputFile.write(message, to: STDERR_FILENO)
        }
        exit(1)
    }
}
