// Package testref finds the read-only reference material in ../shared and the
// external tools (gdal, xmllint, python3 modules, node) that some tests drive.
//
// On a developer's machine a missing tool or missing ../shared makes the test
// skip with a message saying what to install. CI sets COUNCILAPI_REQUIRE_TOOLS=1
// (see .ci/run), which turns every such skip into a failure, so a green CI run
// means the real clients really ran.
package testref

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Required reports whether missing tools and reference data must fail tests.
func Required() bool { return os.Getenv("COUNCILAPI_REQUIRE_TOOLS") == "1" }

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("COUNCILAPI_REQUIRE_TOOLS=1 but "+format, args...)
	}
	t.Skipf(format, args...)
}

// ModuleRoot returns the directory holding go.mod, found by walking up from
// the test's working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// Shared returns the absolute path of rel inside ../shared (beside the module
// root), skipping the test when the reference material is not present.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(filepath.Dir(ModuleRoot(t)), "shared", rel)
	if _, err := os.Stat(p); err != nil {
		missing(t, "reference material %s is not present (../shared beside the repo): %v", rel, err)
	}
	return p
}

// Tool returns the path of an executable on PATH, skipping the test with an
// install hint when it is absent.
func Tool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s not found on PATH: apt-get install -y %s (.ci/run installs it)", name, debianPackage)
	}
	return p
}

// PythonModule returns a python3 that can import module, skipping the test
// otherwise. Debian's /usr/bin/python3 comes first: the modules are installed
// as Debian packages, which a pyenv python3 earlier on PATH would not see.
func PythonModule(t testing.TB, module, debianPackage string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = Tool(t, "python3", "python3")
	}
	if err := exec.Command(py, "-c", "import "+module).Run(); err != nil {
		missing(t, "python3 cannot import %s: apt-get install -y %s (.ci/run installs it)", module, debianPackage)
	}
	return py
}

// Chromium returns the chromium binary and the flags every headless run
// here needs: root in CI needs --no-sandbox, and this machine's closed
// network makes Chromium's background connections fail, so they are off.
// A fresh profile directory keeps runs independent.
func Chromium(t testing.TB, budgetMillis int, extra ...string) (string, []string) {
	t.Helper()
	skipBrowserWhenShort(t, "Chromium")
	bin := Tool(t, "chromium", "chromium")
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=" + strconv.Itoa(budgetMillis)}
	return bin, append(args, extra...)
}

// skipBrowserWhenShort skips a test that drives a browser or QGIS under
// -short, which only CI's race-detector step uses: the README's test
// command runs every such journey, and under the detector they cost a third
// of the step while exercising the same handlers the HTTP tests race.
func skipBrowserWhenShort(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: %s journeys run in the full test command (go test ./...), not under the race detector", what)
	}
}

// Axe returns the source of axe-core (axe.min.js) for injecting into a
// page: $COUNCILAPI_AXE, or the copy .ci/run installs under .ci/axe. The
// test skips without it, with the command that installs it.
func Axe(t testing.TB) string {
	t.Helper()
	p := os.Getenv("COUNCILAPI_AXE")
	if p == "" {
		p = filepath.Join(ModuleRoot(t), ".ci", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		missing(t, "axe-core is not installed (%v): (mkdir -p .ci/axe && cd .ci/axe && echo '{}' > package.json && npm install axe-core), or set COUNCILAPI_AXE to axe.min.js (.ci/run installs it)", err)
	}
	return string(b)
}

// QGIS runs a Python script with QGIS's and OWSLib's modules, headless
// (Qt's offscreen platform, a fresh HOME for QGIS's profile), and returns
// what it prints; a script that fails fails the test with its output.
func QGIS(t testing.TB, script string, args ...string) []byte {
	t.Helper()
	skipBrowserWhenShort(t, "QGIS")
	py := PythonModule(t, "qgis.core", "qgis python3-qgis")
	PythonModule(t, "owslib", "python3-owslib")
	home := t.TempDir()                           // QGIS writes its settings and profile under HOME
	if err := os.Chmod(home, 0o700); err != nil { // as Qt wants its runtime directory
		t.Fatal(err)
	}
	cmd := exec.Command(py, append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen", "HOME="+home, "XDG_RUNTIME_DIR="+home, "XDG_CONFIG_HOME="+home)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s: %v\n%s\n%s", script, err, out, stderr)
	}
	return out
}

// LogBuffer collects log output that goroutines under test write while the
// test reads it.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is what has been written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
