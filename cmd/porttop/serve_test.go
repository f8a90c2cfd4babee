package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler/metrics"
)

// startServe runs `porttop serve` on a free loopback port and returns it
// with the URL of its metrics.
func startServe(t *testing.T, args ...string) (*stream, string) {
	t.Helper()
	s := startPorttop(t, append([]string{"serve", "--listen", "127.0.0.1:0", "--interval", "200ms"}, args...)...)
	re := regexp.MustCompile(`serving metrics on (?:http://)?(127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := re.FindStringSubmatch(s.stderr.String()); m != nil {
			return s, "http://" + m[1] + "/metrics"
		}
		select {
		case <-s.done:
			t.Fatalf("porttop serve ended: %v; stderr:\n%s", s.err, s.stderr)
		default:
		}
	}
	t.Fatalf("porttop serve never said where it listens; stderr:\n%s", s.stderr)
	return nil, ""
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %v %s\n%s", u, err, resp.Status, b)
	}
	return string(b)
}

// holdConnections opens n loopback connections to a listener of its own
// and keeps them open until the test ends; it returns the destination
// label they are counted under.
func holdConnections(t *testing.T, n int) (destination string, port uint16) {
	ln := listenLoopback(t)
	for range n {
		connect(t, ln)
	}
	return ln.Addr().String(), portOf(ln)
}

// A scrape of the exporter counts the held connections under their
// destination and passes promtool's own checks.
func TestServeScrapeCountsDestination(t *testing.T) {
	dest, port := holdConnections(t, 5)
	_, u := startServe(t, "--port", strconv.Itoa(int(port)))
	want := fmt.Sprintf(`porttop_destination_ports{destination=%q,proto="tcp"} 5`, dest)
	var body string
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if body = get(t, u); strings.Contains(body, want) {
			break
		}
	}
	if !strings.Contains(body, want) {
		t.Fatalf("no %s in the scrape:\n%s", want, body)
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian: apt-get install prometheus): the scrape is not linted")
	}
	c := exec.Command(promtool, "check", "metrics")
	c.Stdin = strings.NewReader(body)
	if out, err := c.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// A real Prometheus scrapes `porttop serve` and its query API finds the
// held connections counted under their destination.
func TestServeScrapedByPrometheus(t *testing.T) {
	prom := lookPrometheus(t)
	dest, port := holdConnections(t, 3)
	_, u := startServe(t, "--port", strconv.Itoa(int(port)))
	api := startPrometheus(t, prom, u)
	r := waitQuery(t, api, fmt.Sprintf(`porttop_destination_ports{job="porttop",destination=%q}`, dest), "3")
	if got := r.Metric["proto"]; got != "tcp" {
		t.Errorf("proto label %q, want tcp", got)
	}
}

// lookPrometheus finds the prometheus binary or skips, saying how to get it.
func lookPrometheus(t *testing.T) string {
	t.Helper()
	prom, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus is not installed (Debian: apt-get install prometheus): no end-to-end scrape")
	}
	return prom
}

// promRun is a real Prometheus the test started: its query API and logs.
type promRun struct {
	api    string
	logs   *lockedBuffer
	exited chan error
}

// startPrometheus runs prom scraping the metrics URL u every second, its
// data in a temp dir, its API on a free loopback port; it is killed at
// cleanup.
func startPrometheus(t *testing.T, prom, u string) *promRun {
	t.Helper()
	target := strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/metrics")
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	conf := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: porttop\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(config, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	webAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(int(freePort(t))))
	c := exec.Command(prom, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+webAddr, "--log.level=warn")
	p := &promRun{api: "http://" + webAddr + "/api/v1/query?query=", logs: &lockedBuffer{}, exited: make(chan error, 1)}
	c.Stdout, c.Stderr = p.logs, p.logs
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- c.Wait() }()
	t.Cleanup(func() {
		_ = c.Process.Kill()
		<-p.exited
	})
	return p
}

// promSample is one series of a query's answer.
type promSample struct {
	Metric map[string]string
	Value  [2]any
}

// waitQuery asks Prometheus query until it answers one series of value
// want, and returns it; it fails with the last answer.
func waitQuery(t *testing.T, p *promRun, query, want string) promSample {
	t.Helper()
	var last string
	for deadline := time.Now().Add(2 * wait); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		select {
		case err := <-p.exited:
			t.Fatalf("prometheus ended: %v\n%s", err, p.logs.String())
		default:
		}
		resp, err := http.Get(p.api + url.QueryEscape(query))
		if err != nil {
			last = err.Error()
			continue // not up yet
		}
		var r struct {
			Status string
			Data   struct{ Result []promSample }
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		last = string(b)
		if err := json.Unmarshal(b, &r); err != nil || r.Status != "success" || len(r.Data.Result) != 1 {
			continue
		}
		if r.Data.Result[0].Value[1] == want {
			return r.Data.Result[0]
		}
	}
	t.Fatalf("Prometheus never had %s = %s; last answer: %s\nprometheus logs:\n%s", query, want, last, p.logs.String())
	return promSample{}
}

func TestServePrintRules(t *testing.T) {
	r := runPorttop(t, "serve", "--print-rules")
	if r.code != 0 || r.stdout != metrics.Rules || r.stderr != "" {
		t.Errorf("serve --print-rules: status %d, stderr %q, stdout the rules: %v", r.code, r.stderr, r.stdout == metrics.Rules)
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian: apt-get install prometheus): the printed rules are not checked")
	}
	f := filepath.Join(t.TempDir(), "porttop.rules.yml")
	if err := os.WriteFile(f, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "rules", f).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules on the printed rules: %v\n%s", err, out)
	}
}

func TestServeBadInput(t *testing.T) {
	busy := listenLoopback(t)
	missing := filepath.Join(t.TempDir(), "no-such-web.yml")
	badConfig := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(badConfig, []byte("tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /nonexistent.key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--listen", busy.Addr().String()}, "the port is in use"},
		{[]string{"serve", "--listen", "nonsense"}, "--listen nonsense: write it as host:port"},
		{[]string{"serve", "--listen", "127.0.0.1:99999"}, `port "99999" is not a number from 0 to 65535`},
		{[]string{"serve", "--listen", "127.0.0.1:http"}, `port "http" is not a number`},
		{[]string{"serve", "--top", "0"}, "--top 0: choose a number from 1 to 1000"},
		{[]string{"serve", "--web.config.file", missing}, "--web.config.file " + missing},
		{[]string{"serve", "--web.config.file", badConfig}, "--web.config.file " + badConfig},
		{[]string{"serve", "--filter", "10.0.0.0/99"}, "prefix length 99 > 32"},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			checkOneLine(t, runPorttop(t, tc.args...), tc.want)
		})
	}
}

// With a web config naming users, a scrape without the password is
// refused: exporter-toolkit's basic auth is in force.
func TestServeWebConfigBasicAuth(t *testing.T) {
	// bcrypt of "secret", cost 4 (the least: a test needs no strength).
	const hash = "$2a$04$r/ID75h/Ag.LiQ9gjsiRwOgwFuWiXwuVprzg34FS/Peeqb1coVqi2"
	cfg := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(cfg, []byte("basic_auth_users:\n  prom: "+hash+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, u := startServe(t, "--web.config.file", cfg)
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("scrape without a password: %s, want 401", resp.Status)
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.SetBasicAuth("prom", "secret")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte("porttop_ephemeral_range_ports")) {
		t.Errorf("scrape with the password: %s\n%s", resp.Status, b)
	}
}

// checkHelp: `porttop help CMD` and `porttop CMD --help` print CMD's usage.
func checkHelp(t *testing.T, cmd string) {
	t.Helper()
	for _, args := range [][]string{{"help", cmd}, {cmd, "--help"}} {
		r := runPorttop(t, args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: porttop "+cmd) {
			t.Errorf("%v: status %d, stdout:\n%s", args, r.code, r.stdout)
		}
	}
	if r := runPorttop(t, "help"); !strings.Contains(r.stdout, "porttop "+cmd+" [") {
		t.Errorf("porttop help does not list %s:\n%s", cmd, r.stdout)
	}
}

func TestServeHelp(t *testing.T) { checkHelp(t, "serve") }
