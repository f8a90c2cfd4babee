package portmap

import (
	"fmt"
	"strconv"
)

// mixHex blends colour a toward colour b by t (0: a, 1: b); both "#RRGGBB".
// The ephemeral tint is the palette's ephemeral colour pushed toward the
// terminal background, so glyphs drawn on it keep their contrast. A colour
// that does not parse gives "" (no colour) rather than a wrong one.
func mixHex(a, b string, t float64) string {
	ar, ag, ab, ok1 := parseHex(a)
	br, bg, bb, ok2 := parseHex(b)
	if !ok1 || !ok2 {
		return ""
	}
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
	return fmt.Sprintf("#%02X%02X%02X", mix(ar, br), mix(ag, bg), mix(ab, bb))
}

func parseHex(s string) (r, g, b uint8, ok bool) {
	if len(s) != 7 || s[0] != '#' {
		return 0, 0, 0, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return 0, 0, 0, false
	}
	return uint8(v >> 16), uint8(v >> 8), uint8(v), true
}
