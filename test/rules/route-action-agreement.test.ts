/**
 * F18 (consumer trial): rules the constructs refuse are stated once (src/rules) and applied alike by
 * lint (CI3007–CI3010) and the simulator (a warning in the route answer), so hand-written YAML is
 * judged as the constructs judge their input.
 *
 * - redirect codes: Istio 1.30.3 `pilot/pkg/networking/core/route/route.go` translates 0/301, 302, 303,
 *   307, 308; any other code logs "Redirect Code %d is not yet supported" and drops the route's action
 *   (istiod's webhook accepts every 3xx, `pkg/config/validation/virtualservice.go`).
 * - `rewrite.uri`: Envoy's `prefix_rewrite` replaces the matched prefix with it as written (route.go
 *   `translateRoute` sets `PrefixRewrite`), so a value without '/' yields a path without one.
 * - one header in two operations of a headers block: the library refuses it (ambiguous).
 * - a delegate rule whose match leaves its root entry's: `pilot/pkg/model/virtualservice.go`
 *   `mergeHTTPMatchRequests`/`hasConflict` drop it.
 */
import { CanaryRoute, DelegateRoute, Destination, HeaderMutation, MeshNamespace, MeshSimulator, Redirect, Rewrite, StringMatch } from '../../src';
import { headerChangedOnce, repeatedHeaderOperations, rewriteUri, translatedRedirectCode } from '../../src/rules';
import { validateManifests } from '../../src/validation';
import { meshChart, service } from '../helpers';

const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } };
const vs = (name: string, spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'shop' }, spec });
const route = [{ destination: { host: 'web' } }];
const lint = (objects: any[]) => validateManifests(objects.map((manifest) => ({ manifest })));
const codes = (objects: any[], code: string) => lint(objects).filter((f) => f.code === code);
const sim = (objects: any[]) => MeshSimulator.fromManifests(objects.map((manifest) => ({ manifest } as any)).map((o) => o.manifest));

describe('redirect codes pilot does not translate', () => {
  test.each([[300], [304], [305], [306], [399]])('GIVEN redirectCode %p THEN the construct refuses it, lint warns CI3007, the simulator answers with a warning', (code) => {
    expect(translatedRedirectCode(code)).toMatch(/Envoy redirects only with 301, 302, 303, 307, 308; pilot drops a route with any other code/);
    expect(() => Redirect.to({ uri: '/x', code })).toThrow(/code: \d+ is invalid: Envoy redirects only with 301, 302, 303, 307, 308/);
    const objects = [ns, svc, vs('web', { hosts: ['web'], http: [{ match: [{ uri: { prefix: '/r' } }], redirect: { uri: '/x', redirectCode: code } }, { route }] })];
    expect(codes(objects, 'CI3007')).toEqual([expect.objectContaining({ level: 'warning', message: expect.stringContaining(`spec.http[0].redirect.redirectCode: ${code} is invalid`) })]);
    expect(sim(objects).route({ host: 'web.shop', path: '/r' }).warnings).toEqual([expect.stringMatching(new RegExp(`VirtualService/shop/web rule 0: redirectCode ${code}: Envoy redirects only with`))]);
  });

  test.each([[301], [302], [303], [307], [308]])('GIVEN redirectCode %p THEN accepted everywhere (no CI3007, no warning)', (code) => {
    expect(() => Redirect.to({ uri: '/x', code })).not.toThrow();
    const objects = [ns, svc, vs('web', { hosts: ['web'], http: [{ match: [{ uri: { prefix: '/r' } }], redirect: { uri: '/x', redirectCode: code } }, { route }] })];
    expect(codes(objects, 'CI3007')).toEqual([]);
    expect(sim(objects).route({ host: 'web.shop', path: '/r' }).warnings).toEqual([]);
  });
});

describe('rewrite.uri without a leading slash', () => {
  test('GIVEN rewrite.uri "x" THEN the construct refuses it, lint warns CI3008, the simulator warns; "/" passes all three', () => {
    expect(rewriteUri('x')).toBe("a rewritten path starts with '/' and has no whitespace");
    expect(rewriteUri('/')).toBeUndefined();
    expect(() => Rewrite.uri('x')).toThrow(/uri: "x" is invalid: a rewritten path starts with '\/'/);
    const bad = [ns, svc, vs('web', { hosts: ['web'], http: [{ match: [{ uri: { prefix: '/v1/' } }], rewrite: { uri: 'x' }, route }, { route }] })];
    expect(codes(bad, 'CI3008')).toEqual([expect.objectContaining({ level: 'warning', message: expect.stringContaining('spec.http[0].rewrite.uri: "x" is invalid') })]);
    expect(sim(bad).route({ host: 'web.shop', path: '/v1/a' }).warnings.filter((w) => w.includes('rule 0'))).toEqual([expect.stringContaining('rule 0: rewrite.uri "x": a rewritten path starts with \'/\'')]);
    const good = [ns, svc, vs('web', { hosts: ['web'], http: [{ match: [{ uri: { prefix: '/v1/' } }], rewrite: { uri: '/' }, route }, { route }] })];
    expect(codes(good, 'CI3008')).toEqual([]);
    expect(sim(good).route({ host: 'web.shop', path: '/v1/a' }).warnings.filter((w) => w.includes('rule 0'))).toEqual([]);
  });
});

describe('one header in two operations of a headers block', () => {
  test('GIVEN x-a in request.set and request.remove THEN the construct refuses it, lint warns CI3009, the simulator warns', () => {
    expect(headerChangedOnce('x-a', 'request', 'set')).toBe('header x-a is already in request.set (header names are case-insensitive)');
    expect(repeatedHeaderOperations('request', { set: { 'x-a': '1' }, add: { 'X-B': '2' }, remove: ['X-A', 'x-b', 'x-c'] }))
      .toEqual([{ op: 'remove', name: 'X-A', rule: expect.stringContaining('already in request.set') }, { op: 'remove', name: 'x-b', rule: expect.stringContaining('already in request.add') }]);
    expect(() => HeaderMutation.of({ request: { set: { 'x-a': '1' }, remove: ['x-a'] } })).toThrow(/request\.remove\[0\]: "x-a" is invalid: header x-a is already in request\.set/);
    const bad = [ns, svc, vs('web', { hosts: ['web'], http: [{ headers: { request: { set: { 'x-a': '1' }, remove: ['x-a'] } }, route }] })];
    expect(codes(bad, 'CI3009')).toEqual([expect.objectContaining({ level: 'warning', message: expect.stringContaining('spec.http[0].headers.request.remove: "x-a": header x-a is already in request.set') })]);
    expect(sim(bad).route({ host: 'web.shop', path: '/' }).warnings.filter((w) => w.includes('rule 0'))).toEqual([expect.stringContaining('headers.request.remove: header x-a is already in request.set')]);
    const good = [ns, svc, vs('web', { hosts: ['web'], http: [{ headers: { request: { set: { 'x-a': '1' } }, response: { remove: ['x-a'] } }, route }] })];
    expect(codes(good, 'CI3009')).toEqual([]);
  });
});

describe('a delegate rule that leaves its root entry\'s match', () => {
  const root = vs('shop', { hosts: ['web'], http: [{ match: [{ uri: { prefix: '/cart/' } }], delegate: { name: 'cart', namespace: 'shop' } }, { route }] });

  test('GIVEN the trial\'s delegate (rules prefix /other/ and regex /cart/.*) THEN lint warns CI3010 for each, and the simulator warns and falls through to the root\'s next rule', () => {
    const delegate = vs('cart', { http: [{ match: [{ uri: { prefix: '/other/' } }], route }, { match: [{ uri: { regex: '/cart/.*' } }], route }] });
    const found = codes([ns, svc, root, delegate], 'CI3010');
    expect(found.map((f) => f.message.slice(0, 20))).toEqual(['spec.http[0].match: ', 'spec.http[1].match: ']);
    expect(found[0]).toMatchObject({ level: 'warning', message: expect.stringContaining('root entry (VirtualService shop/shop spec.http[0]) never hands over: istiod drops it') });
    const answer = sim([ns, svc, root, delegate]).route({ host: 'web.shop', path: '/cart/1' });
    expect(answer).toMatchObject({ rule: 1, routedBy: 'VirtualService/shop/shop' });
    expect(answer.warnings).toEqual(expect.arrayContaining([expect.stringContaining('VirtualService/shop/cart rule 0 asks for requests its root entry')]));
  });

  test('GIVEN a delegate rule within the root match (a longer prefix) THEN no CI3010, and the construct accepts the same; one outside is refused by DelegateRoute', () => {
    const delegate = vs('cart', { http: [{ match: [{ uri: { prefix: '/cart/items/' } }], route }] });
    expect(codes([ns, svc, root, delegate], 'CI3010')).toEqual([]);
    const { chart, mesh, ns: production } = meshChart();
    const web = service(chart, production, 'web', { versions: [{ name: 'v1' }, { name: 'v2' }] });
    const team = new MeshNamespace(chart, 'Team', { mesh, name: 'team' });
    new CanaryRoute(chart, 'Root', { service: web, delegates: [{ name: 'web-cart', namespace: team, match: [{ uri: StringMatch.prefix('/cart/') }] }], defaultDestination: Destination.version('v1') });
    expect(() => new DelegateRoute(chart, 'Cart', { service: web, name: 'web-cart', namespace: team, rules: [{ name: 'other', match: [{ uri: StringMatch.prefix('/other/') }], destination: Destination.version('v2') }], defaultDestination: Destination.version('v2') }))
      .toThrow(/istiod drops the delegate rule otherwise/);
  });
});
