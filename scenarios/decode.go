package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// maxVisits bounds the nodes one document may expand to (aliases included).
const maxVisits = 100_000

// decoder walks a yaml.Node tree against the Go types, collecting every error.
type decoder struct {
	file   string
	pos    positions
	errs   ErrorList
	visits int
	kinds  map[string]KindSpec // registered fault kinds a step may hold
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{
		File: d.file, Pos: Pos{n.Line, n.Column}, Path: path,
		Msg: fmt.Sprintf(format, args...),
	})
}

var (
	durationType = reflect.TypeOf(Duration(0))
	sizeType     = reflect.TypeOf(Size(0))
	rateType     = reflect.TypeOf(Rate(0))
)

// decode fills v (settable) from n; path names v in errors.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if d.visits++; d.visits > maxVisits {
		if d.visits == maxVisits+1 {
			d.errorf(n, path, "document expands to more than %d nodes; expected a small scenario (check anchors and aliases)", maxVisits)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		n = n.Alias
	}
	d.pos[path] = Pos{n.Line, n.Column}
	if isNull(n) {
		// "kill:" means kill; "partition:" is a partition missing its fields.
		if v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return
	}
	switch v.Type() {
	case durationType, sizeType, rateType, driftType:
		d.unit(n, v, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		d.decode(n, e.Elem(), path)
		v.Set(e)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Slice:
		d.sequence(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	default:
		d.scalar(n, v, path)
	}
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// describe names what a node holds, for "got …" in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	switch n.ShortTag() {
	case "!!null":
		return "nothing"
	case "!!int", "!!float":
		return "the number " + v
	case "!!bool":
		return "the boolean " + v
	}
	return fmt.Sprintf("the string %q", v)
}

// unit decodes a Duration, Size or Rate from its string form.
func (d *decoder) unit(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "got %s; expected %s", describe(n), unitExample(v.Type()))
		return
	}
	switch v.Type() {
	case durationType:
		x, err := ParseDuration(n.Value)
		if err != nil {
			d.errorf(n, path, "%q is not a duration; expected %s", n.Value, unitExample(durationType))
			return
		}
		v.SetInt(int64(x))
	case sizeType:
		x, err := ParseSize(n.Value)
		if err != nil || x < 0 {
			d.errorf(n, path, "%q is not a size; expected %s", n.Value, unitExample(sizeType))
			return
		}
		v.SetInt(int64(x))
	case rateType:
		x, err := ParseRate(n.Value)
		if err != nil || math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			d.errorf(n, path, "%q is not a rate; expected %s", n.Value, unitExample(rateType))
			return
		}
		v.SetFloat(float64(x))
	case driftType:
		x, err := ParseDrift(n.Value)
		if err != nil {
			d.errorf(n, path, "%q is not a drift rate; expected %s", n.Value, unitExample(driftType))
			return
		}
		v.SetFloat(float64(x))
	}
}

func unitExample(t reflect.Type) string {
	switch t {
	case durationType:
		return "a duration like 30s, 1m30s or 500ms"
	case sizeType:
		return "a size like 512, 64KiB, 1MiB or 10MB"
	case driftType:
		return "a drift rate like 5000ppm or -200ppm"
	}
	return "a non-negative rate like 500/s, 30/m or 200"
}

// scalar decodes strings, integers, floats and booleans.
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	want := map[reflect.Kind]string{
		reflect.String: "a string", reflect.Int: "an integer", reflect.Int64: "an integer",
		reflect.Float64: "a number", reflect.Bool: "true or false",
	}[v.Kind()]
	if want == "" {
		panic(fmt.Sprintf("scenarios: no decoder for %s at %s", v.Type(), path))
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "got %s; expected %s", describe(n), want)
		return
	}
	tag := n.ShortTag()
	ok := false
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
		return
	case reflect.Int, reflect.Int64:
		var x int64
		ok = tag == "!!int" && n.Decode(&x) == nil
		v.SetInt(x)
	case reflect.Float64:
		var x float64
		ok = (tag == "!!int" || tag == "!!float") && n.Decode(&x) == nil &&
			!math.IsNaN(x) && !math.IsInf(x, 0)
		v.SetFloat(x)
	case reflect.Bool:
		var x bool
		ok = tag == "!!bool" && n.Decode(&x) == nil
		v.SetBool(x)
	}
	if !ok {
		d.errorf(n, path, "got %s; expected %s", describe(n), want)
	}
}

// sequence decodes a list.
func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "got %s; expected a list", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		d.decode(c, s.Index(i), index(path, i))
	}
	v.Set(s)
}

// mapping decodes a map with string keys.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "got %s; expected a mapping", describe(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	d.entries(n, path, func(k *yaml.Node, val *yaml.Node) {
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, e, join(path, k.Value))
		v.SetMapIndex(reflect.ValueOf(k.Value), e)
	})
}

// structure decodes a struct by its yaml tags, rejecting unknown fields.
func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "got %s; expected a mapping", describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	d.entries(n, path, func(k *yaml.Node, val *yaml.Node) {
		i, ok := fields.index[k.Value]
		if !ok && !d.extension(k, val, v, path) {
			d.errorf(k, join(path, k.Value), "unknown field %q; %s", k.Value, suggest(k.Value, d.stepFields(v.Type(), fields.names)))
		}
		if !ok {
			return
		}
		d.decode(val, v.Field(i), join(path, k.Value))
	})
}

// entries calls fn for each key/value of a mapping, expanding merge keys
// (<<) and rejecting duplicate and non-string keys.
func (d *decoder) entries(n *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			d.merge(val, path, fn)
			continue
		}
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.errorf(k, path, "got %s as a key; expected a field name", describe(k))
			continue
		}
		if seen[k.Value] {
			d.errorf(k, join(path, k.Value), "field %q given twice; expected each field once", k.Value)
			continue
		}
		seen[k.Value] = true
		fn(k, val)
	}
}

// merge applies the mappings of a merge key.
func (d *decoder) merge(n *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	if d.visits++; d.visits > maxVisits {
		return
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		d.entries(n, path, fn)
	case yaml.SequenceNode:
		for _, c := range n.Content {
			d.merge(c, path, fn)
		}
	default:
		d.errorf(n, path, "got %s after <<; expected a mapping to merge", describe(n))
	}
}

// fieldTable is a struct's yaml field names.
type fieldTable struct {
	index map[string]int
	names []string
}

var fieldCache sync.Map // reflect.Type → *fieldTable

func fieldsOf(t reflect.Type) *fieldTable {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*fieldTable)
	}
	f := &fieldTable{index: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if !sf.IsExported() || name == "-" || name == "" {
			continue
		}
		f.index[name] = i
		f.names = append(f.names, name)
	}
	sort.Strings(f.names)
	fieldCache.Store(t, f)
	return f
}
