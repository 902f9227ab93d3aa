package api

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/catalogue/dcat"
	"github.com/jointict/councilapi/catalogue/dcat/dcattest"
	"github.com/jointict/councilapi/catalogue/index"
)

// loadedSource is a catalogue that loads when told to.
type loadedSource struct {
	ix     *index.Index
	loaded chan struct{}
}

func (s loadedSource) Catalogue() (*index.Index, error) {
	select {
	case <-s.loaded:
		return s.ix, nil
	default:
		return nil, echo.ErrServiceUnavailable
	}
}

// A server given its base URL makes every published dataset's DCAT part,
// in every format, once the catalogue has loaded and before any page asks:
// a harvester's first walk after a restart then writes pages from parts.
// Without a base URL nothing is made ahead (the base comes with a request).
func TestDCATPartsAreMadeOnceTheCatalogueLoads(t *testing.T) {
	const base = "https://data.example.gov.uk"
	src := loadedSource{ix: dcattest.Index(dcattest.Entries("", 250)), loaded: make(chan struct{})}
	server := func(cfg Config) *Server {
		s := &Server{Echo: echo.New(), cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		s.harvestRoutes(src)
		return s
	}
	if s := server(Config{}); len(s.starters) != 0 {
		t.Fatalf("without a base URL the server starts %d background makers", len(s.starters))
	}
	s := server(Config{BaseURL: base + "/"})
	for _, start := range s.starters {
		if err := start(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	close(src.loaded)
	items := src.ix.Find(index.Query{Limit: 1000}).Items
	if len(items) != 252 {
		t.Fatalf("the fixture catalogue has %d published datasets, want 252", len(items))
	}
	unmade := func() (n int) {
		for _, it := range items {
			for _, f := range dcat.Formats {
				if !dcatPart(it, base, dcat.AP211).Ready(f) {
					n++
				}
			}
		}
		return n
	}
	for deadline := time.Now().Add(time.Minute); unmade() > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a minute after the catalogue loaded, %d of %d parts are still to make", unmade(), len(items)*len(dcat.Formats))
		}
	}
}
