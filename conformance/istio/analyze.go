package main

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"istio.io/istio/pkg/config/analysis"
	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/analyzers/maturity"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/resource"
)

// analyzeMessage is one analyzer message.
type analyzeMessage struct {
	Code  string `json:"code"`
	Level string `json:"level"`
	// Resource as Istio's analyzer tests name it: "Kind namespace/name", or "Kind name" for a
	// cluster-scoped object or one in namespace default (resource.Origin.FriendlyName()).
	Resource string `json:"resource,omitempty"`
	Message  string `json:"message"`
	// Reference is where the object came from (file and line) when Istio knows it.
	Reference string `json:"reference,omitempty"`
}

type analyzeOutput struct {
	Messages []analyzeMessage `json:"messages"`
	// Analyzers that ran, and those skipped because an input kind is unknown to the source.
	Executed []string `json:"executed"`
	Skipped  []string `json:"skipped"`
	// Errors reading the files (Istio reports them and goes on with the rest).
	ReadErrors []string `json:"readErrors"`
}

// knownAnalyzers is every analyzer by its Metadata().Name: analyzers.All() (what istioctl analyze
// runs) and those Istio runs only when asked (maturity.AlphaAnalyzer).
func knownAnalyzers() map[string]analysis.Analyzer {
	out := map[string]analysis.Analyzer{}
	for _, a := range analyzers.All() {
		out[a.Metadata().Name] = a
	}
	alpha := &maturity.AlphaAnalyzer{}
	out[alpha.Metadata().Name] = alpha
	return out
}

// runAnalyze runs Istio's analyzers over the files as one set, set up as Istio's analyzer tests set
// them up (pkg/config/analysis/analyzers/analyzers_test.go, setupAnalyzerForCase): every kind in the
// files is read (Pods, Nodes, Namespaces... included: AddTestReaderKubeSource), then the default
// ingress gateway resources are added (AddDefaultResources), as `istioctl analyze` does offline.
func runAnalyze(args []string) (any, error) {
	fs := newFlags("analyze")
	namespace := fs.String("namespace", "")
	istioNamespace := fs.String("istio-namespace", "istio-system")
	meshConfig := fs.String("mesh-config", "")
	meshNetworks := fs.String("mesh-networks", "")
	names := fs.Strings("analyzer")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if len(fs.Args) == 0 {
		return nil, errors.New("analyze: no files given")
	}
	known := knownAnalyzers()
	var selected []analysis.Analyzer
	if len(*names) == 0 {
		selected = analyzers.All()
	} else {
		for _, n := range *names {
			a, ok := known[n]
			if !ok {
				all := make([]string, 0, len(known))
				for k := range known {
					all = append(all, k)
				}
				sort.Strings(all)
				return nil, fmt.Errorf("analyze: unknown analyzer %q (known: %v)", n, all)
			}
			selected = append(selected, a)
		}
	}
	sa := local.NewSourceAnalyzer(analysis.Combine("conformance", selected...), resource.Namespace(*namespace),
		resource.Namespace(*istioNamespace), nil)
	if *meshConfig != "" {
		if err := sa.AddFileKubeMeshConfig(*meshConfig); err != nil {
			return nil, fmt.Errorf("analyze: mesh config %s: %v", *meshConfig, err)
		}
	}
	if *meshNetworks != "" {
		if err := sa.AddFileKubeMeshNetworks(*meshNetworks); err != nil {
			return nil, fmt.Errorf("analyze: mesh networks %s: %v", *meshNetworks, err)
		}
	}
	var readers []local.ReaderSource
	var closers []*os.File
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	for _, f := range fs.Args {
		of, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		closers = append(closers, of)
		readers = append(readers, local.ReaderSource{Name: f, Reader: of})
	}
	out := analyzeOutput{Messages: []analyzeMessage{}, Executed: []string{}, Skipped: []string{}, ReadErrors: []string{}}
	if err := sa.AddTestReaderKubeSource(readers); err != nil {
		out.ReadErrors = append(out.ReadErrors, splitErrors(err)...)
	}
	if err := sa.AddDefaultResources(); err != nil {
		return nil, fmt.Errorf("analyze: default resources: %v", err)
	}
	cancel := make(chan struct{})
	defer close(cancel)
	result, err := sa.Analyze(cancel)
	if err != nil {
		return nil, fmt.Errorf("analyze: %v", err)
	}
	out.Executed = append(out.Executed, result.ExecutedAnalyzers...)
	out.Skipped = append(out.Skipped, result.SkippedAnalyzers...)
	sort.Strings(out.Executed)
	sort.Strings(out.Skipped)
	for _, m := range result.Messages {
		u := m.Unstructured(true)
		am := analyzeMessage{Code: m.Type.Code(), Level: m.Type.Level().String(), Message: fmt.Sprint(u["message"])}
		if m.Resource != nil {
			am.Resource = m.Resource.Origin.FriendlyName()
			if ref, ok := u["reference"].(string); ok {
				am.Reference = ref
			}
		}
		out.Messages = append(out.Messages, am)
	}
	return out, nil
}
