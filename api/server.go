// Package api is the HTTP face of councilapi: Echo routes, authentication,
// RFC 9457 problems, auditing and the OpenAPI document.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/store"
)

// Config is what the HTTP layer needs to know about its deployment.
type Config struct {
	// BaseURL, when set, is the public URL prefix for absolute links
	// (e.g. https://data.ne-derbyshire.gov.uk); otherwise it is derived per request.
	BaseURL string
	// TrustProxy lets X-Forwarded-Proto/Host decide the derived base URL.
	TrustProxy bool
	// BodyLimit caps JSON request bodies, in bytes.
	BodyLimit int64
	// UploadLimit caps one uploaded dataset file, in bytes.
	UploadLimit int64
	// Version is reported by the landing page and OpenAPI document.
	Version string
	// Basemap is drawn under the HTML maps (OGC API pages, dataset pages);
	// the zero value draws none.
	Basemap ogc.Basemap
	// AuthFailures throttles failed authentication per client address and
	// per key prefix; the zero value takes DefaultAuthFailures.
	AuthFailures AuthFailureLimit
	// OIDC, when its Issuer is set, signs council staff in to the pages
	// through their organisation's identity provider.
	OIDC OIDC
}

// Server holds the Echo instance and what handlers share. Each capability
// (sourcing, procurement, open data, OGC API, INSPIRE) keeps its own state in
// its own type, created by its routes function, and may register a starter
// that Start runs (to load in-memory indexes from the store).
type Server struct {
	Echo     *echo.Echo
	app      *app.App
	store    store.Store
	cfg      Config
	log      *slog.Logger
	csp      string
	throttle *authThrottle
	starters []func(context.Context) error
	stoppers []func()
	// pages renders HTML pages in the shared layout (pages.go).
	pages *pagesAPI
}

// Start runs the capabilities' start-up work: the application layer starts
// tailing the change feed (derived state loads in the background while
// /readyz says 503) and processing jobs. Call it once after New.
func (s *Server) Start(ctx context.Context) error {
	if err := s.app.Start(ctx); err != nil {
		return err
	}
	for _, start := range s.starters {
		if err := start(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Stop ends background work (jobs) after the HTTP server has shut down.
func (s *Server) Stop() {
	for _, stop := range s.stoppers {
		stop()
	}
	s.app.Stop()
}

// Collections used by the foundation.
const (
	collOrganisations = identity.CollOrganisations
	collKeys          = identity.CollKeys
)

// Indexes lists what the collections still owned by this package need
// (the application layer declares its own).
var Indexes []store.Index

// New builds the server with every route registered.
func New(cfg Config, a *app.App, log *slog.Logger) *Server {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 1 << 20
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{Echo: e, app: a, store: a.Store, cfg: cfg, log: log,
		csp: contentSecurityPolicy(cfg.Basemap), throttle: newAuthThrottle(cfg.AuthFailures)}
	e.HTTPErrorHandler = s.errorHandler
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: requestIDs()}))
	e.Use(s.recoverer)
	e.Use(s.requestLog)
	e.Use(s.securityHeaders)
	e.Use(s.cors)
	e.Use(gzipResponses())
	e.Use(s.bodyLimit)
	s.routes()
	return s
}

func (s *Server) routes() {
	e := s.Echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/problems/:slug", s.problemDoc)
	s.docsRoutes()

	v1 := e.Group("/api/v1")
	v1.GET("/organisations", s.listOrganisations)
	v1.GET("/organisations/:id", s.getOrganisation)
	v1.POST("/organisations", s.createOrganisation, s.authenticate, requireArea(domain.AreaAdmin))
	v1.PATCH("/organisations/:id", s.patchOrganisation, s.authenticate, requireArea(domain.AreaAdmin))

	v1.GET("/keys", s.listKeys, s.authenticate)
	v1.POST("/keys", s.createKey, s.authenticate)
	v1.DELETE("/keys/:id", s.revokeKey, s.authenticate)
	v1.GET("/me", s.me, s.authenticate)

	v1.GET("/audit", s.listAudit, s.authenticate)

	// Capabilities, one line each.
	s.datasetsRoutes(v1)
	RegisterOGC(e.Group("/ogc"), s.app.OGC, s.baseURL, s.cfg.Basemap)
	s.harvestRoutes(s.app.OpenData)
	s.sourcingRoutes(v1)
	s.procurementRoutes(v1, s.Echo)
	s.pagesRoutes()
	s.procurementPagesRoutes()
	s.publishingPagesRoutes()
	s.sourcingPagesRoutes()
	s.signinRoutes(v1)
	s.inspireRoutes()
	s.sitemapRoutes()
}

// Prepare creates indexes and seeds a fresh store; safe on every start.
func Prepare(ctx context.Context, st store.Store) error { return app.Prepare(ctx, st, Indexes) }

// baseURL is the absolute URL prefix for links in responses.
func (s *Server) baseURL(c echo.Context) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	r := c.Request()
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.cfg.TrustProxy {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
			scheme = p
		}
		if h := r.Header.Get("X-Forwarded-Host"); h != "" {
			host = strings.TrimSpace(strings.Split(h, ",")[0])
		}
	}
	return scheme + "://" + host
}

// requestIDs returns a generator of ids unique to this process run: a
// random prefix chosen at start and a counter. It is several times cheaper
// than drawing 32 random characters per request, which matters on the OGC
// API's hot path, and the ids still sort by arrival within a run.
func requestIDs() func() string {
	var prefix [6]byte
	_, _ = rand.Read(prefix[:])
	p := hex.EncodeToString(prefix[:]) + "-"
	var n atomic.Uint64
	return func() string { return p + strconv.FormatUint(n.Add(1), 36) }
}

func (s *Server) recoverer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("handler panic", "panic", fmt.Sprint(r), "path", c.Request().URL.Path,
					"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
				err = newProblem("internal", "")
			}
		}()
		return next(c)
	}
}

func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		// Typed attributes: this line is written for every request, and the
		// OGC API answers thousands a second.
		s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
			slog.String("method", c.Request().Method), slog.String("path", c.Request().URL.Path),
			slog.Int("status", c.Response().Status), slog.Int64("bytes", c.Response().Size),
			slog.Int64("duration_ms", time.Since(start).Milliseconds()),
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)))
		return nil
	}
}

// bodyLimit caps JSON bodies. Uploads of dataset files stream to disk under
// their own, larger limit, so routes ending in /versions are exempt here.
func (s *Server) bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if strings.HasSuffix(r.URL.Path, "/versions") || strings.HasSuffix(r.URL.Path, "/import") {
			return next(c)
		}
		if r.ContentLength > s.cfg.BodyLimit {
			return newProblem("too-large", fmt.Sprintf("the request body is %d bytes; the limit is %d (--body-limit)", r.ContentLength, s.cfg.BodyLimit))
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, s.cfg.BodyLimit)
		return next(c)
	}
}

// healthz reports that the process is alive, and which instance it is (the
// id its job leases carry).
//
//	@Summary	Liveness
//	@Tags		operations
//	@Produce	json
//	@Success	200	{object}	map[string]string
//	@Router		/healthz [get]
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "instance": s.app.Instance()})
}

// readyz reports whether the store answers and derived state has loaded;
// detail names what keeps publication incomplete even when ready.
//
//	@Summary	Readiness: the store is reachable and derived state loaded; detail names what keeps publication incomplete (the contracts register dataset, OCDS identifiers)
//	@Tags		operations
//	@Produce	json
//	@Success	200	{object}	app.Readiness
//	@Failure	503	{object}	Problem
//	@Router		/readyz [get]
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	r := s.app.Ready(ctx)
	if !r.Ready {
		c.Response().Header().Set("Retry-After", "2")
		p := newProblem("unavailable", "this instance is not ready: "+readinessText(r.Detail))
		p.Components = r.Detail
		return p
	}
	return c.JSON(http.StatusOK, struct {
		Status string            `json:"status"`
		Detail map[string]string `json:"detail,omitempty"`
	}{"ready", r.Detail})
}

func readinessText(detail map[string]string) string {
	keys := slices.Sorted(maps.Keys(detail))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + detail[k]
	}
	return strings.Join(parts, "; ")
}
