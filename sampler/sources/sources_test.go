package sources

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ebpf"
)

func closeSource(s sampler.Source) {
	if c, ok := s.(interface{ Close() error }); ok {
		c.Close()
	}
}

func TestAutoFallsBackToNetlinkSayingWhy(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the ebpf source is Linux's")
	}
	savedP, savedE := permitted, openEBPF
	defer func() { permitted, openEBPF = savedP, savedE }()

	permitted = func() bool { return false }
	src, notes, err := Open("auto")
	if err != nil {
		t.Fatal(err)
	}
	defer closeSource(src)
	if src.Name() == "netlink" && (len(notes) != 1 || !strings.Contains(notes[0], "CAP_BPF")) {
		t.Errorf("unprivileged auto: notes %q should say what would enable ebpf", notes)
	}

	permitted = func() bool { return true }
	openEBPF = func(sampler.Source) (sampler.Source, error) {
		return nil, &ebpf.UnavailableError{Why: "the kernel has no tracepoint sock:inet_sock_set_state (Linux 4.16 or later)"}
	}
	src2, notes, err := Open("auto")
	if err != nil {
		t.Fatal(err)
	}
	defer closeSource(src2)
	if src2.Name() == "netlink" && (len(notes) != 1 || !strings.Contains(notes[0], "inet_sock_set_state") || !strings.Contains(notes[0], "using netlink")) {
		t.Errorf("auto with a refusing kernel: notes %q", notes)
	}
	if _, _, err := Open("ebpf"); err == nil || !strings.Contains(err.Error(), "inet_sock_set_state") {
		t.Errorf("forced ebpf on a refusing kernel: %v", err)
	}
}

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
		{"ebpf", "ebpf"},
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
			case (tc.want == "netlink" || tc.want == "netlink+netns" || tc.want == "ebpf") && runtime.GOOS != "linux":
				if err == nil {
					t.Fatalf("%s opened on %s", tc.name, runtime.GOOS)
				}
			case tc.want == "auto":
				if err != nil {
					t.Fatal(err)
				}
				defer closeSource(src)
				want := "gopsutil"
				if runtime.GOOS == "linux" {
					want = "netlink"
					if permitted() {
						want = "ebpf"
					}
				}
				// A Linux without sock_diag falls back, and must say so.
				if src.Name() != want && (src.Name() == want || len(notes) == 0) {
					t.Errorf("auto gave %s with notes %q", src.Name(), notes)
				}
			case tc.want == "ebpf" && !permitted():
				var ue *ebpf.UnavailableError
				if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), "CAP_BPF") {
					t.Errorf("forced ebpf without privilege: %v, want why and what would enable it", err)
				}
			default:
				if err != nil {
					if tc.want == "netlink" || tc.want == "netlink+netns" {
						t.Skipf("netlink unavailable here: %v", err)
					}
					t.Fatal(err)
				}
				defer closeSource(src)
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
	saved, savedP := openNetlink, netnsPermitted
	defer func() { openNetlink, netnsPermitted = saved, savedP }()
	openNetlink = func() (sampler.Source, error) { return nil, errors.New("protocol not supported") }
	netnsPermitted = func() bool { return false }

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

// Where every namespace may be read, "auto" samples them all (the netns
// source loses nothing against netlink in porttop's own namespace: see
// sampler/netns); else netlink alone, and netns failing falls back to it.
func TestAutoReadsEveryNamespaceWherePermitted(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("network namespaces are Linux's")
	}
	savedP, savedNP, savedN := permitted, netnsPermitted, openNetns
	defer func() { permitted, netnsPermitted, openNetns = savedP, savedNP, savedN }()
	permitted = func() bool { return false } // netlink's choice alone, not ebpf's
	for _, tc := range []struct {
		what      string
		permitted bool
		fails     bool
		want      string
	}{
		{"permitted", true, false, "netlink+netns"},
		{"not permitted", false, false, "netlink"},
		{"permitted but failing", true, true, "netlink"},
	} {
		netnsPermitted = func() bool { return tc.permitted }
		openNetns = savedN
		if tc.fails {
			openNetns = func() (sampler.Source, []string, error) {
				return nil, nil, errors.New("setns: operation not permitted")
			}
		}
		for _, open := range []func(string) (sampler.Source, []string, error){Open, OpenSnapshot} {
			src, _, err := open("auto")
			if err != nil {
				t.Fatalf("%s: %v", tc.what, err)
			}
			if src.Name() == "gopsutil" {
				closeSource(src)
				t.Skip("netlink unavailable here")
			}
			if tc.want == "netlink+netns" && os.Geteuid() != 0 && src.Name() != tc.want {
				closeSource(src)
				t.Skip("reading every namespace needs root (CI runs the suite as root too)")
			}
			if src.Name() != tc.want {
				t.Errorf("%s: auto gave %s, want %s", tc.what, src.Name(), tc.want)
			}
			closeSource(src)
		}
	}
}
