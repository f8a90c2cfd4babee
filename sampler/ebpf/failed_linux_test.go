//go:build linux

package ebpf

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// The client the failed-connect test runs inside its namespace: this test
// binary again, told so by the environment.
const exhaustEnv = "PORTTOP_EBPF_EXHAUST"

// exhaustPort is the listener's port, outside the namespace's narrowed
// ephemeral range.
const exhaustPort = 9400

func TestMain(m *testing.M) {
	if os.Getenv(exhaustEnv) != "" {
		os.Exit(exhaust())
	}
	if addr := os.Getenv(clientEnv); addr != "" {
		os.Exit(connectAndQuit(addr))
	}
	if addr := os.Getenv(pairEnv); addr != "" {
		os.Exit(listenAndConnect(addr))
	}
	os.Exit(m.Run())
}

// exhaust listens on 127.0.0.1:9400, holds connections to it until connect
// fails for want of a port, tries a few more and a few port-0 binds, and
// prints its pid and what it saw: "pid=P connect=N bind=M". It makes the
// system calls itself: Go's net.Dial retries a connect that failed with
// EADDRNOTAVAIL, and the count must be of calls.
func exhaust() int {
	ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", exhaustPort))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer ln.Close()
	dst := &syscall.SockaddrInet4{Port: exhaustPort, Addr: [4]byte{127, 0, 0, 1}}
	connectFailed, bindFailed := 0, 0
	for i := 0; i < 20; i++ {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, "socket:", err)
			return 1
		}
		defer syscall.Close(fd) // held until the end
		switch err := syscall.Connect(fd, dst); {
		case err == syscall.EADDRNOTAVAIL:
			connectFailed++
		case err != nil:
			fmt.Fprintln(os.Stderr, "connect:", err)
			return 1
		}
	}
	for i := 0; i < 3; i++ {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, "socket:", err)
			return 1
		}
		err = syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
		syscall.Close(fd)
		switch {
		case err == syscall.EADDRINUSE:
			bindFailed++
		case err != nil:
			fmt.Fprintln(os.Stderr, "bind:", err)
			return 1
		}
	}
	fmt.Printf("pid=%d connect=%d bind=%d\n", os.Getpid(), connectFailed, bindFailed)
	return 0
}

// netns makes a network namespace with lo up and a four-port ephemeral
// range, deleted when the test ends. An even count: the kernel searches
// an odd-sized range for a connect's port as if it were one port shorter
// (its two passes go by parity), and a port-0 bind could then take the
// port connects never reached (3 of 20 namespaces with 40000-40004).
func netns(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2) to make a network namespace")
	}
	name := fmt.Sprintf("porttop-ebpf-%d", os.Getpid())
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	run("-n", name, "link", "set", "lo", "up")
	run("netns", "exec", name, "sh", "-c", "echo '40000 40003' > /proc/sys/net/ipv4/ip_local_port_range")
	return name
}

func TestFailedConnectsCountedWithProcessAndDestination(t *testing.T) {
	requireRoot(t)
	ns := netns(t)
	p := openProbe(t)
	c := collect(t, p)
	before, err := p.Counts()
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns, self)
	cmd.Env = append(os.Environ(), exhaustEnv+"=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("client in %s: %v (%s)", ns, err, out)
	}
	var pid, connects, binds int
	if _, err := fmt.Sscanf(string(out), "pid=%d connect=%d bind=%d", &pid, &connects, &binds); err != nil {
		t.Fatalf("client said %q: %v", out, err)
	}
	if connects == 0 || binds == 0 {
		t.Fatalf("the client saw %d failed connects and %d failed binds: the range was not exhausted", connects, binds)
	}
	t.Logf("client pid %d: %d connects failed EADDRNOTAVAIL, %d port-0 binds failed EADDRINUSE", pid, connects, binds)
	theirs := func(failures []sampler.PortFailure, op sampler.FailedOp) []sampler.PortFailure {
		var got []sampler.PortFailure
		for _, f := range failures {
			if f.Actor.PID == int32(pid) && f.Op == op {
				got = append(got, f)
			}
		}
		return got
	}
	c.waitFor(func(_ []sampler.Transition, failures []sampler.PortFailure) bool {
		return len(theirs(failures, sampler.FailedConnect)) >= connects && len(theirs(failures, sampler.FailedBind)) >= binds
	})
	_, failures := c.snapshot()
	comm := strconv.Quote(ownComm(t)) // the client is this same binary
	dst := netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", exhaustPort))
	gotConnects := theirs(failures, sampler.FailedConnect)
	if len(gotConnects) != connects {
		t.Errorf("porttop saw %d failed connects, the client %d", len(gotConnects), connects)
	}
	var nsStat syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+ns, &nsStat); err != nil {
		t.Fatal(err)
	}
	for _, f := range append(gotConnects, theirs(failures, sampler.FailedBind)...) {
		if f.NetNS != uint32(nsStat.Ino) {
			t.Errorf("failure in network namespace %d, want the test's, %d", f.NetNS, nsStat.Ino)
		}
	}
	for _, f := range gotConnects {
		if f.Addr != dst || f.Errno != int(syscall.EADDRNOTAVAIL) || strconv.Quote(f.Actor.Comm) != comm {
			t.Errorf("failed connect %+v, want to %v, errno 99, by %s", f, dst, comm)
		}
	}
	gotBinds := theirs(failures, sampler.FailedBind)
	if len(gotBinds) != binds {
		t.Errorf("porttop saw %d failed binds, the client %d", len(gotBinds), binds)
	}
	for _, f := range gotBinds {
		if f.Addr != netip.MustParseAddrPort("127.0.0.1:0") || f.Errno != int(syscall.EADDRINUSE) {
			t.Errorf("failed bind %+v, want 127.0.0.1:0, errno 98", f)
		}
	}
	// The kernel's own counters saw at least these (other processes on
	// the machine may fail too).
	after, err := p.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if after.ConnectFailed-before.ConnectFailed < uint64(connects) || after.BindFailed-before.BindFailed < uint64(binds) {
		t.Errorf("kernel counters went %+v -> %+v, want at least %d connects and %d binds more", before, after, connects, binds)
	}
	if after.Dropped != 0 {
		// Every failure of the client's was counted above, exactly: the
		// dropped records were other programs' (the whole machine's
		// transitions share the ring).
		t.Logf("%d records of other programs dropped meanwhile", after.Dropped)
	}
}
