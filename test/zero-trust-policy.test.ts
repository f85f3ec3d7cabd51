import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  callGraphOf,
  Condition,
  ExternalIdentity,
  HttpMethod,
  Mesh,
  MeshApp,
  MeshChart,
  MeshConfigError,
  MeshNamespace,
  MtlsMode,
  PathMatch,
  Risk,
  toYamlDocuments,
  ZeroTrustPolicy,
} from '../src';
import { collectFindings } from '../src/warnings';
import { IWorkloadIdentity, JwtRule, RequestAuthentication } from '../src';
import { meshChart, one, service, synth } from './helpers';

/** GIVEN a mesh with `production` holding order-service and payment-service. */
function twoServices(meshProps = {}) {
  const { chart, mesh, ns } = meshChart(meshProps);
  const order = service(chart, ns, 'order-service');
  const payment = service(chart, ns, 'payment-service');
  return { chart, mesh, ns, order, payment };
}

const INGRESS = ExternalIdentity.serviceAccount({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' });

function security(chart: any): any[] {
  return synth(chart).filter((o) => o.apiVersion === 'security.istio.io/v1');
}

describe('ZeroTrustPolicy: mTLS', () => {
  test('mesh-wide mode: PeerAuthentication "default" in the root namespace, without selector', () => {
    // GIVEN
    const { chart, mesh } = meshChart();
    // WHEN
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, meshMtls: MtlsMode.PERMISSIVE });
    // THEN
    const pa = one(security(chart), 'PeerAuthentication');
    expect(pa.metadata).toEqual({ name: 'default', namespace: 'istio-system' });
    expect(pa.spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });

  test('mesh-wide mode follows a custom root namespace', () => {
    const { chart, mesh } = meshChart({ rootNamespace: 'mesh-root' });
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, meshMtls: MtlsMode.STRICT });
    expect(one(security(chart), 'PeerAuthentication').metadata).toEqual({ name: 'default', namespace: 'mesh-root' });
  });

  test('without meshMtls there is no mesh-wide PeerAuthentication', () => {
    const { chart, mesh, ns } = meshChart();
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns }] });
    expect(security(chart).filter((o) => o.kind === 'PeerAuthentication')).toEqual([]);
  });

  test('namespace-wide mode: PeerAuthentication "default" in the namespace, without selector', () => {
    const { chart, mesh, ns } = meshChart();
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns, mtls: MtlsMode.STRICT, defaultDeny: false }] });
    const pa = one(security(chart), 'PeerAuthentication');
    expect(pa.metadata).toEqual({ name: 'default', namespace: 'production' });
    expect(pa.spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  test.each([MtlsMode.UNSET, MtlsMode.DISABLE, MtlsMode.PERMISSIVE, MtlsMode.STRICT])('per-workload mode %s selects app: <service> in its namespace', (mode) => {
    // GIVEN
    const { chart, mesh, payment } = twoServices();
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh });
    // WHEN
    zt.requireMtls(payment, mode);
    // THEN
    const pa = one(security(chart), 'PeerAuthentication', 'payment-service');
    expect(pa.metadata.namespace).toBe('production');
    expect(pa.spec).toEqual({ selector: { matchLabels: { app: 'payment-service' } }, mtls: { mode: mode.value } });
    expect(payment.security.mtls).toEqual({ mode: mode.value, portLevel: [] });
  });

  test('port-level modes are keyed by port, sorted, at the range ends 1 and 65535', () => {
    const { chart, mesh, payment } = twoServices();
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh });
    zt.requireMtls(payment, MtlsMode.STRICT, { portLevel: { 65535: MtlsMode.DISABLE, 1: MtlsMode.PERMISSIVE } });
    expect(one(security(chart), 'PeerAuthentication').spec).toEqual({
      selector: { matchLabels: { app: 'payment-service' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { 1: { mode: 'PERMISSIVE' }, 65535: { mode: 'DISABLE' } },
    });
  });

  test('port-level mTLS needs at least one entry', () => {
    const { chart, mesh, payment } = twoServices();
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh });
    expect(() => zt.requireMtls(payment, MtlsMode.STRICT, { portLevel: {} })).toThrow(/requireMtls.options.portLevel: \{\} is invalid: port-level mTLS needs at least one port entry/);
  });

  test.each(['0', '65536', '-1', 'http', '80.5'])('port-level key %p is refused', (key) => {
    const { chart, mesh, payment } = twoServices();
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh });
    expect(() => zt.requireMtls(payment, MtlsMode.STRICT, { portLevel: { [key]: MtlsMode.PERMISSIVE } as any })).toThrow(
      /\[.*ZeroTrust\] requireMtls.options.portLevel: ".*" is invalid: port-level mTLS keys are container ports, integers in 1..65535/,
    );
  });

  test('modes must be MtlsMode values', () => {
    const { chart, mesh, payment, ns } = twoServices();
    expect(() => new ZeroTrustPolicy(chart, 'Z1', { mesh, meshMtls: 'STRICT' as any })).toThrow(/props.meshMtls: "STRICT" is invalid: must be an MtlsMode/);
    const zt = new ZeroTrustPolicy(chart, 'Z2', { mesh });
    expect(() => zt.requireMtls(payment, 'STRICT' as any)).toThrow(/requireMtls.mode: "STRICT" is invalid/);
    expect(() => zt.requireMtls(payment, MtlsMode.STRICT, { portLevel: { 8080: 'STRICT' as any } })).toThrow(/portLevel.8080: "STRICT" is invalid/);
    expect(() => zt.addNamespace({ namespace: ns, mtls: 'STRICT' as any })).toThrow(/addNamespace.options.mtls: "STRICT" is invalid/);
  });

  test('a workload mode is set once', () => {
    const { chart, mesh, payment } = twoServices();
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh });
    zt.requireMtls(payment, MtlsMode.STRICT);
    expect(() => zt.requireMtls(payment, MtlsMode.PERMISSIVE)).toThrow(/\[test\/ZeroTrust\] mtls: "PERMISSIVE" is invalid: the mTLS mode of payment-service is already set by test\/ZeroTrust \(to STRICT\)/);
  });

  test('a service of another mesh is refused', () => {
    const { chart, mesh } = meshChart();
    const otherMesh = new Mesh(chart, 'Other');
    const otherNs = new MeshNamespace(chart, 'OtherNs', { mesh: otherMesh, name: 'other' });
    const stranger = service(chart, otherNs, 'stranger', { openTelemetry: { enabled: false } });
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh });
    expect(() => zt.requireMtls(stranger, MtlsMode.STRICT)).toThrow(/requireMtls.service: .* is invalid: the service belongs to another mesh/);
    expect(() => zt.addNamespace({ namespace: otherNs })).toThrow(/the namespace belongs to another mesh/);
  });

  test('effective mode: port level, then workload, then namespace, then mesh, then PERMISSIVE', () => {
    const { chart, mesh, ns, order, payment } = twoServices();
    expect(order.security.effectiveMtlsMode).toBe(MtlsMode.PERMISSIVE);
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, meshMtls: MtlsMode.DISABLE });
    expect(order.security.effectiveMtlsMode).toBe(MtlsMode.DISABLE);
    zt.addNamespace({ namespace: ns, mtls: MtlsMode.STRICT });
    expect(order.security.effectiveMtlsMode).toBe(MtlsMode.STRICT);
    zt.requireMtls(payment, MtlsMode.STRICT, { portLevel: { 8080: MtlsMode.PERMISSIVE } });
    expect(payment.security.effectiveMtlsMode).toBe(MtlsMode.PERMISSIVE);
  });
});

describe('ZeroTrustPolicy: default deny', () => {
  test('an ALLOW policy that matches nothing, without selector and without rules', () => {
    // GIVEN
    const { chart, mesh, ns } = meshChart();
    // WHEN
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns }] });
    // THEN
    const ap = one(security(chart), 'AuthorizationPolicy', 'default-deny');
    expect(ap.metadata.namespace).toBe('production');
    expect(ap.spec).toEqual({ action: 'ALLOW' });
    expect(zt.hasDefaultDeny(ns)).toBe(true);
    expect(zt.namespaces).toEqual(['production']);
  });

  test('the default deny survives YAML serialization (fast emitter and cdk8s emitter)', () => {
    const { chart, mesh, ns } = meshChart();
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns }] });
    const docs = parseAllDocuments(toYamlDocuments(Testing.synth(chart))).map((d) => d.toJS());
    expect(docs.find((o: any) => o.metadata.name === 'default-deny')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'default-deny', namespace: 'production' },
      spec: { action: 'ALLOW' },
    });
    const app = new MeshApp({ outdir: '/nonexistent' });
    const appChart = new MeshChart(app, 'c');
    const appMesh = new Mesh(appChart, 'Mesh');
    new ZeroTrustPolicy(appChart, 'ZeroTrust', { mesh: appMesh, namespaces: [{ namespace: new MeshNamespace(appChart, 'Prod', { mesh: appMesh, name: 'production' }) }] });
    expect(app.synthYaml()).toMatch(/name: default-deny\n  namespace: production\nspec:\n  action: ALLOW\n/);
  });

  test('defaultDeny: false renders no policy', () => {
    const { chart, mesh, ns } = meshChart();
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns, defaultDeny: false, mtls: MtlsMode.STRICT }] });
    expect(security(chart).filter((o) => o.kind === 'AuthorizationPolicy')).toEqual([]);
    expect(zt.hasDefaultDeny('production')).toBe(false);
  });

  test('an entry that does nothing is refused', () => {
    const { chart, mesh, ns } = meshChart();
    expect(() => new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns, defaultDeny: false }] })).toThrow(
      /props.namespaces\[0\]: "production" is invalid: the entry sets neither a default deny nor an mTLS mode/,
    );
  });

  test('the root namespace cannot take a namespace default deny (it would apply mesh-wide)', () => {
    const { chart, mesh } = meshChart();
    // Issue 18: the root namespace is refused as a MeshNamespace already (no mesh labels there), so it
    // never reaches ZeroTrustPolicy's own root check.
    expect(() => new MeshNamespace(chart, 'Root', { mesh, name: 'istio-system' })).toThrow(/\[test\/Root\] props\.name: "istio-system" is invalid: istio-system is the mesh root namespace/);
  });

  test('a namespace is secured once, and a mesh has one ZeroTrustPolicy', () => {
    const { chart, mesh, ns } = meshChart();
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns }] });
    expect(() => zt.addNamespace({ namespace: ns })).toThrow(/addNamespace.options.namespace: "production" is invalid: the namespace is already secured/);
    expect(() => new ZeroTrustPolicy(chart, 'Second', { mesh })).toThrow(/the mesh already has a ZeroTrustPolicy \(.*ZeroTrust\)/);
  });

  test('a namespace must be a namespace of the mesh (any IMeshNamespace; a name is not one)', () => {
    const { chart, mesh } = meshChart();
    expect(() => new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: 'production' as any }] })).toThrow(/props.namespaces\[0\].namespace: "production" is invalid: must be a namespace of the mesh: a MeshNamespace, an adopted one \(MeshNamespace\.fromName\) or another IMeshNamespace\. Hint: /);
  });
});

describe('allowFrom: typed allow rules', () => {
  test('every field: principal AND namespace, methods, paths, ports, conditions', () => {
    // GIVEN
    const { chart, order, payment } = twoServices();
    // WHEN
    payment.allowFrom(order, {
      methods: [HttpMethod.POST, HttpMethod.PUT],
      paths: [PathMatch.prefix('/api/payments/'), PathMatch.exact('/api/payments')],
      ports: [8080],
      when: [Condition.requestHeader('x-user-role').notValues('guest'), Condition.sourceIp().values('10.0.0.0/8')],
    });
    // THEN
    const ap = one(security(chart), 'AuthorizationPolicy', 'payment-service-allow');
    expect(ap.metadata.namespace).toBe('production');
    expect(ap.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'payment-service' } },
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/production/sa/order-service'], namespaces: ['production'] } }],
        to: [{ operation: { methods: ['POST', 'PUT'], paths: ['/api/payments/*', '/api/payments'], ports: ['8080'] } }],
        when: [
          { key: 'request.headers[x-user-role]', notValues: ['guest'] },
          { key: 'source.ip', values: ['10.0.0.0/8'] },
        ],
      }],
    });
  });

  test('without options the rule has only a source (no empty to/when)', () => {
    const { chart, order, payment } = twoServices();
    payment.allowFrom(order);
    expect(one(security(chart), 'AuthorizationPolicy').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/production/sa/order-service'], namespaces: ['production'] } }] },
    ]);
  });

  test('the principal uses the mesh trust domain and a custom ServiceAccount', () => {
    const { chart, ns } = meshChart({ trustDomain: 'example.org' });
    const caller = service(chart, ns, 'caller', { serviceAccountName: 'caller-sa' });
    const target = service(chart, ns, 'target');
    target.allowFrom(caller);
    expect(one(security(chart), 'AuthorizationPolicy').spec.rules[0].from[0].source.principals).toEqual(['example.org/ns/production/sa/caller-sa']);
  });

  test('an external identity restricts to its own namespace', () => {
    const { chart, order } = twoServices();
    order.allowFrom(INGRESS, { methods: [HttpMethod.GET] });
    expect(one(security(chart), 'AuthorizationPolicy').spec.rules[0].from).toEqual([
      { source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'], namespaces: ['istio-system'] } },
    ]);
  });

  test('one policy per target workload, one rule per edge, in call order', () => {
    const { chart, ns, order, payment } = twoServices();
    const audit = service(chart, ns, 'audit-service');
    payment.allowFrom(order, { methods: [HttpMethod.POST] });
    payment.allowFrom(audit, { methods: [HttpMethod.GET] });
    order.allowFrom(INGRESS);
    const policies = security(chart).filter((o) => o.kind === 'AuthorizationPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['order-service-allow', 'payment-service-allow']);
    const rules = one(policies, 'AuthorizationPolicy', 'payment-service-allow').spec.rules;
    expect(rules.map((r: any) => r.from[0].source.principals[0])).toEqual([
      'cluster.local/ns/production/sa/order-service',
      'cluster.local/ns/production/sa/audit-service',
    ]);
  });

  test('the same rule twice is refused', () => {
    const { order, payment } = twoServices();
    payment.allowFrom(order, { methods: [HttpMethod.POST] });
    expect(() => payment.allowFrom(order, { methods: [HttpMethod.POST] })).toThrow(/this ALLOW rule already exists on payment-service/);
  });

  // allowFrom takes the public IWorkloadIdentity interface ("public interfaces over concrete classes"):
  // an app's own implementation is accepted; its principal is derived, never typed.
  test("GIVEN an app's own IWorkloadIdentity class (a CronJob's identity) WHEN allowed THEN the rule names its principal and it is declared external", () => {
    class BatchIdentity implements IWorkloadIdentity {
      constructor(readonly identityNamespace: string, readonly serviceAccountName: string) {}
    }
    const { chart, payment } = twoServices();
    payment.allowFrom(new BatchIdentity('jobs', 'nightly-billing'), { methods: [HttpMethod.POST] });
    const objects = synth(chart);
    const policy = one(objects, 'AuthorizationPolicy', 'payment-service-allow');
    expect(policy.spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/jobs/sa/nightly-billing'], namespaces: ['jobs'] } }], to: [{ operation: { methods: ['POST'] } }] }]);
    expect(policy.metadata.annotations['validation.cdk8s-istio.io/external-principals']).toContain('cluster.local/ns/jobs/sa/nightly-billing');
  });

  test('GIVEN a plain object with the identity of a service of this mesh THEN it is that member (not external)', () => {
    const { chart, payment } = twoServices();
    payment.allowFrom({ serviceAccountName: 'order-service', identityNamespace: 'production' }, { methods: [HttpMethod.POST] });
    const policy = one(synth(chart), 'AuthorizationPolicy', 'payment-service-allow');
    expect(policy.spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/production/sa/order-service']);
    expect(policy.metadata.annotations?.['validation.cdk8s-istio.io/external-principals'] ?? '').not.toContain('order-service');
  });

  test('GIVEN an identity with a bad namespace or a non-identity THEN refused naming the property', () => {
    const { payment } = twoServices();
    expect(() => payment.allowFrom({ serviceAccountName: 'batch', identityNamespace: 'Jobs' })).toThrow(/allowFrom\.caller\.identityNamespace: "Jobs" is invalid: a namespace/);
    expect(() => payment.allowFrom({ serviceAccountName: 'bad/sa', identityNamespace: 'jobs' })).toThrow(/allowFrom\.caller\.serviceAccountName: "bad\/sa" is invalid: a ServiceAccount name/);
    expect(() => payment.allowFrom({ serviceAccountName: 5 } as any)).toThrow(/allowFrom\.caller: .* is invalid: a caller must be an IWorkloadIdentity.*Hint: declare external callers with ExternalIdentity/);
  });

  test('a caller of another mesh is refused', () => {
    const { chart, payment } = twoServices();
    const otherMesh = new Mesh(chart, 'Other');
    const otherNs = new MeshNamespace(chart, 'OtherNs', { mesh: otherMesh, name: 'other' });
    const stranger = service(chart, otherNs, 'stranger', { openTelemetry: { enabled: false } });
    expect(() => payment.allowFrom(stranger)).toThrow(/allowFrom.caller: ".*stranger" is invalid: the caller belongs to another mesh/);
  });

  test.each([
    ['methods', { methods: [] }],
    ['paths', { paths: [] }],
    ['ports', { ports: [] }],
    ['when', { when: [] }],
  ])('an empty %s list is refused', (field, options) => {
    const { order, payment } = twoServices();
    expect(() => payment.allowFrom(order, options as any)).toThrow(new RegExp(`allowFrom.options.${field}: \\[\\] is invalid: must be a non-empty list when given`));
  });

  test.each([1, 65535])('port %p is accepted (a port the service declares)', (port) => {
    const { chart, ns, order } = twoServices();
    const payment = service(chart, ns, 'edge-service', { ports: [{ name: 'http', port }] });
    payment.allowFrom(order, { ports: [port] });
    expect(one(security(chart), 'AuthorizationPolicy').spec.rules[0].to[0].operation.ports).toEqual([String(port)]);
  });

  test.each([0, 65536, 80.5, -1])('port %p is refused', (port) => {
    const { order, payment } = twoServices();
    expect(() => payment.allowFrom(order, { ports: [port] })).toThrow(/allowFrom.options.ports\[0\]: .* is invalid: a port must be an integer in 1..65535/);
  });

  test('untyped methods, paths and conditions are refused', () => {
    const { order, payment } = twoServices();
    expect(() => payment.allowFrom(order, { methods: ['POST' as any] })).toThrow(/methods\[0\]: "POST" is invalid: must be an HttpMethod/);
    expect(() => payment.allowFrom(order, { paths: ['/api/*' as any] })).toThrow(/paths\[0\]: "\/api\/\*" is invalid: must be a PathMatch/);
    expect(() => payment.allowFrom(order, { when: [{ key: 'source.ip', values: ['1.2.3.4'] } as any] })).toThrow(/when\[0\]: .* is invalid: must be a Condition/);
  });

  test('duplicates within a field are refused', () => {
    const { order, payment } = twoServices();
    expect(() => payment.allowFrom(order, { methods: [HttpMethod.GET, HttpMethod.GET] })).toThrow(/methods\[1\]: "GET" is invalid: listed twice/);
  });

  test('no allow rule, no AuthorizationPolicy for the workload', () => {
    const { chart } = twoServices();
    expect(security(chart)).toEqual([]);
  });
});

describe('PathMatch', () => {
  test.each([
    [PathMatch.exact('/api/orders'), '/api/orders'],
    [PathMatch.prefix('/api/orders/'), '/api/orders/*'],
    [PathMatch.suffix('.json'), '*.json'],
    [PathMatch.any(), '*'],
    [PathMatch.template('/api/{*}/items/{**}'), '/api/{*}/items/{**}'],
    [PathMatch.template('/api/{*}/'), '/api/{*}/'],
    [PathMatch.template('/{**}'), '/{**}'],
    [PathMatch.template('/api/{**}/items'), '/api/{**}/items'],
    [PathMatch.exact('/a%20b/c:d@e'), '/a%20b/c:d@e'],
  ])('%s renders as %p', (match, rendered) => {
    const { chart, order, payment } = twoServices();
    payment.allowFrom(order, { paths: [match] });
    expect(one(security(chart), 'AuthorizationPolicy').spec.rules[0].to[0].operation.paths).toEqual([rendered]);
  });

  test.each([
    [() => PathMatch.exact(''), /PathMatch.exact\] path: "" is invalid: a path must be a non-empty string/],
    [() => PathMatch.exact('api/orders'), /"api\/orders" is invalid: a path must start with '\/'. Hint: did you mean "\/api\/orders"\?/],
    [() => PathMatch.exact('/api/*'), /PathMatch.exact\] path: "\/api\/\*" is invalid: a path may contain only RFC 3986 path characters.*Hint: use PathMatch.prefix/],
    [() => PathMatch.exact('/api/{*}'), /Hint: use PathMatch.template/],
    [() => PathMatch.exact('/api?x=1'), /Hint: paths are matched without the query string/],
    [() => PathMatch.exact('/a b'), /a path may contain only RFC 3986 path characters/],
    [() => PathMatch.prefix(''), /PathMatch.prefix\] path: "" is invalid/],
    [() => PathMatch.prefix('/api/*'), /PathMatch.prefix\] path: "\/api\/\*" is invalid/],
    [() => PathMatch.suffix(''), /PathMatch.suffix\] suffix: "" is invalid: a path suffix must be a non-empty string/],
    [() => PathMatch.suffix('*.json'), /PathMatch.suffix\] suffix: "\*.json" is invalid/],
  ])('bad path %#', (make, message) => {
    expect(make).toThrow(MeshConfigError);
    expect(make).toThrow(message);
  });

  test.each([
    ['/api/{**}/{*}', /\{\*\*\} must be the last operator/],
    ['/api/{**}/{**}', /\{\*\*\} must be the last operator/],
    ['/api/x{*}', /segment "x\{\*\}" uses '\{' or '\}' beyond a whole-segment/],
    ['/api/{id}', /segment "\{id\}" uses '\{' or '\}'/],
    ['/api/{*', /segment "\{\*" uses/],
    ['/api//{*}', /must not contain empty segments/],
    ['/api/orders', /needs at least one \{\*\} or \{\*\*\} operator/],
    ['api/{*}', /a path template must be a string starting with '\/'/],
    ['', /a path template must be a string starting with '\/'/],
    ['/api/*/{*}', /segment "\*": a path may contain only RFC 3986 path characters/],
  ])('bad template %p', (template, message) => {
    expect(() => PathMatch.template(template)).toThrow(message);
  });
});

describe('HttpMethod', () => {
  test('static methods and extension methods', () => {
    expect([HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE].map(String)).toEqual(['GET', 'POST', 'DELETE']);
    expect(HttpMethod.of('PURGE').value).toBe('PURGE');
  });

  test.each([
    ['', /a non-empty string/],
    ['purge', /methods are matched case-sensitively and are upper case. Hint: did you mean "PURGE"\?/],
    ['GET POST', /must be an RFC 7230 token/],
  ])('HttpMethod.of(%p) is refused', (name, message) => {
    expect(() => HttpMethod.of(name)).toThrow(message);
  });
});

describe('Condition', () => {
  const render = (c: Condition) => {
    const { chart, order, payment } = twoServices();
    // A rule reading the end-user token needs a RequestAuthentication on the workload (without one it
    // never matches, which is an error at synth: model/edge-checks.ts).
    if (String(c).startsWith('request.auth.')) {
      new RequestAuthentication(chart, 'Jwt', { target: payment, jwtRules: [JwtRule.of({ issuer: 'https://issuer', jwksUri: 'https://issuer/jwks.json' })] });
    }
    payment.allowFrom(order, { when: [c] });
    return one(security(chart), 'AuthorizationPolicy').spec.rules[0].when[0];
  };

  test.each([
    [Condition.requestHeader('x-user-role').values('admin', 'ops'), { key: 'request.headers[x-user-role]', values: ['admin', 'ops'] }],
    [Condition.requestHeader('x-user-role').notValues('guest'), { key: 'request.headers[x-user-role]', notValues: ['guest'] }],
    [Condition.requestHeader('x-env').match({ values: ['prod*'], notValues: ['prod-eu'] }), { key: 'request.headers[x-env]', values: ['prod*'], notValues: ['prod-eu'] }],
    [Condition.sourceIp().values('10.0.0.1', '2001:db8::/32'), { key: 'source.ip', values: ['10.0.0.1', '2001:db8::/32'] }],
    [Condition.remoteIp().notValues('192.168.0.0/16'), { key: 'remote.ip', notValues: ['192.168.0.0/16'] }],
    [Condition.destinationIp().values('10.1.2.3'), { key: 'destination.ip', values: ['10.1.2.3'] }],
    [Condition.destinationPort(1, 65535), { key: 'destination.port', values: ['1', '65535'] }],
    [Condition.sourceNamespace().values('production', 'team-*'), { key: 'source.namespace', values: ['production', 'team-*'] }],
    [Condition.sourceServiceAccount().values('production/order-service'), { key: 'source.serviceAccount', values: ['production/order-service'] }],
    [Condition.sourceTrustDomain().values('cluster.local'), { key: 'source.trustDomain', values: ['cluster.local'] }],
    [Condition.requestAuthPrincipal().values('https://issuer/sub'), { key: 'request.auth.principal', values: ['https://issuer/sub'] }],
    [Condition.requestAuthAudiences().values('shop'), { key: 'request.auth.audiences', values: ['shop'] }],
    [Condition.requestAuthPresenter().values('web'), { key: 'request.auth.presenter', values: ['web'] }],
    [Condition.requestAuthClaim('groups').values('admins'), { key: 'request.auth.claims[groups]', values: ['admins'] }],
    [Condition.requestAuthClaim('a', 'b').values('x'), { key: 'request.auth.claims[a][b]', values: ['x'] }],
    [Condition.connectionSni().values('payments.example.com'), { key: 'connection.sni', values: ['payments.example.com'] }],
    [Condition.key('request.headers[x-tenant]').values('acme'), { key: 'request.headers[x-tenant]', values: ['acme'] }],
    [Condition.key('request.auth.claims[iss]').values('me'), { key: 'request.auth.claims[iss]', values: ['me'] }],
    [Condition.key('destination.port').notValues('9090'), { key: 'destination.port', notValues: ['9090'] }],
  ])('%s renders', (c, rendered) => {
    expect(render(c)).toEqual(rendered);
  });

  test('source identities render as principals with the mesh trust domain', () => {
    const { chart, ns, order, payment } = twoServices({ trustDomain: 'example.org' });
    const other = service(chart, ns, 'other');
    payment.allowFrom(order, { when: [Condition.sourceIdentityNotIn(other, INGRESS)] });
    expect(one(security(chart), 'AuthorizationPolicy').spec.rules[0].when).toEqual([
      { key: 'source.principal', notValues: ['example.org/ns/production/sa/other', 'example.org/ns/istio-system/sa/istio-ingressgateway-service-account'] },
    ]);
    expect(String(Condition.sourceIdentityIn(INGRESS))).toBe('source.principal in [istio-system/istio-ingressgateway-service-account]');
  });

  test.each([
    'request.path',
    'source.user',
    'request.headers',
    'request.header[x]',
    'source.ip[x]',
    'request.auth.claims',
    'request.auth.claims[]',
    'destination.name',
  ])('unknown key %p is refused', (key) => {
    expect(() => Condition.key(key)).toThrow(/\[Condition.key\] key: .* is invalid: (unknown condition key|bracketed keys take the form a\[b\])/);
  });

  test('experimental Envoy filter attributes are accepted, as Istio accepts them (pkg/config/security/security.go ValidateAttribute)', () => {
    expect(Condition.key('experimental.envoy.filters.network.mysql_proxy[db.table]').values('[update]').key).toBe('experimental.envoy.filters.network.mysql_proxy[db.table]');
  });

  test('source.principal must come from identities', () => {
    expect(() => Condition.key('source.principal')).toThrow(/principals are derived from identities, never typed as strings. Hint: use Condition.sourceIdentityIn/);
  });

  test.each([
    [() => Condition.requestHeader('x-user-role').values(), /needs at least one value or notValue/],
    [() => Condition.requestHeader('x-user-role').notValues(''), /notValues\[0\]: "" is invalid: a condition value must be a non-empty string/],
    [() => Condition.requestHeader('x-user-role').values('a', ''), /values\[1\]: "" is invalid/],
    [() => Condition.requestHeader(''), /Condition.requestHeader\] name: "" is invalid/],
    [() => Condition.requestHeader('x user'), /a header name must be an RFC 7230 token/],
    [() => Condition.sourceIp().values('10.0.0.256'), /must be an IP address or CIDR block/],
    [() => Condition.sourceIp().values('10.0.0.0/33'), /must be an IP address or CIDR block/],
    [() => Condition.remoteIp().values('example.com'), /must be an IP address or CIDR block/],
    [() => Condition.destinationPort(0), /ports\[0\]: 0 is invalid: a port must be an integer in 1..65535/],
    [() => Condition.destinationPort(65536), /ports\[0\]: 65536 is invalid/],
    [() => Condition.destinationPort(), /needs at least one value/],
    [() => Condition.key('destination.port').values('*'), /destination.port values must be ports/],
    [() => Condition.sourceNamespace().values('Prod'), /a namespace must be a DNS-1123 label/],
    [() => Condition.sourceTrustDomain().values('Bad_Domain'), /a trust domain must be a DNS-1123 subdomain/],
    [() => Condition.requestAuthClaim(), /a claim name is required/],
    [() => Condition.requestAuthClaim('a[b'), /a claim name must be non-empty, without brackets/],
    [() => Condition.sourceIdentityIn(), /at least one identity is required/],
  ])('bad condition %#', (make, message) => {
    expect(make).toThrow(MeshConfigError);
    expect(make).toThrow(message);
  });
});

describe('ExternalIdentity', () => {
  test('declares a ServiceAccount in a namespace', () => {
    expect(INGRESS.serviceAccountName).toBe('istio-ingressgateway-service-account');
    expect(INGRESS.identityNamespace).toBe('istio-system');
  });

  test.each([
    [{ namespace: '', serviceAccount: 'sa' }, /props.namespace: "" is invalid: a namespace must be a DNS-1123 label/],
    [{ namespace: 'Istio', serviceAccount: 'sa' }, /props.namespace: "Istio" is invalid/],
    [{ namespace: 'istio-system', serviceAccount: '' }, /props.serviceAccount: "" is invalid: a ServiceAccount name must be a DNS-1123 subdomain/],
    [{ namespace: 'istio-system', serviceAccount: 'a/b' }, /props.serviceAccount: "a\/b" is invalid/],
  ])('bad identity %#', (props, message) => {
    expect(() => ExternalIdentity.serviceAccount(props)).toThrow(message);
  });
});

describe('dangerous shapes need an accepted risk', () => {
  test('allow-all is refused without Risk.ALLOW_ALL, also with the wrong risk', () => {
    const { payment } = twoServices();
    expect(() => payment.security.allowAnyCaller({} as any)).toThrow(/allowAnyCaller.options.acceptRisk: undefined is invalid: an ALLOW rule without a source allows any caller.*Risk.ALLOW_ALL/);
    expect(() => payment.security.allowAnyCaller({ acceptRisk: Risk.DENY_ALL })).toThrow(/acceptRisk: "deny-all" is invalid/);
  });

  test('allow-all with the risk accepted is the empty rule {}', () => {
    const { chart, payment } = twoServices();
    payment.security.allowAnyCaller({ acceptRisk: Risk.ALLOW_ALL });
    expect(one(security(chart), 'AuthorizationPolicy').spec).toEqual({ selector: { matchLabels: { app: 'payment-service' } }, action: 'ALLOW', rules: [{}] });
    expect(payment.security.edges).toEqual([]);
  });

  test('any caller on some operations: a rule with only `to`', () => {
    const { chart, payment } = twoServices();
    payment.security.allowAnyCaller({ acceptRisk: Risk.ALLOW_ALL, methods: [HttpMethod.GET], paths: [PathMatch.exact('/health')] });
    expect(one(security(chart), 'AuthorizationPolicy').spec.rules).toEqual([{ to: [{ operation: { methods: ['GET'], paths: ['/health'] } }] }]);
  });

  test('ALLOW with notPrincipals/notNamespaces is refused without Risk.FAIL_OPEN_FOR_PLAINTEXT', () => {
    const { order, payment } = twoServices();
    expect(() => payment.security.allowAllExcept({ identities: [order] } as any)).toThrow(/ALLOW with notPrincipals\/notNamespaces fails open for plaintext callers.*Hint: list the callers you allow with allowFrom instead/);
  });

  test('ALLOW with negations, risk accepted', () => {
    const { chart, order, payment } = twoServices();
    payment.security.allowAllExcept({ acceptRisk: Risk.FAIL_OPEN_FOR_PLAINTEXT, identities: [order], namespaces: ['legacy'], methods: [HttpMethod.GET] });
    expect(one(security(chart), 'AuthorizationPolicy').spec.rules).toEqual([{
      from: [{ source: { notPrincipals: ['cluster.local/ns/production/sa/order-service'], notNamespaces: ['legacy'] } }],
      to: [{ operation: { methods: ['GET'] } }],
    }]);
  });

  test('ALLOW with negations must name something to exclude, with valid namespaces', () => {
    const { payment } = twoServices();
    expect(() => payment.security.allowAllExcept({ acceptRisk: Risk.FAIL_OPEN_FOR_PLAINTEXT })).toThrow(/name at least one excluded identity or namespace/);
    expect(() => payment.security.allowAllExcept({ acceptRisk: Risk.FAIL_OPEN_FOR_PLAINTEXT, namespaces: [''] })).toThrow(/namespaces\[0\]: "" is invalid/);
  });

  test('a DENY policy without rules is refused without Risk.DENY_ALL', () => {
    const { payment } = twoServices();
    expect(() => payment.security.denyAll({} as any)).toThrow(/denyAll.options.acceptRisk: undefined is invalid: a DENY policy without conditions denies every request/);
  });

  test('deny-all, risk accepted: DENY with one empty rule (Istio rejects DENY without rules)', () => {
    const { chart, payment } = twoServices();
    payment.security.denyAll({ acceptRisk: Risk.DENY_ALL });
    const ap = one(security(chart), 'AuthorizationPolicy', 'payment-service-deny');
    expect(ap.spec).toEqual({ selector: { matchLabels: { app: 'payment-service' } }, action: 'DENY', rules: [{}] });
  });
});

describe('identity checks at synth', () => {
  test('an ExternalIdentity that is really one of our services is refused (it would hide a call-graph edge)', () => {
    const { chart, payment } = twoServices();
    payment.allowFrom(ExternalIdentity.serviceAccount({ namespace: 'production', serviceAccount: 'order-service' }));
    expect(() => synth(chart)).toThrow(/caller: "production\/order-service" is invalid: this ExternalIdentity is the identity of TracedService .*order-service. Hint: pass the TracedService itself/);
  });

  test('a service named "default" with its own mode clashes with a namespace-wide PeerAuthentication', () => {
    const { chart, mesh, ns } = meshChart();
    const svc = service(chart, ns, 'default');
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns, mtls: MtlsMode.STRICT }] });
    zt.requireMtls(svc, MtlsMode.PERMISSIVE);
    expect(() => synth(chart)).toThrow(/would both render PeerAuthentication production\/default/);
  });
});

describe('denyFrom', () => {
  function warnings(chart: any): string[] {
    synth(chart);
    return collectFindings(chart).map((f) => `${f.code} ${f.path}`);
  }

  test('renders a DENY policy with the caller principal and namespace', () => {
    const { chart, order, payment } = twoServices();
    payment.security.denyFrom(order, { methods: [HttpMethod.DELETE] });
    expect(one(security(chart), 'AuthorizationPolicy', 'payment-service-deny').spec).toEqual({
      selector: { matchLabels: { app: 'payment-service' } },
      action: 'DENY',
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/production/sa/order-service'], namespaces: ['production'] } }],
        to: [{ operation: { methods: ['DELETE'] } }],
      }],
    });
  });

  test('a principal-based DENY on a workload that is not STRICT warns CI5001, once', () => {
    const { chart, order, payment } = twoServices();
    payment.security.denyFrom(order);
    synth(chart);
    expect(warnings(chart)).toEqual([`CI5001 ${payment.node.path}`]);
    expect(collectFindings(chart)[0].message).toMatch(/plaintext requests carry no principal and bypass the deny/);
  });

  test('no warning once the workload is STRICT (set after the deny)', () => {
    const { chart, mesh, order, payment } = twoServices();
    payment.security.denyFrom(order);
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh }).requireMtls(payment, MtlsMode.STRICT);
    expect(warnings(chart)).toEqual([]);
  });

  test('no warning when the namespace is STRICT; a warning when a port-level override opens the service port', () => {
    const { chart, mesh, ns, order, payment } = twoServices();
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns, mtls: MtlsMode.STRICT }] });
    payment.security.denyFrom(order);
    order.security.denyFrom(payment);
    zt.requireMtls(order, MtlsMode.STRICT, { portLevel: { 8080: MtlsMode.PERMISSIVE } });
    expect(warnings(chart)).toEqual([`CI5001 ${order.node.path}`]);
  });

  test('ALLOW rules by principal on a DISABLE workload warn CI5002', () => {
    const { chart, mesh, order, payment } = twoServices();
    new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, meshMtls: MtlsMode.DISABLE });
    payment.allowFrom(order);
    expect(warnings(chart)).toEqual([`CI5002 ${payment.node.path}`]);
  });
});

describe('call graph', () => {
  test('edges list caller identity → target service with the rule, per service and mesh-wide', () => {
    // GIVEN
    const { chart, mesh, ns, order, payment } = twoServices();
    const zt = new ZeroTrustPolicy(chart, 'ZeroTrust', { mesh, namespaces: [{ namespace: ns }] });
    // WHEN
    payment.allowFrom(order, { methods: [HttpMethod.POST] });
    order.allowFrom(INGRESS);
    payment.security.allowAnyCaller({ acceptRisk: Risk.ALLOW_ALL, paths: [PathMatch.exact('/health')] });
    // THEN
    const show = (edges: typeof zt.edges) => edges.map((e) => `${e.caller.namespace}/${e.caller.serviceAccount} -> ${e.target.name}`);
    expect(show(zt.edges)).toEqual(['istio-system/istio-ingressgateway-service-account -> order-service', 'production/order-service -> payment-service']);
    expect(show(callGraphOf(mesh))).toEqual(show(zt.edges));
    expect(payment.security.edges).toHaveLength(1);
    expect(payment.security.edges[0].caller).toEqual({ namespace: 'production', serviceAccount: 'order-service' });
    expect(payment.security.edges[0].rule.operation).toEqual({ methods: ['POST'], paths: [], ports: [] });
  });
});
