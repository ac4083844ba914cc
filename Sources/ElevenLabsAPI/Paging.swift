// The end of a paged listing, decided for every endpoint the same way. A server's "there is more"
// is believed only while it makes progress: a repeated page token (or cursor), an empty page that
// still says "more", or more pages than any real account has, end the listing with an error naming
// the endpoint (exit 1), instead of requests for ever (a hostile server made 339 in 15 s).
public struct PageGuard: Sendable {
    public let endpoint: String
    public let maxPages: Int
    private var pages = 0
    private var seen: Set<String> = []

    public init(endpoint: String, maxPages: Int) { self.endpoint = endpoint; self.maxPages = maxPages }

    /// After a page of `count` items: the token to ask for next, or nil when the listing is done.
    public mutating func next(_ token: String?, hasMore: Bool, count: Int) throws -> String? {
        pages += 1
        guard hasMore else { return nil }
        guard let token, !token.isEmpty else {
            throw ResponseFormatError(endpoint: endpoint, detail: "it said there were more pages but gave no token for the next")
        }
        guard count > 0 else {
            throw ResponseFormatError(endpoint: endpoint, detail: "it sent an empty page that said there were more")
        }
        guard seen.insert(token).inserted else {
            throw ResponseFormatError(endpoint: endpoint, detail: "it gave the same page token twice, so the listing would never end")
        }
        guard pages < maxPages else {
            throw ResponseFormatError(endpoint: endpoint, detail: "it still had more after \(maxPages) pages")
        }
        return token
    }
}
