/**
 * Our own cross-object checks (CI3xxx), for mistakes no Istio analyzer reports.
 */
import { isObject, list, num, podView, str, strings } from '../../manifests';
import { configHostFqdn, serviceOfFqdn } from '../../rules/hosts';
import type { HttpRoute, L4Route, StringMap } from '../../manifests';
import type { Analyzer } from './context';
import { q } from './util';

/**
 * CI3001: pod templates without `app` and `version` labels. Gateway pods (injected with Istio's
 * `gateway` template, `inject.istio.io/templates: gateway`) are not application versions: Istio's own
 * gateway chart gives them no `version` (manifests/charts/gateway/templates/_helpers.tpl, Istio 1.30.3).
 */
export const workloadLabelsAnalyzer: Analyzer = {
  name: 'cdk8s-istio.WorkloadLabelsAnalyzer',
  codes: ['CI3001'],
  source: 'istio-rules.md §2 (ours)',
  analyze(ctx) {
    for (const o of ctx.index.objects) {
      if (o.kind === 'Job') continue;
      const w = podView(o);
      if (!w || !w.fromTemplate || w.podAnnotations['inject.istio.io/templates'] === 'gateway') continue;
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

/** The `@request.auth.claims.` header names of a VirtualService match block (JWT claim based routing). */
function claimHeaders(match: unknown): string[] {
  if (!isObject(match)) return [];
  return [...Object.keys(record(match.headers)), ...Object.keys(record(match.withoutHeaders))].filter((h) => h.startsWith('@request.auth.claims.'));
}

function record(x: unknown): Record<string, unknown> {
  return isObject(x) ? (x as Record<string, unknown>) : {};
}

/**
 * CI3005: routing on JWT claims (`headers: {"@request.auth.claims.<name>": ...}`). Istio sets the claims only
 * where a RequestAuthentication validates the token, and routes on them only at gateways (istio.io,
 * "JWT claim based routing": ingress gateway only); a rule bound to `mesh` never sees claims, and a rule bound to a
 * Gateway whose pods no RequestAuthentication selects (by selector, mesh-wide in the root namespace, or by
 * targetRefs to the Gateway) never matches.
 */
export const claimRoutingAnalyzer: Analyzer = {
  name: 'cdk8s-istio.ClaimRoutingAnalyzer',
  codes: ['CI3005'],
  source: 'istio-rules.md §4; istio.io docs/tasks/security/authentication/jwt-route (ours)',
  analyze(ctx) {
    const root = ctx.index.rootNamespace;
    const ras = ctx.index.requestAuthentications;
    const validatedAt = (gw: { namespace: string; name: string; selector: StringMap }): boolean => ras.some((ra) => {
      const spec: any = ra.spec ?? {};
      if (list<any>(spec.targetRefs).some((t) => t?.kind === 'Gateway' && t?.name === gw.name && (t?.namespace ?? ra.namespace) === gw.namespace)) return true;
      const labels = strings(spec.selector?.matchLabels);
      if (Object.keys(labels).length === 0) return ra.namespace === root && list(spec.targetRefs).length === 0;
      return Object.entries(labels).every(([k, v]) => gw.selector[k] === v);
    });
    for (const vs of ctx.index.virtualServices) {
      const vsGateways = list<string>(vs.spec.gateways).map(String);
      list<any>(vs.spec.http).forEach((rule, i) => {
        list<any>(rule?.match).forEach((m, j) => {
          const claims = claimHeaders(m);
          if (claims.length === 0) return;
          const bound = list<string>(m?.gateways).length > 0 ? list<string>(m.gateways).map(String) : vsGateways.length > 0 ? vsGateways : ['mesh'];
          for (const g of bound) {
            if (g === 'mesh') {
              ctx.report(vs, 'CI3005', `spec.http[${i}].match[${j}].headers: ${q(claims[0])} routes on a JWT claim for sidecar traffic (gateway "mesh"); Istio routes on claims at gateways only, so this match never matches`);
              continue;
            }
            const [ns, name] = g.includes('/') ? g.split('/', 2) : [vs.namespace, g];
            const gateway = ctx.index.gateways.find((x) => x.namespace === ns && x.name === name);
            if (!gateway) continue; // an unknown gateway is IST0101's
            if (!validatedAt({ namespace: ns, name, selector: strings(gateway.spec.selector) })) {
              ctx.report(vs, 'CI3005', `spec.http[${i}].match[${j}].headers: ${q(claims[0])} routes on a JWT claim at gateway ${ns}/${name}, but no RequestAuthentication validates tokens on its pods, so no request carries claims and this match never matches`);
            }
          }
        });
      });
    }
  },
};
