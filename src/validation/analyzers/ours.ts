/**
 * Our own cross-object checks (CI3xxx), for mistakes no Istio analyzer reports.
 */
import { isObject, list, num, podView, str, strings } from '../../manifests';
import { configHostFqdn, serviceOfFqdn } from '../../rules/hosts';
import type { HttpRoute, L4Route, StringMap } from '../../manifests';
import type { Analyzer } from './context';
import { q } from './util';

/** CI3001: pod templates without `app` and `version` labels. */
export const workloadLabelsAnalyzer: Analyzer = {
  name: 'cdk8s-istio.WorkloadLabelsAnalyzer',
  codes: ['CI3001'],
  source: 'istio-rules.md §2 (ours)',
  analyze(ctx) {
    for (const o of ctx.index.objects) {
      if (o.kind === 'Job') continue;
      const w = podView(o);
      if (!w || !w.fromTemplate) continue;
      const missing = ['app', 'version'].filter((k) => !w.labels[k]);
      if (missing.length) {
        ctx.report(w, 'CI3001', `spec.template.metadata.labels: missing ${missing.map((k) => q(k)).join(' and ')}; Istio uses app and version labels for telemetry, tracing and subsets`);
      }
    }
  },
};

/**
 * CI3003: a route sends traffic (the only destination, or a positive weight) to a DestinationRule
 * subset of a Service in the set that no pod with replicas serves: the requests fail with 503.
 */
export const subsetTrafficAnalyzer: Analyzer = {
  name: 'cdk8s-istio.SubsetTrafficAnalyzer',
  codes: ['CI3003'],
  source: 'istio-rules.md §2 (ours)',
  analyze(ctx) {
    const subsets = new Map<string, StringMap>();
    for (const dr of ctx.index.destinationRules) {
      const host = configHostFqdn(str(dr.spec.host) ?? '', dr.namespace, ctx.index.domainSuffix);
      for (const s of list(dr.spec.subsets)) {
        const key = `${host}\u0000${str(s?.name) ?? ''}`;
        if (!subsets.has(key)) subsets.set(key, strings(s?.labels));
      }
    }
    for (const vs of ctx.index.virtualServices) {
      for (const proto of ['http', 'tcp', 'tls'] as const) {
        list<HttpRoute | L4Route>(vs.spec[proto]).forEach((rule, i) => {
          const routes = list(rule?.route);
          const total = routes.reduce((sum, r) => sum + (num(r?.weight) ?? 0), 0);
          routes.forEach((r, j) => {
            const d = isObject(r?.destination) ? r.destination : {};
            const subset = str(d.subset);
            if (!subset) return;
            const host = configHostFqdn(str(d.host) ?? '', vs.namespace, ctx.index.domainSuffix);
            const ref = serviceOfFqdn(host, ctx.index.domainSuffix);
            const svc = ref ? ctx.index.service(ref.name, ref.namespace) : undefined;
            const labels = subsets.get(`${host}\u0000${subset}`);
            if (!svc || !labels) return;
            const weight = num(r?.weight);
            const carries = routes.length === 1 || (weight !== undefined ? weight > 0 : total === 0);
            if (!carries) return;
            const pods = ctx.index.selectWorkloads(svc.namespace, { ...strings(svc.spec.selector), ...labels });
            if (pods.some((w) => w.replicas > 0)) return;
            ctx.report(vs, 'CI3003', `spec.${proto}[${i}].route[${j}].destination: sends ${routes.length === 1 ? 'all' : `weight ${weight ?? 0} of`} traffic to subset ${q(subset)}, which has no pods (${pods.length ? 'its Deployment has 0 replicas' : 'no Deployment matches its labels'})`);
          });
        });
      }
    }
  },
};

/** CI3004: a Telemetry provider that is no extension provider of the mesh config given or in the set. */
export const telemetryProvidersAnalyzer: Analyzer = {
  name: 'cdk8s-istio.TelemetryProvidersAnalyzer',
  codes: ['CI3004'],
  source: 'istio-rules.md §1 Telemetry, §5 (ours)',
  analyze(ctx) {
    if (ctx.mesh.source === 'default') return;
    const known = ctx.mesh.providerNames;
    for (const t of ctx.index.telemetries) {
      for (const section of ['tracing', 'accessLogging', 'metrics'] as const) {
        list<{ providers?: unknown }>(t.spec[section]).forEach((s, i) => {
          list<{ name?: unknown }>(s?.providers).forEach((p, j) => {
            const name = str(p?.name);
            if (name && !known.has(name)) {
              ctx.report(t, 'CI3004', `spec.${section}[${i}].providers[${j}].name: provider ${q(name)} is not an extensionProvider in the mesh config (known: ${[...known].sort().join(', ')}); Istio would silently ignore it`);
            }
          });
        });
      }
    }
  },
};
