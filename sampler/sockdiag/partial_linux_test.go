//go:build linux

package sockdiag

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// partialBudget is how long a test keeps sampling to see a partial sample:
// any TCP connection opened anywhere on the machine (other tests running in
// parallel, say) makes a sample full, so it may take a few tries.
const partialBudget = 5 * time.Second

// row is what a sample says of one socket, but for attribution (which a
// source redoes from its own cache).
type row struct {
	state sampler.State
	uid   int32
	inode uint32
}

// ourTable is what a sample says of the test's own sockets, by cookie.
func ourTable(socks []sampler.Socket, ports map[uint16]bool) map[uint64]row {
	out := map[uint64]row{}
	for _, s := range socks {
		if s.Proto == sampler.TCP && (ports[s.Local.Port()] || ports[s.Remote.Port()]) {
			out[s.Cookie] = row{s.State, s.UID, s.Inode}
		}
	}
	return out
}

func describeTable(m map[uint64]row) string {
	var b strings.Builder
	for _, c := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "  cookie %d %s uid %d inode %d\n", c, m[c].state, m[c].uid, m[c].inode)
	}
	return b.String()
}

// partialSample samples until a sample is partial and returns it together
// with a full dump made right after by a second source; ok is false when no
// sample in the budget was partial (other programs kept opening TCP
// connections).
func partialSample(t *testing.T, s, full *Source) (partial, truth []sampler.Socket, ok bool) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(partialBudget); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		s.mu.Lock()
		before := s.part.partials
		s.mu.Unlock()
		snap, err := s.Sample(ctx)
		if err != nil {
			t.Fatal(err)
		}
		truthSnap, err := full.Sample(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.mu.Lock()
		was := s.part.partials > before
		s.mu.Unlock()
		if was {
			return snap.Sockets, truthSnap.Sockets, true
		}
	}
	return nil, nil, false
}

// TestPartialSamplesAreExact holds loopback connections, lets porttop's
// source take partial samples while they change (a graceful close, a reset,
// a new connection) and checks every sample against a full dump made at
// once by another source.
func TestPartialSamplesAreExact(t *testing.T) {
	if runInPrivateNetns(t) {
		return
	}
	s := newSource(t)
	full := newSource(t)
	full.SetPartial(false)
	var pairs []pair
	ports := map[uint16]bool{}
	open := func() pair {
		p := openPair(t, "tcp4", "127.0.0.1:0")
		ports[addrPort(p.ln.Addr()).Port()] = true
		pairs = append(pairs, p)
		return p
	}
	for range 20 {
		open()
	}
	ctx := context.Background()
	settle := func(what string, ok func(map[uint64]row) bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			snap, err := full.Sample(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if ok(ourTable(snap.Sockets, ports)) {
				return
			}
		}
		t.Fatalf("the kernel never showed %s", what)
	}
	count := func(st sampler.State) func(map[uint64]row) int {
		return func(m map[uint64]row) int {
			n := 0
			for _, v := range m {
				if v.state == st {
					n++
				}
			}
			return n
		}
	}
	var checked []string
	check := func(step string) {
		t.Helper()
		got, truth, ok := partialSample(t, s, full)
		if !ok {
			t.Logf("%s: no partial sample in %v (TCP connections kept opening on this machine): not checked", step, partialBudget)
			return
		}
		checked = append(checked, step)
		g, w := ourTable(got, ports), ourTable(truth, ports)
		if !maps.Equal(g, w) {
			t.Fatalf("%s: a partial sample shows\n%sbut a full dump right after shows\n%s", step, describeTable(g), describeTable(w))
		}
	}
	if _, err := s.Sample(ctx); err != nil { // the first, full sample
		t.Fatal(err)
	}
	check("idle connections")

	pairs[0].client.Close() // FIN: client FIN_WAIT1 then, once ACKed, FIN_WAIT2; server CLOSE_WAIT
	settle("one end in FIN_WAIT2, the other in CLOSE_WAIT", func(m map[uint64]row) bool {
		return count(sampler.StateCloseWait)(m) == 1 && count(sampler.StateFinWait2)(m) == 1
	})
	check("after a graceful close")

	_ = pairs[1].client.SetLinger(0) // RST: both ends gone at once
	pairs[1].client.Close()
	settle("both ends of the reset connection gone", func(m map[uint64]row) bool {
		return count(sampler.StateEstablished)(m) == 2*(len(pairs)-2)
	})
	check("after a reset")

	open()
	settle("the new connection", func(m map[uint64]row) bool {
		return count(sampler.StateEstablished)(m) == 2*(len(pairs)-2)
	})
	check("after a new connection")

	// A connection no process has accept()ed yet is dumped with inode 0;
	// accept() gives it one and moves no counter.
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ports[addrPort(ln.Addr()).Port()] = true
	waiting, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer waiting.Close()
	settle("the connection waiting for accept()", func(m map[uint64]row) bool {
		return count(sampler.StateEstablished)(m) == 2*(len(pairs)-2)+2
	})
	for range 3 { // let the source's previous sample hold it with inode 0
		if _, err := s.Sample(ctx); err != nil {
			t.Fatal(err)
		}
	}
	accepted, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer accepted.Close()
	check("after accept()")

	if len(checked) == 0 {
		t.Skip("no partial sample could be taken: other programs opened TCP connections throughout (the simulated-kernel tests still check the logic)")
	}
}

// TestPartialSamplesOffWhenNarrowed: a query narrows the dump, so CurrEstab,
// which counts the whole table, cannot vouch for it: every sample is full.
func TestPartialSamplesOffWhenNarrowed(t *testing.T) {
	s := newSource(t)
	s.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.TCP}})
	for range 5 {
		if _, err := s.Sample(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if s.part.partials != 0 || s.part.fulls != 5 {
		t.Errorf("narrowed source made %d partial and %d full samples, want 0 and 5", s.part.partials, s.part.fulls)
	}
}

// netnsEnv marks a test binary started by runInPrivateNetns.
const netnsEnv = "SOCKDIAG_TEST_IN_NETNS"

// runInPrivateNetns runs the calling test again in a network namespace of
// its own (unshare -n, with a user namespace when not root), where no other
// program opens connections to keep partial samples from being taken; the
// kernel's counters are per namespace. It reports whether it did: false
// inside that run, and where namespaces cannot be had (the test then runs
// here, beside the machine's other connections).
func runInPrivateNetns(t *testing.T) bool {
	t.Helper()
	if os.Getenv(netnsEnv) != "" {
		return false
	}
	unshare, err1 := exec.LookPath("unshare")
	ip, err2 := exec.LookPath("ip")
	if err1 != nil || err2 != nil {
		t.Log("no unshare or ip here: running beside the machine's other connections")
		return false
	}
	args := []string{"--net"}
	if os.Geteuid() != 0 {
		args = []string{"--user", "--map-root-user", "--net"}
	}
	args = append(args, "sh", "-c", `"$0" link set lo up && exec "$@"`, ip,
		os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd := exec.Command(unshare, args...)
	cmd.Env = append(os.Environ(), netnsEnv+"=1")
	out, err := cmd.CombinedOutput()
	switch {
	case bytes.Contains(out, []byte("--- FAIL")):
		t.Fatalf("in a private network namespace:\n%s", out)
	case err != nil || !bytes.Contains(out, []byte("--- PASS")):
		t.Logf("no private network namespace here (%v: %s): running beside the machine's other connections", err, bytes.TrimSpace(lastLine(out)))
		return false
	}
	t.Logf("ran in a private network namespace")
	return true
}

func lastLine(b []byte) []byte {
	b = bytes.TrimRight(b, "\n")
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}
