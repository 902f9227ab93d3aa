package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"time"
)

// NewID returns a 26-character id that sorts by creation time (millisecond
// timestamp first) and is unique without coordination (80 random bits), so
// audit entries and jobs list in order in both adapters.
func NewID() string {
	var r [10]byte
	if _, err := rand.Read(r[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("%012x%s", time.Now().UnixMilli(), hex.EncodeToString(r[:])[:14])
}

var collectionName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,40}$`)
var fieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// CheckCollection rejects collection names adapters could not use safely as
// table-index or collection names.
func CheckCollection(name string) error {
	if !collectionName.MatchString(name) {
		return fmt.Errorf("store: invalid collection name %q", name)
	}
	return nil
}

// CheckField rejects field paths that are not plain JSON member names.
func CheckField(name string) error {
	if !fieldName.MatchString(name) {
		return fmt.Errorf("store: invalid field name %q", name)
	}
	return nil
}
