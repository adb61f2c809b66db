package cli

import (
	"sort"

	"faultline.dev/faultline/scenarios/library"
)

func libraryNames() []string {
	ns := library.Names()
	sort.Strings(ns)
	return ns
}
