package api

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jointict/councilapi/internal/testref"
)

// fakeClock is the throttle's clock in tests, so recovery is tested by
// moving time on rather than by waiting.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// throttledServer is a test server whose throttle runs on a fake clock and
// whose log is kept.
func throttledServer(t *testing.T, cfg Config) (*testServer, *fakeClock, *testref.LogBuffer) {
	t.Helper()
	ts := newTestServer(t, cfg)
	clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	ts.srv.throttle.now = clock.now
	logs := &testref.LogBuffer{}
	ts.srv.log = slog.New(slog.NewTextHandler(logs, nil))
	return ts, clock, logs
}

func wrongKey(t *testing.T) string {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	return "cak_" + base64.RawURLEncoding.EncodeToString(raw)
}

// statuses sends n requests with keys from keyFor, from the address, four
// at a time, and counts the answers by status.
func statuses(ts *testServer, n int, addr string, keyFor func(i int) string) map[int]int {
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				r := ts.do("GET", "/api/v1/me", keyFor(i), nil, "X-Forwarded-For", addr)
				mu.Lock()
				counts[r.Status]++
				mu.Unlock()
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return counts
}

// TestAuthFailuresThrottledPerAddress: 2,000 wrong keys from one client get
// 401 for the burst and 429 after, while a valid key from another address
// still works; the client is logged once, without any secret; and it may
// try again once the bucket refills.
func TestAuthFailuresThrottledPerAddress(t *testing.T) {
	limit := AuthFailureLimit{PerMinute: 60, Burst: 10}
	ts, clock, logs := throttledServer(t, Config{BodyLimit: 64 << 10, TrustProxy: true, AuthFailures: limit})
	const attacker, colleague = "198.51.100.7", "203.0.113.9"
	var sent sync.Map
	counts := statuses(ts, 2000, attacker, func(int) string {
		k := wrongKey(t)
		sent.Store(k, true)
		return k
	})
	// Four at a time: the three under way beside the first failure may
	// still be looked at; every other attempt past the burst is refused.
	if counts[401] < limit.Burst || counts[401] > limit.Burst+3 || counts[401]+counts[429] != 2000 {
		t.Fatalf("2,000 wrong keys from one address, four at a time: %v; want %d to %d × 401, the rest 429", counts, limit.Burst, limit.Burst+3)
	}
	r := ts.do("GET", "/api/v1/me", wrongKey(t), nil, "X-Forwarded-For", attacker)
	p := r.problem(t)
	if r.Status != 429 || p.Type != "/problems/throttled" || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("throttled answer: %d %+v Retry-After %q", r.Status, p, r.Header.Get("Retry-After"))
	}
	if r := ts.do("GET", "/api/v1/me", ts.Admin, nil, "X-Forwarded-For", colleague); r.Status != 200 {
		t.Fatalf("a valid key from another address: %d %s", r.Status, r.Body)
	}
	// Even a valid key is refused from the throttled address: a guesser
	// must not be able to tell a hit from a miss.
	if r := ts.do("GET", "/api/v1/me", ts.Admin, nil, "X-Forwarded-For", attacker); r.Status != 429 {
		t.Fatalf("valid key from the throttled address: %d", r.Status)
	}

	log := logs.String()
	if n := strings.Count(log, "failed authentication throttled"); n != 1 || !strings.Contains(log, "level=WARN") ||
		!strings.Contains(log, "addr="+attacker) || !strings.Contains(log, "throttled_by=address") {
		t.Fatalf("want one warning naming the address, got %d:\n%s", n, log)
	}
	sent.Range(func(k, _ any) bool {
		if strings.Contains(log, k.(string)[10:]) {
			t.Fatalf("the log holds a secret:\n%s", log)
		}
		return true
	})

	// One failure is forgiven per second; after the whole window (burst /
	// rate) the client has its burst back, and a valid key works again.
	clock.advance(time.Second)
	if c := statuses(ts, 3, attacker, func(int) string { return wrongKey(t) }); c[401] != 1 || c[429] != 2 {
		t.Fatalf("one second later: %v; want one attempt", c)
	}
	clock.advance(10 * time.Second)
	if r := ts.do("GET", "/api/v1/me", ts.Admin, nil, "X-Forwarded-For", attacker); r.Status != 200 {
		t.Fatalf("valid key after the window: %d %s", r.Status, r.Body)
	}
	if c := statuses(ts, 2*limit.Burst, attacker, func(int) string { return wrongKey(t) }); c[401] < limit.Burst || c[401] > limit.Burst+3 {
		t.Fatalf("after the window: %v; want the burst again", c)
	}
	if n := strings.Count(logs.String(), "failed authentication throttled"); n != 2 {
		t.Fatalf("a second episode is logged again: %d warnings", n)
	}
}

// TestAuthThrottleAddressFollowsTrustProxy: without --trust-proxy,
// X-Forwarded-For is the client's to invent, so it is ignored and every
// request counts against the peer address.
func TestAuthThrottleAddressFollowsTrustProxy(t *testing.T) {
	ts, _, _ := throttledServer(t, Config{BodyLimit: 64 << 10, AuthFailures: AuthFailureLimit{PerMinute: 60, Burst: 5}})
	statuses(ts, 20, "198.51.100.7", func(int) string { return wrongKey(t) })
	if r := ts.do("GET", "/api/v1/me", ts.Admin, nil, "X-Forwarded-For", "203.0.113.9"); r.Status != 429 {
		t.Fatalf("a forged X-Forwarded-For escaped the throttle: %d", r.Status)
	}
}

// TestAuthFailuresThrottledPerKeyPrefix: many addresses completing one key
// prefix are throttled together, and only that prefix is.
func TestAuthFailuresThrottledPerKeyPrefix(t *testing.T) {
	limit := AuthFailureLimit{PerMinute: 60, Burst: 10}
	ts, _, logs := throttledServer(t, Config{BodyLimit: 64 << 10, TrustProxy: true, AuthFailures: limit})
	leaked := ts.Admin[:10]
	counts := map[int]int{}
	for i := range 100 {
		addr := "198.51.100." + strconv.Itoa(i+1)
		r := ts.do("GET", "/api/v1/me", leaked+wrongKey(t)[10:], nil, "X-Forwarded-For", addr)
		counts[r.Status]++
	}
	if counts[401] != limit.Burst || counts[429] != 100-limit.Burst {
		t.Fatalf("100 addresses guessing one prefix: %v", counts)
	}
	if r := ts.do("GET", "/api/v1/me", wrongKey(t), nil, "X-Forwarded-For", "198.51.100.1"); r.Status != 401 {
		t.Fatalf("another prefix from one of those addresses: %d, want 401", r.Status)
	}
	if !strings.Contains(logs.String(), "throttled_by=\"key prefix\"") || !strings.Contains(logs.String(), "key_prefix="+leaked) {
		t.Fatalf("the prefix is not logged:\n%s", logs.String())
	}
}

func TestClientAddressAndKeyPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7":               "198.51.100.7",
		"::ffff:198.51.100.7":        "198.51.100.7",
		"2001:db8:1:2:aaaa::1":       "2001:db8:1:2::/64", // one host's /64 is one client
		"2001:db8:1:2:bbbb:cccc::99": "2001:db8:1:2::/64",
		"not an address":             "not an address",
	} {
		if got := clientAddress(in); got != want {
			t.Errorf("clientAddress(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"cak_Ab3-_xYZmore": "cak_Ab3-_x", "cak_short": "", "Basic dXNlcjpwYXNz": "", "cak_ab\ncdefgh": "",
	} {
		if got := keyPrefixOf(in); got != want {
			t.Errorf("keyPrefixOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAuthThrottleForgetsRecoveredClients: a bucket that has refilled is
// dropped, so a flood of one-off addresses does not grow memory for ever.
func TestAuthThrottleForgetsRecoveredClients(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	th := newAuthThrottle(AuthFailureLimit{PerMinute: 60, Burst: 10})
	th.now = clock.now
	fail := func(addr, prefix string) {
		if a, wait := th.begin(addr, prefix); a != nil {
			th.end(a, true)
		} else if wait <= 0 {
			t.Fatalf("refused without a wait")
		}
	}
	for i := range 5000 {
		fail("198.51."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250), "")
	}
	if len(th.buckets) < 1000 {
		t.Fatalf("recent failures were forgotten: %d buckets", len(th.buckets))
	}
	clock.advance(time.Minute)
	for i := range 3300 { // new buckets, enough to reach the next sweep
		fail("203.0."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250), "")
	}
	for range 11 {
		fail("192.0.2.1", "")
	}
	if n := len(th.buckets); n > 3400 || n < 3000 {
		t.Fatalf("%d buckets kept; want the 3,300 or so failing now, the 5,000 refilled ones gone", n)
	}
	if a, _ := th.begin("192.0.2.1", ""); a != nil {
		t.Fatal("the address failing now is not throttled")
	}
}
