/**
 * Istio's resource annotations as `istioctl analyze` knows them (`annotation.AllResourceAnnotations()`,
 * istio.io/api annotation/annotations.yaml at the version Istio 1.30.3 pins, 2e43f07b30b6): name, feature
 * status, deprecated, and the resources it belongs on. Used by the annotations analyzers
 * (pkg/config/analysis/analyzers/annotations, maturity).
 *
 * A rule table in the sense of `src/rules/`, kept apart so it can be folded into that module.
 */

/** One Istio annotation. */
export interface IstioAnnotation {
  readonly name: string;
  readonly featureStatus: 'Alpha' | 'Beta' | 'Stable';
  readonly deprecated: boolean;
  /** Kinds it belongs on; `Any` for every kind. */
  readonly resources: readonly string[];
}

type Row = readonly [string, IstioAnnotation['featureStatus'], boolean, readonly string[]];

const ROWS: readonly Row[] = [
  ['alpha.istio.io/canonical-serviceaccounts', 'Alpha', true, ['Service']],
  ['alpha.istio.io/kubernetes-serviceaccounts', 'Alpha', true, ['Service']],
  ['ambient.istio.io/bypass-inbound-capture', 'Alpha', false, ['Pod']],
  ['ambient.istio.io/dns-capture', 'Alpha', false, ['Pod']],
  ['ambient.istio.io/redirection', 'Beta', false, ['Pod']],
  ['ambient.istio.io/waypoint-inbound-binding', 'Alpha', false, ['GatewayClass', 'Gateway']],
  ['galley.istio.io/analyze-suppress', 'Alpha', false, ['Any']],
  ['gateway.istio.io/controller-version', 'Alpha', false, ['Any']],
  ['gateway.istio.io/name-override', 'Alpha', false, ['Gateway']],
  ['gateway.istio.io/service-account', 'Alpha', false, ['Gateway']],
  ['inject.istio.io/templates', 'Alpha', false, ['Pod']],
  ['istio.io/autoRegistrationGroup', 'Alpha', false, ['WorkloadEntry']],
  ['istio.io/connectedAt', 'Alpha', false, ['WorkloadEntry']],
  ['istio.io/disconnectedAt', 'Alpha', false, ['WorkloadEntry']],
  ['istio.io/dry-run', 'Alpha', false, ['AuthorizationPolicy']],
  ['istio.io/reroute-virtual-interfaces', 'Alpha', false, ['Pod']],
  ['istio.io/rev', 'Alpha', false, ['Pod']],
  ['istio.io/workloadController', 'Alpha', false, ['WorkloadEntry']],
  ['kubernetes.io/ingress.class', 'Stable', false, ['Ingress']],
  ['networking.istio.io/exportTo', 'Alpha', false, ['Service']],
  ['networking.istio.io/service-type', 'Alpha', false, ['Gateway']],
  ['networking.istio.io/traffic-distribution', 'Alpha', false, ['Namespace', 'Service', 'ServiceEntry']],
  ['prometheus.istio.io/merge-metrics', 'Alpha', false, ['Pod']],
  ['proxy.istio.io/config', 'Beta', false, ['Pod']],
  ['proxy.istio.io/overrides', 'Alpha', false, ['Pod']],
  ['readiness.status.sidecar.istio.io/applicationPorts', 'Alpha', false, ['Pod']],
  ['readiness.status.sidecar.istio.io/failureThreshold', 'Alpha', false, ['Pod']],
  ['readiness.status.sidecar.istio.io/initialDelaySeconds', 'Alpha', false, ['Pod']],
  ['readiness.status.sidecar.istio.io/periodSeconds', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/agentLogLevel', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/bootstrapOverride', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/componentLogLevel', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/discoveryAddress', 'Alpha', true, ['Pod']],
  ['sidecar.istio.io/extraStatTags', 'Alpha', true, ['Pod']],
  ['sidecar.istio.io/inject', 'Beta', true, ['Pod']],
  ['sidecar.istio.io/interceptionMode', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/logLevel', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/nativeSidecar', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/proxyCPU', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/proxyCPULimit', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/proxyImage', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/proxyImageType', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/proxyMemory', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/proxyMemoryLimit', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/rewriteAppHTTPProbers', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/statsCompression', 'Alpha', true, ['Pod']],
  ['sidecar.istio.io/statsEvictionInterval', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/statsFlushInterval', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/statsHistogramBins', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/statsHistogramBuckets', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/statsInclusionPrefixes', 'Alpha', true, ['Pod']],
  ['sidecar.istio.io/statsInclusionRegexps', 'Alpha', true, ['Pod']],
  ['sidecar.istio.io/statsInclusionSuffixes', 'Alpha', true, ['Pod']],
  ['sidecar.istio.io/status', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/userVolume', 'Alpha', false, ['Pod']],
  ['sidecar.istio.io/userVolumeMount', 'Alpha', false, ['Pod']],
  ['status.sidecar.istio.io/port', 'Alpha', false, ['Pod']],
  ['topology.istio.io/controlPlaneClusters', 'Alpha', false, ['Namespace']],
  ['traffic.istio.io/nodeSelector', 'Stable', false, ['Service']],
  ['traffic.sidecar.istio.io/excludeInboundPorts', 'Alpha', false, ['Pod']],
  ['traffic.sidecar.istio.io/excludeInterfaces', 'Alpha', false, ['Pod']],
  ['traffic.sidecar.istio.io/excludeOutboundIPRanges', 'Alpha', false, ['Pod']],
  ['traffic.sidecar.istio.io/excludeOutboundPorts', 'Alpha', false, ['Pod']],
  ['traffic.sidecar.istio.io/includeInboundPorts', 'Alpha', false, ['Pod']],
  ['traffic.sidecar.istio.io/includeOutboundIPRanges', 'Alpha', false, ['Pod']],
  ['traffic.sidecar.istio.io/includeOutboundPorts', 'Alpha', false, ['Pod']],
  ['traffic.sidecar.istio.io/kubevirtInterfaces', 'Alpha', true, ['Pod']],
];

/** Every Istio annotation, by name. */
export const ISTIO_ANNOTATIONS: ReadonlyMap<string, IstioAnnotation> = new Map(
  ROWS.map(([name, featureStatus, deprecated, resources]) => [name, { name, featureStatus, deprecated, resources }]),
);

/** Annotations Istio sets itself, never reported (maturity.AlwaysIgnoredAnnotations). */
export const ALWAYS_IGNORED_ANNOTATIONS: ReadonlySet<string> = new Set(['sidecar.istio.io/status', 'gateway.istio.io/controller-version', 'istio.io/rev']);

/** Annotations istio-cni sets on pods, ignored by the alpha check when the pod has no `istio-init` container. */
export const CNI_SET_ANNOTATIONS: ReadonlySet<string> = new Set([
  'sidecar.istio.io/interceptionMode', 'traffic.sidecar.istio.io/includeInboundPorts',
  'traffic.sidecar.istio.io/excludeInboundPorts', 'traffic.sidecar.istio.io/includeOutboundIPRanges',
]);

/** Whether an annotation is one of Istio's to analyze: its prefix ends in `istio.io`, or it is `kubernetes.io/ingress.class`. */
export function isIstioAnnotation(name: string): boolean {
  if (name === 'kubernetes.io/ingress.class') return true;
  return name.split('/')[0].endsWith('istio.io');
}
