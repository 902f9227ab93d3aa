package sourcing

// What the external tests (package sourcing_test) need of the package's
// internals.

// Tokenize is the search's own tokeniser, for the naive reference search.
var Tokenize = tokenize

// SnapshotMagic starts every index snapshot, for the damaged-snapshot test.
const SnapshotMagic = snapshotMagic
