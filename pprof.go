package main

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveProfiler serves Go's profiler on its own listener, so profiles of a
// benchmark come from the real server under its real load, and the API's
// mux (and its authentication) never carries the profiler's routes.
func serveProfiler(addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Warn("profiler listening; it shows the process's memory and must not be reachable from outside", "addr", ln.Addr().String())
	go func() {
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		if err := hs.Serve(ln); err != nil {
			log.Error("profiler stopped", "err", err)
		}
	}()
	return nil
}
