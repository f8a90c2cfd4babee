package filter

import (
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler/ports"
)

// Every example the help's syntax gives parses: the help never shows a
// filter that porttop would refuse.
func TestSyntaxExamplesParse(t *testing.T) {
	eph := ports.Range{Lo: 32768, Hi: 60999}
	examples := []string{"60716", "port:60716", ":60716", "49152-65535", "22,80,443",
		"well-known", "registered", "dynamic", "ephemeral", "tcp udp", "proto:tcp",
		"listen time-wait", "state:syn-sent", "pid:1234", "uid:1000", "proc:nginx",
		"nginx", "127.0.0.1", "::1", "10.0.0.0/8", "127.0.0.1:8080", "[::1]:22", "!time-wait",
		"ns:blue", "ns:4026532238", "cgroup:nginx", "container:0123ab"}
	all := strings.Join(Syntax, "\n")
	for _, ex := range examples {
		if !strings.Contains(all, ex) {
			t.Errorf("Syntax lacks the example %q", ex)
		}
		if _, err := Parse(ex, eph); err != nil {
			t.Errorf("the help's example %q does not parse: %v", ex, err)
		}
	}
}
