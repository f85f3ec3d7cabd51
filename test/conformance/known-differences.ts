/**
 * Known differences between our lint / simulator and Istio's own code, each with its reason.
 * The conformance tests assert that these lists equal the differences they observe, so an entry
 * whose difference is fixed fails the test until it is removed (the list cannot rot).
 *
 * `onlyIstio`: (code, resource) pairs Istio's analyzers report and our lint does not;
 * `onlyOurs`: pairs our lint reports and Istio does not. Pairs are `CODE Kind ns/name`
 * (`Kind name` for an object without namespace), on the Istio codes our lint implements.
 */

/** A documented difference on one analyzer test case. */
export interface KnownCaseDifference {
  readonly onlyIstio: readonly string[];
  readonly onlyOurs: readonly string[];
  /** Why they differ: our bug (say so), a version difference, or a limit of the comparison. */
  readonly reason: string;
}

/** Differences on Istio's analyzer test data (test/conformance/analyzer-cases.test.ts), by case name. */
export const ANALYZER_CASE_DIFFERENCES: Readonly<Record<string, KnownCaseDifference>> = {
  "istioInjection": {
    onlyIstio: ["IST0102 Namespace bar"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's injection.Analyzer reports IST0102 on the Namespace that has no injection label (pkg/config/analysis/analyzers/injection/injection.go); our lint reports it on the workloads instead, or not at all",
  },
  "unnamedPortInSystemNamespace": {
    onlyIstio: [],
    onlyOurs: ["IST0118 Service istio-system/my-service2", "IST0118 Service istio-system/my-service4", "IST0118 Service kube-public/my-service3", "IST0118 Service kube-system/my-service1"],
    reason: "our bug (issue 19): Istio never analyzes Services in istio-system, kube-system, kube-public (service.PortNameAnalyzer skips system namespaces); our lint reports IST0118 there",
  },
  "sidecarDefaultSelector": {
    onlyIstio: ["IST0102 Namespace ns1", "IST0102 Namespace ns2"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's injection.Analyzer reports IST0102 on the Namespace that has no injection label (pkg/config/analysis/analyzers/injection/injection.go); our lint reports it on the workloads instead, or not at all",
  },
  "sidecarSelector": {
    onlyIstio: ["IST0101 Sidecar default/maps-to-nonexistent", "IST0101 Sidecar other/maps-to-different-ns", "IST0110 Sidecar default/dupe-1", "IST0110 Sidecar default/dupe-2", "IST0110 Sidecar default/overlap-1", "IST0110 Sidecar default/overlap-2"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's selector analyzers select workloads by their Pods (bare Pod objects in the files); our lint treats only Deployments and the like as workloads, so selectors that only match bare Pods look unmatched to it; IST0101 for a Sidecar selector matching no pod and IST0110 for overlapping Sidecar selectors depend on it",
  },
  "virtualServiceConflictingMeshGatewayHosts": {
    onlyIstio: ["IST0109 VirtualService foo/productpage", "IST0109 VirtualService foo/ratings", "IST0109 VirtualService team3/ratings"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's ConflictingMeshGatewayHostsAnalyzer reports every VirtualService of a conflict, the first one included, and compares wildcard hosts; our IST0109 leaves the first one out",
  },
  "virtualServiceConflictingMeshGatewayHostsWithExportTo": {
    onlyIstio: ["IST0109 VirtualService bar/productpage-d", "IST0109 VirtualService foo/productpage", "IST0109 VirtualService foo/productpage-c", "IST0109 VirtualService foo/productpage-d"],
    onlyOurs: ["IST0109 VirtualService bar/productpage-b"],
    reason: "our bug (issue 19): our IST0109 ignores exportTo (VirtualServices not visible to each other do not conflict) and leaves the first VirtualService of a conflict out",
  },
  "virtualServiceDestinationHosts": {
    onlyIstio: ["IST0101 VirtualService default/reviews-bookinfo-other", "IST0101 VirtualService hello/hello-export-to-bogus", "IST0101 VirtualService istio-system/cross-namespace-details", "IST0109 VirtualService hello/hello"],
    onlyOurs: [],
    reason: "our bug (issue 19): our destination-host check ignores exportTo of ServiceEntries and the Service networking.istio.io/exportTo annotation (IST0101 for hosts not visible from the VirtualService's namespace), and our IST0109 leaves out the first VirtualService of a conflict",
  },
  "serviceMultipleDeployments": {
    onlyIstio: ["IST0102 Namespace injection-disabled-ns"],
    onlyOurs: ["IST0102 Deployment injection-disabled-ns/ann-enabled-ns-disabled", "IST0116 Deployment bookinfo/conflicting-ports", "IST0116 Deployment bookinfo/deployment-out-mesh"],
    reason: "our bug (issue 19): IST0102 belongs on the Namespace, not the Deployment; IST0116 groups a workload's Services by Service port and protocol and skips Deployments outside the mesh in Istio (deployment.ServiceAssociationAnalyzer), ours groups by target port",
  },
  "authorizationpolicies": {
    onlyIstio: ["IST0127 AuthorizationPolicy httpbin-empty/httpbin-empty-namespace-wide"],
    onlyOurs: ["IST0127 AuthorizationPolicy test-ambient/valid-policy"],
    reason: "our bug (issue 19): a selector-less AuthorizationPolicy in a namespace with no pods is IST0127 in Istio; and Istio counts ambient Pods (ambient.istio.io/redirection annotation) as workloads, so test-ambient/valid-policy matches in Istio but not in our lint",
  },
  "dupmatches": {
    onlyIstio: ["IST0109 VirtualService duplicate-match", "IST0130 VirtualService duplicate-empty-tcp", "IST0130 VirtualService duplicate-match", "IST0130 VirtualService duplicate-tcp-match", "IST0130 VirtualService none/tls-routing", "IST0131 VirtualService almost-duplicate-tcp-match", "IST0131 VirtualService duplicate-tcp-match", "IST0131 VirtualService non-method-get", "IST0131 VirtualService none/tls-routing", "IST0131 VirtualService none/tls-routing-almostmatch", "IST0131 VirtualService overlapping-in-single-match"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's VirtualService schema analyzer reports IST0130/IST0131 for tcp and tls routes too, for duplicate matches within one rule and when every match of a rule is a duplicate; ours only checks http routes across rules. IST0109 on duplicate-match: our IST0109 leaves the first VirtualService of a conflict out",
  },
  "ExternalNameServiceTypeInvalidPortName": {
    onlyIstio: [],
    onlyOurs: ["IST0118 Service nginx-ns/nginx", "IST0118 Service nginx-ns2/nginx-svc2"],
    reason: "our bug (issue 19): for an ExternalName Service Istio reports IST0150 (ExternalNameServiceTypeInvalidPortName), not IST0118; our lint reports IST0118",
  },
  "telemetrySelector": {
    onlyIstio: ["IST0101 Telemetry default/maps-to-nonexistent", "IST0101 Telemetry other/maps-to-different-ns", "IST0159 Telemetry default/dupe-1", "IST0159 Telemetry default/dupe-2", "IST0159 Telemetry default/overlap-1", "IST0159 Telemetry default/overlap-2"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's selector analyzers select workloads by their Pods (bare Pod objects in the files); our lint treats only Deployments and the like as workloads, so selectors that only match bare Pods look unmatched to it; Telemetry selectors (IST0101 no match, IST0159 two Telemetries select one pod) depend on it",
  },
  "telemetryDefaultSelector": {
    onlyIstio: ["IST0101 Telemetry ns1/has-selector"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's selector analyzers select workloads by their Pods (bare Pod objects in the files); our lint treats only Deployments and the like as workloads, so selectors that only match bare Pods look unmatched to it; a Telemetry selector matching no pod is IST0101 in Istio",
  },
  "DestinationRuleSubsetsWithTopologyLabels": {
    onlyIstio: [],
    onlyOurs: ["IST0173 DestinationRule default/subsets-with-topology-labels"],
    reason: "our bug (issue 19): Istio takes topology labels (topology.kubernetes.io/region, zone, ...) of a subset from the Nodes the pods run on, so such a subset selects pods; our lint looks at pod labels only and reports IST0173",
  },
  "misannoted": {
    onlyIstio: ["IST0102 Namespace staging"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's injection.Analyzer reports IST0102 on the Namespace that has no injection label (pkg/config/analysis/analyzers/injection/injection.go); our lint reports it on the workloads instead, or not at all",
  },
  "alpha": {
    onlyIstio: ["IST0102 Namespace staging"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's injection.Analyzer reports IST0102 on the Namespace that has no injection label (pkg/config/analysis/analyzers/injection/injection.go); our lint reports it on the workloads instead, or not at all",
  },
  "gatewayNoWorkload": {
    onlyIstio: ["IST0101 Gateway httpbin-gateway"],
    onlyOurs: [],
    reason: "not implemented: Istio's gateway analyzers (gateway.IngressGatewayPortAnalyzer, gateway.SecretAnalyzer, gateway.ConflictingGatewayAnalyzer, virtualservice.GatewayAnalyzer) also report IST0101 (gateway selector or credential not found, unknown gateway); our lint has no counterpart yet (issues 17 and 19)",
  },
  "gatewayCustomIngressGateway": {
    onlyIstio: ["IST0101 Gateway httpbin-gateway"],
    onlyOurs: [],
    reason: "not implemented: Istio's gateway analyzers (gateway.IngressGatewayPortAnalyzer, gateway.SecretAnalyzer, gateway.ConflictingGatewayAnalyzer, virtualservice.GatewayAnalyzer) also report IST0101 (gateway selector or credential not found, unknown gateway); our lint has no counterpart yet (issues 17 and 19)",
  },
  "gatewayCustomIngressGatewayBadPort": {
    onlyIstio: ["IST0101 Gateway httpbin-gateway"],
    onlyOurs: [],
    reason: "not implemented: Istio's gateway analyzers (gateway.IngressGatewayPortAnalyzer, gateway.SecretAnalyzer, gateway.ConflictingGatewayAnalyzer, virtualservice.GatewayAnalyzer) also report IST0101 (gateway selector or credential not found, unknown gateway); our lint has no counterpart yet (issues 17 and 19)",
  },
  "gatewayCustomIngressGatewayBadPortWithoutTarget": {
    onlyIstio: ["IST0101 Gateway httpbin-gateway"],
    onlyOurs: [],
    reason: "not implemented: Istio's gateway analyzers (gateway.IngressGatewayPortAnalyzer, gateway.SecretAnalyzer, gateway.ConflictingGatewayAnalyzer, virtualservice.GatewayAnalyzer) also report IST0101 (gateway selector or credential not found, unknown gateway); our lint has no counterpart yet (issues 17 and 19)",
  },
  "gatewayCustomIngressGatewayTranslation": {
    onlyIstio: ["IST0101 Gateway httpbin-gateway"],
    onlyOurs: [],
    reason: "not implemented: Istio's gateway analyzers (gateway.IngressGatewayPortAnalyzer, gateway.SecretAnalyzer, gateway.ConflictingGatewayAnalyzer, virtualservice.GatewayAnalyzer) also report IST0101 (gateway selector or credential not found, unknown gateway); our lint has no counterpart yet (issues 17 and 19)",
  },
  "gatewayServiceMatchPod": {
    onlyIstio: ["IST0101 Gateway httpbin8001-gateway", "IST0101 Gateway httpbin8002-gateway"],
    onlyOurs: [],
    reason: "not implemented: Istio's gateway analyzers (gateway.IngressGatewayPortAnalyzer, gateway.SecretAnalyzer, gateway.ConflictingGatewayAnalyzer, virtualservice.GatewayAnalyzer) also report IST0101 (gateway selector or credential not found, unknown gateway); our lint has no counterpart yet (issues 17 and 19)",
  },
  "gatewaySecret": {
    onlyIstio: ["IST0101 Gateway bogusgateway", "IST0101 Gateway customgateway-wrongnamespace", "IST0101 Gateway defaultgateway-bogusCredentialName"],
    onlyOurs: [],
    reason: "not implemented: Istio's gateway analyzers (gateway.IngressGatewayPortAnalyzer, gateway.SecretAnalyzer, gateway.ConflictingGatewayAnalyzer, virtualservice.GatewayAnalyzer) also report IST0101 (gateway selector or credential not found, unknown gateway); our lint has no counterpart yet (issues 17 and 19)",
  },
  "conflicting gateways detect by sub selector": {
    onlyIstio: ["IST0101 Gateway alpha", "IST0101 Gateway beta"],
    onlyOurs: [],
    reason: "not implemented: Istio's gateway analyzers (gateway.IngressGatewayPortAnalyzer, gateway.SecretAnalyzer, gateway.ConflictingGatewayAnalyzer, virtualservice.GatewayAnalyzer) also report IST0101 (gateway selector or credential not found, unknown gateway); our lint has no counterpart yet (issues 17 and 19)",
  },
  "istioInjectionProxyImageMismatch": {
    onlyIstio: ["IST0102 Namespace default"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's injection.Analyzer reports IST0102 on the Namespace that has no injection label (pkg/config/analysis/analyzers/injection/injection.go); our lint reports it on the workloads instead, or not at all",
  },
  "istioInjectionProxyImageMismatchAbsolute": {
    onlyIstio: ["IST0102 Namespace default"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's injection.Analyzer reports IST0102 on the Namespace that has no injection label (pkg/config/analysis/analyzers/injection/injection.go); our lint reports it on the workloads instead, or not at all",
  },
  "istioInjectionProxyImageMismatchWithRevisionCanary": {
    onlyIstio: ["IST0102 Namespace default"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's injection.Analyzer reports IST0102 on the Namespace that has no injection label (pkg/config/analysis/analyzers/injection/injection.go); our lint reports it on the workloads instead, or not at all",
  },
  "virtualServiceGateways": {
    onlyIstio: ["IST0101 Gateway another/crossnamespace-gw", "IST0101 Gateway httpbin-gateway", "IST0101 VirtualService httpbin-bogus"],
    onlyOurs: [],
    reason: "not implemented: Istio's gateway analyzers (gateway.IngressGatewayPortAnalyzer, gateway.SecretAnalyzer, gateway.ConflictingGatewayAnalyzer, virtualservice.GatewayAnalyzer) also report IST0101 (gateway selector or credential not found, unknown gateway); our lint has no counterpart yet (issues 17 and 19)",
  },
  "Detect `image: auto` in non-injected pods": {
    onlyIstio: ["IST0102 Namespace non-injected"],
    onlyOurs: [],
    reason: "our bug (issue 19): Istio's injection.Analyzer reports IST0102 on the Namespace that has no injection label (pkg/config/analysis/analyzers/injection/injection.go); our lint reports it on the workloads instead, or not at all",
  },
  "KubernetesGatewaySelector": {
    onlyIstio: ["IST0159 Telemetry default/telemetry-effective", "IST0159 Telemetry default/telemetry-ineffective"],
    onlyOurs: ["IST0127 AuthorizationPolicy default/ap-ineffective"],
    reason: "our bug (issue 19): Istio's selector analyzers select workloads by their Pods (bare Pod objects in the files); our lint treats only Deployments and the like as workloads, so selectors that only match bare Pods look unmatched to it: the gateway Pod is a bare Pod, so Istio sees two Telemetries select it (IST0159) and our lint thinks the AuthorizationPolicy selects nothing (IST0127)",
  },
  "Condition Analyzer": {
    onlyIstio: ["IST0127 AuthorizationPolicy default/negative-condition-authz", "IST0127 AuthorizationPolicy default/negative-condition-authz-partially-invalid"],
    onlyOurs: [],
    reason: "our bug (issue 19): a selector-less AuthorizationPolicy in a namespace with no pods is IST0127 in Istio (authz.AuthorizationPoliciesAnalyzer); our lint reports nothing",
  },
};

/** The differential test's default seed and number of random sets (known-difference rules must all fire with these). */
export const DEFAULT_SEED = 20261130;
export const DEFAULT_RUNS = 200;

/** One difference the differential test observed. */
export interface DifferentialObservation {
  /** validation: our CI1/CI2 error on an object Istio accepts; lint: a (code, resource) pair one side lacks; route: different answers. */
  readonly kind: 'validation' | 'lint' | 'route';
  readonly side?: 'onlyIstio' | 'onlyOurs';
  /** `CODE Kind ns/name` for lint observations. */
  readonly pair?: string;
  readonly caseIndex: number;
  /** The generated set (objects and requests). */
  readonly case: { readonly objects: readonly any[]; readonly requests: readonly any[] };
  readonly request?: any;
  readonly istio?: any;
  readonly ours?: any;
  readonly detail: string;
}

/** A documented class of differences on random sets: which observations it explains, and why. */
export interface DifferentialRule {
  readonly id: string;
  /** Why our code and Istio's differ; "our bug" when it is ours to fix. */
  readonly reason: string;
  readonly explains: (o: DifferentialObservation) => boolean;
}

const objectsOf = (o: DifferentialObservation, kind: string) => o.case.objects.filter((x: any) => x?.kind === kind);
/** `CODE Kind ns/name` → [code, kind, namespace, name]. */
const parsePair = (pair: string | undefined) => {
  const [code, kind, ref] = (pair ?? '').split(' ');
  const [namespace, name] = (ref ?? '').includes('/') ? ref.split('/') : [undefined, ref];
  return { code, kind, namespace, name };
};
const find = (o: DifferentialObservation, kind: string, namespace: string | undefined, name: string | undefined) =>
  objectsOf(o, kind).find((x: any) => x.metadata?.name === name && x.metadata?.namespace === namespace);
const podLabelsOf = (o: DifferentialObservation) =>
  objectsOf(o, 'Deployment').map((d: any) => ({ namespace: d.metadata.namespace, labels: d.spec.template.metadata.labels ?? {} }));
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
/** The Service a request or host names, from a `name.ns.svc.cluster.local` host. */
const serviceOfHost = (o: DifferentialObservation, host: string) => {
  const [name, namespace] = host.split('.');
  return find(o, 'Service', namespace, name);
};
const injectedNamespace = (o: DifferentialObservation, ns: string) =>
  objectsOf(o, 'Namespace').some((n: any) => n.metadata.name === ns && n.metadata.labels?.['istio-injection'] === 'enabled');

/** Known differences on random sets (test/conformance/differential.test.ts). */
export const DIFFERENTIAL_RULES: readonly DifferentialRule[] = [
  {
    id: 'ist0102-on-workloads',
    reason:
      'OUR BUG (issue 19): Istio\'s injection.Analyzer reports IST0102 once per Namespace without an injection label, on the Namespace ' +
      '(pkg/config/analysis/analyzers/injection/injection.go); our lint reports it on each Deployment of such a namespace.',
    explains: (o) => o.kind === 'lint' && parsePair(o.pair).code === 'IST0102' &&
      ((o.side === 'onlyIstio' && parsePair(o.pair).kind === 'Namespace') || (o.side === 'onlyOurs' && parsePair(o.pair).kind === 'Deployment')),
  },
  {
    id: 'ist0173-subset-labels-alone',
    reason:
      'ISTIO QUIRK: destinationrule.PodNotSelectedAnalyzer merges the subset labels with the host\'s workload selector, which is empty for a ' +
      'Kubernetes Service (util.InitServiceEntryHostMap), and looks at the Pods of every namespace; so a subset counts as selecting pods when ' +
      'any pod anywhere carries its labels (e.g. another service\'s version: v3). Our lint requires a pod of the host\'s Service (selector and ' +
      'subset labels, in its namespace), as Envoy\'s endpoints would.',
    explains: (o) => {
      const p = parsePair(o.pair);
      if (o.kind !== 'lint' || o.side !== 'onlyOurs' || p.code !== 'IST0173') return false;
      const dr = find(o, 'DestinationRule', p.namespace, p.name);
      const pods = podLabelsOf(o);
      return !!dr && (dr.spec.subsets ?? []).some((s: any) => pods.some((pod) => matches(s.labels ?? {}, pod.labels)));
    },
  },
  {
    id: 'ist0127-no-workload-in-mesh',
    reason:
      'OUR BUG (issue 19): Istio\'s authz.AuthorizationPoliciesAnalyzer counts only Pods in the mesh (injected or ambient, util.PodInMesh) ' +
      'as workloads a policy can select, and reports a selector-less policy in a namespace with no such Pod too (IST0127: the policy has no ' +
      'effect). Our lint counts every Deployment, in the mesh or not, and never reports a selector-less policy.',
    explains: (o) => {
      const p = parsePair(o.pair);
      if (o.kind !== 'lint' || o.side !== 'onlyIstio' || p.code !== 'IST0127') return false;
      const ap = find(o, 'AuthorizationPolicy', p.namespace, p.name);
      const selector = ap?.spec?.selector?.matchLabels;
      const selected = podLabelsOf(o).filter((pod) => pod.namespace === p.namespace && (!selector || matches(selector, pod.labels)));
      const inMesh = injectedNamespace(o, p.namespace!) ? selected : [];
      return inMesh.length === 0 && (!selector || selected.length > 0);
    },
  },
  {
    id: 'ist0131-subsumed-match',
    reason:
      'OUR LINT DIFFERS: Istio reports IST0131 for a match block identical (as JSON) to an earlier one, and for prefix matches an earlier ' +
      'prefix match overlaps as pkg/config/validation/validation.go decides it (genMatchHTTPRoutes/coveredValidation: uri prefix, port, ' +
      'method, authority and the exact/prefix values of headers, query parameters and withoutHeaders, with equal counts). Our lint reports ' +
      'a block whenever an earlier block matches every request it matches (e.g. an earlier block on sourceLabels alone, or a uri exact ' +
      'under an earlier prefix), which Istio does not. Istio\'s code wins: align our IST0131 with its two checks.',
    explains: (o) => {
      const p = parsePair(o.pair);
      if (o.kind !== 'lint' || o.side !== 'onlyOurs' || p.code !== 'IST0131') return false;
      const vs = find(o, 'VirtualService', p.namespace, p.name);
      const blocks = (vs?.spec?.http ?? []).flatMap((r: any) => (r.match ?? []).map((m: any) => JSON.stringify(m)));
      return new Set(blocks).size === blocks.length;
    },
  },
  {
    id: 'ist0131-istio-prefix-overlap',
    reason:
      'ISTIO REPORTS MORE (our lint to align): Istio\'s prefix-overlap check (validation.go coveredValidation) ignores sourceLabels, ' +
      'sourceNamespace, gateways and regex values, and takes a block without method as GET; so it reports IST0131 for prefix blocks that ' +
      'an earlier, shorter prefix block "covers" by those fields only, even when the earlier block is restricted to other callers. Our lint ' +
      'compares every field and does not report them.',
    explains: (o) => {
      const p = parsePair(o.pair);
      if (o.kind !== 'lint' || o.side !== 'onlyIstio' || p.code !== 'IST0131') return false;
      const vs = find(o, 'VirtualService', p.namespace, p.name);
      const prefixes = (vs?.spec?.http ?? []).flatMap((r: any) => (r.match ?? []).filter((m: any) => m.uri?.prefix !== undefined));
      return prefixes.length >= 2;
    },
  },
  {
    id: 'duplicate-matches',
    reason:
      'OUR BUG (issue 19): Istio compares every match block with all earlier ones, in earlier rules and in the same rule (validation.go ' +
      'analyzeUnreachableHTTPRules, JSON equality): a duplicate is IST0131, and a rule whose every block is a duplicate is IST0130 ("all ' +
      'matches used by prior rules"). Our lint misses duplicates within one rule and never reports IST0130 for all-duplicate rules.',
    explains: (o) => {
      const p = parsePair(o.pair);
      if (o.kind !== 'lint' || o.side !== 'onlyIstio' || (p.code !== 'IST0130' && p.code !== 'IST0131')) return false;
      const vs = find(o, 'VirtualService', p.namespace, p.name);
      const seen = new Set<string>();
      return (vs?.spec?.http ?? []).some((r: any) => {
        const blocks: string[] = (r.match ?? []).map((m: any) => JSON.stringify(m));
        const withinRule = new Set(blocks).size < blocks.length;
        const all = blocks.length > 0 && blocks.every((b) => seen.has(b));
        blocks.forEach((b) => seen.add(b));
        return p.code === 'IST0130' ? all : withinRule;
      });
    },
  },
  {
    id: 'ist0101-destination-port',
    reason:
      'OUR BUG (issue 19): Istio\'s virtualservice.DestinationHostAnalyzer reports IST0101 ("Referenced host:port not found") for a ' +
      'destination port that is not a port of the destination Service; our lint does not check destination port numbers.',
    explains: (o) => {
      const p = parsePair(o.pair);
      if (o.kind !== 'lint' || o.side !== 'onlyIstio' || p.code !== 'IST0101' || p.kind !== 'VirtualService') return false;
      const vs = find(o, 'VirtualService', p.namespace, p.name);
      return (vs?.spec?.http ?? []).some((r: any) => (r.route ?? []).some((d: any) => {
        const port = d.destination?.port?.number;
        if (port === undefined) return false;
        const host: string = d.destination.host;
        const svc = host.includes('.') ? serviceOfHost(o, host) : find(o, 'Service', p.namespace, host);
        return !!svc && !(svc.spec.ports ?? []).some((sp: any) => sp.port === port);
      }));
    },
  },
  {
    id: 'route-two-label-host',
    reason:
      'OUR BUG (issue 19): a VirtualService host "name.namespace" (two labels) is a fully qualified name for Istio ' +
      '(model.ResolveShortnameToFQDN expands only names without a dot), so it does not bind the Service name.namespace.svc.cluster.local and ' +
      'requests to the Service take its default route; our simulator expands it to the Service and applies the VirtualService.',
    explains: (o) => {
      if (o.kind !== 'route' || !o.request) return false;
      const [name, namespace] = String(o.request.host).split('.');
      return objectsOf(o, 'VirtualService').some((vs: any) => vs.metadata.namespace === namespace && (vs.spec.hosts ?? []).includes(`${name}.${namespace}`));
    },
  },
  {
    id: 'route-no-rule-for-source',
    reason:
      'OUR BUG: Istio evaluates sourceLabels and sourceNamespace when it generates a sidecar\'s config, so the rules whose every match ' +
      'names other callers are left out for this caller; when that leaves a VirtualService without rules, the host keeps its default route ' +
      '(pilot/pkg/networking/core/route). Our simulator keeps the VirtualService and answers 404 (no rule matches).',
    explains: (o) => {
      if (o.kind !== 'route' || !o.request || o.istio?.rule !== 'default' || o.ours?.noRoute !== true) return false;
      const r = o.request;
      const [name, namespace] = String(r.host).split('.');
      const vs = objectsOf(o, 'VirtualService').find((v: any) => v.metadata.namespace === namespace && (v.spec.hosts ?? []).some((h: string) => h === name || h === r.host));
      const forSource = (m: any) =>
        (m.sourceLabels === undefined || matches(m.sourceLabels, r.sourceLabels ?? {})) && (m.sourceNamespace === undefined || m.sourceNamespace === r.sourceNamespace);
      return !!vs && (vs.spec.http ?? []).every((rule: any) => Array.isArray(rule.match) && rule.match.every((m: any) => !forSource(m)));
    },
  },
  {
    id: 'route-without-headers-missing',
    reason:
      'OUR BUG (issue 19): Istio sets treat_missing_header_as_empty on withoutHeaders matchers (pilot/pkg/networking/core/route/route.go, ' +
      'TranslateRouteMatch), so a request without the header matches `withoutHeaders: {h: {exact: v}}` (for a regex, when it does not match ' +
      'the empty string); our simulator treats a missing header as not matching.',
    explains: (o) => {
      if (o.kind !== 'route' || !o.request || typeof o.istio?.rule !== 'number') return false;
      const r = o.request;
      const [name, namespace] = String(r.host).split('.');
      const vs = objectsOf(o, 'VirtualService').find((v: any) => v.metadata.namespace === namespace && (v.spec.hosts ?? []).some((h: string) => h === name || h === r.host));
      const rule = vs?.spec?.http?.[o.istio.rule];
      const sent = new Set(Object.keys(r.headers ?? {}).map((h) => h.toLowerCase()));
      return (rule?.match ?? []).some((m: any) => Object.keys(m.withoutHeaders ?? {}).some((h) => !sent.has(h.toLowerCase())));
    },
  },
  {
    id: 'route-tcp-port',
    reason:
      'OUR LIMITATION: a Service port Istio does not treat as HTTP (named tcp, or with a name of no known protocol) gets a TCP proxy filter ' +
      'chain: no VirtualService http rule applies, the connection goes to the Service\'s cluster. Our simulator routes every request by the ' +
      'http rules whatever the port\'s protocol.',
    explains: (o) => o.kind === 'route' && o.istio?.tcp === true,
  },
];

/**
 * Warning/Error findings of Istio's analyzers on the synthesized sets that are accepted, with the
 * reason (test/conformance/dist.test.ts): `<folder>: CODE Kind ns/name` → why. Everything else
 * Istio reports at Warning or Error fails the test.
 */
export const ACCEPTED_DIST_FINDINGS: Readonly<Record<string, string>> = {
  '.: IST0133 EnvoyFilter production/payment-service-local-ratelimit':
    'Istio\'s webhook warns on every EnvoyFilter ("EnvoyFilter exposes internal implementation details that may change at any time", pkg/config/validation/envoyfilter); ' +
    'the reference app\'s payment-service local rate limit needs one, Istio 1.30 has no first-class API for it (docs/traffic.md).',
  'progressive: IST0101 AuthorizationPolicy production/order-service-allow':
    'the allow rule names the namespace of Flagger\'s load tester (`test`, a declared ExternalIdentity), which Flagger\'s install creates, not this set; ' +
    'Istio\'s analyzer only knows the namespaces in the files, our lint counts declared external callers\' namespaces as existing (docs/validation.md, authz analyzer row; docs/progressive-delivery.md).',
};
