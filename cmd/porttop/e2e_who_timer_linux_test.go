package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// `who` on a port a closed connection left in TIME_WAIT gives the time
// left before the kernel frees it, last on the line, as ss -o's timer does.
func TestWhoSaysTimeWaitLeft(t *testing.T) {
	ln := listenLoopback(t)
	p := connect(t, ln)
	port := p.clientPort()
	p.client.Close() // the client closes first: its end waits in TIME_WAIT
	p.server.Close()
	timer := regexp.MustCompile(`^timewait:[1-6][0-9]s|^timewait:1m00s$`)
	deadline := time.Now().Add(10 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		r := runPorttop(t, "who", fmt.Sprintf("%d/tcp", port))
		last = r.stdout
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			f := strings.Fields(l)
			if len(f) == 8 && f[3] == "TIME_WAIT" {
				if !timer.MatchString(f[7]) {
					t.Fatalf("TIME_WAIT line %q: last field %q, want timewait:NNs", l, f[7])
				}
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no TIME_WAIT line for port %d; last output:\n%s", port, last)
}
