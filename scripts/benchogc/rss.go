package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// memStatus is a process's memory as /proc/PID/status gives it, in bytes:
// RSS is anonymous memory (the heap) plus the file pages it has mapped in
// (the touched pages of an artefact), which the kernel may drop and read
// again under pressure.
type memStatus struct{ RSS, Peak, Anon, File int64 }

func readStatus(pid int) (memStatus, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memStatus{}, fmt.Errorf("reading resident memory needs Linux's /proc: %w", err)
	}
	var m memStatus
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.RSS = kb << 10
		case "VmHWM:":
			m.Peak = kb << 10
		case "RssAnon:":
			m.Anon = kb << 10
		case "RssFile:":
			m.File = kb << 10
		}
	}
	return m, nil
}

func (m memStatus) perPoint(n int) string {
	return fmt.Sprintf("RSS %6.1f MB = %5.0f B/point (heap %5.0f, artefact pages %5.0f)",
		float64(m.RSS)/1e6, float64(m.RSS)/float64(n), float64(m.Anon)/float64(n), float64(m.File)/float64(n))
}

// cpuTime is the CPU a process has used (user and system), from
// /proc/PID/stat in clock ticks of 10 ms.
func cpuTime(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields counted here follow it.
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
