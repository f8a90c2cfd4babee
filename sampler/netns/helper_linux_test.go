//go:build linux

package netns

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler/nstest"
)

// helperEnv makes the test binary a listener for tests, fillEnv one that
// holds many loopback connections (see TestMain).
const (
	helperEnv = "PORTTOP_NETNS_HELPER_LISTEN"
	fillEnv   = "PORTTOP_NETNS_HELPER_FILL"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(helperEnv); addr != "" {
		os.Exit(helperListen(addr))
	}
	if n := os.Getenv(fillEnv); n != "" {
		os.Exit(helperFill(n))
	}
	os.Exit(m.Run())
}

// helperFill opens n loopback connections (2n sockets), says "ready" and
// holds them until stdin closes. They carry no traffic, keepalive probes
// included (Go's default sends one every 15 s on each): a namespace
// where segments flow is not idle (see the package README).
func helperFill(n string) int {
	conns, err := strconv.Atoi(n)
	if err != nil {
		return 2
	}
	lc := net.ListenConfig{KeepAlive: -1}
	ln, err := lc.Listen(context.Background(), "tcp4", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	done := make(chan []net.Conn, 1)
	go func() {
		var got []net.Conn
		for range conns {
			c, err := ln.Accept()
			if err != nil {
				break
			}
			got = append(got, c)
		}
		done <- got
	}()
	var held []net.Conn
	for range conns {
		d := net.Dialer{KeepAlive: -1}
		c, err := d.Dial("tcp4", ln.Addr().String())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		held = append(held, c)
	}
	held = append(held, <-done...)
	ln.Close() // the table holds connections only
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range held {
		c.Close()
	}
	return 0
}

// helperListen waits for a line on stdin (the test moves it into a cgroup
// meanwhile), listens on addr, connects to itself, says "ready" and holds
// everything open until stdin closes.
func helperListen(addr string) int {
	in := bufio.NewReader(os.Stdin)
	if _, err := in.ReadString('\n'); err != nil {
		return 1
	}
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s, err := ln.Accept()
	if err != nil {
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, in)
	c.Close()
	s.Close()
	ln.Close()
	return 0
}

// helper is a listener process started inside a namespace.
type helper struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startHelper starts this test binary as a listener on addr inside ns; it
// listens once go is called.
func startHelper(t testing.TB, ns, addr string) *helper {
	return startHelperEnv(t, ns, helperEnv+"="+addr)
}

// startHelperEnv starts this test binary inside ns with env set.
func startHelperEnv(t testing.TB, ns, env string) *helper {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns, exe)
	cmd.Env = append(os.Environ(), env)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return &helper{cmd: cmd, in: in, out: bufio.NewReader(out)}
}

// listen tells the helper to listen and waits until it has.
func (h *helper) listen(t *testing.T) {
	t.Helper()
	if _, err := io.WriteString(h.in, "go\n"); err != nil {
		t.Fatal(err)
	}
	h.ready(t)
}

// ready waits for the helper's "ready".
func (h *helper) ready(t testing.TB) {
	t.Helper()
	if line, err := h.out.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("helper: %q, %v", line, err)
	}
}

// inNamespace finds a namespace by name in a fresh discovery.
func inNamespace(t *testing.T, name string) NS {
	t.Helper()
	list, err := Discover()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range list {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("namespace %s not discovered in %+v", name, list)
	return NS{}
}

// pairIn makes a loopback listener on addr and a connection to it inside
// namespace n, from this process, by entering n on a locked thread.
func pairIn(t *testing.T, n NS, addr string) (ln net.Listener, client, server net.Conn) {
	t.Helper()
	err := Do(n, func() (err error) {
		if ln, err = net.Listen("tcp4", addr); err != nil {
			return err
		}
		client, err = net.Dial("tcp4", addr)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if server, err = ln.Accept(); err != nil {
		t.Fatal(err)
	}
	return ln, client, server
}

// ownNamespaceEnv, set in a child test binary, names the namespace the
// parent made for it to read beside its own (see insideOwnNamespace).
const ownNamespaceEnv = "PORTTOP_NETNS_TEST_OTHER"

// insideOwnNamespace runs the calling test again in a child test binary
// whose own network namespace is an empty one made for it, beside a second
// namespace also made for it, and returns inside=false to the parent (the
// child's result is the test's). In the child it returns the second
// namespace's name and inside=true. A test whose checks depend on porttop's
// own namespace holding still needs it: the machine's loopback churns while
// other packages' tests run beside this one.
func insideOwnNamespace(t *testing.T, suffix string) (other string, inside bool) {
	t.Helper()
	if name := os.Getenv(ownNamespaceEnv); name != "" {
		return name, true
	}
	self := nstest.Netns(t, suffix+"-self", 0, 0)
	other = nstest.Netns(t, suffix, 0, 0)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", self, exe, "-test.run", "^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), ownNamespaceEnv+"="+other)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("in namespace %s: %v\n%s", self, err, out)
	} else if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Errorf("in namespace %s the test did not run:\n%s", self, out)
	}
	return "", false
}
