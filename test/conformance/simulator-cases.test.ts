/**
 * Our simulator vs pilot (the harness) on hand-written sets that pin down what istiod does before
 * Envoy sees a request, each found by the differential test as a bug of ours and fixed:
 * - a VirtualService host with a dot (`a.shop`) is taken as written (pilot/pkg/model
 *   ResolveShortnameToFQDN): it binds the Host header `a.shop` on an HTTP port 80 only
 *   (pilot/pkg/networking/core/httproute.go BuildSidecarOutboundVirtualHosts), never the Service;
 * - a VirtualService whose every match names other callers or another port gives the caller no route,
 *   so the Service keeps its default route (route/route.go BuildHTTPRoutesForVirtualService);
 * - a port that is not HTTP for Istio (pkg/config/kube/conversion.go ConvertProtocol) is proxied as
 *   TCP: http rules do not apply, `tcp` rules do (core/tls.go buildSidecarOutboundTCPFilterChainOpts).
 *
 * Each case states the answer Istio's source gives; the test asserts that pilot gives it (so the
 * case really exercises the behaviour) and that our simulator gives the same.
 */
import { MeshSimulator } from '../../src/simulator/simulator';
import type { DiffRequest } from './generators';
import { describeConformance, IstioRouteAnswer, runBatch, SKIP, writeYaml } from './harness';
import { istioVerdict, ourVerdict, RouteVerdict } from './verdicts';

const NS = 'shop';
const FQDN = `a.${NS}.svc.cluster.local`;

/** Namespace shop (injected), Service a with the given ports, a-v1, and a labelled client. */
function base(ports: ReadonlyArray<Record<string, unknown>>): any[] {
  const deploy = (name: string, labels: Record<string, string>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: `registry.example.com/${name}:1` }] } } },
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'istio-injection': 'enabled' } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: NS }, spec: { selector: { app: 'a' }, ports } },
    deploy('a-v1', { app: 'a', version: 'v1' }),
    deploy('client', { app: 'client' }),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b', namespace: NS }, spec: { selector: { app: 'b' }, ports: [{ name: 'http', port: 80 }] } },
  ];
}

const vs = (hosts: string[], spec: Record<string, unknown>) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a', namespace: NS }, spec: { hosts, ...spec } });
/** An http rule `r<i>` routing to Service b (so a rule's answer differs from a's default route). */
const toB = (i: number, match?: unknown[]) => ({ name: `r${i}`, ...(match ? { match } : {}), route: [{ destination: { host: 'b' } }] });
const HTTP80 = [{ name: 'http', port: 80, targetPort: 8080 }];

interface Case {
  readonly name: string;
  readonly objects: any[];
  readonly request: Partial<DiffRequest> & { readonly host: string };
  /** What Istio's source says the answer is. */
  readonly expected: RouteVerdict;
}

const DEFAULT_A: RouteVerdict = { rule: 'default', destinations: [`${FQDN}||100`] };
const RULE0_B: RouteVerdict = { rule: 0, destinations: [`b.${NS}.svc.cluster.local||100`] };

const CASES: Case[] = [
  // (a) a two-label host is a literal host
  { name: 'two-label host, HTTP port 80, Host a.shop → the VirtualService', objects: [...base(HTTP80), vs(['a.shop'], { http: [toB(0)] })], request: { host: 'a.shop', port: 80 }, expected: RULE0_B },
  { name: 'two-label host, HTTP port 80, Host = the Service FQDN → default route', objects: [...base(HTTP80), vs(['a.shop'], { http: [toB(0)] })], request: { host: FQDN, port: 80 }, expected: DEFAULT_A },
  { name: 'two-label host, HTTP port 80, short name a → default route', objects: [...base(HTTP80), vs(['a.shop'], { http: [toB(0)] })], request: { host: 'a', port: 80 }, expected: DEFAULT_A },
  {
    name: 'two-label host, HTTP port 8080, Host a.shop → default route (literal hosts bind port 80 only)',
    objects: [...base([{ name: 'http', port: 8080 }]), vs(['a.shop'], { http: [toB(0)] })],
    request: { host: 'a.shop', port: 8080 },
    expected: { rule: 'default', destinations: [`${FQDN}||100`] },
  },
  {
    name: 'two-label host, sniffed port 80, Host a.shop → default route (the route config keeps the Service\'s virtual host only)',
    objects: [...base([{ name: 'web', port: 80 }]), vs(['a.shop'], { http: [toB(0)] })],
    request: { host: 'a.shop', port: 80 },
    expected: DEFAULT_A,
  },
  { name: 'short host a, Host a.shop → the VirtualService', objects: [...base(HTTP80), vs(['a'], { http: [toB(0)] })], request: { host: 'a.shop', port: 80 }, expected: RULE0_B },
  // (b) no route left for the caller
  {
    name: 'every match names other callers by sourceLabels → default route',
    objects: [...base(HTTP80), vs(['a'], { http: [toB(0, [{ sourceLabels: { app: 'other' } }])] })],
    request: { host: FQDN, port: 80 },
    expected: DEFAULT_A,
  },
  {
    name: 'the caller the sourceLabels name → the rule',
    objects: [...base(HTTP80), vs(['a'], { http: [toB(0, [{ sourceLabels: { app: 'client' } }])] })],
    request: { host: FQDN, port: 80 },
    expected: RULE0_B,
  },
  {
    name: 'every match names another sourceNamespace or port → default route',
    objects: [...base(HTTP80), vs(['a'], { http: [toB(0, [{ sourceNamespace: 'elsewhere' }]), toB(1, [{ port: 9999 }])] })],
    request: { host: FQDN, port: 80 },
    expected: DEFAULT_A,
  },
  {
    name: 'a rule applies to the caller but does not match the request → 404',
    objects: [...base(HTTP80), vs(['a'], { http: [toB(0, [{ sourceLabels: { app: 'other' } }]), toB(1, [{ headers: { 'x-b': { exact: 'canary' } } }])] })],
    request: { host: FQDN, port: 80 },
    expected: { noRoute: true },
  },
  // (c) TCP ports
  {
    name: 'a tcp port: the http rules do not apply, the connection goes to the Service',
    objects: [...base([...HTTP80, { name: 'tcp', port: 9000 }]), vs(['a'], { http: [toB(0)] })],
    request: { host: FQDN, port: 9000 },
    expected: { tcp: true, destinations: [`${FQDN}||100`] },
  },
  {
    name: 'the http port of the same Service: the http rule applies',
    objects: [...base([...HTTP80, { name: 'tcp', port: 9000 }]), vs(['a'], { http: [toB(0)] })],
    request: { host: FQDN, port: 80 },
    expected: RULE0_B,
  },
  {
    name: 'a mongo port with appProtocol: TCP',
    objects: [...base([{ name: 'http-x', appProtocol: 'mongo', port: 27000 }]), vs(['a'], { http: [toB(0)] })],
    request: { host: FQDN, port: 27000 },
    expected: { tcp: true, destinations: [`${FQDN}||100`] },
  },
  {
    name: 'a tcp rule whose match names the caller and the port → its destination',
    objects: [...base([{ name: 'tcp', port: 9000 }]), vs(['a'], { tcp: [{ match: [{ port: 9001 }], route: [{ destination: { host: 'a', port: { number: 9000 } } }] }, { match: [{ sourceLabels: { app: 'client' }, port: 9000 }], route: [{ destination: { host: 'b', port: { number: 80 } } }] }] })],
    request: { host: FQDN, port: 9000 },
    expected: { tcp: true, destinations: [`b.${NS}.svc.cluster.local||100`] },
  },
  {
    name: 'no tcp rule matches the caller → the Service',
    objects: [...base([{ name: 'tcp', port: 9000 }]), vs(['a'], { tcp: [{ match: [{ sourceLabels: { app: 'other' } }], route: [{ destination: { host: 'b', port: { number: 80 } } }] }] })],
    request: { host: FQDN, port: 9000 },
    expected: { tcp: true, destinations: [`${FQDN}||100`] },
  },
];

describeConformance('Istio conformance: the simulator vs pilot on hand-written cases', () => {
  const results: Array<{ istio: RouteVerdict; ours: RouteVerdict }> = [];

  beforeAll(() => {
    if (SKIP) return;
    const requests = CASES.map((c) => ({ sourceNamespace: NS, sourceWorkload: 'client', sourceLabels: { app: 'client' }, method: 'GET', path: '/', headers: {}, port: 80, ...c.request }) as DiffRequest);
    const res = runBatch<{ answers: IstioRouteAnswer[] }>(CASES.map((c, i) => ({
      args: ['route', writeYaml(c.objects)],
      input: [{ source: { namespace: NS, workload: 'client' }, host: requests[i].host, port: requests[i].port, method: 'GET', path: '/' }],
    })));
    CASES.forEach((c, i) => {
      if (res[i].error !== undefined) throw new Error(`${c.name}: ${res[i].error}`);
      results.push({ istio: istioVerdict(res[i].result!.answers[0]), ours: ourVerdict(MeshSimulator.fromManifests(c.objects), requests[i]) });
    });
  }, 10 * 60_000);

  test.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    // GIVEN the set WHEN pilot and our simulator route the request THEN both give the answer Istio's source says
    expect(results[i]).toEqual({ istio: CASES[i].expected, ours: CASES[i].expected });
  });
});
