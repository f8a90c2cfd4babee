package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// record never writes through a symbolic link, never replaces a file
// without --force, and makes its file readable by its owner only.
func TestRecordFileIsPrivateAndNeverClobbers(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.jsonl")
	if err := os.WriteFile(existing, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.jsonl")
	dangling := filepath.Join(dir, "dangling.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "not-yet"), dangling); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"record", existing}, "it exists; use --force to replace it"},
		{[]string{"watch", "--record", existing}, "it exists; use --force to replace it"},
		{[]string{"record", link}, "it is a symbolic link"},
		{[]string{"record", link, "--force"}, "it is a symbolic link"},
		{[]string{"record", dangling}, "it is a symbolic link"},
		{[]string{"record", dangling, "--force"}, "it is a symbolic link"},
		{[]string{"record", dir, "--force"}, "not a regular file"},
		{[]string{"record", "-"}, "use 'porttop watch'"},
		// A path is data too: shown escaped.
		{[]string{"record", "/nonexistent-dir/x\x1b]2;PWNED\x07\n.jsonl"}, `x\x1b]2;PWNED\a\n.jsonl: no such file or directory`},
	} {
		r := runPorttop(t, c.args...)
		checkOneLine(t, r, c.want)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2", c.args, r.code)
		}
	}
	for _, p := range []string{existing, target} {
		if b, _ := os.ReadFile(p); string(b) != "keep me\n" {
			t.Errorf("%s was written: %q", p, b)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "not-yet")); err == nil {
		t.Error("recording to a dangling link created its target")
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error(`record - made a file named "-"`)
	}

	fresh := filepath.Join(dir, "fresh.jsonl")
	for _, args := range [][]string{{"record", fresh}, {"record", existing, "--force"}} {
		s := startPorttop(t, append(args, "--interval", "100ms")...)
		waitFileGrows(t, args[1])
		if err := s.stop(); err != nil {
			t.Fatalf("%v: %v; stderr:\n%s", args, err, s.stderr)
		}
		fi, err := os.Stat(args[1])
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%v: the recording is %v, want -rw-------", args, fi.Mode().Perm())
		}
		if b, _ := os.ReadFile(args[1]); !strings.HasPrefix(string(b), `{"porttop":`) {
			t.Errorf("%v: the file holds no recording: %.80q", args, b)
		}
	}
}

// waitFileGrows waits until path holds the header line.
func waitFileGrows(t *testing.T, path string) {
	t.Helper()
	for range 200 {
		if b, _ := os.ReadFile(path); strings.HasPrefix(string(b), `{"porttop":`) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never got its header", path)
}
