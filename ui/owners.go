package ui

import "strings"

// ownersHiddenNote starts the note sampler.Poller adds to a batch while its
// source cannot see other users' processes ("owners hidden: run as root...").
const ownersHiddenNote = "owners hidden:"

// ownersHidden reports whether a batch's notes say owners are hidden.
func ownersHidden(notes []string) bool {
	for _, n := range notes {
		if strings.HasPrefix(n, ownersHiddenNote) {
			return true
		}
	}
	return false
}
