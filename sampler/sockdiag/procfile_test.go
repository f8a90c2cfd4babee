package sockdiag

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A kept-open counter file is read afresh from its start each time, whole
// however long, and a file that went away is opened again once it is back.
func TestProcFilesReadAfreshEachTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sockstat")
	var p procFiles
	defer p.close()
	for i, text := range []string{"UDP: inuse 1\n", "UDP: inuse 2\n", strings.Repeat("TCP: inuse 3 tw 4\n", 600)} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil { // same file, rewritten in place
			t.Fatal(err)
		}
		got, err := p.read(path, nil)
		if err != nil || string(got) != text {
			t.Fatalf("read %d: %d bytes (%v), want the %d just written", i, len(got), err, len(text))
		}
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	p.close()
	if _, err := p.read(path, nil); err == nil {
		t.Fatal("read a file that is gone")
	}
	if err := os.WriteFile(path, []byte("UDP: inuse 9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := p.read(path, nil); err != nil || string(got) != "UDP: inuse 9\n" {
		t.Fatalf("after it came back: %q, %v", got, err)
	}
}
