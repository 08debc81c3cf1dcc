import ArgumentParser
import Foundation

// Exit status: 0 success, 1 bad input (already reported), 2 bad usage.
do {
    var command = try Kglog.parseAsRoot()
    try command.run()
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    let status = Kglog.exitCode(for: error)
    if status == .success {
        print(Kglog.fullMessage(for: error))
        exit(0)
    }
    FileHandle.standardError.write(Data((Kglog.fullMessage(for: error) + "\n").utf8))
    exit(2)
}
