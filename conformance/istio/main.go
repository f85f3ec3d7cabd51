// Command istio-conformance runs Istio's own Go code (config validation, analyzers, pilot's route
// simulation) over Kubernetes YAML files and prints JSON, so that cdk8s-istio's tests can compare
// the library's output, `lint` and simulator with what Istio itself says.
//
//	istio-conformance validate [--namespace NS] [--crds FILE]... FILES...
//	istio-conformance analyze [--namespace NS] [--istio-namespace NS] [--mesh-config FILE] [--analyzer NAME]... FILES...
//	istio-conformance route [--mesh-config FILE] FILES... < requests.json
//	istio-conformance batch < jobs.json
//
// Every command writes one JSON document to stdout; logs go to stderr. Exit code 0 when the
// command ran (whatever it found), 2 on a usage or input error. See README.md.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"cdk8s-istio.local/conformance/istio/internal/stdio"
	istiolog "istio.io/istio/pkg/log"
)

// jsonOut is the real stdout: package stdio points os.Stdout at stderr before Istio's packages
// initialize, so that nothing they print can corrupt the JSON answer.
var jsonOut = stdio.Stdout

func main() {
	quietLogs()
	if len(os.Args) < 2 {
		usage("no command given")
	}
	stdin := func() ([]byte, error) { return io.ReadAll(os.Stdin) }
	res, err := runCommand(os.Args[1], os.Args[2:], stdin)
	if err != nil {
		usage(err.Error())
	}
	enc := json.NewEncoder(jsonOut)
	enc.SetIndent("", " ")
	if err := enc.Encode(res); err != nil {
		fmt.Fprintf(os.Stderr, "istio-conformance: %v\n", err)
		os.Exit(1)
	}
}

func usage(msg string) {
	fmt.Fprintf(os.Stderr, "istio-conformance: %s\n\n%s", msg, usageText)
	os.Exit(2)
}

const usageText = `usage:
  istio-conformance validate [--namespace NS] [--crds FILE]... FILES...
  istio-conformance analyze [--namespace NS] [--istio-namespace NS] [--mesh-config FILE] [--analyzer NAME]... FILES...
  istio-conformance route [--mesh-config FILE] FILES... < requests.json
  istio-conformance batch < jobs.json      (jobs: [{"args": ["analyze", ...], "input": <stdin JSON>}])
`

// runCommand runs one command; stdin is read only by commands that take input.
func runCommand(cmd string, args []string, stdin func() ([]byte, error)) (any, error) {
	switch cmd {
	case "validate":
		return runValidate(args)
	case "analyze":
		return runAnalyze(args)
	case "route":
		return runRoute(args, stdin)
	case "batch":
		return runBatch(stdin)
	case "-h", "--help", "help":
		fmt.Fprint(os.Stderr, usageText)
		os.Exit(0)
	}
	return nil, fmt.Errorf("unknown command %q", cmd)
}

// batchJob is one command of a batch: its arguments and, for route, its requests.
type batchJob struct {
	Args  []string        `json:"args"`
	Input json.RawMessage `json:"input,omitempty"`
}

// batchResult is one job's answer: the command's JSON, or the error that stopped it.
type batchResult struct {
	Result any    `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

// runBatch runs many commands in one process (Istio's packages take a while to initialize).
func runBatch(stdin func() ([]byte, error)) (any, error) {
	data, err := stdin()
	if err != nil {
		return nil, err
	}
	var jobs []batchJob
	if err := json.Unmarshal(data, &jobs); err != nil {
		return nil, fmt.Errorf("batch: stdin is not a JSON array of {args, input}: %v", err)
	}
	out := make([]batchResult, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, runJob(j))
	}
	return out, nil
}

func runJob(j batchJob) (r batchResult) {
	defer func() {
		if p := recover(); p != nil {
			r = batchResult{Error: fmt.Sprintf("panic: %v\n%s", p, debug.Stack())}
		}
	}()
	if len(j.Args) == 0 || j.Args[0] == "batch" {
		return batchResult{Error: "a batch job needs args naming validate, analyze or route"}
	}
	input := func() ([]byte, error) { return j.Input, nil }
	res, err := runCommand(j.Args[0], j.Args[1:], input)
	if err != nil {
		return batchResult{Error: err.Error()}
	}
	return batchResult{Result: res}
}

// quietLogs sends Istio's logs to stderr at error level only.
func quietLogs() {
	o := istiolog.DefaultOptions()
	o.OutputPaths = []string{"stderr"}
	o.ErrorOutputPaths = []string{"stderr"}
	level := istiolog.ErrorLevel
	if os.Getenv("ISTIO_CONFORMANCE_DEBUG") != "" {
		level = istiolog.DebugLevel
	}
	for _, s := range istiolog.Scopes() {
		s.SetOutputLevel(level)
	}
	o.SetDefaultOutputLevel(istiolog.OverrideScopeName, level)
	_ = istiolog.Configure(o)
}
