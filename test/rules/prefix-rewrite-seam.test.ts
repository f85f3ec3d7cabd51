/**
 * F14 (consumer trial): a prefix rewrite that glues two path segments together or doubles a slash.
 * One rule (src/rules/route.ts prefixRewriteSeam) used by the constructs (warning CI3011 at
 * construction), lint (CI3011 on VirtualService and HTTPRoute YAML) and the simulator (a warning
 * beside the rewritten path it answers).
 *
 * What Istio and Envoy do, Istio 1.30.3:
 * - pilot/pkg/networking/core/route/route.go `applyHTTPRouteDestination`: a VirtualService
 *   `rewrite.uri` becomes Envoy's `prefix_rewrite` as written; `TranslateRouteMatch` gives a rule or
 *   block without a uri condition the prefix `/`, and keeps a VirtualService prefix a plain prefix.
 *   Envoy's `prefix_rewrite` replaces the matched prefix literally (route_components.proto: "pay careful
 *   attention to the use of trailing slashes"): `/v1/` → `/api` makes `/v1/users` `/apiusers`.
 * - pilot/pkg/config/kube/gateway/conversion.go `createURIMatch` (PathPrefix loses one trailing '/',
 *   except `/`) and the URLRewrite conversion (`ReplacePrefixMatch` loses one trailing '/', empty
 *   becomes `/`); route.go makes a non-`/` PathPrefix a `path_separated_prefix` and strips the prefix
 *   with a regex for the replacement `/`. So for an HTTPRoute only PathPrefix `/` glues
 *   (istio/istio#60182: `/` + `/foo` turns `/test` into `/footest`).
 */
import { CanaryRoute, DelegateRoute, Destination, MeshNamespace, MeshSimulator, MeshTesting, Rewrite, StringMatch, HeaderMatch } from '../../src';
import { gatewayPrefixRewrite, prefixRewriteSeam } from '../../src/rules/route';
import { validateManifests } from '../../src/validation';
import { CHECKS } from '../../src/validation/codes';
import { meshChart, service } from '../helpers';

const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } };
const vs = (name: string, spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'shop' }, spec });
const route = [{ destination: { host: 'web' } }];
const ci3011 = (objects: any[]) => validateManifests(objects.map((manifest) => ({ manifest }))).filter((f) => f.code === 'CI3011');
const sim = (objects: any[]) => MeshSimulator.fromManifests(objects);

describe('the rule', () => {
  test.each([
    ['/v1/', '/api', 'glues the rest of the path on: /v1/users becomes /apiusers'],
    ['/', '/x', 'glues the rest of the path on: /users becomes /xusers'],
    ['/v1', '/api/', 'doubles the slash: /v1/users becomes /api//users'],
    ['/v1', '/', 'doubles the slash: /v1/users becomes //users'],
    ['', '/x/', 'doubles the slash: /users becomes /x//users'],
  ])('GIVEN prefix %p rewritten to %p THEN it %s', (prefix, to, what) => {
    expect(prefixRewriteSeam(prefix, to)).toContain(what);
  });

  test.each([['/v1/', '/api/'], ['/v1', '/api'], ['/v1/', '/'], ['/', '/'], ['/', '/x/'], ['/v1', '/api/v2']])('GIVEN prefix %p rewritten to %p THEN no problem (both end in / or neither)', (prefix, to) => {
    expect(prefixRewriteSeam(prefix, to)).toBeUndefined();
  });

  test('GIVEN an HTTPRoute ReplacePrefixMatch THEN it is judged as istiod converts it: only PathPrefix / glues', () => {
    expect(gatewayPrefixRewrite('/', '/foo')).toEqual({ prefix: '/', to: '/foo' });
    expect(gatewayPrefixRewrite('/', '/foo/')).toEqual({ prefix: '/', to: '/foo' });
    expect(gatewayPrefixRewrite('/v1/', '/api/')).toEqual({ prefix: '/v1', to: '/api' });
    expect(gatewayPrefixRewrite('/v1', '/')).toBeUndefined(); // regex strip
    expect(gatewayPrefixRewrite('/v1', '')).toBeUndefined();
    expect(prefixRewriteSeam('/', '/foo')).toContain('/users becomes /foousers');
    expect(prefixRewriteSeam('/v1', '/api')).toBeUndefined();
  });

  test('CI3011 is a documented warning', () => {
    expect(CHECKS.find((c) => c.code === 'CI3011')).toMatchObject({ level: 'warning' });
  });
});

describe('constructs', () => {
  test('GIVEN the trial\'s route (prefix /v1 → "/", catch-all → "/x") THEN CanaryRoute warns CI3011 for both, naming the props, and synth reports each once', () => {
    const { chart, ns: production } = meshChart();
    const web = service(chart, production, 'web', { versions: [{ name: 'v1' }, { name: 'v2' }] });
    new CanaryRoute(chart, 'Route', {
      service: web,
      rules: [{ name: 'a', match: [{ uri: StringMatch.prefix('/v1') }], destination: Destination.version('v2'), rewrite: Rewrite.uri('/') }],
      defaultDestination: Destination.version('v1'),
      defaultEffects: { rewrite: Rewrite.uri('/x') },
    });
    const { findings } = MeshTesting.synth(chart);
    const found = findings.filter((f) => f.code === 'CI3011');
    expect(found).toEqual([
      expect.objectContaining({ level: 'warning', path: 'test/Route', message: expect.stringMatching(/^props\.rules\[0\]: rewrite\.uri "\/" on the prefix "\/v1": .*\/v1\/users becomes \/\/users\. Hint: match the prefix "\/v1\/"/) }),
      expect.objectContaining({ level: 'warning', path: 'test/Route', message: expect.stringMatching(/^props\.defaultEffects: rewrite\.uri "\/x" on the prefix "\/": .*\/users becomes \/xusers\. Hint: rewrite to "\/x\/"/) }),
    ]);
    // lint of the same output says the same about spec.http (what `cdk8s-istio lint dist` prints)
    expect(ci3011(MeshTesting.synth(chart).manifests).map((f) => f.message.split(': ')[0])).toEqual(['spec.http[0].match[0]', 'spec.http[1]']);
  });

  test('GIVEN seams that fit (/v1/ → /, /v1 → /api, exact /old → /new, a header-only block → /x/) THEN no CI3011', () => {
    const { chart, ns: production } = meshChart();
    const web = service(chart, production, 'web', { versions: [{ name: 'v1' }, { name: 'v2' }] });
    new CanaryRoute(chart, 'Route', {
      service: web,
      rules: [
        { name: 'a', match: [{ uri: StringMatch.prefix('/v1/') }], destination: Destination.version('v2'), rewrite: Rewrite.uri('/') },
        { name: 'b', match: [{ uri: StringMatch.prefix('/v2') }], destination: Destination.version('v2'), rewrite: Rewrite.uri('/api') },
        { name: 'c', match: [{ uri: StringMatch.exact('/old') }], destination: Destination.version('v2'), rewrite: Rewrite.uri('/new/') },
        { name: 'd', match: [{ headers: [HeaderMatch.exact('x-a', '1')] }], destination: Destination.version('v2'), rewrite: Rewrite.uri('/x/') },
      ],
      defaultDestination: Destination.version('v1'),
    });
    const { manifests, findings } = MeshTesting.synth(chart);
    expect(findings.filter((f) => f.code === 'CI3011')).toEqual([]);
    expect(ci3011(manifests)).toEqual([]);
  });

  test('GIVEN a header-only match block rewritten to "/x" THEN the block matches the prefix "/" and the route warns', () => {
    const { chart, ns: production } = meshChart();
    const web = service(chart, production, 'web', { versions: [{ name: 'v1' }, { name: 'v2' }] });
    const route = new CanaryRoute(chart, 'Route', { service: web, defaultDestination: Destination.version('v1') });
    route.addRule({ name: 'h', match: [{ headers: [HeaderMatch.exact('x-a', '1')] }], destination: Destination.version('v2'), rewrite: Rewrite.uri('/x') });
    expect(MeshTesting.synth(chart).findings.filter((f) => f.code === 'CI3011')).toEqual([
      expect.objectContaining({ path: 'test/Route', message: expect.stringMatching(/^addRule\.rule: rewrite\.uri "\/x" on the prefix "\/"/) }),
    ]);
  });

  test('GIVEN a DelegateRoute rule with a prefix block and one inheriting the root\'s prefix THEN the construct warns the first, lint of the merged rules the second', () => {
    const { chart, mesh, ns: production } = meshChart();
    const web = service(chart, production, 'web', { versions: [{ name: 'v1' }, { name: 'v2' }] });
    const team = new MeshNamespace(chart, 'Team', { mesh, name: 'team' });
    new CanaryRoute(chart, 'Root', { service: web, delegates: [{ name: 'web-cart', namespace: team, match: [{ uri: StringMatch.prefix('/cart/') }] }], defaultDestination: Destination.version('v1') });
    new DelegateRoute(chart, 'Cart', {
      service: web, name: 'web-cart', namespace: team,
      rules: [{ name: 'items', match: [{ uri: StringMatch.prefix('/cart/items/') }], destination: Destination.version('v2'), rewrite: Rewrite.uri('/items') }],
      defaultDestination: Destination.version('v1'),
      defaultEffects: { rewrite: Rewrite.uri('/basket') },
    });
    const found = MeshTesting.synth(chart).findings.filter((f) => f.code === 'CI3011');
    expect(found).toEqual([
      expect.objectContaining({ path: 'test/Cart', message: expect.stringMatching(/^props\.rules\[0\]: rewrite\.uri "\/items" on the prefix "\/cart\/items\/"/) }),
      expect.objectContaining({ kind: 'VirtualService', namespace: 'team', name: 'web-cart', message: expect.stringMatching(/^spec\.http\[1\] \(merged with its root entry, VirtualService production\/web spec\.http\[0\]\): rewrite\.uri "\/basket" on the prefix "\/cart\/": .*\/cart\/users becomes \/basketusers/) }),
    ]);
  });
});

describe('lint', () => {
  test('GIVEN VirtualService prefix rewrites that glue or double THEN CI3011 per rule and prefix; exact and regex blocks and fitting seams pass', () => {
    const objects = [ns, svc, vs('web', {
      hosts: ['web'],
      http: [
        { match: [{ uri: { prefix: '/v1/' } }, { uri: { prefix: '/v1/' }, headers: { 'x-a': { exact: '1' } } }], rewrite: { uri: '/api' }, route },
        { match: [{ uri: { prefix: '/v2' } }], rewrite: { uri: '/api/' }, route },
        { match: [{ uri: { exact: '/v3' } }, { uri: { regex: '/v4/.*' } }], rewrite: { uri: '/api/' }, route },
        { match: [{ uri: { prefix: '/v5/' } }], rewrite: { uri: '/api/' }, route },
        { rewrite: { uri: '/x' }, route },
      ],
    })];
    expect(ci3011(objects).map((f) => [f.level, f.message.slice(0, f.message.indexOf(' Hint'))])).toEqual([
      ['warning', 'spec.http[0].match[0]: rewrite.uri "/api" on the prefix "/v1/": the matched prefix "/v1/" ends with \'/\' and the rewrite "/api" does not, so Envoy\'s prefix_rewrite glues the rest of the path on: /v1/users becomes /apiusers.'],
      ['warning', 'spec.http[1].match[0]: rewrite.uri "/api/" on the prefix "/v2": the matched prefix "/v2" does not end with \'/\' and the rewrite "/api/" does, so Envoy\'s prefix_rewrite doubles the slash: /v2/users becomes /api//users.'],
      ['warning', 'spec.http[4]: rewrite.uri "/x" on the prefix "/": the matched prefix "/" ends with \'/\' and the rewrite "/x" does not, so Envoy\'s prefix_rewrite glues the rest of the path on: /users becomes /xusers.'],
    ]);
  });

  test('GIVEN HTTPRoutes with ReplacePrefixMatch THEN CI3011 only for PathPrefix "/" (and a rule without matches), as istiod converts them', () => {
    const httpRoute = (name: string, rules: any[]) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'shop' }, spec: { parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }], rules } });
    const rw = (replacePrefixMatch: string) => [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch } } }];
    const backendRefs = [{ name: 'web', port: 80 }];
    const objects = [ns, svc, httpRoute('r', [
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], filters: rw('/foo/'), backendRefs },
      { matches: [{ path: { type: 'PathPrefix', value: '/v1' } }], filters: rw('/api/'), backendRefs },
      { matches: [{ path: { type: 'PathPrefix', value: '/v2/' } }], filters: rw('/api'), backendRefs },
      { matches: [{ path: { type: 'PathPrefix', value: '/v3' } }], filters: rw('/'), backendRefs },
      { filters: rw('/bar'), backendRefs },
    ])];
    expect(ci3011(objects).map((f) => f.message.slice(0, f.message.indexOf(': istiod')))).toEqual([
      'spec.rules[0].filters[0].urlRewrite.path.replacePrefixMatch: "/foo/" on PathPrefix "/"',
      'spec.rules[4].filters[0].urlRewrite.path.replacePrefixMatch: "/bar" on PathPrefix "/"',
    ]);
  });
});

describe('simulator', () => {
  test('GIVEN the trial\'s VirtualService (/v1 → "/", catch-all → "/x") THEN the rewritten paths are Envoy\'s and each answer warns CI3011', () => {
    const objects = [ns, svc, vs('web', { hosts: ['web'], http: [{ match: [{ uri: { prefix: '/v1' } }], rewrite: { uri: '/' }, route }, { rewrite: { uri: '/x' }, route }] })];
    const a = sim(objects).route({ host: 'web.shop', path: '/v1/foo' });
    expect(a.rewrite?.path).toBe('//foo');
    const seams = (w: string[]) => w.filter((x) => x.includes('CI3011'));
    expect(seams(a.warnings)).toEqual([expect.stringMatching(/^VirtualService\/shop\/web rule 0: rewrite\.uri "\/" on the prefix "\/v1": .*doubles the slash.*\(CI3011\); this request is forwarded as \/\/foo$/)]);
    const b = sim(objects).route({ host: 'web.shop', path: '/foo?q=1' });
    expect(b.rewrite?.path).toBe('/xfoo?q=1');
    expect(seams(b.warnings)).toEqual([expect.stringMatching(/rule 1: .*glues the rest of the path on.*forwarded as \/xfoo\?q=1$/)]);
    const good = [ns, svc, vs('web', { hosts: ['web'], http: [{ match: [{ uri: { prefix: '/v1/' } }], rewrite: { uri: '/' }, route }, { route }] })];
    const c = sim(good).route({ host: 'web.shop', path: '/v1/foo' });
    expect(c.rewrite?.path).toBe('/foo');
    expect(seams(c.warnings)).toEqual([]);
  });

  test('GIVEN HTTPRoute ReplacePrefixMatch THEN the simulator answers istiod\'s path (PathPrefix "/" + "/foo" glues) and warns only then', () => {
    const route = (value: string, replacePrefixMatch: string) => [ns, svc, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'shop' },
      spec: { parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }], rules: [{ matches: [{ path: { type: 'PathPrefix', value } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch } } }], backendRefs: [{ name: 'web', port: 80 }] }] } }];
    const seams = (w: string[]) => w.filter((x) => x.includes('CI3011'));
    const answer = (value: string, replace: string, path: string) => {
      const a = sim(route(value, replace)).route({ host: 'web.shop', path });
      return { path: a.rewrite?.path, seams: seams(a.warnings) };
    };
    const glued = sim(route('/', '/foo')).route({ host: 'web.shop', path: '/test' });
    expect(glued.rewrite?.path).toBe('/footest');
    expect(seams(glued.warnings)).toEqual([expect.stringMatching(/^HTTPRoute\/shop\/r rule 0: ReplacePrefixMatch "\/foo" on PathPrefix "\/" .*\/users becomes \/foousers \(CI3011\); this request is forwarded as \/footest$/)]);
    expect(answer('/v1', '/api/', '/v1/users')).toEqual({ path: '/api/users', seams: [] });
    expect(answer('/v1/', '/api', '/v1')).toEqual({ path: '/api', seams: [] });
    expect(answer('/v1', '/', '/v1/users?x=1')).toEqual({ path: '/users?x=1', seams: [] });
    expect(answer('/v1', '', '/v1')).toEqual({ path: '/', seams: [] });
    expect(answer('/', '/', '/a/b')).toEqual({ path: '/a/b', seams: [] });
  });
});
