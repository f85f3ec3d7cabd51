package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kubeyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// document is one YAML document of an input file.
type document struct {
	File  string
	Index int // position in the file, from 0
	Raw   []byte
	JSON  []byte
	Obj   *unstructured.Unstructured // nil when the document is not a Kubernetes object
	Err   error                      // why the document could not be read
}

// readDocuments splits every file into YAML documents, the way Istio's own readers do
// (k8s.io/apimachinery's YAML reader). Empty documents are skipped.
func readDocuments(files []string) ([]document, error) {
	var out []document
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		r := kubeyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for i := 0; ; {
			raw, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				out = append(out, document{File: f, Index: i, Err: err})
				break
			}
			if len(bytes.TrimSpace(raw)) == 0 || isOnlyComments(raw) {
				continue
			}
			d := document{File: f, Index: i, Raw: raw}
			i++
			js, err := yaml.YAMLToJSON(raw)
			if err != nil {
				d.Err = err
				out = append(out, d)
				continue
			}
			d.JSON = js
			if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
				continue
			}
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(js); err != nil {
				// Not a Kubernetes object (e.g. Helm values): kept without Obj.
				d.Err = err
			} else {
				d.Obj = u
			}
			out = append(out, d)
		}
	}
	return out, nil
}

func isOnlyComments(raw []byte) bool {
	for _, l := range strings.Split(string(raw), "\n") {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "#") && t != "---" {
			return false
		}
	}
	return true
}

// flagSet is a tiny parser for `--name value` options (repeatable ones collect every value) and
// positional arguments.
type flagSet struct {
	single   map[string]*string
	multi    map[string]*[]string
	bools    map[string]*bool
	Args     []string
	commandN string
}

func newFlags(command string) *flagSet {
	return &flagSet{single: map[string]*string{}, multi: map[string]*[]string{}, bools: map[string]*bool{}, commandN: command}
}

func (f *flagSet) String(name, def string) *string {
	v := def
	f.single[name] = &v
	return &v
}

func (f *flagSet) Strings(name string) *[]string {
	v := []string{}
	f.multi[name] = &v
	return &v
}

func (f *flagSet) Bool(name string) *bool {
	v := false
	f.bools[name] = &v
	return &v
}

func (f *flagSet) Parse(args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			f.Args = append(f.Args, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if b, ok := f.bools[name]; ok {
			*b = true
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return fmt.Errorf("%s: --%s needs a value", f.commandN, name)
			}
			i++
			value = args[i]
		}
		if s, ok := f.single[name]; ok {
			*s = value
		} else if m, ok := f.multi[name]; ok {
			*m = append(*m, value)
		} else {
			return fmt.Errorf("%s: unknown option --%s", f.commandN, name)
		}
	}
	return nil
}
