//go:build windows

package main

import "errors"

// stopProcess is refused on Windows, which has no SIGTERM: a program there
// is asked to quit through its windows, not a signal.
func stopProcess(int32) error {
	return errors.New("stopping a process from porttop needs a Unix signal: on Windows use Task Manager or taskkill")
}
