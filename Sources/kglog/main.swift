import ArgumentParser
import Foundation
import KGShell

Console.install()

// Exit status: 0 success, 1 bad input (already reported), 2 bad usage.
do {
    var command = try Kglog.parseAsRoot()
    try command.run()
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    let status = Kglog.exitCode(for: error)
    if status == .success {
        Console.out(Kglog.fullMessage(for: error) + "\n")
        exit(0)
    }
    Console.error(Kglog.fullMessage(for: error) + "\n")
    exit(2)
}
