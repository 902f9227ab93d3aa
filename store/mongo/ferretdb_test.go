package mongo

import (
	"testing"

	"github.com/jointict/councilapi/internal/ferretdbtest"
)

// StartFerretDB serves FerretDB from this test process (see
// internal/ferretdbtest); exported for the package's external tests.
func StartFerretDB(t *testing.T) string { return ferretdbtest.Start(t) }
