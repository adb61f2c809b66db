package elle

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"faultline.dev/faultline/history"
)

// TestParseOpsAgreesWithJSON: the fast decoder either declines or decodes
// exactly what encoding/json decodes.
func TestParseOpsAgreesWithJSON(t *testing.T) {
	inputs := []string{
		`[]`, ` [ ] `, `[["append",1,2]]`, `[["r",1,null]]`, `[["r",1,[]]]`,
		`[ [ "append" , -3 , 9223372036854775807 ] , [ "r" , 0 , [ 1 , -2 , 3 ] ] ]`,
		"[[\"r\",1,\n[1,\t2]]]", `[["append",1,-9223372036854775808]]`,
		// declined: the reference decides (and mostly rejects)
		`[["append",1,1.5]]`, `[["append",1,1e3]]`, `[["append",1,01]]`, `[["append",1,9223372036854775808]]`,
		`[["put",1,2]]`, `[["app\u0065nd",1,2]]`, `[["append",1]]`, `[["r",1,[1,]]]`, `[["r",1,[1,null]]]`,
		`[["append",1,2]] x`, `[["append",1,2],]`, `{}`, `null`, `[`, ``,
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for range 200 {
		txns := serialHistory(rng, genConfig{txns: 3, keys: 3, maxOps: 5})
		b, _ := json.Marshal(txns[rng.IntN(len(txns))].Ops)
		inputs = append(inputs, string(b), strings.ReplaceAll(string(b), ",", " , "))
	}
	accepted := 0
	for _, in := range inputs {
		got, ok := parseOps([]byte(in))
		if !ok {
			continue
		}
		accepted++
		var want []history.MicroOp
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Errorf("%q: parsed %v, but encoding/json fails: %v", in, got, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: parsed %#v, encoding/json %#v", in, got, want)
		}
	}
	if accepted < 400 {
		t.Errorf("accepted only %d of %d inputs; generated values must all be accepted", accepted, len(inputs))
	}
}
