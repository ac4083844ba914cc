// CArguments has nothing to call: it replaces the Swift runtime's way of finding argv (arguments.c).
// SwiftPM asks a C target for a public header folder; this is all it holds.
