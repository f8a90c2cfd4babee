//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// x on a real connection in the real binary: it asks, and a yes closes the
// connection in the kernel as root (the client's read is aborted); as a
// user the status line says what it needs and the connection lives on.
func TestCloseConnectionFromTheTableInTmux(t *testing.T) {
	m := newTmux(t)
	// The listener above Linux's default ephemeral range, so the client's
	// row (its port inside the range) sorts apart from the server's.
	var ln net.Listener
	for p := 64000; p < 65000 && ln == nil; p++ {
		ln, _ = net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p))
	}
	if ln == nil {
		t.Skip("no free loopback port in 64000-64999")
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	client, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	local := client.LocalAddr().String()
	_, cport, _ := net.SplitHostPort(local)

	// The connection between the two ports: other programs' sockets on
	// this machine may use the client's port too (TIME_WAIT ones to other
	// servers), and must not draw the cursor.
	_, lport, _ := net.SplitHostPort(ln.Addr().String())
	m.start("--filter", cport+" "+lport+" established", "--interval", "200ms")
	onClient := func(s string) bool {
		for _, line := range strings.Split(s, "\n") {
			f := strings.Fields(line)
			if len(f) < 4 || f[0] != ">" {
				continue
			}
			for i, w := range f[:len(f)-2] {
				if w == "tcp" {
					return f[i+1] == local && f[i+2] == ln.Addr().String()
				}
			}
		}
		return false
	}
	m.waitText("porttop", local)
	for _, k := range []string{"", "j", "k"} {
		if k != "" {
			m.keys("porttop", k)
		}
		if m.seen("porttop", 2*time.Second, onClient) {
			break
		}
	}
	m.waitFor("porttop", "the cursor on the client's row", onClient)

	m.keys("porttop", "x")
	m.waitText("porttop", "close tcp "+local)
	m.keys("porttop", "y")
	if os.Geteuid() != 0 {
		m.waitText("porttop", "needs root")
		if _, err := client.Write([]byte("still here")); err != nil {
			t.Errorf("the connection broke after a refusal: %v", err)
		}
		return
	}
	m.waitText("porttop", "closed tcp "+local)
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNABORTED) {
		t.Errorf("the client's read after x, y: %v, want ECONNABORTED", err)
	}
}
