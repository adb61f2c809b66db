package elle

import "fmt"

// report collects anomalies: every one is counted, the first few of each
// type are kept.
type report struct {
	max    int
	kept   map[string][]Anomaly
	counts map[string]int
}

func newReport(max int) *report {
	return &report{max: max, kept: map[string][]Anomaly{}, counts: map[string]int{}}
}

// add counts an anomaly of type t, building it only when it is kept.
func (r *report) add(t string, build func() Anomaly) {
	r.counts[t]++
	if len(r.kept[t]) < r.max {
		r.kept[t] = append(r.kept[t], build())
	}
}

// short renders a list for an explanation: long lists keep their first and
// last few elements.
func short(l []int64) string {
	const head, tail = 3, 5
	if len(l) <= head+tail+1 {
		return fmt.Sprint(l)
	}
	return fmt.Sprintf("%v … (%d more) … %v", fmt.Sprint(l[:head])[:len(fmt.Sprint(l[:head]))-1],
		len(l)-head-tail, fmt.Sprint(l[len(l)-tail:])[1:])
}
