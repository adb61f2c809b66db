package history

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecode checks that the decoder accepts exactly the lines encoding/json
// accepts for an Event, with equal results.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"i":1,"t":2,"wall":3,"p":4,"type":"ok","f":"add","value":42,"node":"n1"}`,
		`{"type":"fault","p":-1,"fault":{"id":"s","kind":"partition","phase":"start","params":{"a":[1]}}}`,
		`{"probe":{"node":"n1","reachable":true},"x":[{"y":null}]}`,
		`{"err":"\u00e9\"\\","I":-0,"value":[1.5e3,"s",true,false,null,{}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var std, got Event
		stdErr := json.Unmarshal(line, &std)
		var d decoder
		err := d.decode(line, &got)
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("%q: decoder err %v, encoding/json err %v", line, err, stdErr)
		}
		if err == nil && !reflect.DeepEqual(got, std) {
			t.Fatalf("%q:\n got %+v\nwant %+v", line, got, std)
		}
	})
}
