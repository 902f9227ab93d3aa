// Command councilapi serves the councilapi JSON API. main wires
// configuration to a store and the HTTP server; the work happens in api/,
// domain/, gis/, catalogue/ and store/.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jointict/councilapi/api"
	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/events"
	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/app/jobs"
	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/ingest"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/mongo"
	"github.com/jointict/councilapi/store/sqlite"
)

const version = "0.1.0"

type config struct {
	addr          string
	dataDir       string
	mongoURI      string
	baseURL       string
	trustProxy    bool
	bodyLimit     int64
	uploadLimit   int64
	ocidPrefix    string
	keyDecisions  string
	logFormat     string
	feedPoll      time.Duration
	jobLease      time.Duration
	jobWorkers    int
	maxFeatures   int
	coordDecimals int
	authFailRate  float64
	authFailBurst int
	basemapURL    string
	basemapAttrib string
	sessionIdle   time.Duration
	sessionMax    time.Duration
	oidc          api.OIDC
	oidcClaims    struct{ roleClaim, roles, orgClaim, orgs string }
	pprofAddr     string
}

func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

// configFlags registers the configuration flags, whose defaults come from
// environment variables, so flags win over the environment.
func configFlags(fs *flag.FlagSet) *config {
	c := &config{}
	fs.StringVar(&c.addr, "addr", env("COUNCILAPI_ADDR", "127.0.0.1:8080"), "listen address (env COUNCILAPI_ADDR)")
	fs.StringVar(&c.dataDir, "data-dir", env("COUNCILAPI_DATA_DIR", "./data"), "directory of the embedded store, councilapi.db and blobs (env COUNCILAPI_DATA_DIR)")
	fs.StringVar(&c.mongoURI, "mongodb-uri", env("MONGODB_URI", ""), "use MongoDB instead of the embedded store; database from the URI path, default councilapi (env MONGODB_URI)")
	fs.StringVar(&c.baseURL, "base-url", env("COUNCILAPI_BASE_URL", ""), "public base URL for absolute links, e.g. https://data.example.gov.uk (env COUNCILAPI_BASE_URL; default: from each request)")
	trust, _ := strconv.ParseBool(env("COUNCILAPI_TRUST_PROXY", "false"))
	fs.BoolVar(&c.trustProxy, "trust-proxy", trust, "derive links from X-Forwarded-Proto/Host, and the client address that failed authentication is throttled by from X-Forwarded-For (only behind a proxy that sets them) (env COUNCILAPI_TRUST_PROXY)")
	limit, _ := strconv.ParseInt(env("COUNCILAPI_BODY_LIMIT", "1048576"), 10, 64)
	fs.Int64Var(&c.bodyLimit, "body-limit", limit, "largest JSON request body in bytes; larger ones get 413 (env COUNCILAPI_BODY_LIMIT)")
	upload, _ := strconv.ParseInt(env("COUNCILAPI_UPLOAD_LIMIT", "2147483648"), 10, 64)
	fs.Int64Var(&c.uploadLimit, "upload-limit", upload, "largest dataset file upload in bytes (env COUNCILAPI_UPLOAD_LIMIT)")
	fs.StringVar(&c.ocidPrefix, "ocid-prefix", env("COUNCILAPI_OCID_PREFIX", procurement.DefaultOCIDPrefix), "registered Open Contracting ocid prefix, ocds-xxxxxx- (env COUNCILAPI_OCID_PREFIX)")
	fs.StringVar(&c.keyDecisions, "key-decision-thresholds", env("COUNCILAPI_KEY_DECISION_THRESHOLDS", ""), "per-organisation Key Decision thresholds in pounds, e.g. bdc=75000,dddc=100000 (default £50,000) (env COUNCILAPI_KEY_DECISION_THRESHOLDS)")
	fs.StringVar(&c.pprofAddr, "pprof-addr", env("COUNCILAPI_PPROF_ADDR", ""), "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060, apart from the API; default off, and never expose it (env COUNCILAPI_PPROF_ADDR)")
	fs.StringVar(&c.logFormat, "log-format", env("COUNCILAPI_LOG_FORMAT", "text"), "log format: text or json (env COUNCILAPI_LOG_FORMAT)")
	poll, _ := time.ParseDuration(env("COUNCILAPI_FEED_POLL", events.DefaultPoll.String()))
	fs.DurationVar(&c.feedPoll, "feed-poll", poll, "longest time between two reads of the store's change feed: how soon this instance sees another's writes (env COUNCILAPI_FEED_POLL)")
	lease, _ := time.ParseDuration(env("COUNCILAPI_JOB_LEASE", jobs.DefaultLease.String()))
	fs.DurationVar(&c.jobLease, "job-lease", lease, "how long an instance's claim on an upload job holds without renewal; a stopped instance's jobs are failed by another after it (env COUNCILAPI_JOB_LEASE)")
	workers, _ := strconv.Atoi(env("COUNCILAPI_JOB_WORKERS", "2"))
	fs.IntVar(&c.jobWorkers, "job-workers", workers, "uploads this instance processes at once (env COUNCILAPI_JOB_WORKERS)")
	maxFeatures, _ := strconv.Atoi(env("COUNCILAPI_MAX_FEATURES", strconv.Itoa(ingest.DefaultLimits.MaxFeatures)))
	decimals, _ := strconv.Atoi(env("COUNCILAPI_COORDINATE_DECIMALS", strconv.Itoa(appod.DefaultCoordinateDecimals)))
	fs.IntVar(&c.coordDecimals, "coordinate-decimals", decimals, "decimal places of a degree published coordinates keep (GeoJSON, OGC API, CSV WKT); 8 is 1.1 mm (env COUNCILAPI_COORDINATE_DECIMALS)")
	fs.IntVar(&c.maxFeatures, "max-features", maxFeatures, "most features one spatial upload may hold; larger files fail at once, from their headers where the format says (env COUNCILAPI_MAX_FEATURES)")
	failRate, _ := strconv.ParseFloat(env("COUNCILAPI_AUTH_FAIL_RATE", strconv.FormatFloat(api.DefaultAuthFailures.PerMinute, 'g', -1, 64)), 64)
	fs.Float64Var(&c.authFailRate, "auth-fail-rate", failRate, "failed authentications forgiven per minute, per client address and per key prefix, once the burst is spent (env COUNCILAPI_AUTH_FAIL_RATE)")
	failBurst, _ := strconv.Atoi(env("COUNCILAPI_AUTH_FAIL_BURST", strconv.Itoa(api.DefaultAuthFailures.Burst)))
	fs.IntVar(&c.authFailBurst, "auth-fail-burst", failBurst, "failed authentications in a row before 429 with Retry-After; 0 turns throttling off (env COUNCILAPI_AUTH_FAIL_BURST)")
	fs.StringVar(&c.basemapURL, "basemap-url", env("COUNCILAPI_BASEMAP_URL", ""), "tile URL template drawn under the HTML maps, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; default none, and pages load nothing from elsewhere (env COUNCILAPI_BASEMAP_URL)")
	fs.StringVar(&c.basemapAttrib, "basemap-attribution", env("COUNCILAPI_BASEMAP_ATTRIBUTION", ""), "attribution the tile provider requires, shown on the maps; required with --basemap-url (env COUNCILAPI_BASEMAP_ATTRIBUTION)")
	idle, _ := time.ParseDuration(env("COUNCILAPI_SESSION_IDLE", identity.DefaultSessionIdle.String()))
	fs.DurationVar(&c.sessionIdle, "session-idle", idle, "a web page session ends after this long without a request (env COUNCILAPI_SESSION_IDLE)")
	maxAge, _ := time.ParseDuration(env("COUNCILAPI_SESSION_MAX", identity.DefaultSessionMax.String()))
	fs.DurationVar(&c.sessionMax, "session-max", maxAge, "a web page session ends this long after sign-in, however busy (env COUNCILAPI_SESSION_MAX)")
	fs.StringVar(&c.oidc.Issuer, "oidc-issuer", env("COUNCILAPI_OIDC_ISSUER", ""), "OpenID Connect issuer for staff sign-in, e.g. https://login.microsoftonline.com/TENANT_ID/v2.0 (env COUNCILAPI_OIDC_ISSUER; default: API keys only)")
	fs.StringVar(&c.oidc.ClientID, "oidc-client-id", env("COUNCILAPI_OIDC_CLIENT_ID", ""), "OpenID Connect client (application) id (env COUNCILAPI_OIDC_CLIENT_ID)")
	// The secret's flag default is not taken from the environment, so
	// --help never prints it; serve reads the variable.
	fs.StringVar(&c.oidc.ClientSecret, "oidc-client-secret", "", "OpenID Connect client secret; prefer the environment variable, which ps does not show (env COUNCILAPI_OIDC_CLIENT_SECRET)")
	fs.StringVar(&c.oidc.RedirectURL, "oidc-redirect-url", env("COUNCILAPI_OIDC_REDIRECT_URL", ""), "redirect URI registered with the provider (env COUNCILAPI_OIDC_REDIRECT_URL; default: base URL + /signin/oidc/callback)")
	fs.StringVar(&c.oidc.Label, "oidc-label", env("COUNCILAPI_OIDC_LABEL", "your council account"), "what the sign-in button calls the provider: 'Sign in with ...' (env COUNCILAPI_OIDC_LABEL)")
	fs.StringVar(&c.oidcClaims.roleClaim, "oidc-role-claim", env("COUNCILAPI_OIDC_ROLE_CLAIM", "roles"), "ID token claim holding role values: roles (Entra app roles) or groups (env COUNCILAPI_OIDC_ROLE_CLAIM)")
	fs.StringVar(&c.oidcClaims.roles, "oidc-roles", env("COUNCILAPI_OIDC_ROLES", ""), "claim values to roles, first match wins, e.g. CouncilAPI.Admin=admin,CouncilAPI.Officer=officer,CouncilAPI.Publisher=publisher (env COUNCILAPI_OIDC_ROLES)")
	fs.StringVar(&c.oidcClaims.orgClaim, "oidc-org-claim", env("COUNCILAPI_OIDC_ORG_CLAIM", ""), "ID token claim saying the person's council: groups, tid or a custom claim (env COUNCILAPI_OIDC_ORG_CLAIM)")
	fs.StringVar(&c.oidcClaims.orgs, "oidc-orgs", env("COUNCILAPI_OIDC_ORGS", ""), "claim values to organisation ids, e.g. GROUP_ID=bdc,TENANT_ID=neddc (env COUNCILAPI_OIDC_ORGS; default: the claim's value is the id)")
	return c
}

// httpConfig checks the flags that shape the HTTP layer.
func httpConfig(cfg config) (basemap ogc.Basemap, failures api.AuthFailureLimit, err error) {
	basemap, err = ogc.NewBasemap(cfg.basemapURL, cfg.basemapAttrib)
	if err != nil {
		return basemap, failures, err
	}
	switch {
	case cfg.authFailBurst == 0:
		failures.Off = true
	case cfg.authFailBurst < 0 || !(cfg.authFailRate > 0):
		return basemap, failures, fmt.Errorf("--auth-fail-burst must be 0 (off) or more, and --auth-fail-rate more than 0 failures a minute")
	default:
		failures = api.AuthFailureLimit{PerMinute: cfg.authFailRate, Burst: cfg.authFailBurst}
	}
	return basemap, failures, nil
}

// sessionConfig reads the sign-in settings; a bad OpenID Connect mapping
// stops the server at start rather than refusing every person later.
func sessionConfig(c config) (identity.SessionConfig, error) {
	sc := identity.SessionConfig{Idle: c.sessionIdle, Max: c.sessionMax}
	if c.oidc.Issuer == "" {
		return sc, nil
	}
	var p domain.Problems
	if c.oidc.ClientID == "" {
		p.Add("oidc-client-id", "is required with --oidc-issuer: the application (client) id of the app registration")
	}
	roles, err := identity.ParseClaimValues("oidc-roles", c.oidcClaims.roles)
	if err != nil {
		return sc, err
	}
	orgs, err := identity.ParseClaimValues("oidc-orgs", c.oidcClaims.orgs)
	if err != nil {
		return sc, err
	}
	sc.Claims = identity.ClaimMapping{RoleClaim: c.oidcClaims.roleClaim, Roles: roles, OrgClaim: c.oidcClaims.orgClaim, Orgs: orgs}
	if err := sc.Claims.Validate(); err != nil {
		return sc, err
	}
	return sc, p.Err()
}

func usage(fs *flag.FlagSet, stderr io.Writer) func() {
	return func() {
		fmt.Fprintf(stderr, `councilapi %s — sourcing, joint procurement and open data for council ICT teams

Usage:
  councilapi [flags]                      serve the API (same as 'serve')
  councilapi serve [flags]
  councilapi keys create --role admin|officer|publisher [--org ID] [--label TEXT] [flags]
  councilapi keys list [flags]
  councilapi keys revoke [flags] KEY_ID
  councilapi demo [--reload] [flags]      load the sample data (written by the project, not real council data)
                                          into a fresh --data-dir (default ./demo-data), print demo keys and serve it;
                                          run again to serve it again, --reload to replace it with a fresh sample
  councilapi healthcheck [--addr ...]     exit 0 when the server at --addr answers /healthz (for container checks)

Flags (flags win over environment variables):
`, version)
		fs.PrintDefaults()
	}
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd, sub := "serve", ""
	if len(args) > 0 && (args[0] == "serve" || args[0] == "keys" || args[0] == "demo" || args[0] == "healthcheck") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("councilapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usage(fs, stderr)
	cfg := configFlags(fs)
	var kf *keyFlags
	if cmd == "keys" {
		if len(args) == 0 {
			fmt.Fprintln(stderr, "usage: councilapi keys create|list|revoke (see --help)")
			return 2
		}
		sub, args = args[0], args[1:]
		kf = addKeyFlags(fs, sub)
	}
	var df *demoFlags
	if cmd == "demo" {
		df = addDemoFlags(fs)
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	rest := fs.Args()
	if cmd == "healthcheck" {
		return healthcheck(*cfg, stderr)
	}
	// ready runs once the server has started, before it takes requests:
	// the demo loads its sample there.
	var ready readyFunc
	if df != nil {
		var code int
		if ready, code = df.setup(fs, cfg, stdout, stderr); ready == nil {
			return code
		}
	}
	if _, _, err := httpConfig(*cfg); err != nil {
		fmt.Fprintln(stderr, "councilapi:", err)
		return 2
	}
	log := newLogger(cfg.logFormat, stderr)
	st, err := openStore(ctx, *cfg)
	if err != nil {
		fmt.Fprintln(stderr, "councilapi:", err)
		return 1
	}
	defer st.Close()
	if err := api.Prepare(ctx, st); err != nil {
		fmt.Fprintln(stderr, "councilapi: preparing the store:", err)
		return 1
	}
	switch cmd {
	case "keys":
		return keysCommand(ctx, st, sub, kf, rest, stdout, stderr)
	default:
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "councilapi: unexpected argument %q (see --help)\n", rest[0])
			return 2
		}
		return serve(ctx, *cfg, st, log, stdout, ready)
	}
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func openStore(ctx context.Context, cfg config) (store.Store, error) {
	if cfg.mongoURI != "" {
		return mongo.Open(ctx, cfg.mongoURI, mongo.Options{})
	}
	return sqlite.Open(ctx, cfg.dataDir)
}

// readyFunc is work done on the started application before the server
// takes requests; url is where it will answer (--base-url when set).
type readyFunc func(ctx context.Context, a *app.App, url string) error

func serve(ctx context.Context, cfg config, st store.Store, log *slog.Logger, stdout io.Writer, ready readyFunc) int {
	if cfg.oidc.ClientSecret == "" {
		cfg.oidc.ClientSecret = os.Getenv("COUNCILAPI_OIDC_CLIENT_SECRET")
	}
	sessions, err := sessionConfig(cfg)
	if err != nil {
		log.Error("sign-in configuration", "err", err)
		return 2
	}
	application := app.New(app.Config{BaseURL: cfg.baseURL, UploadLimit: cfg.uploadLimit, FeedPoll: cfg.feedPoll,
		JobLease: cfg.jobLease, JobWorkers: cfg.jobWorkers, MaxFeatures: cfg.maxFeatures, CoordinateDecimals: cfg.coordDecimals,
		Sessions:    sessions,
		Procurement: procurement.Config{OCIDPrefix: cfg.ocidPrefix, KeyDecisionThresholds: cfg.keyDecisions}}, st, log)
	basemap, failures, _ := httpConfig(cfg) // checked in run
	srv := api.New(api.Config{BaseURL: cfg.baseURL, TrustProxy: cfg.trustProxy, BodyLimit: cfg.bodyLimit, UploadLimit: cfg.uploadLimit,
		Version: version, Basemap: basemap, AuthFailures: failures, OIDC: cfg.oidc}, application, log)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		log.Error("cannot listen", "addr", cfg.addr, "err", err)
		return 1
	}
	if err := srv.Start(ctx); err != nil {
		log.Error("starting", "err", err)
		return 1
	}
	defer srv.Stop()
	hs := &http.Server{Handler: srv.Echo, ReadHeaderTimeout: 10 * time.Second}
	if cfg.pprofAddr != "" {
		if err := serveProfiler(cfg.pprofAddr, log); err != nil {
			log.Error("cannot listen for the profiler", "addr", cfg.pprofAddr, "err", err)
			return 1
		}
	}
	if ready != nil {
		if err := ready(ctx, application, cmp.Or(strings.TrimRight(cfg.baseURL, "/"), "http://"+ln.Addr().String())); err != nil {
			log.Error("before serving", "err", err)
			return 1
		}
	}
	if keys, err := application.Identity.Keys(ctx, audit.System); err == nil && !hasAdmin(keys) {
		fmt.Fprintf(stdout, `No admin API key exists yet. Create the first one (shown once) with:
  go run . keys create --role admin --label "your name"
using the same --data-dir or MONGODB_URI, while this server runs or not.
`)
	}
	fmt.Fprintf(stdout, "councilapi %s listening on http://%s (docs at /docs)\n", version, ln.Addr())

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		log.Error("server stopped", "err", err)
		return 1
	case <-ctx.Done():
	}
	// Finish in-flight requests, then the deferred st.Close() runs.
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

func hasAdmin(keys []domain.APIKey) bool {
	for _, k := range keys {
		if k.Role == domain.RoleAdmin && k.Revoked == "" {
			return true
		}
	}
	return false
}

// healthcheck probes a running server, for container runtimes without curl.
func healthcheck(cfg config, stderr io.Writer) int {
	host, port, err := net.SplitHostPort(cfg.addr)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 1
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := http.Client{Timeout: 3 * time.Second}
	res, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 1
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "healthcheck: status", res.StatusCode)
		return 1
	}
	return 0
}
