package mongo

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jointict/councilapi/store"
)

// simWrite is one write in a simulated deployment: it takes a position at
// taken and becomes visible at visible (never, when it failed).
type simWrite struct {
	record  string
	version int64
	pos     int64
	taken   time.Time
	visible time.Time
	failed  bool
}

// simulate builds a random history: writers taking positions (twice the
// same one now and then when repeats), committing after a delay below the
// gap timeout, sometimes failing, and writing one of records again and
// again, so that its document moves to a higher position (or, across
// processes, a lower one).
func simulate(rng *rand.Rand, start time.Time, gap time.Duration, repeats bool, records int) []simWrite {
	var writes []simWrite
	lastVisible := map[string]time.Time{}
	version := map[string]int64{}
	pos := int64(0)
	t := start
	for range 400 {
		t = t.Add(time.Duration(rng.IntN(40)) * time.Millisecond)
		if pos == 0 || !repeats || rng.IntN(10) != 0 {
			pos++
		}
		w := simWrite{record: fmt.Sprintf("r%d", rng.IntN(records)), pos: pos, taken: t}
		if rng.IntN(15) == 0 {
			w.failed = true // a stale write: the position is never used
			writes = append(writes, w)
			continue
		}
		delay := time.Duration(rng.Int64N(int64(gap / 2)))
		if rng.IntN(3) != 0 {
			delay = time.Duration(rng.IntN(5)) * time.Millisecond
		}
		// One record's writes land in version order.
		w.visible = t.Add(delay)
		if prev := lastVisible[w.record]; !w.visible.After(prev) {
			w.visible = prev.Add(time.Millisecond)
		}
		lastVisible[w.record] = w.visible
		version[w.record]++
		w.version = version[w.record]
		writes = append(writes, w)
	}
	return writes
}

// visibleAt is what a collection holds at time t: each record's newest
// landed write (documents hold only their newest change).
func visibleAt(writes []simWrite, t time.Time, after int64) []feedEntry {
	newest := map[string]simWrite{}
	for _, w := range writes {
		if w.failed || w.visible.After(t) {
			continue
		}
		if w.version > newest[w.record].version {
			newest[w.record] = w
		}
	}
	var out []feedEntry
	for _, w := range newest {
		if w.pos > after {
			out = append(out, newFeedEntry(store.Change{Seq: w.pos, Op: store.ChangeUpdate, Collection: "c", ID: w.record, Version: w.version}))
		}
	}
	slices.SortFunc(out, func(a, b feedEntry) int { return int(a.change.Seq - b.change.Seq) })
	return out
}

// committedAt is what the marks tell a reader at t: the highest position
// taken a gap timeout ago.
func committedAt(writes []simWrite, t time.Time, gap time.Duration) int64 {
	var n int64
	for _, w := range writes {
		if !w.taken.After(t.Add(-gap)) {
			n = max(n, w.pos)
		}
	}
	return n
}

// TestCursorNeverSkips replays random histories to a reader polling at
// random moments with random limits, its cursor passed through its text form
// each time, and checks that it learns every record's final state, and that
// once everything has settled the cursor remembers nothing.
func TestCursorNeverSkips(t *testing.T) {
	const gap = 2 * time.Second
	for _, repeats := range []bool{false, true} {
		for seed := range uint64(80) {
			// Few records: documents move a lot; many: most writes are a
			// record's last, so any write skipped shows.
			records := []int{40, 4000}[seed%2]
			t.Run(fmt.Sprintf("repeats=%v/records=%d/seed=%d", repeats, records, seed), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 7))
				start := time.UnixMilli(1_800_000_000_000).UTC()
				writes := simulate(rng, start, gap, repeats, records)
				end := writes[len(writes)-1].taken.Add(3 * gap)
				latest := map[string]int64{}
				text := (&feedCursor{epoch: "e"}).encode()
				// Poll until the history has settled and the reader caught up.
				for now, n := start, 1; now.Before(end) || n > 0; now = now.Add(time.Duration(rng.IntN(300)) * time.Millisecond) {
					c, err := decodeCursor(text)
					if err != nil {
						t.Fatal(err)
					}
					rule := settleRule{now: now, committed: committedAt(writes, now, gap), gapTimeout: gap, repeats: repeats}
					got := c.step(visibleAt(writes, now, c.safe), math.MaxInt64, 1+rng.IntN(6), rule)
					for _, ch := range got {
						latest[ch.ID] = max(latest[ch.ID], ch.Version)
					}
					text, n = c.encode(), len(got)
				}
				final := map[string]int64{}
				var top int64
				for _, w := range writes {
					final[w.record] = max(final[w.record], w.version)
					top = max(top, w.pos)
				}
				delete(final, "") // failed writes
				for rec, v := range final {
					if latest[rec] != v {
						t.Errorf("%s: reader last learnt version %d, final version %d", rec, latest[rec], v)
					}
				}
				c, _ := decodeCursor(text)
				if len(c.seen) != 0 || len(c.gaps) != 0 {
					t.Errorf("settled cursor still remembers %d positions and %d gaps (safe %d, top %d)", len(c.seen), len(c.gaps), c.safe, top)
				}
			})
		}
	}
}

// TestCursorHoldsGapUntilTimeout: a position missing below a returned one
// keeps the safe point back until it lands, then is returned, or until the
// gap timeout passes.
func TestCursorHoldsGapUntilTimeout(t *testing.T) {
	t0 := time.UnixMilli(1_800_000_000_000).UTC()
	entry := func(pos int64, id string) feedEntry {
		return newFeedEntry(store.Change{Seq: pos, Op: store.ChangeInsert, Collection: "c", ID: id, Version: 1})
	}
	rule := func(after time.Duration) settleRule {
		return settleRule{now: t0.Add(after), gapTimeout: 10 * time.Second}
	}
	c := feedCursor{epoch: "e"}
	got := c.step([]feedEntry{entry(1, "a"), entry(3, "c")}, math.MaxInt64, 10, rule(0))
	if len(got) != 2 || c.safe != 1 || len(c.gaps) != 1 || c.gaps[0].from != 2 {
		t.Fatalf("after 1 and 3: %v, safe %d, gaps %+v", got, c.safe, c.gaps)
	}
	got = c.step([]feedEntry{entry(2, "b"), entry(3, "c")}, math.MaxInt64, 10, rule(time.Second))
	if len(got) != 1 || got[0].ID != "b" || c.safe != 3 || len(c.seen) != 0 {
		t.Fatalf("2 landing late: %v, safe %d, seen %+v", got, c.safe, c.seen)
	}
	c.step([]feedEntry{entry(5, "e")}, math.MaxInt64, 10, rule(2*time.Second))
	if c.step([]feedEntry{entry(5, "e")}, math.MaxInt64, 10, rule(11*time.Second)); c.safe != 3 {
		t.Fatalf("gap given up after 9 s: safe %d", c.safe)
	}
	if c.step([]feedEntry{entry(5, "e")}, math.MaxInt64, 10, rule(12*time.Second)); c.safe != 5 || len(c.gaps) != 0 {
		t.Fatalf("gap kept past its timeout: safe %d, gaps %+v", c.safe, c.gaps)
	}
	// Below the committed mark a missing position is settled at once.
	r := rule(13 * time.Second)
	r.committed = 7
	if c.step([]feedEntry{entry(8, "h")}, math.MaxInt64, 10, r); c.safe != 8 {
		t.Fatalf("gap below the committed mark held: safe %d", c.safe)
	}
}

// TestCursorLimitStopsSafePoint: a gap that has timed out but whose
// positions have landed must not be passed over when the limit stops the
// answer before them.
func TestCursorLimitStopsSafePoint(t *testing.T) {
	t0 := time.UnixMilli(1_800_000_000_000).UTC()
	entry := func(pos int64, id string) feedEntry {
		return newFeedEntry(store.Change{Seq: pos, Op: store.ChangeInsert, Collection: "c", ID: id, Version: 1})
	}
	rule := settleRule{now: t0, gapTimeout: 10 * time.Second}
	c := feedCursor{epoch: "e"}
	c.step([]feedEntry{entry(1, "a"), entry(4, "d")}, math.MaxInt64, 10, rule)
	rule.now, rule.committed = t0.Add(time.Minute), 4 // the gap 2..3 is long settled by any rule
	late := []feedEntry{entry(2, "b"), entry(3, "c"), entry(4, "d")}
	if got := c.step(late, math.MaxInt64, 1, rule); len(got) != 1 || got[0].ID != "b" || c.safe != 2 {
		t.Fatalf("limit 1 over late 2 and 3: %v, safe %d", got, c.safe)
	}
	if got := c.step(late[1:], math.MaxInt64, 1, rule); len(got) != 1 || got[0].ID != "c" || c.safe != 4 {
		t.Fatalf("next page: %v, safe %d", got, c.safe)
	}
}

// TestCursorRepeatedPositions: where positions may repeat, a second change
// at a position already returned is still returned, and an identical one
// is not returned twice.
func TestCursorRepeatedPositions(t *testing.T) {
	t0 := time.UnixMilli(1_800_000_000_000).UTC()
	a := newFeedEntry(store.Change{Seq: 1, Op: store.ChangeInsert, Collection: "c", ID: "a", Version: 1})
	b := newFeedEntry(store.Change{Seq: 1, Op: store.ChangeInsert, Collection: "c", ID: "b", Version: 1})
	rule := settleRule{now: t0, gapTimeout: 10 * time.Second, repeats: true}
	c := feedCursor{epoch: "e"}
	if got := c.step([]feedEntry{a}, math.MaxInt64, 10, rule); len(got) != 1 || c.safe != 0 {
		t.Fatalf("first at 1: %v, safe %d (a twin may still come)", got, c.safe)
	}
	rule.now = t0.Add(time.Second)
	if got := c.step([]feedEntry{a, b}, math.MaxInt64, 10, rule); len(got) != 1 || got[0].ID != "b" {
		t.Fatalf("twin at 1: %v", got)
	}
	rule.now = t0.Add(11 * time.Second)
	if got := c.step([]feedEntry{a, b}, math.MaxInt64, 10, rule); len(got) != 0 || c.safe != 1 || len(c.seen) != 0 {
		t.Fatalf("after the timeout: %v, safe %d, seen %+v", got, c.safe, c.seen)
	}
}

func TestCursorTextIsChecked(t *testing.T) {
	c := feedCursor{epoch: "e1", safe: 41,
		seen: []seenPos{{pos: 43, at: time.UnixMilli(1_800_000_000_123).UTC(), ids: []uint32{1, math.MaxUint32}}},
		gaps: []gapRange{{from: 42, to: 42, since: time.UnixMilli(1_800_000_000_100).UTC()}}}
	back, err := decodeCursor(c.encode())
	if err != nil || fmt.Sprint(back) != fmt.Sprint(c) {
		t.Fatalf("round trip: %+v %v, want %+v", back, err, c)
	}
	for _, bad := range []string{"", "s1.x.3", "m1.!!", "m1." + c.encode()[3:8]} {
		if _, err := decodeCursor(bad); !errors.Is(err, store.ErrCursorExpired) {
			t.Errorf("decodeCursor(%q): %v, want ErrCursorExpired", bad, err)
		}
	}
}
