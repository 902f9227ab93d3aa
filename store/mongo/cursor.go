package mongo

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jointict/councilapi/store"
)

// feedCursor is what a reader carries between Changes calls. Because
// positions are taken before writes commit, a position above the newest one
// returned may still appear, so the cursor is a safe point plus the recent
// past: which positions above it were returned and which were missing
// (since when). A position is returned as soon as it is visible; the safe
// point moves past a position only once it has settled (settleRule).
type feedCursor struct {
	epoch string
	safe  int64      // every change at or below safe was returned, or its position given up
	seen  []seenPos  // positions above safe already returned, ascending
	gaps  []gapRange // positions above safe missing below a returned one, ascending, disjoint
}

type seenPos struct {
	pos int64
	at  time.Time // when first returned
	ids []uint32  // identity of each change returned at pos (several only when positions repeat)
}

type gapRange struct {
	from, to int64 // inclusive
	since    time.Time
}

// feedEntry is one change found in a collection.
type feedEntry struct {
	change store.Change
	ident  uint32
}

func newFeedEntry(c store.Change) feedEntry {
	h := fnv.New32a()
	for _, part := range []string{c.Collection, c.ID, strconv.FormatInt(c.Version, 10), string(c.Op)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return feedEntry{change: c, ident: h.Sum32()}
}

// settleRule says when the safe point may pass a position.
type settleRule struct {
	now        time.Time
	committed  int64         // nothing at or below this position is still in flight
	gapTimeout time.Duration // a position missing (or, if repeats, seen) this long is settled
	repeats    bool          // positions may repeat (FerretDB): a seen one may still get a twin
}

// step returns up to limit of entries not returned before and advances the
// cursor. entries are every change at a position in (safe, horizon], sorted
// by position; horizon is math.MaxInt64 when nothing was left unread. All
// changes at one position are returned together, so an answer may exceed
// limit when positions repeat.
func (c *feedCursor) step(entries []feedEntry, horizon int64, limit int, r settleRule) []store.Change {
	seen := make(map[int64]*seenPos, len(c.seen))
	for _, sp := range c.seen {
		seen[sp.pos] = &sp
	}
	var out []store.Change
	examined := horizon // every position up to here has been looked at in this call
	for _, e := range entries {
		pos := e.change.Seq
		if sp := seen[pos]; sp != nil && slices.Contains(sp.ids, e.ident) {
			continue
		}
		if len(out) >= limit && pos != out[len(out)-1].Seq {
			examined = out[len(out)-1].Seq
			break
		}
		out = append(out, e.change)
		if sp := seen[pos]; sp != nil {
			sp.ids = append(slices.Clip(sp.ids), e.ident)
		} else {
			seen[pos] = &seenPos{pos: pos, at: r.now, ids: []uint32{e.ident}}
		}
	}
	c.seen = c.seen[:0:0]
	for _, sp := range seen {
		c.seen = append(c.seen, *sp)
	}
	slices.SortFunc(c.seen, func(x, y seenPos) int { return cmp.Compare(x.pos, y.pos) })
	c.recordGaps(min(examined, c.topSeen()), r.now)
	c.advance(examined, r)
	return out
}

func (c *feedCursor) topSeen() int64 {
	if len(c.seen) == 0 {
		return c.safe
	}
	return c.seen[len(c.seen)-1].pos
}

// recordGaps rebuilds the gaps in (safe, upTo]: every position there not
// returned is missing, since the time a gap first covered it, or now.
// Gaps above upTo were not looked at and stay as they are.
func (c *feedCursor) recordGaps(upTo int64, now time.Time) {
	var gaps []gapRange
	since := func(from, to int64) { // splits [from, to] along the old gaps' times
		for _, g := range c.gaps {
			if g.to < from || g.from > to {
				continue
			}
			if g.from > from {
				gaps = append(gaps, gapRange{from, g.from - 1, now})
			}
			lo, hi := max(from, g.from), min(to, g.to)
			gaps = append(gaps, gapRange{lo, hi, g.since})
			from = hi + 1
		}
		if from <= to {
			gaps = append(gaps, gapRange{from, to, now})
		}
	}
	prev := c.safe
	for _, sp := range c.seen {
		if sp.pos > upTo {
			break
		}
		if sp.pos > prev+1 {
			since(prev+1, sp.pos-1)
		}
		prev = sp.pos
	}
	for _, g := range c.gaps {
		if g.to > upTo {
			gaps = append(gaps, gapRange{max(g.from, upTo+1), g.to, g.since})
		}
	}
	c.gaps = gaps
}

// advance moves the safe point over settled positions, never past examined.
func (c *feedCursor) advance(examined int64, r settleRule) {
	for len(c.seen) > 0 || len(c.gaps) > 0 {
		next := c.safe + 1
		if next > examined {
			break
		}
		if len(c.seen) > 0 && c.seen[0].pos == next {
			sp := c.seen[0]
			if next > r.committed && r.repeats && r.now.Sub(sp.at) < r.gapTimeout {
				break
			}
			c.safe, c.seen = next, c.seen[1:]
			continue
		}
		if len(c.gaps) == 0 || c.gaps[0].from != next {
			break
		}
		g := &c.gaps[0]
		end := min(g.to, r.committed)
		if r.now.Sub(g.since) >= r.gapTimeout {
			end = g.to
		}
		end = min(end, examined)
		if end < next {
			break
		}
		c.safe = end
		if end == g.to {
			c.gaps = c.gaps[1:]
		} else {
			g.from = end + 1
		}
	}
	c.seen = slices.Clip(c.seen)
}

// remembered is how many changes above the safe point the cursor holds
// (each is read again by the next call and skipped).
func (c *feedCursor) remembered() int {
	n := 0
	for _, sp := range c.seen {
		n += len(sp.ids)
	}
	return n
}

// The text form: "m1." and base64url of varints: epoch, safe, a base time
// (unix ms), then the seen positions (delta, time offset, identities) and
// the gaps (delta, length, time offset). Times keep millisecond precision.
const mongoCursorPrefix = "m1."

// maxRemembered guards decoding against a corrupt count.
const maxRemembered = 1 << 20

func (c *feedCursor) encode() string {
	base := int64(0)
	for _, sp := range c.seen {
		if ms := sp.at.UnixMilli(); base == 0 || ms < base {
			base = ms
		}
	}
	for _, g := range c.gaps {
		if ms := g.since.UnixMilli(); base == 0 || ms < base {
			base = ms
		}
	}
	b := binary.AppendUvarint(nil, uint64(len(c.epoch)))
	b = append(b, c.epoch...)
	b = binary.AppendVarint(b, c.safe)
	b = binary.AppendVarint(b, base)
	b = binary.AppendUvarint(b, uint64(len(c.seen)))
	prev := c.safe
	for _, sp := range c.seen {
		b = binary.AppendUvarint(b, uint64(sp.pos-prev))
		b = binary.AppendUvarint(b, uint64(sp.at.UnixMilli()-base))
		b = binary.AppendUvarint(b, uint64(len(sp.ids)))
		for _, id := range sp.ids {
			b = binary.AppendUvarint(b, uint64(id))
		}
		prev = sp.pos
	}
	b = binary.AppendUvarint(b, uint64(len(c.gaps)))
	prev = c.safe
	for _, g := range c.gaps {
		b = binary.AppendUvarint(b, uint64(g.from-prev))
		b = binary.AppendUvarint(b, uint64(g.to-g.from))
		b = binary.AppendUvarint(b, uint64(g.since.UnixMilli()-base))
		prev = g.to
	}
	return mongoCursorPrefix + base64.RawURLEncoding.EncodeToString(b)
}

var errBadCursor = errors.New("malformed")

type cursorReader struct {
	b   []byte
	err error
}

// next reads one varint with decode (binary.Uvarint or binary.Varint).
func next[T uint64 | int64](r *cursorReader, decode func([]byte) (T, int)) T {
	v, n := decode(r.b)
	if n <= 0 {
		r.err, r.b = errBadCursor, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *cursorReader) uvarint() uint64 { return next(r, binary.Uvarint) }
func (r *cursorReader) varint() int64   { return next(r, binary.Varint) }

// delta reads a step between ascending positions, which is never 0.
func (r *cursorReader) delta() int64 {
	d := r.uvarint()
	if d == 0 || d > 1<<53 {
		r.err = errBadCursor
	}
	return int64(d)
}

func (r *cursorReader) count() int {
	n := r.uvarint()
	if n > maxRemembered {
		r.err, r.b = errBadCursor, nil
		return 0
	}
	return int(n)
}

func decodeCursor(text string) (feedCursor, error) {
	var c feedCursor
	raw, ok := strings.CutPrefix(text, mongoCursorPrefix)
	if !ok {
		return c, fmt.Errorf("%w: cursor %q was not issued by this store", store.ErrCursorExpired, text)
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return c, fmt.Errorf("%w: cursor %q is malformed", store.ErrCursorExpired, text)
	}
	r := &cursorReader{b: b}
	n := r.count()
	if n > len(r.b) {
		return c, fmt.Errorf("%w: cursor %q is malformed", store.ErrCursorExpired, text)
	}
	c.epoch, r.b = string(r.b[:n]), r.b[n:]
	c.safe = r.varint()
	base := r.varint()
	prev := c.safe
	for range r.count() {
		sp := seenPos{pos: prev + r.delta()}
		sp.at = time.UnixMilli(base + int64(r.uvarint())).UTC()
		for range r.count() {
			sp.ids = append(sp.ids, uint32(min(r.uvarint(), math.MaxUint32)))
		}
		c.seen, prev = append(c.seen, sp), sp.pos
	}
	prev = c.safe
	for range r.count() {
		g := gapRange{from: prev + r.delta()}
		g.to = g.from + int64(r.uvarint())
		g.since = time.UnixMilli(base + int64(r.uvarint())).UTC()
		c.gaps, prev = append(c.gaps, g), g.to
	}
	if r.err != nil || len(r.b) != 0 {
		return c, fmt.Errorf("%w: cursor %q is malformed", store.ErrCursorExpired, text)
	}
	return c, nil
}
