//go:build linux

package ebpf

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// rawCollector gathers the probe's transitions and timewait records in
// the order the reader read them.
type rawCollector struct {
	mu    sync.Mutex
	trans []sampler.Transition
	tws   []TimeWait
	order []int // per record: 0 a transition, 1 a timewait record
}

func collectRaw(t *testing.T, p *Probe) *rawCollector {
	t.Helper()
	c := &rawCollector{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	d := Decoder{Clock: p.clock}
	go func() {
		done <- p.Read(ctx, func(raw []byte) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if isTimeWait(raw) {
				var tw TimeWait
				if err := decodeTimeWait(raw, p.clock, &tw); err != nil {
					t.Errorf("timewait record: %v", err)
					return
				}
				c.tws = append(c.tws, tw)
				c.order = append(c.order, 1)
				return
			}
			var tr sampler.Transition
			var pf sampler.PortFailure
			if isFail, err := d.Decode(raw, &tr, &pf); err == nil && !isFail {
				c.trans = append(c.trans, tr)
				c.order = append(c.order, 0)
			}
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Read: %v", err)
		}
	})
	return c
}

// hz is the kernel's HZ, or the test skips.
func hz(t *testing.T) int {
	t.Helper()
	h := kernelHZ()
	if h == 0 {
		t.Skip("this kernel does not say its HZ (/proc/config.gz): the timewait record's timeo cannot be checked")
	}
	return h
}

func finTimeout(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_fin_timeout")
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTimeWaitRecordNamesTheClosingSocket: a loopback connection whose
// first closer closes (orphaned before the peer's FIN: a FIN_WAIT2
// timewait socket, for tcp_fin_timeout) or shuts down its side first (a
// TIME_WAIT one, for TCP_TIMEWAIT_LEN) gives one timewait record, read
// just before that socket's CLOSE transition, naming it and the cookie
// sock_diag then shows the timewait socket under; the last closer's
// CLOSE has none. Each side closing first.
func TestTimeWaitRecordNamesTheClosingSocket(t *testing.T) {
	requireRoot(t)
	p := openProbe(t)
	if !p.TimeWaits() {
		t.Fatalf("the timewait program did not load on this kernel: %v", p.Notes())
	}
	hz := hz(t)
	for _, tc := range []struct {
		name        string
		clientFirst bool
		shutdown    bool
		want        sampler.State
		timeo       int
	}{
		{"client closes first", true, false, sampler.StateFinWait2, finTimeout(t) * hz},
		{"server closes first", false, false, sampler.StateFinWait2, finTimeout(t) * hz},
		{"client shuts down first", true, true, sampler.StateTimeWait, 60 * hz},
		{"server shuts down first", false, true, sampler.StateTimeWait, 60 * hz},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := collectRaw(t, p)
			ln, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			closer := closePair(t, ln, tc.clientFirst, tc.shutdown)[0]
			closes := func() (mine, last *sampler.Transition, at int) {
				c.mu.Lock()
				defer c.mu.Unlock()
				i := 0
				for k, kind := range c.order {
					if kind != 0 {
						continue
					}
					tr := &c.trans[i]
					i++
					if tr.To != sampler.StateClose {
						continue
					}
					switch {
					case tr.Local == closer[0] && tr.Remote == closer[1]:
						cp := *tr
						mine, at = &cp, k
					case tr.Local == closer[1] && tr.Remote == closer[0]:
						cp := *tr
						last = &cp
					}
				}
				return mine, last, at
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				mine, last, _ := closes()
				if mine != nil && last != nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no CLOSE transitions of both ends within 10 s")
				}
				time.Sleep(10 * time.Millisecond)
			}
			mine, _, at := closes()
			c.mu.Lock()
			var tws []TimeWait
			for _, tw := range c.tws {
				if tw.Local == closer[0] && tw.Remote == closer[1] || tw.Local == closer[1] && tw.Remote == closer[0] {
					tws = append(tws, tw)
				}
			}
			before := at > 0 && c.order[at-1] == 1
			c.mu.Unlock()
			// A FIN_WAIT2 timewait socket's timer is armed again, in
			// TIME_WAIT, when the peer's FIN comes.
			if len(tws) == 0 || len(tws) > 2 || tws[0].Local != closer[0] || tws[len(tws)-1].Local != closer[0] {
				t.Fatalf("timewait records of the connection: %+v; want one (or a FIN_WAIT2 one re-armed), of the first closer %v -> %v", tws, closer[0], closer[1])
			}
			if len(tws) == 2 && (tws[0].State != sampler.StateFinWait2 || tws[1].State != sampler.StateTimeWait || tws[1].Cookie != tws[0].Cookie) {
				t.Errorf("two timewait records %+v: want FIN_WAIT2 then TIME_WAIT, one cookie", tws)
			}
			tw := tws[0]
			if !before {
				t.Errorf("the timewait record is not the record just before the first closer's CLOSE")
			}
			if tw.Cookie == 0 || tw.Cookie != mine.Cookie {
				t.Errorf("timewait record cookie %d, the closing socket's transitions carry %d", tw.Cookie, mine.Cookie)
			}
			// An orphan in FIN_WAIT2 is handed over at once, in
			// FIN_WAIT2, unless the peer's FIN came with the ACK or
			// while the socket was busy: then in TIME_WAIT.
			want, timeo := tc.want, tc.timeo
			if tw.State == sampler.StateTimeWait && want == sampler.StateFinWait2 {
				want, timeo = sampler.StateTimeWait, 60*hz
			}
			if tw.State != want {
				t.Errorf("substate %v, want %v", tw.State, want)
			}
			if int(tw.Timeo) != timeo {
				t.Errorf("timeo %d jiffies, want %d (HZ %d)", tw.Timeo, timeo, hz)
			}
			if mine.From != sampler.StateFinWait2 && mine.From != sampler.StateFinWait1 && mine.From != sampler.StateClosing {
				t.Errorf("the first closer went to CLOSE from %v", mine.From)
			}
			nl := openNetlink(t)
			snap, err := nl.Sample(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, s := range snap.Sockets {
				if s.Proto == sampler.TCP && s.Local == closer[0] && s.Remote == closer[1] {
					found = true
					if s.Cookie != tw.Cookie {
						t.Errorf("sock_diag shows the timewait socket with cookie %d, the record says %d", s.Cookie, tw.Cookie)
					}
					if s.State != sampler.StateTimeWait && s.State != sampler.StateFinWait2 {
						t.Errorf("sock_diag shows it in %v", s.State)
					}
				}
			}
			if !found {
				t.Errorf("sock_diag shows no timewait socket for %v -> %v", closer[0], closer[1])
			}
		})
	}
}
