package churn

import (
	"fmt"
	"math"
	"strings"
)

var sparkGlyphs = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws one rune per value scaled to the largest: blank for zero,
// ▁ for the smallest non-zero share, █ for the maximum.
func Sparkline(values []uint32) string {
	var top uint32
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	for _, v := range values {
		if v == 0 {
			b.WriteByte(' ')
			continue
		}
		level := int(math.Ceil(float64(v) * float64(len(sparkGlyphs)) / float64(top)))
		b.WriteRune(sparkGlyphs[max(min(level, len(sparkGlyphs)), 1)-1])
	}
	return b.String()
}

// Gauge is a bar of width cells, share of it full (█) and the rest empty (░),
// so it reads without colour. share is clamped to [0, 1]; any share above 0
// shows at least one full cell.
func Gauge(share float64, width int) string {
	if width <= 0 {
		return ""
	}
	if math.IsNaN(share) || share < 0 {
		share = 0
	}
	full := int(math.Round(min(share, 1) * float64(width)))
	if share > 0 && full == 0 {
		full = 1
	}
	return strings.Repeat("█", full) + strings.Repeat("░", width-full)
}

// Percent writes a share as a whole percentage, rounded down so that a
// destination just under the threshold never reads as at it.
func Percent(share float64) string {
	if math.IsNaN(share) || share < 0 {
		share = 0
	}
	return fmt.Sprintf("%d%%", int(math.Floor(share*100+1e-9)))
}

// commas writes n with thousands separators: 16210 -> "16,210".
func commas(n int) string {
	if n < 0 {
		return "-" + commas(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
