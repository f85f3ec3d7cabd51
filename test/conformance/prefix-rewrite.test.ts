/**
 * F14: what the simulator answers for a prefix rewrite, and where it and lint warn CI3011, checked
 * against the routes istiod generates (pilot's fake discovery server, conformance/istio route.go; the
 * forwarded path is Envoy's prefix_rewrite/regex_rewrite applied to the matched route, envoymatch.go
 * rewrittenPath). VirtualService: pilot/pkg/networking/core/route/route.go applyHTTPRouteDestination
 * writes rewrite.uri as prefix_rewrite after a plain prefix match, so the seam glues or doubles.
 * HTTPRoute: conversion.go trims the PathPrefix and ReplacePrefixMatch, route.go matches whole segments
 * (path_separated_prefix) and strips the prefix with a regex for "/": only PathPrefix "/" glues
 * (istio/istio#60182).
 */
import { MeshSimulator } from '../../src';
import { validateManifests } from '../../src/validation';
import { describeConformance, IstioRouteAnswer, runBatch, SKIP, writeYaml } from './harness';

const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } };
const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
const deploy = (name: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name, version: 'v1' } }, spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1', ports: [{ containerPort: 8080 }] }] } } },
});
const route = [{ destination: { host: 'web.shop.svc.cluster.local' } }];
const vsSet = [ns, svc('web'), deploy('web'), svc('client'), deploy('client'), {
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web', namespace: 'shop' },
  spec: {
    hosts: ['web.shop.svc.cluster.local'],
    http: [
      { name: 'glue', match: [{ uri: { prefix: '/v1/' } }], rewrite: { uri: '/api' }, route },
      { name: 'double', match: [{ uri: { prefix: '/v2' } }], rewrite: { uri: '/api/' }, route },
      { name: 'strip', match: [{ uri: { prefix: '/v3' } }], rewrite: { uri: '/' }, route },
      { name: 'fine', match: [{ uri: { prefix: '/v4/' } }], rewrite: { uri: '/api/' }, route },
      { name: 'default', rewrite: { uri: '/x' }, route },
    ],
  },
}];
const httpRoute = (name: string, value: string, replacePrefixMatch: string) => ({ matches: [{ path: { type: 'PathPrefix', value } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch } } }], backendRefs: [{ name, port: 80 }] });
const grSet = [ns, svc('web'), deploy('web'), svc('client'), deploy('client'), {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'shop' },
  spec: {
    parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }],
    rules: [httpRoute('web', '/v1', '/api/'), httpRoute('web', '/v2/', '/api'), httpRoute('web', '/v3', '/'), httpRoute('web', '/', '/foo')],
  },
}];
const VS_PATHS = ['/v1/users', '/v2/users', '/v3/users', '/v4/users', '/users?q=1'];
const GR_PATHS = ['/v1/users', '/v1', '/v2/users', '/v3/users', '/v3', '/test'];

describeConformance('Istio conformance: prefix rewrites (F14, CI3011)', () => {
  let answers: { vs: IstioRouteAnswer[]; gr: IstioRouteAnswer[] } | undefined;
  beforeAll(() => {
    if (SKIP) return;
    const req = (path: string) => ({ source: { namespace: 'shop', workload: 'client' }, host: 'web.shop.svc.cluster.local', port: 80, method: 'GET', path });
    const [vs, gr] = runBatch<{ answers: IstioRouteAnswer[] }>([
      { args: ['route', writeYaml(vsSet)], input: VS_PATHS.map(req) },
      { args: ['route', writeYaml(grSet)], input: GR_PATHS.map(req) },
    ]);
    if (vs.error !== undefined || gr.error !== undefined) throw new Error(`istio-conformance route: ${vs.error ?? gr.error}`);
    answers = { vs: vs.result!.answers, gr: gr.result!.answers };
  }, 10 * 60_000);

  test('GIVEN VirtualService prefix rewrites THEN the simulator forwards the path pilot\'s route does, and warns CI3011 exactly where the path is glued or doubled', () => {
    const sim = MeshSimulator.fromManifests(vsSet);
    const ours = VS_PATHS.map((path) => sim.route({ host: 'web.shop', path }));
    expect(answers!.vs.map((a) => a.rewrittenPath)).toEqual(['/apiusers', '/api//users', '//users', '/api/users', '/xusers?q=1']);
    expect(ours.map((a) => a.rewrite?.path)).toEqual(answers!.vs.map((a) => a.rewrittenPath));
    expect(ours.map((a) => a.warnings.some((w) => w.includes('CI3011')))).toEqual([true, true, true, false, true]);
    expect(validateManifests(vsSet.map((manifest) => ({ manifest }))).filter((f) => f.code === 'CI3011').map((f) => f.message.split(':')[0])).toEqual(['spec.http[0].match[0]', 'spec.http[1].match[0]', 'spec.http[2].match[0]', 'spec.http[4]']);
  });

  test('GIVEN HTTPRoute ReplacePrefixMatch THEN the simulator forwards the path pilot\'s route does, and only PathPrefix "/" glues (CI3011)', () => {
    const sim = MeshSimulator.fromManifests(grSet);
    const ours = GR_PATHS.map((path) => sim.route({ host: 'web.shop', path }));
    expect(answers!.gr.map((a) => a.rewrittenPath)).toEqual(['/api/users', '/api', '/api/users', '/users', '/', '/footest']);
    expect(ours.map((a) => a.rewrite?.path)).toEqual(answers!.gr.map((a) => a.rewrittenPath));
    expect(ours.map((a) => a.warnings.some((w) => w.includes('CI3011')))).toEqual([false, false, false, false, false, true]);
    expect(validateManifests(grSet.map((manifest) => ({ manifest }))).filter((f) => f.code === 'CI3011').map((f) => f.message.split(':')[0])).toEqual(['spec.rules[3].filters[0].urlRewrite.path.replacePrefixMatch']);
  });
});
