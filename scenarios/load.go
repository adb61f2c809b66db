package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads, decodes, validates and defaults the scenario in path. Every
// problem of the file is returned at once as an ErrorList.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load scenario %s: %w", path, err)
	}
	return LoadBytes(path, data)
}

// LoadBytes is Load for a document already in memory; name is used in errors.
// It does not look at the host: see ValidateFor.
func LoadBytes(name string, data []byte) (*Scenario, error) {
	return loadKinds(name, data, nil)
}

// loadKinds is LoadWith with the registered kinds indexed.
func loadKinds(name string, data []byte, kinds map[string]KindSpec) (*Scenario, error) {
	s, errs := decode(name, data, kinds)
	if s == nil {
		return nil, errs.Err()
	}
	var verrs ErrorList
	if err := Validate(s); err != nil {
		verrs = err.(ErrorList)
	}
	errs = append(errs, notUnder(verrs, errs)...)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	s.Defaults()
	return s, nil
}

// notUnder drops the validation errors about a field that already failed to
// decode (its value is missing, so any further complaint repeats the first).
func notUnder(verrs, decoded ErrorList) ErrorList {
	var out ErrorList
	for _, v := range verrs {
		dup := false
		for _, d := range decoded {
			if d.Path != "" && (v.Path == d.Path || strings.HasPrefix(v.Path, d.Path+".") || strings.HasPrefix(v.Path, d.Path+"[")) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// Decode parses one YAML document into a Scenario strictly (unknown fields,
// wrong types and bad units are errors) without semantic validation or defaults.
func Decode(name string, data []byte) (*Scenario, error) {
	s, errs := decode(name, data, nil)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	return s, nil
}

// decode returns the scenario as far as it decoded (nil when the YAML does
// not parse) and every decoding error.
func decode(name string, data []byte, kinds map[string]KindSpec) (*Scenario, ErrorList) {
	root, errs := parseOne(name, data)
	if root == nil {
		return nil, errs
	}
	s := &Scenario{Source: name, kinds: kinds}
	d := &decoder{file: name, pos: positions{}, kinds: kinds}
	d.decode(root, reflect.ValueOf(s).Elem(), "")
	s.pos = d.pos
	return s, d.errs
}

// parseOne parses data and returns its only document's root node.
func parseOne(name string, data []byte) (root *yaml.Node, errs ErrorList) {
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := safeDecode(dec, &doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, ErrorList{syntaxError(name, err)}
		}
		docs = append(docs, &doc)
	}
	switch {
	case len(docs) == 0:
		return nil, ErrorList{{File: name, Pos: Pos{1, 1}, Msg: "empty file; expected a Scenario document"}}
	case len(docs) > 1:
		d := docs[1]
		return nil, ErrorList{{File: name, Pos: Pos{d.Line, d.Column},
			Msg: fmt.Sprintf("file holds %d YAML documents; expected exactly one Scenario per file", len(docs))}}
	}
	if len(docs[0].Content) == 0 {
		return nil, ErrorList{{File: name, Pos: Pos{1, 1}, Msg: "empty document; expected a Scenario"}}
	}
	return docs[0].Content[0], nil
}

// safeDecode turns a panic of the YAML parser on hostile input into an error.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse: %v", r)
		}
	}()
	return dec.Decode(n)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError locates a yaml.v3 parse error.
func syntaxError(name string, err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Pos: Pos{Line: line}, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: name, Msg: "invalid YAML: " + msg}
}
