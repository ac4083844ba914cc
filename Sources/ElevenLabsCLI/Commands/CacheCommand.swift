// `elevenlabs cache [info|clear|path]`: the audio cache, where people look for it (a command, as
// `--cache-info` and `--clear-cache` were hard to find), with sizes people read (8.4 MiB of 512 MiB).
// The speak flags stay, answered by the same code.
#if canImport(Glibc)
import Glibc
#endif
import ElevenLabsAPI

enum CacheCommand {
    struct Info: Encodable {
        let entries: Int
        let bytes: Int
        let max_bytes: Int?
        let directory: String?
        let removed: Bool
    }

    static func run(_ inv: Invocation, _ context: Context) throws {
        switch inv.operands.first {
        case nil, "info": try expectOneVerb(inv); try info(inv, context, clear: false)
        case "clear": try expectOneVerb(inv); try info(inv, context, clear: true)
        case "path":
            try expectOneVerb(inv)
            let cache = try AudioCache(context: context, config: try Resolve.config(inv, context))
            guard let dir = cache.directory else {
                throw CLIError("no cache directory: neither XDG_CACHE_HOME nor HOME is set", exit: .input)
            }
            try context.out(dir + "\n")
        case let verb?:
            let near = nearest(verb, in: ["info", "clear", "path"]).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown action 'cache \(Output.clean(verb))'\(near)", command: "cache")
        }
    }

    private static func expectOneVerb(_ inv: Invocation) throws {
        if inv.operands.count > 1 {
            throw UsageError("'cache \(inv.operands[0])' takes no arguments, but got '\(Output.clean(inv.operands[1]))'", command: "cache")
        }
    }

    /// What the cache holds (and with `clear`, what was removed). Shared with `speak --cache-info`
    /// and `--clear-cache`.
    static func info(_ inv: Invocation, _ context: Context, clear: Bool) throws {
        let cache = try AudioCache(context: context, config: try Resolve.config(inv, context))
        let all = cache.entries()
        let gone = clear ? cache.clear() : (all.count, all.reduce(0) { $0 + $1.bytes })
        if inv.flag(.json) {
            try context.out(JSONFields.render(Info(entries: gone.0, bytes: gone.1, max_bytes: clear ? nil : cache.maxBytes,
                                                   directory: cache.directory, removed: clear), inv))
            return
        }
        let count = "\(Output.grouped(gone.0)) cached audio entr\(gone.0 == 1 ? "y" : "ies")"
        if clear {
            try context.out("removed \(count) (\(Output.size(gone.1)))\n")
        } else {
            let cap = cache.maxBytes == 0 ? "the cache is off (cache_max_mb = 0)" : "of \(Output.size(cache.maxBytes))"
            try context.out("\(count), \(Output.size(gone.1)) \(cap), in \(cache.directory ?? "(no cache directory)")\n")
        }
    }
}
