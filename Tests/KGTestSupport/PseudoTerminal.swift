import Foundation

/// Runs a program in a pseudo-terminal of its own (its controlling terminal, so Ctrl-C sends
/// SIGINT as a real one does) and types keys, each only once the screen shows what a person
/// would wait for. Driven by python3's `pty` module, which `.ci/run` installs.
public enum PseudoTerminal {
    /// One step of a session: wait until `expect` appears on the screen after the previous
    /// step's match (nil: no wait), or until the program has turned the terminal's signal keys
    /// back on (`whileRunning`: it runs a statement, so Ctrl-C becomes SIGINT), then type `keys`.
    public struct Step: Sendable {
        public var expect: String?
        public var whileRunning: Bool
        public var keys: String

        public static func type(_ keys: String, after expect: String? = nil) -> Step {
            Step(expect: expect, whileRunning: false, keys: keys)
        }

        /// Types `keys` while the program evaluates (its terminal has signal keys on again).
        public static func typeWhileRunning(_ keys: String) -> Step {
            Step(expect: nil, whileRunning: true, keys: keys)
        }
    }

    static let driver = """
        import fcntl, json, os, pty, select, struct, sys, termios, time
        args, steps, home, timeout = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], float(sys.argv[4])
        rows, columns, environment = int(sys.argv[5]), int(sys.argv[6]), json.loads(sys.argv[7])
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["HOME"] = home
            os.environ["TERM"] = "xterm"
            for name, value in environment.items():
                os.environ[name] = value
            # The screen's size, set before the program can ask (0 x 0: a terminal of unknown size).
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.execv(args[0], args)
        out, position, ended = b"", 0, False
        def read_some(seconds):
            global out, ended
            r, _, _ = select.select([fd], [], [], seconds)
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    ended = True
                out += data
        def fail(what):
            sys.stdout.write(out.decode("utf-8", "replace"))
            sys.stderr.write("no " + what + " within " + str(timeout) + " s\\n")
            os.kill(pid, 9)
            sys.exit(3)
        for number, step in enumerate(steps):
            deadline = time.time() + timeout
            if step.get("expect") is not None:
                wanted = step["expect"].encode()
                while out.find(wanted, position) < 0:
                    if ended or time.time() > deadline:
                        fail("%r on the screen (step %d)" % (step["expect"], number))
                    read_some(0.05)
                position = out.find(wanted, position) + len(wanted)
            if step.get("whileRunning"):
                while not (termios.tcgetattr(fd)[3] & termios.ISIG):
                    if ended or time.time() > deadline:
                        fail("statement running (step %d)" % number)
                    read_some(0.002)
            os.write(fd, step["keys"].encode())
        deadline = time.time() + timeout
        while not ended:
            if time.time() > deadline:
                fail("end of the program")
            read_some(0.05)
        os.waitpid(pid, 0)
        sys.stdout.write(out.decode("utf-8", "replace"))
        """

    /// Runs `executable` with `arguments` in a pseudo-terminal through `steps`; returns everything
    /// the terminal showed once the program ended. Each wait lasts at most `timeout` seconds.
    /// The screen has `rows` and `columns` (0: unknown, as a new pseudo-terminal's), and
    /// `environment` adds to the program's environment.
    public static func run(_ executable: String, _ arguments: [String], steps: [Step], home: String,
                           rows: Int = 0, columns: Int = 0, environment: [String: String] = [:],
                           timeout: Double = 30) throws -> String {
        let python = try TestEnvironment.tool("python3")
        let encode = { (value: Any) throws -> String in String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self) }
        let stepObjects: [[String: Any]] = steps.map { step in
            var object: [String: Any] = ["keys": step.keys, "whileRunning": step.whileRunning]
            if let expect = step.expect { object["expect"] = expect }
            return object
        }
        let result = try Subprocess.run(python, ["-c", driver, try encode([executable] + arguments), try encode(stepObjects), home, String(timeout),
                                                           String(rows), String(columns), try encode(environment)],
                                        timeout: timeout * Double(steps.count + 2))
        if result.status != 0 {
            throw Subprocess.Timeout(description: "the terminal session failed: \(result.stderr)the screen:\n\(result.stdout)")
        }
        return result.stdout
    }
}
