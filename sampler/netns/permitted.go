package netns

import "github.com/porttop/porttop/sampler/caps"

// capsPermit reads a /proc/PID/status text and reports whether its
// effective capabilities let porttop read every network namespace:
// CAP_SYS_ADMIN (setns) with CAP_NET_ADMIN (the destroy groups).
func capsPermit(status string) bool {
	s, ok := caps.Effective(status)
	return ok && s.Has(caps.SysAdmin, caps.NetAdmin)
}
