// Package benchserver runs a councilapi binary for the benchmarks under
// scripts/: a key made with the binary's own `keys create`, the server on a
// free local port, readiness, authenticated JSON calls and its memory.
package benchserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a running councilapi process.
type Server struct {
	Base string // http://127.0.0.1:port
	Key  string // the API key Call sends
	Log  bytes.Buffer

	mu  sync.Mutex
	cmd *exec.Cmd
}

// CreateKey makes an API key in the store under dataDir with `councilapi
// keys create` (args: --role, --org, --label…) and returns its secret.
func CreateKey(bin, dataDir string, args ...string) (string, error) {
	out, err := exec.Command(bin, append([]string{"keys", "create", "--data-dir", dataDir}, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("councilapi keys create: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "cak_") {
			return strings.TrimSpace(l), nil
		}
	}
	return "", fmt.Errorf("councilapi keys create printed no key:\n%s", out)
}

// Start runs the binary on dataDir at a free port with the extra flags;
// Call sends key.
func Start(bin, dataDir, key string, extra ...string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &Server{Base: "http://" + addr, Key: key}
	s.cmd = exec.Command(bin, append([]string{"--data-dir", dataDir, "--addr", addr}, extra...)...)
	s.cmd.Stdout, s.cmd.Stderr = &s.Log, &s.Log
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// WaitReady waits for /readyz to answer 200, stopping the server if it
// does not within limit.
func (s *Server) WaitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.Base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop()
	return fmt.Errorf("councilapi did not become ready:\n%.3000s", s.Log.String())
}

// Stop interrupts the server and waits for it (killing it after 30 s).
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// MemoryMB reads a memory figure of the server from /proc (Linux):
// "VmRSS" (resident now) or "VmHWM" (peak resident); -1 when unknown.
func (s *Server) MemoryMB(field string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return -1
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == field+":" {
			kb, _ := strconv.Atoi(f[1])
			return kb / 1024
		}
	}
	return -1
}

// HTTPError is an answer of 300 or more.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string { return fmt.Sprintf("HTTP %d: %.400s", e.Status, e.Body) }

var client = &http.Client{Timeout: 120 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// Client is the HTTP client the calls use (keep-alive, long timeout).
func Client() *http.Client { return client }

// Call sends an authenticated request and decodes a JSON answer into out
// (when not nil); an answer of 300 or more is an *HTTPError.
func (s *Server) Call(method, path string, body io.Reader, contentType string, out any) error {
	req, err := http.NewRequest(method, s.Base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.Key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return &HTTPError{Status: res.StatusCode, Body: string(raw)}
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
