package theme

import "testing"

func TestByName(t *testing.T) {
	for _, p := range All {
		got, err := ByName(p.Name)
		if err != nil || got.Name != p.Name {
			t.Errorf("ByName(%q) = %q, %v", p.Name, got.Name, err)
		}
	}
	if got, err := ByName(""); err != nil || got.Name != "default" {
		t.Errorf("ByName(\"\") = %q, %v; want default", got.Name, err)
	}
	if _, err := ByName("neon"); err == nil {
		t.Error("ByName(neon) succeeded; want an error naming the choices")
	}
}

func TestRangeColoursDiffer(t *testing.T) {
	for _, p := range All {
		c := []string{p.WellKnown.Dark, p.Registered.Dark, p.Dynamic.Dark, p.Ephemeral.Dark}
		seen := map[string]bool{}
		for _, x := range c {
			if seen[x] {
				t.Errorf("theme %s reuses %s for two ranges", p.Name, x)
			}
			seen[x] = true
		}
	}
}
