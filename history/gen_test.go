package history

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
)

// genEvent returns a random event that exercises every field, including
// strings that need escaping.
func genEvent(rng *rand.Rand) Event {
	e := Event{
		Index:   rng.Int64N(1 << 40),
		Time:    rng.Int64() >> rng.IntN(63),
		Wall:    rng.Int64(),
		Process: rng.IntN(64) - 3,
		Type:    []Type{Invoke, OK, Fail, Info, Fault, Probe, Mark}[rng.IntN(7)],
	}
	if rng.IntN(2) == 0 {
		e.Time = -e.Time
	}
	if rng.IntN(4) > 0 {
		e.F = genString(rng)
	}
	if rng.IntN(4) > 0 {
		e.Value = genRaw(rng, 3)
	}
	if rng.IntN(2) == 0 {
		e.Node = "n" + strconv.Itoa(rng.IntN(5))
	}
	if rng.IntN(4) == 0 {
		e.Err = genString(rng)
	}
	if rng.IntN(4) == 0 {
		e.Intended = rng.Int64()
	}
	if rng.IntN(8) == 0 {
		e.Fault = &FaultEvent{ID: genString(rng), Kind: "partition", Phase: FaultEffect,
			Targets: []string{"n1", genString(rng)}, Params: genRaw(rng, 2), Evidence: genRaw(rng, 2)}
	}
	if rng.IntN(8) == 0 {
		e.Probe = &ProbeEvent{Node: "n2", Reachable: true, ConfID: rng.Int64(), GTIDCurrent: "0-1-" + strconv.Itoa(rng.IntN(1e6))}
	}
	if rng.IntN(8) == 0 {
		e.Cluster = &ClusterEvent{Object: "pod/" + genString(rng), Reason: "Pending", Message: genString(rng), Host: genString(rng)}
	}
	return e
}

var stringPieces = []string{"a", "add", " ", `"`, `\`, "\n", "\t", "\x00", "\x1f", "<", ">", "&",
	"é", "日本", "\u2028", "\u2029", "😀", "/", "\x7f", "null"}

func genString(rng *rand.Rand) string {
	n := rng.IntN(6) + 1
	s := ""
	for range n {
		s += stringPieces[rng.IntN(len(stringPieces))]
	}
	return s
}

// genRaw returns compact random JSON, as encoding/json would write it.
func genRaw(rng *rand.Rand, depth int) json.RawMessage {
	b, err := json.Marshal(genAny(rng, depth))
	if err != nil {
		panic(err)
	}
	return b
}

func genAny(rng *rand.Rand, depth int) any {
	k := rng.IntN(7)
	if depth == 0 {
		k = rng.IntN(4)
	}
	switch k {
	case 0:
		return rng.Int64N(1e12) - 5e11
	case 1:
		return genString(rng)
	case 2:
		return nil
	case 3:
		return rng.Float64() * 1e6
	case 4, 5:
		a := make([]any, rng.IntN(4))
		for i := range a {
			a[i] = genAny(rng, depth-1)
		}
		return a
	}
	m := map[string]any{}
	for range rng.IntN(4) {
		m[genString(rng)] = genAny(rng, depth-1)
	}
	return m
}

// ledgerEvent is a realistic ledger workload event.
func ledgerEvent(i int) Event {
	typ := Invoke
	if i%2 == 1 {
		typ = OK
	}
	return Event{
		Time: int64(i) * 137_000, Wall: 1_763_900_000_000_000_000 + int64(i)*137_000,
		Process: i % 16, Type: typ, F: "add", Node: "n" + strconv.Itoa(1+i%3),
		Value: strconv.AppendInt(nil, int64(i/2), 10),
	}
}
