package ebpf

import "github.com/porttop/porttop/sampler/caps"

// capsPermit reads a /proc/PID/status text and reports whether its
// effective capabilities allow loading porttop's programs: CAP_BPF with
// CAP_PERFMON (Linux 5.8+), or CAP_SYS_ADMIN.
func capsPermit(status string) bool {
	s, ok := caps.Effective(status)
	return ok && (s.Has(caps.SysAdmin) || s.Has(caps.BPF, caps.Perfmon))
}
