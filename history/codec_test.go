package history

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func decodeLine(t *testing.T, line []byte) Event {
	t.Helper()
	var d decoder
	var e Event
	if err := d.decode(bytes.TrimSuffix(line, []byte("\n")), &e); err != nil {
		t.Fatalf("decode %s: %v", line, err)
	}
	return e
}

// TestCodecRoundTripAndCompat checks on random events that the encoder's
// output decodes back to the same event, that encoding/json reads it the
// same way, and that the decoder reads encoding/json's output the same way.
func TestCodecRoundTripAndCompat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 20000 {
		e := genEvent(rng)
		line, err := appendEvent(nil, &e)
		if err != nil {
			t.Fatalf("event %d: encode: %v", n, err)
		}
		if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("event %d: not one line: %q", n, line)
		}
		if got := decodeLine(t, line); !reflect.DeepEqual(got, e) {
			t.Fatalf("event %d: round trip\n got %+v\nwant %+v\nline %s", n, got, e, line)
		}
		var std Event
		if err := json.Unmarshal(line, &std); err != nil || !reflect.DeepEqual(std, e) {
			t.Fatalf("event %d: encoding/json reads %s as %+v (%v), want %+v", n, line, std, err, e)
		}
		stdLine, _ := json.Marshal(&e)
		if got := decodeLine(t, stdLine); !reflect.DeepEqual(got, e) {
			t.Fatalf("event %d: encoding/json output %s decodes to %+v, want %+v", n, stdLine, got, e)
		}
	}
}

func TestEncodeLikeEncodingJSON(t *testing.T) {
	// Without raw values the bytes are identical to encoding/json's.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		e := genEvent(rng)
		e.Value, e.Fault = nil, nil
		got, _ := appendEvent(nil, &e)
		want, _ := json.Marshal(&e)
		if string(got) != string(want)+"\n" {
			t.Fatalf("encoding differs\n got %s want %s", got, want)
		}
	}
}

func TestEncodeInvalidUTF8(t *testing.T) {
	e := Event{Type: OK, Err: "bad \xff byte \xe2\x82"}
	line, _ := appendEvent(nil, &e)
	want, _ := json.Marshal(&e)
	if string(line) != string(want)+"\n" {
		t.Fatalf("got %s want %s", line, want)
	}
	if got := decodeLine(t, line); got.Err != "bad \ufffd byte \ufffd\ufffd" {
		t.Fatalf("decoded err %q", got.Err)
	}
}

func TestEncodeRawValue(t *testing.T) {
	e := Event{Type: OK, Value: json.RawMessage("{\n  \"k\": 1,\n  \"s\": \"a b\"\n}")}
	line, err := appendEvent(nil, &e)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeLine(t, line); string(got.Value) != `{"k":1,"s":"a b"}` {
		t.Fatalf("value not compacted: %s", got.Value)
	}
	e.Value = json.RawMessage(`{"k":`)
	if _, err := appendEvent(nil, &e); err == nil {
		t.Fatal("invalid raw value was encoded")
	}
}

// TestDecodeLikeEncodingJSON compares hand-written lines with encoding/json:
// both accept with equal results or both reject.
func TestDecodeLikeEncodingJSON(t *testing.T) {
	lines := []string{
		`{"type":"ok","p":3,"i":7,"unknown":{"a":[1,2,{"b":null}]},"value":[1, 2 ,"x"]}`,
		`{"I":1,"T":2,"Type":"invoke","NODE":"n1","Value":null}`,
		`{"i":null,"type":null,"f":"add","f":"read"}`,
		`{"fault":null,"probe":{"node":"n1","reachable":true,"extra":1}}`,
		`{"fault":{"id":"s1","kind":"partition","phase":"start","params":{"a" : 1}}}`,
		`  { "i" : -0 , "t" : 12 }  `,
		`{"err":"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 \ud800 x"}`,
		`{"value":"\ud83d"}`,
		`{}`,
		`{"i":1.5}`, `{"i":1e3}`, `{"i":"1"}`, `{"i":99999999999999999999}`, `{"i":01}`,
		`{"i":-}`, `{"type":1}`, `{"value":}`, `{"value":[1,]}`, `{"value":{"a"}}`,
		`{"value":tru}`, `{"i":1,}`, `{"i":1`, `{"i":1}x`, `[1]`, `{"err":"a` + "\x01" + `"}`,
		`{"err":"\x"}`, `{"err":"\u12"}`, `{"value":1.}`, `{"value":-01}`, `{"value":1e}`,
		`{"probe":{"node":1}}`, `{"p":9223372036854775807}`, `{"p":-9223372036854775808}`,
		`{"value":{"a":1,"a":2}}`, `{"f":"` + "\xff" + `"}`, `{"value":"` + "\xff" + `"}`,
	}
	for _, l := range lines {
		var std, got Event
		stdErr := json.Unmarshal([]byte(l), &std)
		var d decoder
		err := d.decode([]byte(l), &got)
		if (err == nil) != (stdErr == nil) {
			t.Errorf("%s: decoder err %v, encoding/json err %v", l, err, stdErr)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, std) {
			t.Errorf("%s:\n got %+v\nwant %+v", l, got, std)
		}
	}
}

func TestDecodeDeepNesting(t *testing.T) {
	l := `{"value":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	var d decoder
	if err := d.decode([]byte(l), new(Event)); err == nil {
		t.Fatal("accepted 20000 levels of nesting")
	}
}

func TestParseSmallInt(t *testing.T) {
	for _, s := range []string{"0", "-0", "7", "-7", "1763900000000000000", "9223372036854775807",
		"-9223372036854775808", "9223372036854775808", "-9223372036854775809", "9999999999999999999",
		"12345678901234567890", "", "-", "1x"} {
		want, wantErr := strconv.ParseInt(s, 10, 64)
		got, ok := parseSmallInt([]byte(s))
		if ok && (wantErr != nil || got != want) {
			t.Errorf("parseSmallInt(%q) = %d, want %d (%v)", s, got, want, wantErr)
		}
		if !ok && wantErr == nil && len(s) <= 19 {
			t.Errorf("parseSmallInt(%q) refused a valid int64", s)
		}
	}
}
