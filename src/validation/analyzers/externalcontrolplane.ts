/**
 * Webhooks of an external control plane (pkg/config/analysis/analyzers/externalcontrolplane/).
 */
import { isIP } from 'net';
import { list, str } from '../../manifests';
import type { IndexedObject, Webhook } from '../../manifests';
import type { Analyzer, AnalyzerContext } from './context';
import { q } from './util';

/** The host of a URL as Go's `url.Parse(u).Hostname()` gives it, or undefined when it does not parse. */
function urlHostname(url: string): string | undefined {
  if (/[\x00-\x1f\x7f ]/.test(url)) return undefined;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  if (!m) return '';
  const authority = m[1].includes('@') ? m[1].slice(m[1].lastIndexOf('@') + 1) : m[1];
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end < 0 ? undefined : authority.slice(1, end);
  }
  const colon = authority.lastIndexOf(':');
  return colon >= 0 ? authority.slice(0, colon) : authority;
}

function checkWebhooks(ctx: AnalyzerContext, o: IndexedObject): void {
  for (const w of list<Webhook>(o.manifest.webhooks)) {
    const name = str(w?.name) ?? '';
    const url = str(w?.clientConfig?.url);
    if (url !== undefined) {
      const host = urlHostname(url);
      if (host === undefined) ctx.report(o, 'IST0163', `webhooks[${q(name)}].clientConfig.url: ${q(url)} was provided in an invalid format`);
      else if (isIP(host)) ctx.report(o, 'IST0164', `webhooks[${q(name)}].clientConfig.url: ${q(url)} addresses the external control plane by IP; use a hostname`);
    } else if (w?.clientConfig?.service === undefined || w?.clientConfig?.service === null) {
      ctx.report(o, 'IST0163', `webhooks[${q(name)}].clientConfig: is blank: neither url nor service`);
    }
  }
}

/**
 * IST0163 an Istio webhook (ValidatingWebhookConfiguration `istiod-default-validator` / `istio-validator*`,
 * MutatingWebhookConfiguration `istio-sidecar-injector*`) with a malformed or missing address; IST0164
 * one that addresses the external control plane by IP.
 */
export const externalControlPlaneAnalyzer: Analyzer = {
  name: 'externalcontrolplane.ExternalControlPlaneAnalyzer',
  codes: ['IST0163', 'IST0164'],
  source: 'pkg/config/analysis/analyzers/externalcontrolplane/externalcontrolplane.go',
  analyze(ctx) {
    for (const v of ctx.index.ofKind('ValidatingWebhookConfiguration', 'admissionregistration.k8s.io')) {
      if (v.name === 'istiod-default-validator' || v.name.startsWith('istio-validator')) checkWebhooks(ctx, v);
    }
    for (const m of ctx.index.ofKind('MutatingWebhookConfiguration', 'admissionregistration.k8s.io')) {
      if (m.name.startsWith('istio-sidecar-injector')) checkWebhooks(ctx, m);
    }
  },
};
