package cli

import (
	"context"
	"sort"

	"faultline.dev/faultline/injectors/network"
	"faultline.dev/faultline/internal/doctor"
	"faultline.dev/faultline/scenarios/library"
)

// networkCapabilityChecks probes netem and NFQUEUE for doctor.
func networkCapabilityChecks() []doctor.Check {
	var cs []doctor.Check
	for _, c := range network.Capabilities(context.Background()) {
		cs = append(cs, doctor.Check{Family: "network", Name: c.Name, OK: c.OK, Detail: detail(c)})
	}
	return cs
}

func libraryNames() []string {
	ns := library.Names()
	sort.Strings(ns)
	return ns
}

func detail(c network.Capability) string {
	if c.OK {
		return "works on this kernel"
	}
	return c.Reason
}
