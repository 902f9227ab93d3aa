package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/app/demo"
	"github.com/jointict/councilapi/domain"
)

// The demo command: the sample data of app/demo in a data directory of its
// own, served like any other.

// defaultDemoDir keeps the demo away from ./data, where a real
// installation's embedded store lives.
const defaultDemoDir = "./demo-data"

type demoFlags struct{ reload *bool }

// addDemoFlags adds the demo's own flag and gives --data-dir the demo's
// default (unless COUNCILAPI_DATA_DIR names one), which --help then shows.
func addDemoFlags(fs *flag.FlagSet) *demoFlags {
	if f := fs.Lookup("data-dir"); f != nil && os.Getenv("COUNCILAPI_DATA_DIR") == "" {
		f.DefValue = defaultDemoDir
		_ = f.Value.Set(defaultDemoDir) // a plain string flag: never fails
	}
	return &demoFlags{reload: fs.Bool("reload", false, "demo: replace the sample in --data-dir with a fresh one (only a directory the demo made)")}
}

// demoLoaded is the marker's last line once the whole sample is in.
const demoLoaded = "Loaded: "

// setup picks and checks the demo's data directory and returns what to do
// once the server has started: load the sample if the directory is fresh,
// then make demo keys and say how to sign in. A nil func means stop with
// the exit code.
func (df *demoFlags) setup(fs *flag.FlagSet, cfg *config, stdout, stderr io.Writer) (readyFunc, int) {
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if explicit["mongodb-uri"] {
		fmt.Fprintln(stderr, "councilapi demo: the demo runs on its own embedded store in --data-dir; drop --mongodb-uri")
		return nil, 2
	}
	if cfg.mongoURI != "" {
		fmt.Fprintf(stdout, "The demo uses its own embedded store in %s; MONGODB_URI is ignored.\n", cfg.dataDir)
		cfg.mongoURI = ""
	}
	fresh, err := demoDirectory(cfg.dataDir, *df.reload)
	if err != nil {
		fmt.Fprintln(stderr, "councilapi demo:", err)
		return nil, 2
	}
	dir := cfg.dataDir
	return func(ctx context.Context, a *app.App, url string) error {
		if fresh {
			fmt.Fprintf(stdout, "Loading the demo's sample data into %s (written by the councilapi project: invented suppliers,\n"+
				"prices and people, geometry generated around the councils' real offices; not real council data):\n", dir)
			start := time.Now()
			if err := demo.Load(ctx, a, stdout); err != nil {
				return fmt.Errorf("%w (run the demo again with --reload to start over)", err)
			}
			if err := markDemo(dir, true); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Sample loaded in %.1fs.\n", time.Since(start).Seconds())
		} else {
			fmt.Fprintf(stdout, "Serving the demo loaded earlier in %s (--reload replaces it with a fresh sample).\n", dir)
		}
		keys, err := demo.Keys(ctx, a)
		if err != nil {
			return err
		}
		printDemoKeys(stdout, url, keys)
		return nil
	}, 0
}

// demoDirectory makes sure dir is the demo's: a new or empty directory
// (fresh), or one holding a complete earlier demo (served again unless
// reload). A directory the demo did not make is refused, so the demo never
// writes over a council's data; one whose load did not finish is replaced.
func demoDirectory(dir string, reload bool) (fresh bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(entries) == 0 {
		return true, markDemo(dir, false)
	}
	if err != nil {
		return false, err
	}
	marker, err := os.ReadFile(filepath.Join(dir, demo.Marker))
	if errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("%s is not empty and holds no councilapi demo (no %s): give --data-dir a new or empty directory; the demo never writes over other data", dir, demo.Marker)
	}
	if err != nil {
		return false, err
	}
	if !reload && strings.Contains(string(marker), demoLoaded) {
		return false, nil
	}
	// The demo's own directory: the sample in it is replaced whole.
	if err := os.RemoveAll(dir); err != nil {
		return false, err
	}
	return true, markDemo(dir, false)
}

// markDemo writes the marker that says dir holds the demo, and once the
// sample is in, when it was loaded.
func markDemo(dir string, loaded bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	text := demo.MarkerText
	if loaded {
		text += demoLoaded + time.Now().UTC().Format(time.RFC3339) + "\n"
	}
	return os.WriteFile(filepath.Join(dir, demo.Marker), []byte(text), 0o644)
}

// printDemoKeys says where to go and how to sign in.
func printDemoKeys(w io.Writer, url string, keys []demo.Key) {
	fmt.Fprintf(w, `
Open %[1]s/ — every page is listed at %[1]s/sitemap.
Sign in at %[1]s/signin with one of these demo API keys (shown only now; a new set is made each
time the demo starts). Each also works on the API as "Authorization: Bearer KEY".
`, url)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, k := range keys {
		who := string(k.Role)
		if k.Organisation != "" {
			who += " of " + k.Organisation
		} else if k.Role == domain.RoleAdmin {
			who += " (every council)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", k.Label, who, k.Secret)
	}
	tw.Flush()
	fmt.Fprintln(w)
}
