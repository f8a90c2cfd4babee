package ui

import (
	"errors"
	"strings"
	"testing"
)

func TestFeedErrorIsShownAndRetried(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	next, cmd := m.Update(feedErrMsg{errors.New("netlink: permission denied")})
	m = next.(Model)
	if cmd == nil || !strings.Contains(m.View(), "feed: netlink: permission denied") {
		t.Errorf("feed error not shown or not retried:\n%s", m.View())
	}
}
