/**
 * Istio's sidecar injection webhooks (pkg/config/analysis/analyzers/webhook/).
 */
import { list, str, strings } from '../../manifests';
import { labelSelectorMatches } from '../../rules/labels';
import type { IndexedObject, LabelSelector, StringMap, Webhook } from '../../manifests';
import type { Analyzer } from './context';

const REV = 'istio.io/rev';

/** The revisions a MutatingWebhookConfiguration serves: its `istio.io/rev` label and its selectors'. */
function revisionsOf(o: IndexedObject): string[] {
  const out = new Set<string>();
  const own = strings(o.metadata.labels);
  if (Object.prototype.hasOwnProperty.call(own, REV)) out.add(own[REV]);
  for (const w of list<Webhook>(o.manifest.webhooks)) {
    for (const sel of [w?.namespaceSelector, w?.objectSelector]) {
      if (!sel) continue;
      const labels = strings(sel.matchLabels);
      if (Object.prototype.hasOwnProperty.call(labels, REV)) out.add(labels[REV]);
      for (const e of list(sel.matchExpressions)) if (e?.key === REV) for (const v of list<string>(e.values)) out.add(String(v));
    }
  }
  return [...out];
}

/**
 * IST0139: injection webhooks that overlap (some namespace and pod label combination, with and without
 * `istio-injection`, `sidecar.istio.io/inject` and each revision, reaches more than one webhook, so a
 * pod would be injected twice; reported for each webhook of each overlapping combination), or that
 * call a Service that does not exist.
 */
export const webhookAnalyzer: Analyzer = {
  name: 'webhook.Analyzer',
  codes: ['IST0139'],
  source: 'pkg/config/analysis/analyzers/webhook/webhook.go',
  analyze(ctx) {
    const hooks: Array<{ readonly id: string; readonly owner: IndexedObject; readonly hook: Webhook }> = [];
    const revisions = new Set<string>();
    for (const mwc of ctx.index.ofKind('MutatingWebhookConfiguration', 'admissionregistration.k8s.io')) {
      const revs = revisionsOf(mwc);
      const webhooks = list<Webhook>(mwc.manifest.webhooks);
      if (revs.length === 0 && !webhooks.some((w) => str(w?.name)?.endsWith('istio.io'))) continue;
      for (const w of webhooks) hooks.push({ id: `${mwc.name}/${str(w?.name) ?? ''}`, owner: mwc, hook: w });
      for (const r of revs) revisions.add(r);
    }
    const namespaceLabels: StringMap[] = [{}, { 'istio-injection': 'enabled' }, { 'istio-injection': 'disabled' }];
    const objectLabels: StringMap[] = [{}, { 'sidecar.istio.io/inject': 'true' }, { 'sidecar.istio.io/inject': 'false' }];
    for (const rev of revisions) {
      for (const base of namespaceLabels.slice(0, 3)) namespaceLabels.push({ ...base, [REV]: rev });
      for (const base of objectLabels.slice(0, 3)) objectLabels.push({ ...base, [REV]: rev });
    }
    for (const nl of namespaceLabels) {
      for (const ol of objectLabels) {
        const matches = [...new Set(hooks.filter((h) => labelSelectorMatches(h.hook?.namespaceSelector as LabelSelector | undefined, nl)
          && labelSelectorMatches(h.hook?.objectSelector as LabelSelector | undefined, ol)).map((h) => h.id))];
        if (matches.length < 2) continue;
        for (const id of matches) {
          const owner = hooks.find((h) => h.id === id)!.owner;
          const others = `[${matches.filter((x) => x !== id).sort().join(' ')}]`;
          ctx.report(owner, 'IST0139', `webhooks: ${id} overlaps with others: ${others}. This may cause injection to occur twice.`, `overlap ${others}`);
        }
      }
    }
    for (const h of hooks) {
      const svc = h.hook?.clientConfig?.service;
      if (!svc) continue;
      const ns = str(svc.namespace) ?? '';
      const name = str(svc.name) ?? '';
      if (ctx.index.service(name, ns)) continue;
      ctx.report(h.owner, 'IST0139', `webhooks[${JSON.stringify(str(h.hook?.name) ?? '')}].clientConfig.service: Injector refers to a control plane service that does not exist: ${ns}/${name}.`);
    }
  },
};
