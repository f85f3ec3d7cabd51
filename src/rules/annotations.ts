/**
 * Istio's annotations: which exist (`annotation.AllResourceAnnotations()`, istio.io/api
 * annotation/annotations.yaml at the version Istio 1.30.3 pins, 2e43f07b30b6), with their feature
 * status, deprecation and the resources they belong on; the values the injector accepts
 * (`inject.AnnotationValidation`, pkg/kube/inject/validate.go at 1.30.3); and Go's `strconv.ParseBool`,
 * which reads every boolean annotation. Used by the annotation analyzers, istiod's webhook rules
 * (`istio.io/dry-run`) and the simulator.
 */
import { anyQuantity } from './quantity';
import { ipPrefix } from './ip';
import { parseEmbeddedYaml } from './mesh-config';

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

/**
 * Istio's per-resource suppression annotation (istio/api annotation/annotations.yaml: any resource): a
 * comma-separated list of analyzer message codes, or `*` for every code.
 */
export const ANALYZE_SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

/**
 * Whether an `analyze-suppress` annotation value drops a message with `code` on its resource, as
 * `istioctl analyze` filters messages (pkg/config/analysis/local/istiod_analyze.go `filterMessages`, Istio
 * 1.30.3): the value is split on `,` and each entry compared exactly (no spaces trimmed), `*` matching any code.
 */
export function analyzeSuppresses(value: unknown, code: string): boolean {
  if (typeof value !== 'string' || value === '') return false;
  return value.split(',').some((c) => c === '*' || c === code);
}

/**
 * The entries of an `analyze-suppress` value that `istioctl analyze` cannot honour as meant: an entry
 * with spaces or tabs around it (`IST0101, IST0146`: the second entry is ` IST0146`), which
 * {@link analyzeSuppresses} compares exactly, as Istio does, so it matches no code. Each with the
 * code it was meant to be (trimmed).
 */
export function analyzeSuppressUnhonoured(value: unknown): Array<{ readonly entry: string; readonly code: string }> {
  if (typeof value !== 'string' || value === '') return [];
  return value.split(',').filter((e) => e.trim() !== '' && e.trim() !== e).map((entry) => ({ entry, code: entry.trim() }));
}

/**
 * A code to list in `analyze-suppress` (or to suppress by construct, which writes it there): a non-empty
 * code without spaces or commas, else the rule it breaks.
 */
export function analyzeSuppressCode(code: unknown): string | undefined {
  return typeof code === 'string' && code !== '' && !/[\s,]/.test(code)
    ? undefined
    : "a finding code has no spaces or commas (galley.istio.io/analyze-suppress lists codes separated by ',' and istioctl analyze compares each one exactly)";
}

/** The annotation that makes an AuthorizationPolicy dry-run (shadow rules, never enforced). */
export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

/**
 * Go's `strconv.ParseBool`, which Istio uses for boolean annotations (`istio.io/dry-run`,
 * `prometheus.istio.io/merge-metrics`...): `1 t T TRUE true True` and `0 f F FALSE false False`;
 * anything else is no boolean (undefined).
 */
export function parseGoBool(v: unknown): boolean | undefined {
  const s = String(v);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

const quote = (v: string) => JSON.stringify(v);

/** `parsePort`: the trimmed value as Go's `ParseUint(v, 10, 16)`, so 0..65535. */
function parsePort(v: string): string | undefined {
  const t = v.trim();
  return /^[0-9]+$/.test(t) && Number(t) <= 65535 ? undefined : `${quote(v)} is not a port in 0..65535`;
}

/** `parsePorts`: a comma-separated list of {@link parsePort}, empty allowed. */
function parsePorts(v: string): string | undefined {
  const t = v.trim();
  if (t === '') return undefined;
  for (const p of t.split(',')) {
    const bad = parsePort(p);
    if (bad) return bad;
  }
  return undefined;
}

/** `validateCIDRList`: comma-separated prefixes as `netip.ParsePrefix` reads them (rules/ip), empty allowed. */
function cidrList(v: string): string | undefined {
  if (v === '') return undefined;
  for (const c of v.split(',')) if (ipPrefix(c)) return `${quote(c)} is not a CIDR block`;
  return undefined;
}

/** `netutil.ValidateInterfaceNames`: comma-separated names, each trimmed, non-empty, at most 15 characters of `[a-zA-Z][a-zA-Z0-9_.-]*`. */
function interfaceNames(v: string): string | undefined {
  if (v === '') return undefined;
  for (const raw of v.split(',')) {
    const i = raw.trim();
    if (i === '') return 'empty interface name';
    if (i.length > 15) return `interface name ${quote(i)} too long (max 15 chars)`;
    if (!/^[a-zA-Z][a-zA-Z0-9_.-]*$/.test(i)) return `interface name ${quote(i)} contains invalid characters`;
  }
  return undefined;
}

/** `validateUInt32`: Go's `ParseUint(v, 10, 32)`. */
function uint32Text(v: string): string | undefined {
  return /^[0-9]+$/.test(v) && Number(v) <= 0xffffffff ? undefined : `${quote(v)} is not an unsigned 32-bit integer`;
}

/** `validateResourceQuantity`: no control characters, then `resource.ParseQuantity` (rules/quantity). */
function resourceQuantity(v: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(v)) return 'value contains control characters';
  return anyQuantity(v) ? `${quote(v)} is not a resource quantity` : undefined;
}

/**
 * `validateProxyConfig`, partly: the value must be ProxyConfig YAML (a mapping), read with the
 * package's limited YAML reader; its fields are not validated one by one as `ValidateMeshConfigProxyConfig` does.
 */
function proxyConfig(v: string): string | undefined {
  return parseEmbeddedYaml(v) === undefined ? `${quote(v)} is not ProxyConfig YAML (a mapping)` : undefined;
}

/**
 * The values the sidecar injector accepts, by annotation (`inject.AnnotationValidation`): each returns
 * what is wrong with a value, or undefined. Annotations not listed take any value.
 */
export const ANNOTATION_VALUE_RULES: Readonly<Record<string, (v: string) => string | undefined>> = {
  'sidecar.istio.io/interceptionMode': (v) => (['REDIRECT', 'TPROXY', 'NONE'].includes(v) ? undefined : `interceptionMode ${quote(v)} is not REDIRECT, TPROXY or NONE`),
  'status.sidecar.istio.io/port': parsePort,
  'readiness.status.sidecar.istio.io/initialDelaySeconds': uint32Text,
  'readiness.status.sidecar.istio.io/periodSeconds': uint32Text,
  'readiness.status.sidecar.istio.io/failureThreshold': uint32Text,
  'traffic.sidecar.istio.io/includeOutboundIPRanges': (v) => (v === '*' ? undefined : cidrList(v)),
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': cidrList,
  'traffic.sidecar.istio.io/includeInboundPorts': (v) => (v === '*' ? undefined : parsePorts(v)),
  'traffic.sidecar.istio.io/excludeInboundPorts': parsePorts,
  'traffic.sidecar.istio.io/excludeOutboundPorts': parsePorts,
  'traffic.sidecar.istio.io/excludeInterfaces': interfaceNames,
  'traffic.sidecar.istio.io/kubevirtInterfaces': interfaceNames,
  'istio.io/reroute-virtual-interfaces': interfaceNames,
  'prometheus.istio.io/merge-metrics': (v) => (parseGoBool(v) === undefined ? `${quote(v)} is not a boolean` : undefined),
  'proxy.istio.io/config': proxyConfig,
  'sidecar.istio.io/proxyCPU': resourceQuantity,
  'sidecar.istio.io/proxyMemory': resourceQuantity,
  'sidecar.istio.io/proxyCPULimit': resourceQuantity,
  'sidecar.istio.io/proxyMemoryLimit': resourceQuantity,
};
