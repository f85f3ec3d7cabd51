/**
 * Cross-object checks over one deployable set: Istio 1.30's analyzers (`istioctl analyze`), one small
 * function per Istio analyzer and named after it, with Istio's codes and levels, plus our own (CI3xxx).
 * They all read one typed {@link ManifestIndex}.
 */
import { deployedElsewhereObjects, installedGatewayObjects, ManifestIndex } from '../../manifests';
import { ISTIO_IGNORED_NAMESPACES } from '../../rules/kinds';
import type { IndexedObject, ManifestObject } from '../../manifests';
import { alphaAnalyzer, k8sAnnotationsAnalyzer } from './annotations';
import { blockedCidrsAnalyzer } from './authn';
import { authorizationPoliciesAnalyzer } from './authz';
import { conditionAnalyzer } from './conditions';
import { AnalyzerFinding, FindingCollector } from './context';
import type { Analyzer } from './context';
import { applicationUidAnalyzer, serviceAssociationAnalyzer } from './deployment';
import { deprecationAnalyzer } from './deprecation';
import { caCertificateAnalyzer, podNotSelectedAnalyzer } from './destinationrule';
import { envoyPatchAnalyzer } from './envoyfilter';
import { externalControlPlaneAnalyzer } from './externalcontrolplane';
import { certificateAnalyzer, conflictingGatewayAnalyzer, gatewayApiCredentialAnalyzer, ingressGatewayPortAnalyzer, secretAnalyzer } from './gateway';
import { HostRegistry } from './hosts';
import { imageAnalyzer, imageAutoAnalyzer, injectionAnalyzer } from './injection';
import { crdVersionAnalyzer, k8sGatewaySelectorAnalyzer } from './k8sgateway';
import { DEFAULT_ROOT_NAMESPACE } from '../../rules/mesh-config';
import { IstioMeshConfig, meshNetworksInSet, resolveMeshConfig } from './mesh-config';
import type { MeshConfigView } from './mesh-config';
import { meshNetworksAnalyzer } from './multicluster';
import { claimRoutingAnalyzer, subsetTrafficAnalyzer, telemetryProvidersAnalyzer, workloadLabelsAnalyzer } from './ours';
import { delegateMatchAnalyzer, prefixRewriteAnalyzer, routeActionsAnalyzer } from './route-actions';
import { principalsAnalyzer } from './principals';
import { sidecarSelectorAnalyzer, telemetryDefaultSelectorAnalyzer, telemetrySelectorAnalyzer } from './selectors';
import { portNameAnalyzer } from './service';
import { protocolAddressesAnalyzer } from './serviceentry';
import { lightstepAnalyzer, telemetryProviderAnalyzer } from './telemetry';
import {
  conflictingMeshGatewayHostsAnalyzer, destinationHostAnalyzer, destinationRuleAnalyzer, gatewayAnalyzer, jwtClaimRouteAnalyzer,
} from './virtualservice';
import { unreachableRulesAnalyzer } from './virtualservice-rules';
import { webhookAnalyzer } from './webhooks';

export type { Analyzer, AnalyzerContext, AnalyzerFinding, AnalysisSettings } from './context';
export type { IstioMeshConfig, MeshConfigView } from './mesh-config';

/** Every analyzer that runs by default: Istio's (sorted as in Istio's `All()`), then ours. */
export const ANALYZERS: readonly Analyzer[] = [
  k8sAnnotationsAnalyzer,
  blockedCidrsAnalyzer,
  authorizationPoliciesAnalyzer,
  conditionAnalyzer,
  serviceAssociationAnalyzer,
  applicationUidAnalyzer,
  caCertificateAnalyzer,
  podNotSelectedAnalyzer,
  deprecationAnalyzer,
  envoyPatchAnalyzer,
  externalControlPlaneAnalyzer,
  ingressGatewayPortAnalyzer,
  certificateAnalyzer,
  secretAnalyzer,
  conflictingGatewayAnalyzer,
  injectionAnalyzer,
  imageAnalyzer,
  imageAutoAnalyzer,
  k8sGatewaySelectorAnalyzer,
  crdVersionAnalyzer,
  meshNetworksAnalyzer,
  portNameAnalyzer,
  sidecarSelectorAnalyzer,
  conflictingMeshGatewayHostsAnalyzer,
  destinationHostAnalyzer,
  destinationRuleAnalyzer,
  gatewayAnalyzer,
  jwtClaimRouteAnalyzer,
  protocolAddressesAnalyzer,
  webhookAnalyzer,
  telemetryProviderAnalyzer,
  telemetrySelectorAnalyzer,
  telemetryDefaultSelectorAnalyzer,
  lightstepAnalyzer,
  unreachableRulesAnalyzer,
  workloadLabelsAnalyzer,
  principalsAnalyzer,
  subsetTrafficAnalyzer,
  telemetryProvidersAnalyzer,
  claimRoutingAnalyzer,
  gatewayApiCredentialAnalyzer,
  routeActionsAnalyzer,
  delegateMatchAnalyzer,
  prefixRewriteAnalyzer,
];

/** Analyzers Istio runs only when asked for by name (`skipAll` in its tests): the alpha-annotation check. */
export const OPT_IN_ANALYZERS: readonly Analyzer[] = [alphaAnalyzer];

/** Options of the cross-object checks. */
export interface AnalyzerOptions {
  /**
   * Principals (`<trust-domain>/ns/<ns>/sa/<sa>`, `*` prefix/suffix patterns allowed) that
   * AuthorizationPolicies may name although no ServiceAccount in the set declares them. Their
   * namespaces count as known namespaces too.
   * @default - none
   */
  readonly externalPrincipals?: readonly string[];
  /**
   * The mesh root namespace (also where istioctl's default ingress gateway lives).
   * @default - the mesh config's rootNamespace, else 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The namespace of objects whose manifest names none, like `istioctl analyze -n`.
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * The cluster DNS suffix.
   * @default 'cluster.local'
   */
  readonly domainSuffix?: string;
  /**
   * The mesh trust domain.
   * @default - the mesh config's trustDomain, else 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Run only the analyzers of these names (e.g. `virtualservice.DestinationHostAnalyzer`); an opt-in
   * analyzer (`maturity.AlphaAnalyzer`) runs only when named here.
   * @default - every analyzer of {@link ANALYZERS}
   */
  readonly analyzers?: readonly string[];
  /**
   * The mesh config, parsed (e.g. from `lint --mesh-config FILE`). It wins over mesh config in the set.
   * @default - the mesh config in the set (IstioOperator, ConfigMap istio), else Istio's defaults
   */
  readonly meshConfig?: IstioMeshConfig;
  /**
   * Mesh networks, parsed (`istioctl analyze --meshNetworksFile`).
   * @default - key meshNetworks of ConfigMap istio in the set, if any
   */
  readonly meshNetworks?: Readonly<Record<string, unknown>>;
  /**
   * Count the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs as pods.
   * Istio's file analysis reads only `Pod` objects; a set of manifests to apply has templates instead.
   * @default true
   */
  readonly podTemplates?: boolean;
  /**
   * Add the ingress gateway `istioctl analyze` assumes when it analyzes files without a cluster (a Pod
   * labelled `istio=ingressgateway` and Service `istio-ingressgateway` in the root namespace, unless mesh
   * config turns the ingress controller off), and the shared egress gateway when an object of the set
   * declares it relies on it (annotation `validation.cdk8s-istio.io/installed-gateways`). Nothing is
   * reported about them.
   * @default true
   */
  readonly defaultResources?: boolean;
}

/** The ingress gateway Pod and Service istioctl adds in file mode (pkg/config/analysis/local/defaults.go). */
function defaultResources(namespace: string, service: string): ManifestObject[] {
  const tcp = (name: string, port: number, nodePort: number) => ({ name, nodePort, port, protocol: 'TCP', targetPort: port });
  return [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${service}-dummypod`, namespace, labels: { istio: 'ingressgateway' } }, spec: { containers: [{ name: 'istio-proxy' }] } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, namespace },
      spec: { ports: [tcp('http2', 80, 31380), tcp('https', 443, 31390), tcp('tcp', 31400, 31400), tcp('tls', 15443, 31447)], selector: { istio: 'ingressgateway' } },
    },
  ];
}

/** Runs the cross-object checks over one deployable set. */
export function analyze(manifests: readonly ManifestObject[], options: AnalyzerOptions = {}): AnalyzerFinding[] {
  const objects = manifests.filter((m): m is ManifestObject => typeof m === 'object' && m !== null);
  const explicitNetworks = options.meshNetworks;
  // Mesh config is read where istiod reads it: in its namespace (the root namespace given, by default istio-system).
  const found = explicitNetworks ? undefined : meshNetworksInSet(objects, options.rootNamespace);
  const rootFromMesh = (mc: MeshConfigView) => options.rootNamespace ?? (typeof mc.config.rootNamespace === 'string' && mc.config.rootNamespace ? mc.config.rootNamespace : DEFAULT_ROOT_NAMESPACE);
  const probe = resolveMeshConfig(objects, options.meshConfig, undefined, options.rootNamespace);
  const root = rootFromMesh(probe);
  const extra: ManifestObject[] = [];
  const skip = new Set<ManifestObject>();
  if (options.defaultResources !== false && probe.config.ingressControllerMode !== 'OFF') {
    const service = typeof probe.config.ingressService === 'string' && probe.config.ingressService ? probe.config.ingressService : 'istio-ingressgateway';
    for (const d of defaultResources(root, service)) {
      if (objects.some((m) => m.kind === d.kind && m.metadata?.name === d.metadata?.name && m.metadata?.namespace === root)) continue;
      extra.push(d);
      skip.add(d);
    }
  }
  if (options.defaultResources !== false) {
    for (const d of [...installedGatewayObjects(objects, root), ...deployedElsewhereObjects(objects)]) {
      extra.push(d);
      skip.add(d);
    }
  }
  let networksObject: ManifestObject | undefined;
  if (explicitNetworks) {
    networksObject = { apiVersion: 'v1alpha1', kind: 'MeshNetworks', metadata: { name: 'meshnetworks', namespace: root } };
    extra.push(networksObject);
  }
  const index = new ManifestIndex([...objects, ...extra], {
    rootNamespace: root,
    domainSuffix: options.domainSuffix,
    trustDomain: options.trustDomain ?? (typeof probe.config.trustDomain === 'string' ? probe.config.trustDomain : undefined),
    defaultNamespace: options.defaultNamespace,
    podTemplates: options.podTemplates,
    ignoredNamespaces: ISTIO_IGNORED_NAMESPACES,
  });
  const networksTarget: IndexedObject | undefined = networksObject
    ? index.objects.find((o) => o.manifest === networksObject)
    : found ? index.objects.find((o) => o.manifest === found.manifest) : undefined;
  const networks = networksTarget ? { config: explicitNetworks ?? found!.config, object: networksTarget } : undefined;
  const mesh: MeshConfigView = { ...probe, networks };
  const collector = new FindingCollector(skip);
  const selected = options.analyzers ? new Set(options.analyzers) : undefined;
  const settings = { externalPrincipals: options.externalPrincipals ?? [] };
  const base = { index, mesh, settings, hosts: new HostRegistry(index) };
  for (const a of [...ANALYZERS, ...OPT_IN_ANALYZERS]) {
    if (selected ? !selected.has(a.name) : OPT_IN_ANALYZERS.includes(a)) continue;
    a.analyze(collector.contextFor(a, base));
  }
  return collector.findings;
}
