//go:build linux

package netns

import (
	"bytes"
	"net"
	"testing"

	"github.com/porttop/porttop/sampler/sockdiag"
)

// Porttop's own namespace's counter files open without privilege and read
// afresh each time: a listener opened between two reads moves the
// signature a round compares (its TCP inuse count), read from the same
// open files.
func TestCounterFilesReadAfresh(t *testing.T) {
	c, err := OpenCounterFiles(NS{Self: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var bufs [len(counterNames)][]byte
	sig := func() []byte {
		for i, name := range counterNames {
			b, err := c.Read(name, bufs[i][:0])
			if err != nil && i < 2 {
				t.Fatalf("%s: %v", name, err)
			}
			bufs[i] = b
		}
		if !bytes.Contains(bufs[0], []byte("\nTcp: ")) || !bytes.HasPrefix(bufs[1], []byte("sockets:")) {
			t.Fatalf("not the counter files: %q..., %q...", bufs[0][:min(40, len(bufs[0]))], bufs[1][:min(40, len(bufs[1]))])
		}
		return sockdiag.AppendSignature(nil, bufs[0], bufs[1], bufs[2])
	}
	before := sig()
	if again := sig(); len(again) == 0 {
		t.Fatal("a second read gave nothing")
	}
	// Other programs' sockets move it too: a change is all that is checked.
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if bytes.Equal(sig(), before) {
		t.Error("a new listener left the signature read from the open files as it was")
	}
}
