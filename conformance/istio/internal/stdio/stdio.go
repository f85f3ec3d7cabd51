// Package stdio keeps the real stdout for the harness's JSON answer and points os.Stdout at stderr
// before any of Istio's packages initialize: some of them log at init time (pkg/test/env warns about
// TARGET_OUT), and Istio's logger writes to stdout by default.
//
// It must initialize first: Go initializes packages in import-path order among those whose imports
// are initialized, and this path (cdk8s-istio.local/...) sorts before every Istio dependency
// (cel.dev, cloud.google.com, github.com, istio.io, k8s.io...). It imports nothing but os.
package stdio

import "os"

// Stdout is the process's real standard output.
var Stdout = os.Stdout

func init() {
	os.Stdout = os.Stderr
}
