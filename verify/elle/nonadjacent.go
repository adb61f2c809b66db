package elle

// nonadjacentStarts tells which start edges of sp (of its nonadjacent kind
// k) lie on a closed walk, over sp's edge kinds, in which no two consecutive
// edges are of kind k: those joining, inside one strongly connected
// component of the state graph of stateSCCs, state (u, last edge not k) to
// (v, last edge k). Any other start edge would cost a fruitless search.
func (c *checker) nonadjacentStarts(in []bool, roots []int32, sp spec) (func(u int32, e edge) bool, error) {
	comps, err := c.g.stateSCCs(in, roots, sp.mask(), sp.nonadjacent, c.tick)
	if err != nil {
		return nil, err
	}
	return func(u int32, e edge) bool {
		ci := comps.of[2*u]
		return ci >= 0 && ci == comps.of[2*e.to+1]
	}, nil
}
