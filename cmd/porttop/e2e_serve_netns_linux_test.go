//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler/netns"
	"github.com/porttop/porttop/sampler/nstest"
)

// As root `porttop serve` reads every namespace: a real Prometheus finds
// an `ip netns` namespace's own range (100 ports) and the 3 ports of it
// its connections hold, labelled by its inode and name.
func TestServeNetnsSeriesScrapedByPrometheus(t *testing.T) {
	prom := lookPrometheus(t)
	name, n, ln := listenInNetns(t, "serve", 20000, 20099, "127.0.0.1:7782")
	for range 3 {
		var c net.Conn
		if err := netns.Do(n, func() (err error) {
			c, err = net.Dial("tcp4", ln.Addr().String())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	_, u := startServe(t, "--port", "7782")
	p := startPrometheus(t, prom, u)
	labels := fmt.Sprintf(`{job="porttop",netns="%d",netns_name=%q}`, n.Inode, name)
	waitQuery(t, p, "porttop_netns_ephemeral_range_ports"+labels, "100")
	waitQuery(t, p, "porttop_netns_ephemeral_ports_used"+labels, "3")
}

// `porttop serve --source ebpf` in a namespace of five ephemeral ports:
// the connect() calls a client saw fail with EADDRNOTAVAIL are counted in
// porttop_failed_handouts_total{op="connect",errno="EADDRNOTAVAIL"}, which
// is there at 0 before any failed, and the scrape passes promtool.
func TestServeCountsFailedConnects(t *testing.T) {
	nstest.RequireRoot(t)
	name := nstest.Netns(t, "servefail", 40000, 40004)
	var n netns.NS
	list, err := netns.Discover()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.Name == name {
			n = x
		}
	}
	if n.Inode == 0 {
		t.Fatalf("namespace %s not discovered", name)
	}
	c := porttopCmd(context.Background(), "serve", "--source", "ebpf", "--listen", "127.0.0.1:0", "--interval", "100ms")
	c.Args = append([]string{"ip", "netns", "exec", name, c.Path}, c.Args[1:]...)
	c.Path, _ = exec.LookPath("ip")
	s := startCmd(t, c)
	re := regexp.MustCompile(`serving metrics on http://(127\.0\.0\.1:\d+)/metrics`)
	var addr string
	for deadline := time.Now().Add(wait); addr == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := re.FindStringSubmatch(s.stderr.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("porttop serve never said where it listens; stderr:\n%s", s.stderr)
	}
	// The exporter listens inside the namespace: dial it from there.
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (conn net.Conn, err error) {
		err = netns.Do(n, func() (err error) {
			conn, err = (&net.Dialer{}).DialContext(ctx, network, a)
			return err
		})
		return conn, err
	}}}
	scrape := func() string {
		resp, err := client.Get("http://" + addr + "/metrics")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	series := `porttop_failed_handouts_total{errno="EADDRNOTAVAIL",op="connect"} `
	var body string
	for deadline := time.Now().Add(wait); !strings.Contains(body, series+"0") && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		body = scrape()
	}
	if !strings.Contains(body, series+"0") {
		t.Fatalf("no %s0 before any failure; scrape:\n%s\nstderr:\n%s", series, body, s.stderr)
	}

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cl := exec.Command("ip", "netns", "exec", name, self)
	cl.Env = append(os.Environ(), testChild+"=exhaust-connects")
	out, err := cl.Output()
	if err != nil {
		t.Fatalf("client in %s: %v (%s)", name, err, out)
	}
	var pid, connects int
	var comm string
	if _, err := fmt.Sscanf(string(out), "pid=%d comm=%s connect=%d", &pid, &comm, &connects); err != nil || connects == 0 {
		t.Fatalf("client said %q (%v): the range was not exhausted", out, err)
	}
	t.Logf("client pid %d (%s): %d connects failed EADDRNOTAVAIL", pid, comm, connects)
	want := fmt.Sprintf("%s%d\n", series, connects)
	for deadline := time.Now().Add(wait); !strings.Contains(body, want) && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		body = scrape()
	}
	if !strings.Contains(body, want) {
		t.Fatalf("the client saw %d connects fail; the scrape has no %q:\n%s", connects, strings.TrimSpace(want), grepLines(body, "failed_handouts"))
	}
	if strings.Contains(body, comm) {
		t.Errorf("the failing process's name became a label:\n%s", grepLines(body, comm))
	}
	if promtool, err := exec.LookPath("promtool"); err == nil {
		pc := exec.Command(promtool, "check", "metrics")
		pc.Stdin = strings.NewReader(body)
		if out, err := pc.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	}
}

// grepLines is the lines of s holding sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
