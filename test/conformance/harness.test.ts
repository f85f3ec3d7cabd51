/**
 * The conformance harness itself: each command on small inputs whose Istio answer is known from
 * Istio's source, so the other conformance tests rest on a harness that can fail.
 */
import { AnalyzeOutput, crdFiles, describeConformance, IstioRouteAnswer, runBatch, runOne, ValidateOutput, writeYaml } from './harness';

const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio-injection': 'enabled' } } });
const svc = (name: string, namespace: string, port = 8080) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort: port }] },
});
const deploy = (name: string, namespace: string, version: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: `${name}-${version}`, namespace },
  spec: {
    selector: { matchLabels: { app: name, version } },
    template: { metadata: { labels: { app: name, version } }, spec: { containers: [{ name, image: `registry.example.com/${name}:1` }] } },
  },
});

describeConformance('Istio conformance harness', () => {
  test('GIVEN a VirtualService with an invalid regex and a bad weight WHEN validated THEN the webhook rejects it, and accepts a valid one', () => {
    const file = writeYaml([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'bad', namespace: 'shop' },
        // pkg/config/validation/virtualservice.go: regex must compile as RE2; weights may not be negative.
        spec: { hosts: ['a'], http: [{ match: [{ uri: { regex: '(?=x)' } }], route: [{ destination: { host: 'a' }, weight: -1 }] }] },
      },
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'good', namespace: 'shop' }, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }] } },
      svc('a', 'shop'),
    ]);
    const out = runOne<ValidateOutput>({ args: ['validate', ...crdFiles().flatMap((f) => ['--crds', f]), file] });
    const [bad, good, service] = out.objects;
    expect(bad).toMatchObject({ kind: 'VirtualService', name: 'bad', webhook: true, crdSchema: true });
    expect(bad.errors.filter((e) => e.source === 'webhook').map((e) => e.message).join('\n')).toMatch(/regex|weight/);
    expect(good).toMatchObject({ name: 'good', webhook: true, errors: [] });
    expect(service).toMatchObject({ kind: 'Service', webhook: false, crdSchema: false, errors: [] });
  });

  test('GIVEN a DestinationRule with an unknown field WHEN validated against the CRDs THEN the schema check reports it', () => {
    const file = writeYaml([{ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'shop' }, spec: { host: 'a', bogus: 1 } }]);
    const out = runOne<ValidateOutput>({ args: ['validate', ...crdFiles().flatMap((f) => ['--crds', f]), file] });
    expect(out.objects[0].errors.map((e) => `${e.source}: ${e.message}`).join('\n')).toMatch(/crd-schema: .*bogus/);
  });

  test('GIVEN a VirtualService to a missing host and a subset no DestinationRule defines WHEN analyzed THEN Istio reports IST0101 on it', () => {
    const file = writeYaml([
      ns('shop'),
      svc('a', 'shop'),
      deploy('a', 'shop', 'v1'),
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'a', namespace: 'shop' },
        spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'nowhere' } }] }] },
      },
    ]);
    const out = runOne<AnalyzeOutput>({ args: ['analyze', file] });
    expect(out.executed.length).toBeGreaterThan(20);
    expect(out.messages).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'IST0101', level: 'Error', resource: 'VirtualService shop/a' })]));
  });

  test('GIVEN header, withoutHeaders and weighted rules WHEN routed THEN the route and clusters are what Envoy would pick', () => {
    const file = writeYaml([
      ns('shop'),
      svc('a', 'shop'),
      deploy('a', 'shop', 'v1'),
      deploy('a', 'shop', 'v2'),
      svc('client', 'shop', 80),
      deploy('client', 'shop', 'v1'),
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'a', namespace: 'shop' },
        spec: { host: 'a', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'a', namespace: 'shop' },
        spec: {
          hosts: ['a'],
          http: [
            { name: 'canary', match: [{ headers: { 'x-canary': { exact: 'true' } } }], route: [{ destination: { host: 'a', subset: 'v2' } }] },
            // Istio sets treat_missing_header_as_empty on withoutHeaders (route.go TranslateRouteMatch): a missing header matches.
            { name: 'not-bob', match: [{ withoutHeaders: { 'x-user': { exact: 'bob' } } }], route: [{ destination: { host: 'a', subset: 'v1' } }] },
            { name: 'split', route: [{ destination: { host: 'a', subset: 'v1' }, weight: 90 }, { destination: { host: 'a', subset: 'v2' }, weight: 10 }] },
          ],
        },
      },
    ]);
    const from = { namespace: 'shop', workload: 'client-v1' };
    const host = 'a.shop.svc.cluster.local';
    const res = runBatch<{ answers: IstioRouteAnswer[] }>([
      {
        args: ['route', file],
        input: [
          { source: from, host, headers: { 'x-canary': 'true' } },
          { source: from, host },
          { source: from, host, headers: { 'x-user': 'bob' } },
          { source: from, host: 'client.shop.svc.cluster.local' },
        ],
      },
    ]);
    expect(res[0].error).toBeUndefined();
    const [canary, missing, bob, noVs] = res[0].result!.answers;
    expect(canary).toMatchObject({ route: 'canary', routedBy: 'VirtualService shop/a', clusters: [{ host, subset: 'v2', port: 8080, weight: 100 }] });
    expect(missing).toMatchObject({ route: 'not-bob', clusters: [{ subset: 'v1' }] });
    // pilot's own simulation matches on the path only: it picks the first rule whatever the headers.
    expect(missing.pilotRoute).toBe('canary');
    expect(bob).toMatchObject({ route: 'split', clusters: [{ subset: 'v1', weight: 90 }, { subset: 'v2', weight: 10 }] });
    expect(noVs).toMatchObject({ route: 'default', clusters: [{ name: 'outbound|80||client.shop.svc.cluster.local', weight: 100 }] });
  });

  test('GIVEN a request to an unknown workload WHEN routed THEN the answer says so', () => {
    const file = writeYaml([svc('a', 'shop')]);
    const [r] = runBatch<{ answers: IstioRouteAnswer[] }>([{ args: ['route', file], input: [{ source: { namespace: 'shop', workload: 'ghost' }, host: 'a.shop.svc.cluster.local' }] }]);
    expect(r.result!.answers[0].error).toMatch(/ghost/);
  });

  test('GIVEN a bad command WHEN run in a batch THEN its error is reported and the other jobs still answer', () => {
    const file = writeYaml([svc('a', 'shop')]);
    const res = runBatch([{ args: ['nonsense'] }, { args: ['analyze', '--analyzer', 'nope', file] }, { args: ['analyze', file] }]);
    expect(res[0].error).toMatch(/unknown command/);
    expect(res[1].error).toMatch(/unknown analyzer "nope"/);
    expect(res[2].result).toMatchObject({ messages: expect.any(Array) });
  });
});
