package api

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/jointict/councilapi/app/identity"
)

// Failed authentication is throttled twice over, each with a token bucket
// of failures: per client address (one client trying many keys) and per key
// prefix (many addresses trying to complete one key whose first characters
// leaked, from a screenshot or a log). A bucket holds Burst failures and
// refills at PerMinute; while either bucket of a request is empty, the
// request is answered 429 without its key being looked at, so a guesser
// learns nothing faster than the refill rate, and the store is spared the
// look-ups. Requests without credentials are not counted: they guess nothing.
//
// The cost: while a prefix is throttled its own key is refused too, so an
// attacker who knows a key's prefix can delay that key's use for as long as
// they keep failing with it; an admin then issues the client a new key,
// whose prefix differs.

// AuthFailureLimit is the token bucket of failed authentications.
type AuthFailureLimit struct {
	// PerMinute is the rate at which failures are forgiven.
	PerMinute float64
	// Burst is how many failures in a row are answered 401 before 429.
	Burst int
	// Off turns throttling off (for a deployment behind a gateway that
	// throttles already).
	Off bool
}

// DefaultAuthFailures forgives one failure every six seconds after twenty in
// a row: far more than a person mistyping or a script with a revoked key
// produces, and a guesser's rate is cut to ten a minute.
var DefaultAuthFailures = AuthFailureLimit{PerMinute: 10, Burst: 20}

// authThrottle keeps the buckets. Buckets that have refilled completely are
// indistinguishable from new ones and are swept, so memory follows the
// number of recently failing clients, not every client ever seen.
type authThrottle struct {
	limit   AuthFailureLimit
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*failureBucket
	sweepAt int
}

type failureBucket struct {
	lim       *rate.Limiter
	pending   int  // attempts checked and not yet finished
	throttled bool // reported in the log; cleared once it has refilled
}

func newAuthThrottle(l AuthFailureLimit) *authThrottle {
	if l == (AuthFailureLimit{}) {
		l = DefaultAuthFailures
	}
	return &authThrottle{limit: l, now: time.Now, buckets: map[string]*failureBucket{}, sweepAt: 1024}
}

// clientAddress is the address a client is throttled by: the IP Echo's
// IPExtractor chose (the peer, or with --trust-proxy the X-Forwarded-For
// entry), and for IPv6 its /64, which one host or home network usually holds
// whole and could otherwise rotate through.
func clientAddress(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}

// keyPrefixOf is the part of a presented secret that councilapi shows in
// key listings (domain.APIKey.Prefix), so it may be logged; "" when the
// secret does not look like a councilapi key.
func keyPrefixOf(secret string) string {
	const n = 10 // as identity.CreateKey stores it
	secret = strings.TrimSpace(secret)
	if len(secret) < n || !strings.HasPrefix(secret, identity.KeyPrefix) {
		return ""
	}
	for _, r := range secret[len(identity.KeyPrefix):n] {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return ""
		}
	}
	return secret[:n]
}

// bucketKeys names the buckets of a request.
func bucketKeys(addr, prefix string) []string {
	keys := []string{"addr " + addr}
	if prefix != "" {
		keys = append(keys, "key "+prefix)
	}
	return keys
}

// authAttempt is one authentication between its check and its outcome.
type authAttempt struct {
	addr, prefix string
	held         []*failureBucket // buckets counting this attempt as pending
}

// begin checks a request's buckets before its key is looked at, and returns
// how long it must wait when one of them is empty. A bucket that has seen
// failures also counts the attempts under way, so a guesser sending many
// keys at once cannot slip more of them past the check than it holds
// failures; a client that has not failed lately (many people behind one
// council's address) is never held back by its concurrency. So only the
// attempts already under way when a client's first failure lands can
// overshoot the burst. A bucket that has refilled completely ends the episode, so a
// client that starts failing anew is logged anew.
func (t *authThrottle) begin(addr, prefix string) (*authAttempt, time.Duration) {
	a := &authAttempt{addr: addr, prefix: prefix}
	if t.limit.Off {
		return a, 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now, wait := t.now(), time.Duration(0)
	for _, k := range bucketKeys(addr, prefix) {
		b, ok := t.buckets[k]
		if !ok {
			continue
		}
		tokens := b.lim.TokensAt(now)
		if tokens < float64(b.lim.Burst()) {
			tokens -= float64(b.pending)
		} else {
			b.throttled = false // refilled: the episode is over
		}
		if tokens < 1 {
			wait = max(wait, time.Duration((1-tokens)/float64(b.lim.Limit())*float64(time.Second)))
		}
		a.held = append(a.held, b)
	}
	if wait > 0 {
		return nil, wait
	}
	for _, b := range a.held {
		b.pending++
	}
	return a, 0
}

// end records the attempt's outcome. A failure takes one from each of its
// buckets; end returns the buckets it emptied ("addr ..." or "key ..."), to
// be logged once each.
func (t *authThrottle) end(a *authAttempt, failed bool) (emptied []string) {
	if t.limit.Off {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, b := range a.held {
		b.pending--
	}
	if !failed {
		return nil
	}
	now := t.now()
	for _, k := range bucketKeys(a.addr, a.prefix) {
		b, ok := t.buckets[k]
		if !ok {
			b = &failureBucket{lim: rate.NewLimiter(rate.Limit(t.limit.PerMinute/60), t.limit.Burst)}
			t.buckets[k] = b
		}
		b.lim.AllowN(now, 1)
		if b.lim.TokensAt(now) < 1 && !b.throttled {
			b.throttled = true
			emptied = append(emptied, k)
		}
	}
	if len(t.buckets) > t.sweepAt {
		t.sweep(now)
	}
	return emptied
}

// sweep drops the buckets that have refilled completely.
func (t *authThrottle) sweep(now time.Time) {
	for k, b := range t.buckets {
		if b.pending == 0 && b.lim.TokensAt(now) >= float64(b.lim.Burst()) {
			delete(t.buckets, k)
		}
	}
	t.sweepAt = max(1024, 2*len(t.buckets))
}

// beginAuthentication checks the throttle before the key is looked at:
// 429 with Retry-After when the request's address or key prefix is
// throttled, else the attempt for authenticated to finish.
func (s *Server) beginAuthentication(c echo.Context, secret string) (*authAttempt, error) {
	a, wait := s.throttle.begin(clientAddress(c.RealIP()), keyPrefixOf(secret))
	if a != nil {
		return a, nil
	}
	secs := strconv.Itoa(int(math.Ceil(wait.Seconds())))
	c.Response().Header().Set("Retry-After", secs)
	return nil, newProblem("throttled", "too many API keys that are not valid came from this address or with this key's prefix; "+
		"retry after "+secs+" s with a valid key")
}

// authenticated finishes an attempt. A refused credential is counted, and
// the address or prefix it throttled is logged at warn level, once per
// episode. The secret itself is never logged: only its prefix, which key
// listings show anyway.
func (s *Server) authenticated(c echo.Context, a *authAttempt, failed bool) {
	for _, k := range s.throttle.end(a, failed) {
		by, _, _ := strings.Cut(k, " ")
		s.log.Warn("failed authentication throttled: possible key guessing", "throttled_by", map[string]string{"addr": "address", "key": "key prefix"}[by],
			"addr", a.addr, "key_prefix", a.prefix, "burst", s.throttle.limit.Burst, "per_minute", s.throttle.limit.PerMinute,
			"path", c.Request().URL.Path, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
}
