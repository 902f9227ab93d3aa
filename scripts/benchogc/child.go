package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// child is a benchogc subcommand running as its own process.
type child struct {
	cmd   *exec.Cmd
	lines chan string
}

// startChild runs this binary with args and waits for its "ready" line.
func startChild(args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return startBinary(self, args...)
}

// startBinary runs a benchogc binary with args and waits for its "ready" line.
func startBinary(bin string, args ...string) (*child, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, lines: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	for line := range c.lines {
		if strings.HasPrefix(line, "ready") {
			go func() {
				for range c.lines { // keep the pipe drained
				}
			}()
			return c, nil
		}
	}
	cmd.Wait()
	return nil, fmt.Errorf("%s exited before it was ready", strings.Join(args, " "))
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) stop() {
	c.cmd.Process.Kill()
	c.cmd.Wait()
}

// runChild runs this binary with args to the end, passing its output on.
func runChild(args ...string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// untilOK polls url until it answers 200 and says how long that took from
// since; it gives up after limit.
func untilOK(url string, since time.Time, limit time.Duration) (time.Duration, error) {
	cl := &http.Client{Timeout: 5 * time.Second}
	for time.Since(since) < limit {
		resp, err := cl.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Since(since), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, fmt.Errorf("%s did not answer 200 within %s", url, limit)
}
