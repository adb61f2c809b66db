package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// stripFile removes capability name from every capability set in the JSON
// file at path (an OCI config.json or a runc process.json), keeping every
// other value exactly (numbers stay json.Number: rlimits are 2^64-1).
func stripFile(path, name string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	out, changed, err := stripJSON(data, name)
	if err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	if !changed {
		return nil
	}
	tmp := path + ".nosysres"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	return os.Rename(tmp, path)
}

// stripJSON returns data without capability name in any "capabilities"
// object (process.capabilities in config.json, capabilities in process.json).
func stripJSON(data []byte, name string) ([]byte, bool, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, false, err
	}
	if !walk(doc, name) {
		return data, false, nil
	}
	out, err := json.Marshal(doc)
	return out, true, err
}

// walk visits every object under v and filters the string lists of each
// "capabilities" object; it reports whether anything was removed.
func walk(v any, name string) bool {
	changed := false
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if caps, ok := child.(map[string]any); ok && k == "capabilities" {
				changed = filterSets(caps, name) || changed
				continue
			}
			changed = walk(child, name) || changed
		}
	case []any:
		for _, child := range t {
			changed = walk(child, name) || changed
		}
	}
	return changed
}

// filterSets drops name from each list (bounding, effective, ...) of caps.
func filterSets(caps map[string]any, name string) bool {
	changed := false
	for set, list := range caps {
		items, ok := list.([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(items))
		for _, it := range items {
			if it == name {
				changed = true
				continue
			}
			kept = append(kept, it)
		}
		caps[set] = kept
	}
	return changed
}
