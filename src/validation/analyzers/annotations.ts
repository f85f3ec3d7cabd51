/**
 * Istio annotations on Kubernetes objects (pkg/config/analysis/analyzers/annotations/annotations.go,
 * maturity/maturity.go; the validators of pkg/kube/inject/validate.go).
 */
import { list, strings } from '../../manifests';
import type { Container, IndexedObject } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';
import { ALWAYS_IGNORED_ANNOTATIONS, ANNOTATION_VALUE_RULES, CNI_SET_ANNOTATIONS, ISTIO_ANNOTATIONS, isIstioAnnotation } from '../../rules/annotations';
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
        const problem = ANNOTATION_VALUE_RULES[name]?.(String(annotations[name]));
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
