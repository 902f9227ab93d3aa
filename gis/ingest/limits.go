package ingest

import (
	"errors"
	"fmt"

	"github.com/jointict/councilapi/domain"
)

// Limits bound what a hostile or broken file can make a reader allocate,
// and how much of a file may be refused before the whole file is. Zero
// fields take the defaults from DefaultLimits.
type Limits struct {
	MaxFeatures int // features per file
	// MaxFeaturesSetting names the setting that raises MaxFeatures, for
	// the error a too-large file gets.
	MaxFeaturesSetting string
	MaxPoints          int   // coordinates per geometry
	MaxParts           int   // rings or parts per geometry
	MaxProperties      int   // properties per feature
	MaxStringBytes     int   // bytes of one property value or text node
	MaxFeatureBytes    int64 // encoded bytes of one feature / record / CSV row
	MaxDecodedBytes    int64 // uncompressed bytes of one Shapefile zip member
	MaxInvalidReport   int   // entries listed in each list of a Report (all are counted)
	// MaxRejectedPercent is the share of a file's features that may be
	// refused (left out, each reported) before the whole file is refused:
	// more than a few broken features usually means a wrong CRS or a
	// broken export rather than a few bad records.
	MaxRejectedPercent int
}

// DefaultLimits allow a few million points and detailed council boundaries
// while keeping one feature's worst case to tens of megabytes.
var DefaultLimits = Limits{
	MaxFeatures:        10_000_000,
	MaxFeaturesSetting: "COUNCILAPI_MAX_FEATURES",
	MaxPoints:          2_000_000,
	MaxParts:           100_000,
	MaxProperties:      2_000,
	MaxStringBytes:     1 << 20,
	MaxFeatureBytes:    64 << 20,
	MaxDecodedBytes:    4 << 30,
	MaxInvalidReport:   1_000,
	MaxRejectedPercent: 10,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	pick := func(v *int, own int) {
		if own > 0 {
			*v = own
		}
	}
	pick(&d.MaxFeatures, l.MaxFeatures)
	pick(&d.MaxPoints, l.MaxPoints)
	pick(&d.MaxParts, l.MaxParts)
	pick(&d.MaxProperties, l.MaxProperties)
	pick(&d.MaxStringBytes, l.MaxStringBytes)
	pick(&d.MaxInvalidReport, l.MaxInvalidReport)
	pick(&d.MaxRejectedPercent, l.MaxRejectedPercent)
	if l.MaxFeatureBytes > 0 {
		d.MaxFeatureBytes = l.MaxFeatureBytes
	}
	if l.MaxDecodedBytes > 0 {
		d.MaxDecodedBytes = l.MaxDecodedBytes
	}
	if l.MaxFeaturesSetting != "" {
		d.MaxFeaturesSetting = l.MaxFeaturesSetting
	}
	return d
}

// ErrLimit is wrapped by errors raised when a file exceeds a Limits bound.
var ErrLimit = errors.New("file exceeds an ingest limit")

func limitErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrLimit}, args...)...)
}

// LimitError is a file with more features than Limits.MaxFeatures. It is
// raised from the file's header where the format records a count, else
// when reading reaches the limit. It unwraps to ErrLimit and to a
// domain.CodeTooLarge error naming the limit and the setting.
type LimitError struct {
	Limit   int    // the limit in force
	Found   int64  // the count the file declares; 0 when found by counting
	Where   string // where the count was found, e.g. "the .dbf header"
	Setting string // the setting that raises the limit
}

func (e *LimitError) Error() string {
	found := fmt.Sprintf("more than %d features", e.Limit)
	if e.Found > 0 {
		found = fmt.Sprintf("%d features (as %s says)", e.Found, e.Where)
	}
	return fmt.Sprintf("the file holds %s, more than the limit of %d features per upload (MaxFeatures); "+
		"split it, or ask the administrator to raise the limit with the %s setting", found, e.Limit, e.Setting)
}

func (e *LimitError) Unwrap() []error {
	return []error{ErrLimit, &domain.Error{Code: domain.CodeTooLarge, Message: e.Error(),
		Fields: []domain.FieldProblem{{Field: "file", Problem: fmt.Sprintf("at most %d features per upload (setting %s)", e.Limit, e.Setting)}}}}
}

func (l Limits) tooMany(found int64, where string) error {
	if found > 0 && found <= int64(l.MaxFeatures) {
		return nil
	}
	return &LimitError{Limit: l.MaxFeatures, Found: found, Where: where, Setting: l.MaxFeaturesSetting}
}
