package explain

import "time"

// clock writes a time as a wall clock in now's zone, with the date only when
// it is not now's day.
func clock(t, now time.Time) string {
	t = t.In(now.Location())
	if y, m, d := t.Date(); now.IsZero() || y != now.Year() || m != now.Month() || d != now.Day() {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("15:04:05")
}

// duration rounds to what a person reads: seconds, or milliseconds under
// a second.
func duration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
