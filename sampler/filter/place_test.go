package filter

import (
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// ns:, cgroup: and container: pick sockets by where they live; each kind is
// ORed within itself, ANDed with the rest, and negatable.
func TestPlaceTerms(t *testing.T) {
	eph := ports.Range{Lo: 32768, Hi: 60999}
	mk := func(ino uint64, name, cg, ctr string) *sampler.Socket {
		s := &sampler.Socket{ID: sampler.ID{Proto: sampler.TCP}, State: sampler.StateListen}
		s.Place = sampler.Place{Netns: ino}.WithNames(sampler.PlaceNames{NetnsName: name, Cgroup: cg, Container: ctr})
		return s
	}
	blue := mk(4026532238, "Blue", "/system.slice/docker-0123456789abcdef0123.scope", "0123456789ab")
	host := mk(4026531840, "", "/system.slice/nginx.service", "")
	bare := mk(0, "", "", "") // a source that knows no place
	for _, tc := range []struct {
		filter string
		want   []*sampler.Socket
	}{
		{"ns:Blue", []*sampler.Socket{blue}},
		{"ns:blue", nil}, // ip netns names are case-sensitive
		{"ns:4026531840", []*sampler.Socket{host}},
		{"ns:net:[4026531840]", []*sampler.Socket{host}},
		{"ns:Blue ns:4026531840", []*sampler.Socket{blue, host}},
		{"cgroup:NGINX", []*sampler.Socket{host}},
		{"cgroup:system.slice", []*sampler.Socket{blue, host}},
		{"container:0123", []*sampler.Socket{blue}},
		{"container:0123456789abcdef0123456789abcdef", []*sampler.Socket{blue}},
		{"container:0123456789ab ns:4026531840", nil},
		{"!ns:Blue", []*sampler.Socket{host, bare}},
		{"listen cgroup:nginx", []*sampler.Socket{host}},
	} {
		f, err := Parse(tc.filter, eph)
		if err != nil {
			t.Errorf("%q: %v", tc.filter, err)
			continue
		}
		for _, s := range []*sampler.Socket{blue, host, bare} {
			want := false
			for _, w := range tc.want {
				want = want || w == s
			}
			if got := f.Match(s); got != want {
				t.Errorf("%q on %q %q: %v, want %v", tc.filter, s.NetnsName(), s.Cgroup(), got, want)
			}
		}
		back, err := Parse(f.String(), eph)
		if err != nil || back.String() != f.String() {
			t.Errorf("%q reads back from %q as %q (%v)", tc.filter, f.String(), back.String(), err)
		}
	}
	for _, bad := range []string{"ns:", "cgroup:", "container:", "container:xyz", "container:0123-4"} {
		_, err := Parse(bad, eph)
		if err == nil || !strings.Contains(err.Error(), "ns:NAME") {
			t.Errorf("%q: %v, want an error listing the accepted terms", bad, err)
		}
	}
}
