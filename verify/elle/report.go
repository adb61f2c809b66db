package elle

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

func (r *report) add(a Anomaly) {
	r.counts[a.Type]++
	if len(r.kept[a.Type]) < r.max {
		r.kept[a.Type] = append(r.kept[a.Type], a)
	}
}
