// Package library holds faultline's built-in scenarios, embedded in the
// binary. Each file's header comment says what it shows and its thresholds.
package library

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// aliases are extra names for library scenarios.
var aliases = map[string]string{
	"default": "galera-minority-partition",
}

// Names lists the library's scenarios, sorted (aliases not included).
func Names() []string {
	entries, _ := fs.ReadDir(files, ".") // the embedded root always reads
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Aliases maps each alias (e.g. default) to the scenario it names.
func Aliases() map[string]string {
	out := make(map[string]string, len(aliases))
	for k, v := range aliases {
		out[k] = v
	}
	return out
}

// Get returns a library scenario's YAML by name or alias.
func Get(name string) ([]byte, error) {
	if target, ok := aliases[name]; ok {
		name = target
	}
	data, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no library scenario %q; expected one of %s", name, strings.Join(Names(), ", "))
	}
	return data, nil
}

// Resolve turns a command-line argument into a scenario document: a path to
// a file (it exists, contains a path separator or ends in .yaml/.yml) is
// read from disk, anything else is a library name. source names the
// document in error messages: the path, or library/<name>.yaml.
func Resolve(arg string) (source string, data []byte, err error) {
	if isPath(arg) {
		data, err := os.ReadFile(arg)
		if err != nil {
			return arg, nil, fmt.Errorf("read scenario %s: %w", arg, err)
		}
		return arg, data, nil
	}
	data, err = Get(arg)
	if target, ok := aliases[arg]; ok {
		arg = target
	}
	return "library/" + arg + ".yaml", data, err
}

func isPath(arg string) bool {
	if strings.ContainsRune(arg, os.PathSeparator) || strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") {
		return true
	}
	fi, err := os.Stat(arg)
	return err == nil && !fi.IsDir()
}
