package sources

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
)

func TestOpen(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // expected Name(); "" when an error is expected
	}{
		{"gopsutil", "gopsutil"},
		{"GOPSUTIL", "gopsutil"},
		{"auto", "auto"},
		{"", "auto"},
		{"netlink", "netlink"},
		{"netns", "netlink+netns"},
		{"procfs", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, notes, err := Open(tc.name)
			switch {
			case tc.want == "":
				if err == nil {
					t.Fatalf("Open(%q) accepted", tc.name)
				}
				for _, n := range Names() {
					if !strings.Contains(err.Error(), n) {
						t.Errorf("error %q does not list %q", err, n)
					}
				}
			case (tc.want == "netlink" || tc.want == "netlink+netns") && runtime.GOOS != "linux":
				if err == nil {
					t.Fatalf("%s opened on %s", tc.name, runtime.GOOS)
				}
			case tc.want == "auto":
				if err != nil {
					t.Fatal(err)
				}
				want := "gopsutil"
				if runtime.GOOS == "linux" {
					want = "netlink"
				}
				// A Linux without sock_diag falls back, and must say so.
				if src.Name() != want && (src.Name() != "gopsutil" || len(notes) == 0) {
					t.Errorf("auto gave %s with notes %q", src.Name(), notes)
				}
			default:
				if err != nil {
					if tc.want == "netlink" || tc.want == "netlink+netns" {
						t.Skipf("netlink unavailable here: %v", err)
					}
					t.Fatal(err)
				}
				if tc.want == "netlink+netns" && len(notes) > 0 && os.Geteuid() != 0 {
					notes = nil // without root: which namespaces were not read
				}
				if src.Name() != tc.want || len(notes) != 0 {
					t.Errorf("got %s with notes %q, want %s", src.Name(), notes, tc.want)
				}
			}
		})
	}
}

func TestOpenFallsBackWhenNetlinkFails(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("auto picks gopsutil without trying netlink off Linux")
	}
	saved := openNetlink
	defer func() { openNetlink = saved }()
	openNetlink = func() (sampler.Source, error) { return nil, errors.New("protocol not supported") }

	src, notes, err := Open("auto")
	if err != nil || src.Name() != "gopsutil" {
		t.Fatalf("auto without netlink: %v, %v", src, err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "protocol not supported") || !strings.Contains(notes[0], "gopsutil") {
		t.Errorf("fallback note %q does not say what and why", notes)
	}
	if _, _, err := Open("netlink"); err == nil || !strings.Contains(err.Error(), "protocol not supported") {
		t.Errorf("forced netlink without netlink: %v", err)
	}
}
