package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"sigs.k8s.io/yaml"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/test"
)

// routeSource is the calling workload: a Deployment (StatefulSet, DaemonSet, Pod) of the files by
// name, or a namespace and pod labels.
type routeSource struct {
	Namespace string            `json:"namespace"`
	Workload  string            `json:"workload,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// routeRequest is one HTTP request sent by the source's sidecar (plaintext HTTP/1.1 from the app,
// captured by iptables: pilot's CallModeOutbound).
type routeRequest struct {
	Source    routeSource       `json:"source"`
	Host      string            `json:"host"`
	Port      int               `json:"port,omitempty"` // default: the Service's first port
	Method    string            `json:"method,omitempty"`
	Path      string            `json:"path,omitempty"`
	Authority string            `json:"authority,omitempty"` // default: host
	Headers   map[string]string `json:"headers,omitempty"`
}

type weightedCluster struct {
	Name   string `json:"name"`
	Weight uint32 `json:"weight"`
	// Parsed from an outbound cluster name outbound|port|subset|host.
	Host   string `json:"host,omitempty"`
	Subset string `json:"subset,omitempty"`
	Port   int    `json:"port,omitempty"`
}

// routeAnswer is what Istio's config, as pilot generates it for the source's sidecar, does with one
// request.
type routeAnswer struct {
	Listener    string `json:"listener,omitempty"`
	FilterChain string `json:"filterChain,omitempty"`
	RouteConfig string `json:"routeConfig,omitempty"`
	VirtualHost string `json:"virtualHost,omitempty"`
	// Route is the name of the Envoy route the request takes (Istio names it after the
	// VirtualService http rule's name, ".<match name>" appended; "default" for the route to a host
	// without VirtualService); RouteIndex its position in the virtual host.
	Route      *string `json:"route"`
	RouteIndex int     `json:"routeIndex"`
	// RoutedBy is the Istio object the route was generated from (its istio filter metadata):
	// "Kind namespace/name", empty for a default route.
	RoutedBy string `json:"routedBy,omitempty"`
	// PilotRoute is the route pilot's own simulation (pilot/pkg/simulation, Simulation.Run) picks;
	// it matches on the path only, so Route (full Envoy route matching: path, headers, query
	// parameters, method, authority) is the answer and PilotRoute is the cross-check.
	PilotRoute     *string           `json:"pilotRoute"`
	Clusters       []weightedCluster `json:"clusters"`
	Redirect       map[string]any    `json:"redirect,omitempty"`
	// RewrittenPath is the :path the route forwards after its prefix_rewrite or regex_rewrite, as Envoy
	// applies them (rewrittenPath, envoymatch.go); absent when the route rewrites no path.
	RewrittenPath string `json:"rewrittenPath,omitempty"`
	DirectResponse *uint32           `json:"directResponse,omitempty"`
	// TCP: the port is not HTTP for Istio (a tcp port, or a name with no known protocol): the
	// filter chain proxies TCP to Clusters[0], no HTTP route applies.
	TCP bool `json:"tcp,omitempty"`
	// Error: pilot simulation's error ("no route matched" = 404 NR, "no virtual host matched",
	// "no listener matched"...), or why the request could not be simulated.
	Error string `json:"error,omitempty"`
	// Unsupported lists route conditions this harness cannot evaluate for the request (runtime
	// fractions, gRPC or TLS context matchers, JWT claim metadata): the answer may be wrong then.
	Unsupported []string `json:"unsupported,omitempty"`
}

type routeOutput struct {
	Answers []routeAnswer `json:"answers"`
}

// runRoute builds istiod's config for each source workload with pilot's fake discovery server
// (pilot/test/xds) and runs each request through it.
func runRoute(args []string, stdin func() ([]byte, error)) (any, error) {
	fs := newFlags("route")
	meshConfig := fs.String("mesh-config", "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if len(fs.Args) == 0 {
		return nil, errors.New("route: no files given")
	}
	data, err := stdin()
	if err != nil {
		return nil, err
	}
	var requests []routeRequest
	if err := json.Unmarshal(data, &requests); err != nil {
		return nil, fmt.Errorf("route: requests must be a JSON array of {source, host, port, method, path, headers}: %v", err)
	}
	var mc *meshconfig.MeshConfig
	if *meshConfig != "" {
		by, err := os.ReadFile(*meshConfig)
		if err != nil {
			return nil, err
		}
		mc, err = mesh.ApplyMeshConfigDefaults(string(by))
		if err != nil {
			return nil, fmt.Errorf("route: mesh config: %v", err)
		}
	}
	docs, err := readDocuments(fs.Args)
	if err != nil {
		return nil, err
	}
	w := newWorld(docs)
	out := routeOutput{Answers: []routeAnswer{}}
	configs, _, err := crd.ParseInputs(w.istioYAML)
	if err != nil {
		return nil, fmt.Errorf("route: reading the Istio configs: %v", err)
	}
	for i := range configs {
		// istiod's Kubernetes config client stamps every config with the cluster's domain suffix
		// (crd.ConvertObject's domain): short hosts in a VirtualService resolve against it
		// (model.ResolveShortnameToFQDN). ParseInputs leaves it empty.
		configs[i].Domain = "cluster.local"
		if configs[i].Namespace == "" {
			configs[i].Namespace = "default"
		}
	}
	err = test.Wrap(func(t test.Failer) {
		fds := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
			KubernetesObjectString: w.kubeYAML,
			Configs:                configs,
			MeshConfig:             mc,
		})
		settle(fds)
		sims := map[string]*simulation.Simulation{}
		for i, r := range requests {
			out.Answers = append(out.Answers, routeOne(fds, sims, w, r, i))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("route: pilot's fake discovery server failed: %v", err)
	}
	return out, nil
}

// settle waits until istiod has committed every config update it received and no new one arrived
// for a while: the VirtualService controller (krt collections) and the registries process the
// initial configs asynchronously, so the first push context can miss them.
func settle(fds *xds.FakeDiscoveryServer) {
	stable := 0
	for i := 0; i < 500 && stable < 5; i++ {
		in := fds.Discovery.InboundUpdates.Load()
		time.Sleep(10 * time.Millisecond)
		if fds.Discovery.CommittedUpdates.Load() >= in && fds.Discovery.InboundUpdates.Load() == in {
			stable++
		} else {
			stable = 0
		}
	}
}

// world is the input split into what pilot's fake server reads.
type world struct {
	kubeYAML  string
	istioYAML string
	workloads map[string]map[string]string // "ns/name" -> pod labels
	services  map[string]service           // "name.ns" -> service
}

type service struct {
	ip    string
	ports []int
}

// kubeKinds are the Kubernetes kinds handed to pilot's Kubernetes registry.
var kubeKinds = map[string]bool{
	"/Service": true, "/Namespace": true, "/Pod": true, "/Node": true, "/Secret": true, "/ConfigMap": true,
	"/ServiceAccount": true, "/Endpoints": true, "discovery.k8s.io/EndpointSlice": true,
}

func newWorld(docs []document) *world {
	w := &world{workloads: map[string]map[string]string{}, services: map[string]service{}}
	var kube, istio []string
	nextIP := 0
	for _, d := range docs {
		u := d.Obj
		if u == nil {
			continue
		}
		gvk := u.GroupVersionKind()
		ns := u.GetNamespace()
		if ns == "" && gvk.Kind != "Namespace" && gvk.Kind != "Node" {
			ns = "default"
			u.SetNamespace(ns)
		}
		switch gvk.Kind {
		case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job":
			labels, _, _ := unstructuredStringMap(u.Object, "spec", "template", "metadata", "labels")
			w.workloads[ns+"/"+u.GetName()] = labels
		case "Pod":
			w.workloads[ns+"/"+u.GetName()] = u.GetLabels()
		}
		key := gvk.Group + "/" + gvk.Kind
		switch {
		case kubeKinds[key]:
			if gvk.Kind == "Service" {
				// The API server allocates a ClusterIP to every non-headless Service on apply.
				ip, _, _ := unstructuredString(u.Object, "spec", "clusterIP")
				typ, _, _ := unstructuredString(u.Object, "spec", "type")
				if ip == "" && typ != "ExternalName" {
					nextIP++
					ip = fmt.Sprintf("10.96.%d.%d", nextIP/250, nextIP%250+1)
					_ = setNested(u.Object, ip, "spec", "clusterIP")
				}
				svc := service{ip: ip}
				ports, _, _ := unstructuredSlice(u.Object, "spec", "ports")
				for _, p := range ports {
					if m, ok := p.(map[string]any); ok {
						if n, ok := m["port"].(int64); ok {
							svc.ports = append(svc.ports, int(n))
						} else if f, ok := m["port"].(float64); ok {
							svc.ports = append(svc.ports, int(f))
						}
					}
				}
				w.services[u.GetName()+"."+ns] = svc
			}
			y, err := yaml.Marshal(u.Object)
			if err == nil {
				kube = append(kube, string(y))
			}
		case gvk.Group == "gateway.networking.k8s.io":
			// istiod's Gateway API controller (krt) reads Gateways and routes from the Kubernetes client,
			// not from the config store: in Configs they would be ignored (a GAMMA HTTPRoute routed nothing).
			y, err := yaml.Marshal(u.Object)
			if err == nil {
				kube = append(kube, string(y))
			}
		case strings.HasSuffix(gvk.Group, ".istio.io"):
			y, err := yaml.Marshal(u.Object)
			if err == nil {
				istio = append(istio, string(y))
			}
		}
	}
	w.kubeYAML = strings.Join(kube, "\n---\n")
	w.istioYAML = strings.Join(istio, "\n---\n")
	return w
}

// lookupService finds the Service a request host names: name.ns, name.ns.svc, name.ns.svc.cluster.local,
// or a short name in the source's namespace.
func (w *world) lookupService(host, sourceNS string) (service, bool) {
	h := strings.TrimSuffix(host, ".svc.cluster.local")
	h = strings.TrimSuffix(h, ".svc")
	if !strings.Contains(h, ".") {
		h = h + "." + sourceNS
	}
	s, ok := w.services[h]
	return s, ok
}

func routeOne(fds *xds.FakeDiscoveryServer, sims map[string]*simulation.Simulation, w *world, r routeRequest, i int) (a routeAnswer) {
	a = routeAnswer{RouteIndex: -1, Clusters: []weightedCluster{}}
	defer func() {
		if p := recover(); p != nil {
			a.Error = fmt.Sprintf("simulation panicked: %v", p)
		}
	}()
	ns := r.Source.Namespace
	if ns == "" {
		ns = "default"
	}
	labels := r.Source.Labels
	if r.Source.Workload != "" {
		l, ok := w.workloads[ns+"/"+r.Source.Workload]
		if !ok {
			a.Error = fmt.Sprintf("source workload %s/%s is not in the files", ns, r.Source.Workload)
			return a
		}
		labels = l
	}
	if labels == nil {
		labels = map[string]string{}
	}
	key := ns + "|" + canonicalLabels(labels)
	sim, ok := sims[key]
	if !ok {
		proxy := fds.SetupProxy(&model.Proxy{
			ConfigNamespace: ns,
			Labels:          labels,
			IPAddresses:     []string{fmt.Sprintf("10.244.0.%d", len(sims)+2)},
			ID:              fmt.Sprintf("source-%d.%s", len(sims), ns),
			Metadata:        &model.NodeMetadata{Namespace: ns, Labels: labels},
		})
		listeners := fds.Listeners(proxy)
		sim = &simulation.Simulation{Listeners: listeners, Clusters: fds.Clusters(proxy), Routes: fds.RoutesFromListeners(proxy, listeners)}
		if os.Getenv("ISTIO_CONFORMANCE_DUMP") != "" {
			for _, rc := range sim.Routes {
				for _, vh := range rc.GetVirtualHosts() {
					names := []string{}
					for _, r := range vh.GetRoutes() {
						names = append(names, r.GetName())
					}
					fmt.Fprintf(os.Stderr, "route config %s vhost %s domains %v routes %v\n", rc.GetName(), vh.GetName(), vh.GetDomains(), names)
				}
			}
		}
		sims[key] = sim
	}
	port := r.Port
	addr := "1.3.3.7"
	if svc, ok := w.lookupService(r.Host, ns); ok {
		if svc.ip != "" && svc.ip != "None" {
			addr = svc.ip
		}
		if port == 0 && len(svc.ports) > 0 {
			port = svc.ports[0]
		}
	}
	if port == 0 {
		a.Error = fmt.Sprintf("request %d: no port given and %s is not a Service of the files", i, r.Host)
		return a
	}
	authority := r.Authority
	if authority == "" {
		authority = r.Host
	}
	path := r.Path
	if path == "" {
		path = "/"
	}
	method := r.Method
	if method == "" {
		method = "GET"
	}
	headers := http.Header{}
	for k, v := range r.Headers {
		headers[strings.ToLower(k)] = []string{v}
	}
	res := sim.Run(simulation.Call{
		Address:    addr,
		Port:       port,
		Path:       path,
		Protocol:   simulation.HTTP,
		HostHeader: authority,
		Headers:    headers,
		CallMode:   simulation.CallModeOutbound,
	})
	a.Listener, a.FilterChain, a.RouteConfig, a.VirtualHost = res.ListenerMatched, res.FilterChainMatched, res.RouteConfigMatched, res.VirtualHostMatched
	if res.RouteMatched != "" || res.Error == nil {
		pr := res.RouteMatched
		a.PilotRoute = &pr
	}
	if res.Error != nil && !errors.Is(res.Error, simulation.ErrNoRoute) {
		a.Error = res.Error.Error()
		return a
	}
	if a.VirtualHost == "" {
		if res.Error != nil {
			a.Error = res.Error.Error()
		} else if res.ClusterMatched != "" {
			a.TCP = true
			a.Clusters = append(a.Clusters, parseCluster(res.ClusterMatched, 100))
		} else {
			a.Error = "no HTTP route configuration and no TCP proxy on the matched filter chain"
		}
		return a
	}
	vh := findVirtualHost(sim, a.RouteConfig, a.VirtualHost)
	if vh == nil {
		a.Error = fmt.Sprintf("virtual host %s of route config %s not found", a.VirtualHost, a.RouteConfig)
		return a
	}
	req := envoyRequest{path: path, method: method, authority: authority, scheme: "http", headers: map[string]string{}}
	for k, v := range r.Headers {
		req.headers[strings.ToLower(k)] = v
	}
	idx, unsupported := matchEnvoyRoute(vh, req)
	a.Unsupported = unsupported
	if idx < 0 {
		a.Error = simulation.ErrNoRoute.Error()
		return a
	}
	er := vh.Routes[idx]
	name := er.GetName()
	a.Route = &name
	a.RouteIndex = idx
	a.RoutedBy = routedBy(er)
	switch act := er.GetAction().(type) {
	case *route.Route_Route:
		if c := act.Route.GetCluster(); c != "" {
			a.Clusters = append(a.Clusters, parseCluster(c, 100))
		}
		for _, wc := range act.Route.GetWeightedClusters().GetClusters() {
			a.Clusters = append(a.Clusters, parseCluster(wc.GetName(), wc.GetWeight().GetValue()))
		}
		a.RewrittenPath = rewrittenPath(er, act.Route, path)
	case *route.Route_Redirect:
		b, _ := json.Marshal(act.Redirect)
		m := map[string]any{}
		_ = json.Unmarshal(b, &m)
		a.Redirect = m
	case *route.Route_DirectResponse:
		s := act.DirectResponse.GetStatus()
		a.DirectResponse = &s
	}
	return a
}

func findVirtualHost(sim *simulation.Simulation, routeConfig, vhName string) *route.VirtualHost {
	rc := xdstest.ExtractRouteConfigurations(sim.Routes)[routeConfig]
	for _, vh := range rc.GetVirtualHosts() {
		if vh.GetName() == vhName {
			return vh
		}
	}
	return nil
}

// routedBy reads the Istio config path Istio puts in a route's istio filter metadata
// (pilot/pkg/networking/util.AddConfigInfoMetadata): /apis/<group>/<version>/namespaces/<ns>/<kebab-kind>/<name>.
func routedBy(r *route.Route) string {
	s := r.GetMetadata().GetFilterMetadata()["istio"].GetFields()["config"].GetStringValue()
	parts := strings.Split(strings.TrimPrefix(s, "/apis/"), "/")
	if len(parts) != 6 || parts[2] != "namespaces" {
		return s
	}
	kind := map[string]string{"virtual-service": "VirtualService", "http-route": "HTTPRoute", "grpc-route": "GRPCRoute"}[parts[4]]
	if kind == "" {
		kind = parts[4]
	}
	return kind + " " + parts[3] + "/" + parts[5]
}

// parseCluster splits outbound|<port>|<subset>|<host>.
func parseCluster(name string, weight uint32) weightedCluster {
	c := weightedCluster{Name: name, Weight: weight}
	p := strings.Split(name, "|")
	if len(p) == 4 && p[0] == "outbound" {
		fmt.Sscanf(p[1], "%d", &c.Port)
		c.Subset, c.Host = p[2], p[3]
	}
	return c
}

func canonicalLabels(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + l[k] + ",")
	}
	return b.String()
}

func unstructuredString(obj map[string]any, fields ...string) (string, bool, error) {
	v, ok := nested(obj, fields...)
	s, isStr := v.(string)
	return s, ok && isStr, nil
}

func unstructuredSlice(obj map[string]any, fields ...string) ([]any, bool, error) {
	v, ok := nested(obj, fields...)
	s, isSlice := v.([]any)
	return s, ok && isSlice, nil
}

func unstructuredStringMap(obj map[string]any, fields ...string) (map[string]string, bool, error) {
	v, ok := nested(obj, fields...)
	m, isMap := v.(map[string]any)
	out := map[string]string{}
	for k, x := range m {
		if s, ok := x.(string); ok {
			out[k] = s
		}
	}
	return out, ok && isMap, nil
}

func nested(obj map[string]any, fields ...string) (any, bool) {
	var cur any = obj
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[f]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

func setNested(obj map[string]any, value any, fields ...string) error {
	cur := obj
	for _, f := range fields[:len(fields)-1] {
		next, ok := cur[f].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[f] = next
		}
		cur = next
	}
	cur[fields[len(fields)-1]] = value
	return nil
}
