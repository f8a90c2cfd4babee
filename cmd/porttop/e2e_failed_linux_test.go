package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The failed-connect test's client: it runs in a namespace whose ephemeral
// range is five ports, and connects to exhaustPort until connect() fails.
const exhaustPort = 9400

func init() { childModes["exhaust-connects"] = exhaustConnects }

// exhaustConnects listens on 127.0.0.1:9400, holds connections to it until
// connect fails for want of a port, tries 20 calls in all, and prints
// "pid=P comm=C connect=N". It makes the system calls itself: Go's net.Dial
// retries a connect that failed with EADDRNOTAVAIL, and the count must be
// of calls.
func exhaustConnects() {
	ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", exhaustPort))
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	defer ln.Close()
	dst := &syscall.SockaddrInet4{Port: exhaustPort, Addr: [4]byte{127, 0, 0, 1}}
	failed := 0
	for i := 0; i < 20; i++ {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
		if err != nil {
			fmt.Println("socket:", err)
			os.Exit(1)
		}
		defer syscall.Close(fd) // held until the end
		switch err := syscall.Connect(fd, dst); {
		case err == syscall.EADDRNOTAVAIL:
			failed++
		case err != nil:
			fmt.Println("connect:", err)
			os.Exit(1)
		}
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	fmt.Printf("pid=%d comm=%s connect=%d\n", os.Getpid(), strings.TrimSpace(string(comm)), failed)
}

// testNetns makes a network namespace with lo up and a five-port ephemeral
// range, deleted when the test ends.
func testNetns(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2) to make a network namespace")
	}
	name := fmt.Sprintf("porttop-fail-%d", os.Getpid())
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", name)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	run("-n", name, "link", "set", "lo", "up")
	run("netns", "exec", name, "sh", "-c", "echo '40000 40004' > /proc/sys/net/ipv4/ip_local_port_range")
	return name
}

// TestWatchCountsFailedConnectsAsTheClientSaw: `watch --source ebpf` in a
// namespace with five ephemeral ports writes connect_failed lines whose
// counts add up to the failed connect() calls the client itself saw, with
// its process, pid and destination.
func TestWatchCountsFailedConnectsAsTheClientSaw(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loading BPF programs and making a network namespace need root")
	}
	ns := testNetns(t)
	c := porttopCmd(context.Background(), "watch", "--source", "ebpf", "--interval", "100ms")
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("needs the ip command")
	}
	c.Args = append([]string{"ip", "netns", "exec", ns, c.Path}, c.Args[1:]...)
	c.Path = ip
	s := startCmd(t, c)
	if line := s.next(20 * time.Second); !strings.Contains(line, `"source":"ebpf"`) {
		t.Fatalf("header %q does not name the ebpf source", line)
	}

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	client := exec.Command("ip", "netns", "exec", ns, self)
	client.Env = append(os.Environ(), testChild+"=exhaust-connects")
	out, err := client.Output()
	if err != nil {
		t.Fatalf("client in %s: %v (%s)", ns, err, out)
	}
	var pid, connects int
	var comm string
	if _, err := fmt.Sscanf(string(out), "pid=%d comm=%s connect=%d", &pid, &comm, &connects); err != nil {
		t.Fatalf("client said %q: %v", out, err)
	}
	if connects == 0 {
		t.Fatal("no connect failed in the client: the range was not exhausted")
	}
	t.Logf("client pid %d (%s): %d connects failed EADDRNOTAVAIL", pid, comm, connects)

	type body struct {
		Count   int    `json:"count"`
		Errno   string `json:"errno"`
		Process string `json:"process"`
		PID     int    `json:"pid"`
		Address string `json:"address"`
	}
	got := 0
	deadline := time.Now().Add(20 * time.Second)
	for got < connects && time.Now().Before(deadline) {
		line := s.next(time.Until(deadline))
		var l struct {
			Connect *body `json:"connect_failed"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil || l.Connect == nil {
			continue
		}
		b := l.Connect
		if b.PID != pid {
			continue // another process on the machine? only the test's own namespace is watched
		}
		if b.Errno != "EADDRNOTAVAIL" || b.Process != comm || b.Address != fmt.Sprintf("127.0.0.1:%d", exhaustPort) {
			t.Errorf("line %s: want errno EADDRNOTAVAIL, process %q, address 127.0.0.1:%d", line, comm, exhaustPort)
		}
		got += b.Count
	}
	// Anything counted twice would come within a few intervals.
	if err := s.stop(); err != nil {
		t.Errorf("porttop: %v; stderr:\n%s", err, s.stderr)
	}
	for line := range s.lines {
		if strings.Contains(line, `"connect_failed"`) && strings.Contains(line, fmt.Sprintf(`"pid":%d`, pid)) {
			t.Errorf("after the count was reached: %s", line)
		}
	}
	if got != connects {
		t.Errorf("porttop counted %d failed connects, the client saw %d", got, connects)
	}
}
