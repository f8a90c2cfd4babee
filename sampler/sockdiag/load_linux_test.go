//go:build linux

package sockdiag

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The test binary doubles as the load generator for benchmarks and .ci/bench
// when SOCKDIAG_LOAD is set:
//
//	accept:N             listen on 127.0.0.1, print "port P", accept and hold N
//	                     connections, print "held N", exit when stdin closes
//	hold:N[:traffic]     run accept:N in a child (the far ends, so each process
//	                     stays under the open-file limit), dial N connections
//	                     to it, print "ready N", exit when stdin closes; with
//	                     traffic, send a byte on one of them every 10 ms
//	                     (segments move, no connection opens or closes)
//	churn:RATE:SECONDS[:client]
//	                     print "port P", then make RATE connections a second to
//	                     a listener that closes each at once (the server
//	                     closes first; with client, the client closes each
//	                     at once and the server after its EOF); print
//	                     "made N failed F"
//	count:PORT           read `porttop watch` JSONL on stdin and print how many
//	                     client ports of connections to PORT had an open
//	                     event, a close event, and both
//	fidelity:PORT:PID:PROCESS
//	                     read `porttop watch` JSONL on stdin and print
//	                     "handouts H named N outside O": the new client ends
//	                     of connections to PORT reported opened, how many of
//	                     them with pid PID and process PROCESS, and the TCP
//	                     state changes (any socket) TCP cannot make
const loadEnv = "SOCKDIAG_LOAD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(loadEnv); mode != "" {
		if err := runLoad(mode, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	releaseHeld()
	os.Exit(code)
}

func runLoad(mode string, stdin io.Reader, stdout io.Writer) error {
	f := strings.Split(mode, ":")
	num := func(i int) (int, error) {
		if i >= len(f) {
			return 0, fmt.Errorf("mode %q lacks argument %d", mode, i)
		}
		return strconv.Atoi(f[i])
	}
	switch f[0] {
	case "accept":
		n, err := num(1)
		if err != nil {
			return err
		}
		return acceptAndHold(n, stdin, stdout)
	case "hold":
		n, err := num(1)
		if err != nil {
			return err
		}
		h, err := holdConns(n)
		if err != nil {
			return err
		}
		stop := make(chan struct{})
		if len(f) > 2 && f[2] == "traffic" && n > 0 {
			go h.trickle(stop)
		}
		fmt.Fprintf(stdout, "ready %d\n", n)
		_, _ = io.Copy(io.Discard, stdin)
		close(stop)
		return h.Close()
	case "churn":
		rate, err := num(1)
		if err != nil {
			return err
		}
		secs, err := num(2)
		if err != nil {
			return err
		}
		return churn(rate, time.Duration(secs)*time.Second, len(f) > 3 && f[3] == "client", stdout)
	case "count":
		port, err := num(1)
		if err != nil {
			return err
		}
		return countWatch(stdin, uint16(port), stdout)
	case "fidelity":
		port, err := num(1)
		if err != nil {
			return err
		}
		pid, err := num(2)
		if err != nil || len(f) < 4 {
			return fmt.Errorf("mode %q: want fidelity:PORT:PID:PROCESS", mode)
		}
		return fidelityWatch(stdin, uint16(port), int32(pid), f[3], stdout)
	}
	return fmt.Errorf("unknown load mode %q", mode)
}

func acceptAndHold(n int, stdin io.Reader, stdout io.Writer) error {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Fprintf(stdout, "port %d\n", ln.Addr().(*net.TCPAddr).Port)
	conns := make([]net.Conn, 0, n)
	for len(conns) < n {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	fmt.Fprintf(stdout, "held %d\n", n)
	_, _ = io.Copy(io.Discard, stdin)
	for _, c := range conns {
		c.Close()
	}
	return nil
}

// held is n loopback connections: client ends here, far ends in a child.
type held struct {
	child *exec.Cmd
	stdin io.WriteCloser
	conns []net.Conn
}

func holdConns(n int) (*held, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=accept:%d", loadEnv, n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	h := &held{child: cmd, stdin: stdin}
	lines := bufio.NewScanner(out)
	var port int
	if !lines.Scan() {
		h.Close()
		return nil, errors.New("load child said nothing")
	}
	if _, err := fmt.Sscanf(lines.Text(), "port %d", &port); err != nil {
		h.Close()
		return nil, fmt.Errorf("load child: %q", lines.Text())
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp4", addr)
		if err != nil {
			h.Close()
			return nil, fmt.Errorf("connection %d of %d: %w", i+1, n, err)
		}
		h.conns = append(h.conns, c)
	}
	if !lines.Scan() || lines.Text() != fmt.Sprintf("held %d", n) {
		h.Close()
		return nil, errors.New("load child did not confirm")
	}
	return h, nil
}

// trickle sends a byte every 10 ms, on each connection in turn, until stop.
func (h *held) trickle(stop <-chan struct{}) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-tick.C:
			_, _ = h.conns[i%len(h.conns)].Write([]byte{'.'})
		}
	}
}

func (h *held) Close() error {
	for _, c := range h.conns {
		// Reset rather than close: no TIME_WAIT left to swell later samples.
		_ = c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
	h.stdin.Close()
	return h.child.Wait()
}

// churn makes rate connections a second for d to a server that closes each
// connection as soon as it is accepted; the client closes after reading EOF.
func churn(rate int, d time.Duration, clientFirst bool, stdout io.Writer) error {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !clientFirst {
				c.Close()
				continue
			}
			go func() {
				var b [1]byte
				_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
				_, _ = c.Read(b[:]) // EOF: the client closed first
				c.Close()
			}()
		}
	}()
	addr := ln.Addr().String()
	fmt.Fprintf(stdout, "port %d\n", ln.Addr().(*net.TCPAddr).Port)
	total := int(int64(rate) * int64(d) / int64(time.Second))
	gap := time.Second / time.Duration(rate)
	start := time.Now()
	var made, failed int
	var buf [1]byte
	for i := 0; i < total; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * gap)); wait > 0 {
			time.Sleep(wait)
		}
		c, err := net.Dial("tcp4", addr)
		if err != nil {
			failed++
			continue
		}
		if !clientFirst {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, _ = c.Read(buf[:]) // EOF: the server closed first
		}
		c.Close()
		made++
	}
	fmt.Fprintf(stdout, "made %d failed %d\n", made, failed)
	return nil
}

var (
	heldOnce sync.Once
	heldConn *held
	heldErr  error
)

// benchConns is how many loopback connections benchmarks hold (each is two
// sockets in the table: one end here, one in the child).
func benchConns() int {
	if n, err := strconv.Atoi(os.Getenv("SOCKDIAG_BENCH_CONNS")); err == nil && n >= 0 {
		return n
	}
	return 5000
}

// holdForBench opens the benchmark connections once per process.
func holdForBench(b *testing.B) {
	heldOnce.Do(func() { heldConn, heldErr = holdConns(benchConns()) })
	if heldErr != nil {
		b.Fatalf("opening %d loopback connections: %v", benchConns(), heldErr)
	}
}

func releaseHeld() {
	if heldConn != nil {
		heldConn.Close()
	}
}

// countWatch tallies connections to port in a JSONL event stream: lines
// {"event":"open|close|state","proto":"tcp","local":"127.0.0.1:P",
// "remote":"127.0.0.1:port",...}; other lines (the header) are skipped. A
// client port may be used twice in a run, so pairs counts, per port, the
// smaller of its open and close events.
func countWatch(in io.Reader, port uint16, out io.Writer) error {
	opens, closes := map[uint16]int{}, map[uint16]int{}
	lines := bufio.NewScanner(in)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	var nOpen, nClose int
	for lines.Scan() {
		var ev struct{ Event, Proto, Local, Remote string }
		if json.Unmarshal(lines.Bytes(), &ev) != nil || ev.Proto != "tcp" {
			continue
		}
		local, err1 := netip.ParseAddrPort(ev.Local)
		remote, err2 := netip.ParseAddrPort(ev.Remote)
		if err1 != nil || err2 != nil || remote.Port() != port {
			continue
		}
		switch ev.Event {
		case "open":
			opens[local.Port()]++
			nOpen++
		case "close":
			closes[local.Port()]++
			nClose++
		}
	}
	pairs := 0
	for p, n := range opens {
		pairs += min(n, closes[p])
	}
	fmt.Fprintf(out, "opens %d closes %d pairs %d\n", nOpen, nClose, pairs)
	return lines.Err()
}

// fidelityWatch reads `porttop watch` JSONL and prints how many client ends
// of connections to port were reported opened ("handouts": not existing),
// how many of those named process proc with pid pid, and how many TCP state
// changes TCP cannot make (sampler.TCPCanReach).
func fidelityWatch(in io.Reader, port uint16, pid int32, proc string, out io.Writer) error {
	lines := bufio.NewScanner(in)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	var handouts, named, outside int
	for lines.Scan() {
		var ev struct {
			Event, Proto, Local, Remote, State, Process string
			PrevState                                   string `json:"prev_state"`
			PID                                         int32
			Existing                                    bool
		}
		if json.Unmarshal(lines.Bytes(), &ev) != nil || ev.Proto != "tcp" {
			continue
		}
		switch ev.Event {
		case "state":
			from, ok1 := sampler.ParseState(ev.PrevState)
			to, ok2 := sampler.ParseState(ev.State)
			if !ok1 || !ok2 || !sampler.TCPCanReach(from, to) {
				outside++
			}
		case "open":
			remote, err := netip.ParseAddrPort(ev.Remote)
			if err != nil || remote.Port() != port || ev.Existing {
				continue
			}
			handouts++
			if ev.PID == pid && ev.Process == proc {
				named++
			}
		}
	}
	fmt.Fprintf(out, "handouts %d named %d outside %d\n", handouts, named, outside)
	return lines.Err()
}
