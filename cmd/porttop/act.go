package main

import (
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// machineActions is what the live view's close and stop keys do on this
// machine (ui.Actions), after the user has said yes.
type machineActions struct{}

// Close closes s in the kernel, as `ss -K` does (Linux, CAP_NET_ADMIN).
func (machineActions) Close(s sampler.Socket) error { return sockdiag.Destroy(s) }

// Stop sends SIGTERM to pid (see stopProcess).
func (machineActions) Stop(pid int32) error { return stopProcess(pid) }
