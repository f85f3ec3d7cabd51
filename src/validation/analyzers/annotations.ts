/**
 * Istio annotations on Kubernetes objects (pkg/config/analysis/analyzers/annotations/annotations.go,
 * maturity/maturity.go; the validators of pkg/kube/inject/validate.go).
 */
import { isObject, list, strings } from '../../manifests';
import type { Container, IndexedObject } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';
import { ALWAYS_IGNORED_ANNOTATIONS, CNI_SET_ANNOTATIONS, ISTIO_ANNOTATIONS, isIstioAnnotation } from './istio-annotations';
import { q } from './util';

/** The objects whose annotations are analyzed, by kind: Namespaces, Services, Pods, Deployments. */
function annotated(ctx: AnalyzerContext): Array<readonly [IndexedObject, string]> {
  return [
    ...ctx.index.ofKind('Namespace', '').map((o) => [o, 'Namespace'] as const),
    ...ctx.index.serviceList.map((o) => [o, 'Service'] as const),
    ...ctx.index.pods.map((o) => [o, 'Pod'] as const),
    ...ctx.index.deployments.map((o) => [o, 'Deployment'] as const),
  ];
}

const uint32 = (v: string): string | undefined => (/^\d+$/.test(v) && Number(v) <= 0xffffffff ? undefined : `${q(v)} is not an unsigned 32-bit integer`);
const bool = (v: string): string | undefined => (/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(v) ? undefined : `${q(v)} is not a boolean`);
const port = (v: string): string | undefined => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? undefined : `${q(v)} is not a port in 1..65535`);
const ports = (v: string): string | undefined => {
  if (v.trim() === '') return undefined;
  for (const p of v.split(',')) if (port(p.trim())) return `${q(p.trim())} is not a port in 1..65535`;
  return undefined;
};
const cidrs = (v: string): string | undefined => {
  if (v === '') return undefined;
  for (const c of v.split(',')) {
    const m = /^([0-9.]+|[0-9a-fA-F:]+)\/(\d+)$/.exec(c);
    const v4 = m && /^\d{1,3}(\.\d{1,3}){3}$/.test(m[1]) && m[1].split('.').every((x) => Number(x) <= 255);
    if (!m || !(v4 ? Number(m[2]) <= 32 : m[1].includes(':') && Number(m[2]) <= 128)) return `${q(c)} is not a CIDR`;
  }
  return undefined;
};
const interfaces = (v: string): string | undefined => (v.split(',').every((i) => !/\s/.test(i.trim()) || i.trim() === '') ? undefined : `${q(v)} is not a list of interface names`);
const quantity = (v: string): string | undefined => (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.test(v) ? undefined : `${q(v)} is not a resource quantity`);
const proxyConfig = (v: string): string | undefined => {
  try {
    const pc: unknown = require('js-yaml').load(v);
    return pc === null || pc === undefined || isObject(pc) ? undefined : `${q(v)} is not a ProxyConfig object`;
  } catch (e) {
    return `cannot parse: ${(e as Error).message.split('\n')[0]}`;
  }
};

/**
 * Value checks of annotations (`inject.AnnotationValidation`). Partial: `proxy.istio.io/config` is only
 * parsed, not validated field by field as `ValidateMeshConfigProxyConfig` does.
 */
const VALIDATORS: Readonly<Record<string, (v: string) => string | undefined>> = {
  'sidecar.istio.io/interceptionMode': (v) => (['REDIRECT', 'TPROXY', 'NONE'].includes(v) ? undefined : `interceptionMode ${q(v)} is not REDIRECT, TPROXY or NONE`),
  'status.sidecar.istio.io/port': port,
  'readiness.status.sidecar.istio.io/initialDelaySeconds': uint32,
  'readiness.status.sidecar.istio.io/periodSeconds': uint32,
  'readiness.status.sidecar.istio.io/failureThreshold': uint32,
  'traffic.sidecar.istio.io/includeOutboundIPRanges': (v) => (v === '*' ? undefined : cidrs(v)),
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': cidrs,
  'traffic.sidecar.istio.io/includeInboundPorts': (v) => (v === '*' ? undefined : ports(v)),
  'traffic.sidecar.istio.io/excludeInboundPorts': ports,
  'traffic.sidecar.istio.io/excludeOutboundPorts': ports,
  'traffic.sidecar.istio.io/excludeInterfaces': interfaces,
  'traffic.sidecar.istio.io/kubevirtInterfaces': interfaces,
  'istio.io/reroute-virtual-interfaces': interfaces,
  'prometheus.istio.io/merge-metrics': bool,
  'proxy.istio.io/config': proxyConfig,
  'sidecar.istio.io/proxyCPU': quantity,
  'sidecar.istio.io/proxyMemory': quantity,
  'sidecar.istio.io/proxyCPULimit': quantity,
  'sidecar.istio.io/proxyMemoryLimit': quantity,
};

/**
 * IST0108 an unknown Istio annotation; IST0135 a deprecated one; IST0107 one placed on a kind it does
 * not belong on; IST0125 an invalid value. Only Namespaces, Services, Pods and Deployments are read.
 */
export const k8sAnnotationsAnalyzer: Analyzer = {
  name: 'annotations.K8sAnalyzer',
  codes: ['IST0107', 'IST0108', 'IST0125', 'IST0135'],
  source: 'pkg/config/analysis/analyzers/annotations/annotations.go, pkg/kube/inject/validate.go',
  analyze(ctx) {
    for (const [o, kind] of annotated(ctx)) {
      const annotations = strings(o.metadata.annotations);
      for (const name of Object.keys(annotations)) {
        if (!isIstioAnnotation(name) || ALWAYS_IGNORED_ANNOTATIONS.has(name)) continue;
        const def = ISTIO_ANNOTATIONS.get(name);
        const at = `metadata.annotations[${q(name)}]`;
        if (!def) {
          ctx.report(o, 'IST0108', `${at}: unknown Istio annotation`);
          continue;
        }
        if (def.deprecated && !(name === 'sidecar.istio.io/inject' && Object.prototype.hasOwnProperty.call(strings(o.metadata.labels), 'sidecar.istio.io/inject'))) {
          ctx.report(o, 'IST0135', `${at}: deprecated${name === 'sidecar.istio.io/inject' ? ' in favor of the "sidecar.istio.io/inject" label' : ''}`);
        }
        if (def.resources.includes('Any')) continue;
        if (!def.resources.includes(kind)) {
          ctx.report(o, 'IST0107', `${at}: belongs on ${def.resources.join(', ')}, not on a ${kind}`);
          continue;
        }
        const problem = VALIDATORS[name]?.(String(annotations[name]));
        if (problem) ctx.report(o, 'IST0125', `${at}: invalid value: ${problem}`);
      }
    }
  },
};

/** IST0136: an alpha Istio annotation (pods' CNI-set ones skipped when the pod has no istio-init container). */
export const alphaAnalyzer: Analyzer = {
  name: 'maturity.AlphaAnalyzer',
  codes: ['IST0136'],
  source: 'pkg/config/analysis/analyzers/maturity/maturity.go',
  analyze(ctx) {
    for (const [o, kind] of annotated(ctx)) {
      const annotations = strings(o.metadata.annotations);
      const cni = kind === 'Pod' && !list<Container>(o.spec.initContainers).some((c) => c?.name === 'istio-init');
      for (const name of Object.keys(annotations)) {
        if (!isIstioAnnotation(name)) continue;
        const def = ISTIO_ANNOTATIONS.get(name);
        if (def?.featureStatus !== 'Alpha' || ALWAYS_IGNORED_ANNOTATIONS.has(name)) continue;
        if (cni && CNI_SET_ANNOTATIONS.has(name)) continue;
        ctx.report(o, 'IST0136', `metadata.annotations[${q(name)}]: alpha Istio annotation; it may change or be removed`);
      }
    }
  },
};
