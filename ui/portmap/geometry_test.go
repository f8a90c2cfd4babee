package portmap

import (
	"slices"
	"testing"

	"github.com/porttop/porttop/sampler/ports"
)

func TestLayout(t *testing.T) {
	tests := []struct {
		width, height       int
		wantCols, wantBlock int
		wantRows            int
	}{
		// 53 x 16 = 848 cells -> 78 ports a cell -> 841 cells in 16 rows.
		{60, 20, 53, 78, 16},
		// 113 x 36 = 4068 cells -> 17 ports a cell -> 3856 cells in 35 rows.
		{120, 40, 113, 17, 35},
		{200, 60, 193, 7, 49},
		// Enough room for one port a cell.
		{263, 300, 256, 1, 256},
		// Degenerate areas still lay out (View trims).
		{1, 1, 1, 65536, 1},
		{0, 0, 1, 65536, 1},
	}
	for _, tt := range tests {
		g := layout(tt.width, tt.height)
		if g.cols != tt.wantCols || g.block != tt.wantBlock || g.rows != tt.wantRows {
			t.Errorf("layout(%d, %d) = %+v; want cols %d block %d rows %d",
				tt.width, tt.height, g, tt.wantCols, tt.wantBlock, tt.wantRows)
		}
		if g.cells()*g.block < portCount || (g.cells()-1)*g.block >= portCount {
			t.Errorf("layout(%d, %d): %d cells of %d do not cover 65536 ports exactly once",
				tt.width, tt.height, g.cells(), g.block)
		}
		if last := g.cellRange(g.cells() - 1); last.Hi != 65535 {
			t.Errorf("layout(%d, %d): last cell %v does not end at 65535", tt.width, tt.height, last)
		}
	}
}

func TestDensityGlyph(t *testing.T) {
	tests := []struct {
		used, size int
		want       rune
	}{
		{0, 78, '·'},
		{1, 1024, '▪'},
		{7, 78, '▪'},
		{8, 78, '░'},
		{27, 78, '░'},
		{28, 78, '▒'},
		{50, 78, '▒'},
		{51, 78, '▓'},
		{77, 78, '▓'},
		{78, 78, '█'},
		{1, 1, '█'},
		{5, 0, '·'},
		{-1, 10, '·'},
	}
	for _, tt := range tests {
		if got := densityGlyph(tt.used, tt.size); got != tt.want {
			t.Errorf("densityGlyph(%d, %d) = %q; want %q", tt.used, tt.size, got, tt.want)
		}
	}
}

func TestMajorityClass(t *testing.T) {
	tests := []struct {
		r    ports.Range
		want ports.Class
	}{
		{ports.Range{Lo: 0, Hi: 77}, ports.WellKnown},
		{ports.Range{Lo: 1014, Hi: 1091}, ports.Registered}, // 10 well-known, 68 registered
		{ports.Range{Lo: 1000, Hi: 1030}, ports.WellKnown},  // 24 well-known, 7 registered
		{ports.Range{Lo: 49140, Hi: 49217}, ports.Dynamic},
		{ports.Range{Lo: 65535, Hi: 65535}, ports.Dynamic},
		{ports.Range{Lo: 1023, Hi: 1024}, ports.WellKnown}, // a tie goes to the lower class
	}
	for _, tt := range tests {
		if got := majorityClass(tt.r); got != tt.want {
			t.Errorf("majorityClass(%v) = %v; want %v", tt.r, got, tt.want)
		}
	}
}

func TestLandmarks(t *testing.T) {
	tests := []struct {
		eph  ports.Range
		want []int
	}{
		{ports.Range{Lo: 32768, Hi: 60999}, []int{0, 1024, 32768, 49152, 60999}},
		{ports.Range{Lo: 49152, Hi: 65535}, []int{0, 1024, 49152, 65535}},
		{ports.Range{Lo: 2, Hi: 1}, []int{0, 1024, 49152}}, // empty range
	}
	for _, tt := range tests {
		if got := landmarks(tt.eph); !slices.Equal(got, tt.want) {
			t.Errorf("landmarks(%v) = %v; want %v", tt.eph, got, tt.want)
		}
	}
}

func TestPortSetCount(t *testing.T) {
	var s portSet
	for _, p := range []uint16{0, 63, 64, 127, 128, 1000, 65535} {
		s.add(p)
	}
	tests := []struct{ lo, hi, want int }{
		{0, 65536, 7},
		{0, 1, 1},
		{1, 63, 0},
		{63, 65, 2},
		{64, 128, 2},
		{100, 1001, 3}, // 127, 128, 1000
		{65535, 65536, 1},
		{5, 5, 0},
	}
	for _, tt := range tests {
		if got := s.count(tt.lo, tt.hi); got != tt.want {
			t.Errorf("count(%d, %d) = %d; want %d", tt.lo, tt.hi, got, tt.want)
		}
	}
	s.remove(63)
	if s.has(63) || s.count(0, 65536) != 6 {
		t.Errorf("after remove(63): has %v, count %d; want false, 6", s.has(63), s.count(0, 65536))
	}
}

func TestMixHex(t *testing.T) {
	tests := []struct {
		a, b string
		t    float64
		want string
	}{
		{"#000000", "#FFFFFF", 0, "#000000"},
		{"#000000", "#FFFFFF", 1, "#FFFFFF"},
		{"#4DD0C4", "#000000", 0.5, "#276862"},
		{"teal", "#000000", 0.5, ""},
		{"#GG0000", "#000000", 0.5, ""},
	}
	for _, tt := range tests {
		if got := mixHex(tt.a, tt.b, tt.t); got != tt.want {
			t.Errorf("mixHex(%q, %q, %v) = %q; want %q", tt.a, tt.b, tt.t, got, tt.want)
		}
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 16210: "16,210", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q; want %q", n, got, want)
		}
	}
}
