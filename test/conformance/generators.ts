/**
 * fast-check generator of random, schema-valid mesh sets for the differential tests: Namespaces,
 * ServiceAccounts, Services, Deployments, VirtualServices, DestinationRules and
 * AuthorizationPolicies over a small pool of names, so that hosts, subsets, selectors and ports
 * sometimes line up and sometimes do not (that is what Istio's analyzers look at), plus HTTP
 * requests drawn from the same pools as the route matches, so that rules sometimes match.
 *
 * Every VirtualService http rule is named `r<index>`: Istio names the Envoy route after it, which
 * is how a route answer of pilot maps back to the rule our simulator reports.
 */
import * as fc from 'fast-check';

export const NAMESPACES = ['alpha', 'beta'] as const;
export const SERVICES = ['svc-a', 'svc-b', 'svc-c'] as const;
const VERSIONS = ['v1', 'v2', 'v3'];
const PORT_NAMES = ['http', 'http-web', 'grpc', 'tcp', 'web', undefined];
const PORT_NUMBERS = [80, 8080, 9080];
export const METHODS = ['GET', 'POST', 'DELETE'];
export const PATHS = ['/', '/api', '/api/v1/items', '/api/v2', '/login', '/static/app.js', '/api?debug=1', '/login?debug=0'];
const HEADER_VALUES: Record<string, string[]> = { 'x-user': ['alice', 'bob', 'albert'], 'x-canary': ['true', 'false'] };

/** One generated set and the requests to route through it. */
export interface MeshCase {
  readonly objects: any[];
  readonly requests: DiffRequest[];
}

/** A request: from a Deployment (or a bare namespace), to a Service host and port. */
export interface DiffRequest {
  readonly sourceNamespace: string;
  /** A Deployment name of the set, or undefined for a source with no labels. */
  readonly sourceWorkload?: string;
  readonly sourceLabels: Record<string, string>;
  readonly host: string;
  readonly port: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}

const stringMatch = (pool: { exact: string[]; prefix: string[]; regex: string[] }) =>
  fc.oneof(
    fc.constantFrom(...pool.exact).map((v) => ({ exact: v })),
    fc.constantFrom(...pool.prefix).map((v) => ({ prefix: v })),
    fc.constantFrom(...pool.regex).map((v) => ({ regex: v })),
  );

const uriMatch = stringMatch({ exact: ['/login', '/api'], prefix: ['/api', '/static', '/'], regex: ['/api/v[0-9]+.*', '/log.*'] });
const userMatch = stringMatch({ exact: ['alice', 'bob'], prefix: ['al'], regex: ['b.*', 'a[a-z]+'] });
const canaryMatch = stringMatch({ exact: ['true'], prefix: ['t'], regex: ['true|yes'] });
const debugMatch = stringMatch({ exact: ['1', '0'], prefix: ['1'], regex: ['[01]'] });

interface ServicePlan {
  name: string;
  namespace: string;
  ports: Array<{ name?: string; port: number }>;
  versions: string[];
  appLabel: string;
}

function servicePlan(name: string, namespace: string): fc.Arbitrary<ServicePlan> {
  return fc.record({
    ports: fc.uniqueArray(fc.constantFrom(...PORT_NUMBERS), { minLength: 1, maxLength: 2 }).chain((nums) =>
      fc.tuple(...nums.map((n) => fc.constantFrom(...PORT_NAMES).map((pn) => ({ name: pn, port: n })))),
    ),
    versions: fc.subarray(VERSIONS),
    // Now and then the pods' app label does not match the Service selector.
    appLabel: fc.constantFrom(name, name, name, `${name}-x`),
  }).map((r) => ({ name, namespace, ...r, ports: r.ports.length > 1 ? uniquePortNames(r.ports) : r.ports }));
}

/**
 * The API server requires a name on every port of a multi-port Service, each name unique
 * (ValidateService: "Duplicate value"). A second port drawn with the name of the first gets `-2`,
 * which keeps its protocol prefix (`http-2` is still HTTP for Istio).
 */
function uniquePortNames(ports: Array<{ name?: string; port: number }>): Array<{ name: string; port: number }> {
  const used = new Set<string>();
  return ports.map((p) => {
    let name = p.name ?? 'http';
    if (used.has(name)) name = `${name}-2`;
    used.add(name);
    return { ...p, name };
  });
}

/** `arb` one time in `1 + odds`, else undefined: keeps match blocks short, so that requests match them. */
const sometimes = <T>(arb: fc.Arbitrary<T>, odds = 2): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: odds, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

function matchBlock(namespaces: readonly string[]): fc.Arbitrary<any> {
  return fc
    .record({
      uri: sometimes(uriMatch, 1),
      headerNames: sometimes(fc.uniqueArray(fc.constantFrom('x-user', 'x-canary'), { minLength: 1, maxLength: 2 })),
      method: sometimes(fc.constantFrom(...METHODS).map((m) => ({ exact: m }))),
      queryParams: sometimes(debugMatch.map((sm) => ({ debug: sm })), 4),
      withoutHeader: sometimes(fc.constantFrom('x-user', 'x-canary'), 3),
      sourceLabels: sometimes(fc.constantFrom(...SERVICES).map((s) => ({ app: s })), 4),
      sourceNamespace: sometimes(fc.constantFrom(...namespaces), 4),
    })
    .chain((m) =>
      fc.record({
        headers: m.headerNames ? fc.tuple(...m.headerNames.map((h) => (h === 'x-user' ? userMatch : canaryMatch))) : fc.constant(undefined),
        without: m.withoutHeader ? (m.withoutHeader === 'x-user' ? userMatch : canaryMatch) : fc.constant(undefined),
      }).map((x) => {
        const out: any = {};
        if (m.uri) out.uri = m.uri;
        if (m.headerNames && x.headers) out.headers = Object.fromEntries(m.headerNames.map((h, i) => [h, x.headers![i]]));
        if (m.method) out.method = m.method;
        if (m.queryParams) out.queryParams = m.queryParams;
        if (m.withoutHeader && x.without) out.withoutHeaders = { [m.withoutHeader]: x.without };
        if (m.sourceLabels) out.sourceLabels = m.sourceLabels;
        if (m.sourceNamespace) out.sourceNamespace = m.sourceNamespace;
        return out;
      }),
    );
}

function weights(n: number): fc.Arbitrary<number[]> {
  if (n === 1) return fc.constant([100]);
  return fc.integer({ min: 1, max: 100 - n + 1 }).chain((first) => weights(n - 1).map((rest) => {
    const scaled = rest.map((w) => Math.max(1, Math.floor((w * (100 - first)) / 100)));
    scaled[scaled.length - 1] += 100 - first - scaled.reduce((a, b) => a + b, 0);
    return scaled[scaled.length - 1] >= 1 ? [first, ...scaled] : [100 - (n - 1), ...Array(n - 1).fill(1)];
  }));
}

function destination(plan: ServicePlan, all: ServicePlan[]): fc.Arbitrary<any> {
  const hosts = [plan.name, plan.name, `${plan.name}.${plan.namespace}.svc.cluster.local`, ...all.filter((p) => p !== plan).map((p) => `${p.name}.${p.namespace}.svc.cluster.local`), 'ghost'];
  return fc.record(
    {
      host: fc.constantFrom(...hosts),
      subset: fc.constantFrom(...VERSIONS),
      port: fc.constantFrom(...plan.ports.map((p) => p.port), 7070).map((n) => ({ number: n })),
    },
    { requiredKeys: ['host'] },
  );
}

function virtualService(plan: ServicePlan, all: ServicePlan[], namespaces: readonly string[]): fc.Arbitrary<any> {
  const rule = (i: number) =>
    fc.record({
      match: fc.option(fc.array(matchBlock(namespaces), { minLength: 1, maxLength: 2 }), { nil: undefined }),
      n: fc.integer({ min: 1, max: 3 }),
    }).chain(({ match, n }) =>
      fc.tuple(fc.array(destination(plan, all), { minLength: n, maxLength: n }), weights(n)).map(([dests, w]) => ({
        name: `r${i}`,
        ...(match ? { match } : {}),
        route: dests.map((d, k) => (n > 1 ? { destination: d, weight: w[k] } : { destination: d })),
      })),
    );
  return fc.record({
    host: fc.constantFrom(plan.name, `${plan.name}.${plan.namespace}.svc.cluster.local`, `${plan.name}.${plan.namespace}`),
    rules: fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => rule(i)))),
  }).map(({ host, rules }) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: plan.name, namespace: plan.namespace },
    spec: { hosts: [host], http: rules },
  }));
}

function destinationRule(plan: ServicePlan): fc.Arbitrary<any> {
  return fc.subarray(VERSIONS, { minLength: 1 }).map((subsets) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: plan.name, namespace: plan.namespace },
    spec: { host: plan.name, subsets: subsets.map((v) => ({ name: v, labels: { version: v } })) },
  }));
}

function authorizationPolicy(namespace: string, i: number): fc.Arbitrary<any> {
  return fc.record({
    app: fc.option(fc.constantFrom(...SERVICES, 'ghost'), { nil: undefined }),
    action: fc.constantFrom('ALLOW', 'DENY'),
    caller: fc.constantFrom(...SERVICES),
    callerNs: fc.constantFrom(...NAMESPACES),
    methods: fc.subarray(METHODS, { minLength: 1 }),
  }).map((p) => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: `policy-${i}`, namespace },
    spec: {
      ...(p.app ? { selector: { matchLabels: { app: p.app } } } : {}),
      action: p.action,
      rules: [{ from: [{ source: { principals: [`cluster.local/ns/${p.callerNs}/sa/${p.caller}`] } }], to: [{ operation: { methods: p.methods } }] }],
    },
  }));
}

function workloadObjects(p: ServicePlan): any[] {
  const out: any[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: p.name, namespace: p.namespace } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: p.name, namespace: p.namespace, labels: { app: p.name } },
      spec: { selector: { app: p.name }, ports: p.ports.map((x) => ({ ...(x.name ? { name: x.name } : {}), port: x.port, targetPort: x.port })) },
    },
  ];
  for (const v of p.versions) {
    const labels = { app: p.appLabel, version: v };
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${p.name}-${v}`, namespace: p.namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: p.name,
            containers: [{ name: p.name, image: `registry.example.com/${p.name}:${v}`, ports: p.ports.map((x) => ({ containerPort: x.port })) }],
          },
        },
      },
    });
  }
  return out;
}

function requestArb(plans: ServicePlan[]): fc.Arbitrary<DiffRequest> {
  const sources = plans.flatMap((p) => p.versions.map((v) => ({ ns: p.namespace, workload: `${p.name}-${v}`, labels: { app: p.appLabel, version: v } })));
  const source = sources.length > 0 ? fc.constantFrom(...sources) : fc.constant({ ns: plans[0].namespace, workload: undefined, labels: {} });
  return fc.record({
    source,
    target: fc.constantFrom(...plans),
    portIndex: fc.nat(1),
    method: fc.constantFrom(...METHODS),
    path: fc.constantFrom(...PATHS),
    headers: fc.dictionary(fc.constantFrom('x-user', 'x-canary'), fc.constant(''), { maxKeys: 2 }),
    headerPick: fc.nat(2),
    // The Host header picks Envoy's virtual host: the FQDN, `svc.ns` (also a VirtualService's literal
    // two-label host) or, from the Service's own namespace, the short name.
    hostForm: fc.constantFrom('fqdn', 'fqdn', 'svc.ns', 'short'),
  }).map((r) => ({
    sourceNamespace: r.source.ns,
    sourceWorkload: r.source.workload,
    sourceLabels: r.source.labels,
    host: r.hostForm === 'svc.ns' ? `${r.target.name}.${r.target.namespace}`
      : r.hostForm === 'short' && r.source.ns === r.target.namespace ? r.target.name
        : `${r.target.name}.${r.target.namespace}.svc.cluster.local`,
    port: r.target.ports[r.portIndex % r.target.ports.length].port,
    method: r.method,
    path: r.path,
    headers: Object.fromEntries(Object.keys(r.headers).map((h) => [h, HEADER_VALUES[h][r.headerPick % HEADER_VALUES[h].length]])),
  }));
}

/** A random mesh set and requests through it. */
export function meshCase(): fc.Arbitrary<MeshCase> {
  return fc
    .record({
      namespaces: fc.subarray([...NAMESPACES], { minLength: 1 }),
      injection: fc.constantFrom<'enabled' | 'disabled' | undefined>('enabled', 'enabled', undefined, 'disabled'),
    })
    .chain(({ namespaces, injection }) =>
      fc
        .uniqueArray(fc.tuple(fc.constantFrom(...SERVICES), fc.constantFrom(...namespaces)), { minLength: 1, maxLength: 3, selector: ([s, n]) => `${s}.${n}` })
        .chain((pairs) => fc.tuple(...pairs.map(([s, n]) => servicePlan(s, n))))
        .chain((plans) =>
          fc.record({
            vs: fc.tuple(...plans.map((p) => fc.option(virtualService(p, plans, namespaces), { nil: undefined, freq: 3 }))),
            dr: fc.tuple(...plans.map((p) => fc.option(destinationRule(p), { nil: undefined, freq: 2 }))),
            ap: fc.tuple(...namespaces.map((ns) => fc.array(fc.nat(), { maxLength: 2 }).chain((xs) => fc.tuple(...xs.map((_, i) => authorizationPolicy(ns, i)))))),
            requests: fc.array(requestArb(plans), { minLength: 1, maxLength: 6 }),
          }).map((r) => {
            const objects: any[] = namespaces.map((ns) => ({
              apiVersion: 'v1',
              kind: 'Namespace',
              metadata: { name: ns, ...(injection ? { labels: { 'istio-injection': injection } } : {}) },
            }));
            for (const p of plans) objects.push(...workloadObjects(p));
            for (const x of [...r.vs, ...r.dr, ...r.ap.flat()]) if (x) objects.push(x);
            return { objects, requests: r.requests };
          }),
        ),
    );
}
