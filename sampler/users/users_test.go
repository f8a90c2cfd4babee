package users

import (
	"os/user"
	"strconv"
	"testing"
)

func TestName(t *testing.T) {
	me, err := user.Current()
	if err != nil {
		t.Skipf("no current user: %v", err)
	}
	uid, err := strconv.Atoi(me.Uid)
	if err != nil {
		t.Skipf("uid %q is not a number on this OS", me.Uid)
	}
	if got := Name(int32(uid)); got != me.Username {
		t.Errorf("Name(%d) = %q, want %q", uid, got, me.Username)
	}
	if got := Name(int32(uid)); got != me.Username {
		t.Errorf("cached Name(%d) = %q", uid, got)
	}
	if got := Name(-1); got != "" {
		t.Errorf("unknown uid gave %q", got)
	}
	const nobodyHas = 2_000_000_123
	if _, err := user.LookupId(strconv.Itoa(nobodyHas)); err == nil {
		t.Skip("uid 2000000123 exists here")
	}
	if got := Name(nobodyHas); got != "2000000123" {
		t.Errorf("nameless uid gave %q", got)
	}
}
