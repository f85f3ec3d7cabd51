/**
 * Sidecar injection analyzers (pkg/config/analysis/analyzers/injection/), rule by rule.
 */
import { parseEmbeddedYaml } from '../../rules/mesh-config';
import { isObject, list, str, strings } from '../../manifests';
import { labelSelectorMatches, labelsMatch } from '../../rules/labels';
import type { Container, IndexedObject, LabelSelector, StringMap, Webhook, Workload } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';
import { allContainers, ISTIO_PROXY, q } from './util';

const AZ = 'pkg/config/analysis/analyzers/injection/';
const INJECTION = 'istio-injection';
const REV = 'istio.io/rev';
const DATAPLANE_MODE = 'istio.io/dataplane-mode';

/** The injector ConfigMap of a revision (`util.GetInjectorConfigMapName`). */
function injectorConfigMapName(revision: string): string {
  return revision === '' || revision === 'default' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${revision}`;
}

/** The `values` key of an injector ConfigMap, parsed (it is JSON). */
function injectorValues(cm: IndexedObject): Readonly<Record<string, unknown>> | undefined {
  const text = str(strings(cm.manifest.data).values);
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * IST0123 a Namespace with more than one injection label; IST0102 a Namespace with none (unless the
 * injector enables namespaces by default: IST0148); IST0103 a Pod in an injected namespace without the
 * istio-proxy container. The root namespace and ambient namespaces are not checked.
 */
export const injectionAnalyzer: Analyzer = {
  name: 'injection.Analyzer',
  codes: ['IST0102', 'IST0103', 'IST0123', 'IST0148'],
  source: `${AZ}injection.go`,
  analyze(ctx) {
    let enableNamespacesByDefault = false;
    const injected = new Set<string>();
    const configMaps = ctx.index.ofKind('ConfigMap', '');
    for (const ns of ctx.index.ofKind('Namespace', '')) {
      if (ns.name === ctx.index.rootNamespace) continue;
      const labels = strings(ns.metadata.labels);
      const hasInjection = Object.prototype.hasOwnProperty.call(labels, INJECTION);
      const hasRev = Object.prototype.hasOwnProperty.call(labels, REV);
      const injection = hasInjection ? labels[INJECTION] : '';
      const istioLabels: string[] = [];
      if (hasInjection) istioLabels.push(`${INJECTION}=${injection}`);
      for (const l of [REV, DATAPLANE_MODE]) {
        if (Object.prototype.hasOwnProperty.call(labels, l) && (!hasInjection || injection === 'enabled')) istioLabels.push(`${l}=${labels[l]}`);
      }
      if (istioLabels.length > 1) ctx.report(ns, 'IST0123', `metadata.labels: namespace ${q(ns.name)} has several injection labels (${istioLabels.join(', ')}); keep one`);
      if (labels[DATAPLANE_MODE] === 'ambient') continue;
      const cm = configMaps.find((c) => c.name === injectorConfigMapName(hasRev ? labels[REV] : ''));
      if (cm) {
        const webhook = injectorValues(cm)?.sidecarInjectorWebhook;
        enableNamespacesByDefault = isObject(webhook) && webhook.enableNamespacesByDefault === true;
      }
      if (injection === '' && !hasRev) {
        if (enableNamespacesByDefault) {
          ctx.report(ns, 'IST0148', `metadata.labels: namespace ${q(ns.name)} has no injection label, and the injector injects namespaces by default (sidecarInjectorWebhook.enableNamespacesByDefault)`);
        } else {
          ctx.report(ns, 'IST0102', `metadata.labels: namespace ${q(ns.name)} is not enabled for Istio injection: label it ${INJECTION}=enabled (or ${REV}=<revision>, or ${DATAPLANE_MODE}=ambient)`);
        }
        continue;
      }
      if (injection !== 'enabled') continue;
      injected.add(ns.name);
    }
    for (const pod of ctx.index.pods) {
      if (!injected.has(pod.namespace)) continue;
      const inject = Object.prototype.hasOwnProperty.call(pod.labels, 'sidecar.istio.io/inject') ? pod.labels['sidecar.istio.io/inject'] : pod.podAnnotations['sidecar.istio.io/inject'] ?? '';
      if (String(inject).toLowerCase() === 'false') continue;
      if (pod.podSpec.hostNetwork === true) continue;
      const proxy = allContainers(pod).find((c) => c?.name === ISTIO_PROXY);
      if (!str(proxy?.image)) ctx.report(pod, 'IST0103', `spec.containers: pod ${pod.namespace}/${pod.name} in injected namespace ${q(pod.namespace)} has no istio-proxy container: restart it so the injector can add one`);
    }
  },
};

/** The proxy image an injector ConfigMap injects (`GetIstioProxyImage`): `global.proxy.image`, or `<hub>/<image>:<tag>`. */
function injectorProxyImage(cm: IndexedObject): string {
  const values = injectorValues(cm);
  const global = isObject(values?.global) ? values!.global as Readonly<Record<string, unknown>> : {};
  const proxy = isObject(global.proxy) ? global.proxy as Readonly<Record<string, unknown>> : {};
  const image = str(proxy.image) ?? '';
  if (image.includes('/')) return image;
  return `${str(global.hub) ?? ''}/${image}:${str(global.tag) ?? ''}`;
}

/** The `image.imageType` of a ProxyConfig-shaped object. */
function imageTypeOf(pc: unknown): string {
  const image = isObject(pc) && isObject(pc.image) ? pc.image : undefined;
  return str(image?.imageType) ?? '';
}

/**
 * The proxy image variant (`distroless`...) a pod gets (`EffectiveProxyConfigResolver.ImageType`,
 * util/proxyconfig.go): mesh config, then the root namespace's ProxyConfig, the namespace's, a selecting
 * ProxyConfig, the pod's `proxy.istio.io/config` annotation; `default` means none.
 */
function imageType(ctx: AnalyzerContext, pod: Workload): string {
  let variant = imageTypeOf(ctx.mesh.config.defaultConfig);
  const proxyConfigs = ctx.index.ofKind('ProxyConfig', 'networking.istio.io');
  const root = proxyConfigs.filter((p) => p.namespace === ctx.index.rootNamespace).pop();
  if (imageTypeOf(root?.spec)) variant = imageTypeOf(root?.spec);
  const nsLevel = proxyConfigs.filter((p) => p.namespace === pod.namespace && p.namespace !== ctx.index.rootNamespace && !p.spec.selector).pop();
  if (imageTypeOf(nsLevel?.spec)) variant = imageTypeOf(nsLevel?.spec);
  for (const p of proxyConfigs) {
    if (p.namespace === ctx.index.rootNamespace || !p.spec.selector || !`${p.namespace}/${p.name}`.startsWith(pod.namespace)) continue;
    if (labelsMatch(strings(p.spec.selector?.matchLabels), pod.labels) && imageTypeOf(p.spec)) variant = imageTypeOf(p.spec);
  }
  const annotation = str(pod.podAnnotations['proxy.istio.io/config']);
  if (annotation !== undefined) {
    // Read with the limited YAML reader; an unparseable annotation is ignored, as Istio does.
    const pc = parseEmbeddedYaml(annotation);
    if (imageTypeOf(pc)) variant = imageTypeOf(pc);
  }
  return variant === 'default' ? '' : variant;
}

/**
 * IST0158: in an injected namespace, pods whose istio-proxy image is not the one the namespace's
 * injector (ConfigMap `istio-sidecar-injector[-<rev>]`) injects, plus its image variant: they run an
 * old proxy and need a restart. One finding per namespace, on the Namespace.
 */
export const imageAnalyzer: Analyzer = {
  name: 'injection.ImageAnalyzer',
  codes: ['IST0158'],
  source: `${AZ}injection-image.go, util/proxyconfig.go`,
  analyze(ctx) {
    const images = new Map<string, string>();
    for (const cm of ctx.index.ofKind('ConfigMap', '')) if (cm.name.startsWith('istio-sidecar-injector')) images.set(cm.name, injectorProxyImage(cm));
    if (images.size === 0) return;
    const revisionOf = new Map<string, string>();
    const namespaces = new Map<string, IndexedObject>();
    for (const ns of ctx.index.ofKind('Namespace', '')) {
      namespaces.set(ns.name, ns);
      const labels = strings(ns.metadata.labels);
      if (Object.prototype.hasOwnProperty.call(labels, REV)) revisionOf.set(ns.name, labels[REV]);
      else if (labels[INJECTION] === 'enabled') revisionOf.set(ns.name, 'default');
    }
    const mismatched = new Map<string, string[]>();
    for (const pod of ctx.index.pods) {
      const revision = revisionOf.get(pod.namespace);
      if (revision === undefined) continue;
      if (str(pod.podAnnotations['sidecar.istio.io/proxyImage'])) continue;
      const variant = imageType(ctx, pod);
      for (const c of allContainers(pod)) {
        if (c?.name !== ISTIO_PROXY) continue;
        const expected = images.get(injectorConfigMapName(revision));
        if (expected === undefined) break;
        if (c.image !== expected && c.image !== `${expected}-${variant}`) mismatched.set(pod.namespace, [...(mismatched.get(pod.namespace) ?? []), pod.name]);
      }
    }
    for (const [ns, pods] of mismatched) {
      const target = namespaces.get(ns);
      if (target) ctx.report(target, 'IST0158', `metadata: pods ${pods.sort().join(', ')} in namespace ${q(ns)} run an istio-proxy image other than the injector's: restart them to get the current proxy`);
    }
  },
};

/** The istio-proxy container with `image: auto`, which only the injector replaces. */
function hasAutoImage(containers: readonly Container[]): boolean {
  return containers.some((c) => c?.name === ISTIO_PROXY && c.image === 'auto');
}

/** Whether a namespace and pod label set reach one of Istio's injection webhooks. */
function injectedByWebhook(webhooks: readonly Webhook[], nsLabels: StringMap, podLabels: StringMap): boolean {
  return webhooks.some((w) => labelSelectorMatches(w?.namespaceSelector as LabelSelector | undefined, nsLabels) && labelSelectorMatches(w?.objectSelector as LabelSelector | undefined, podLabels));
}

/**
 * IST0147 a Pod with `image: auto` (it was not injected, so the image cannot be pulled); IST0146 a
 * Deployment with `image: auto` that no Istio injection webhook (name ending `istio.io`) selects.
 */
export const imageAutoAnalyzer: Analyzer = {
  name: 'injection.ImageAutoAnalyzer',
  codes: ['IST0146', 'IST0147'],
  source: `${AZ}image-auto.go`,
  analyze(ctx) {
    const webhooks: Webhook[] = [];
    for (const mwc of ctx.index.ofKind('MutatingWebhookConfiguration', 'admissionregistration.k8s.io')) {
      for (const w of list<Webhook>(mwc.manifest.webhooks)) if (str(w?.name)?.endsWith('istio.io')) webhooks.push(w);
    }
    for (const pod of ctx.index.pods) {
      if (hasAutoImage(list<Container>(pod.podSpec.containers))) {
        ctx.report(pod, 'IST0147', `spec.containers: istio-proxy has image "auto", which only sidecar injection replaces; Pod ${pod.name} was not injected, so it cannot start`);
      }
    }
    for (const d of ctx.index.deployments) {
      if (!hasAutoImage(list<Container>(d.spec.template?.spec?.containers))) continue;
      const ns = ctx.index.namespaceObject(d.namespace === '' ? 'default' : d.namespace);
      if (injectedByWebhook(webhooks, strings(ns?.metadata.labels), strings(d.spec.template?.metadata?.labels))) continue;
      ctx.report(d, 'IST0146', `spec.template.spec.containers: istio-proxy has image "auto", but no Istio injection webhook selects Deployment ${d.name}'s pods, so they will not start`);
    }
  },
};
