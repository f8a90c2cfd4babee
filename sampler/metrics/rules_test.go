package metrics

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// promtool finds promtool or skips, saying how to get it.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian: apt-get install prometheus); the alert rules are not checked")
	}
	return p
}

func TestRulesPassPromtoolCheck(t *testing.T) {
	out, err := exec.Command(promtool(t), "check", "rules", "alerts.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

func TestRulesPassTheirUnitTests(t *testing.T) {
	out, err := exec.Command(promtool(t), "test", "rules", "testdata/alerts_test.yml").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SUCCESS") {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}

// Every metric the rules name is one the collector exports: a renamed
// metric would leave an alert that never fires.
func TestRulesNameExportedMetrics(t *testing.T) {
	ch := make(chan *prometheus.Desc, 64)
	NewCollector(Options{}).Describe(ch)
	close(ch)
	var names []string
	for d := range ch {
		names = append(names, d.String())
	}
	all := strings.Join(names, "\n")
	used := regexp.MustCompile(`\bporttop_[a-z_]+`).FindAllString(Rules, -1)
	if len(used) < 5 {
		t.Fatalf("the rules name %d metrics: %v", len(used), used)
	}
	for _, m := range used {
		if !strings.Contains(all, `"`+m+`"`) {
			t.Errorf("the rules use %s, which the collector does not export", m)
		}
	}
}
