import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import { AMBIENT_VARIANT, buildReferenceApp } from '../examples/reference-app';
import { main } from '../examples/main';
import { DataPlaneMode, RoutingApi } from '../src';
import { collectFindings } from '../src/warnings';
import { one, synth } from './helpers';

const AMBIENT = { dataPlane: DataPlaneMode.AMBIENT, routingApi: RoutingApi.GATEWAY_API };

// GIVEN the reference app built twice from the same intent
const sidecarChart = Testing.chart();
buildReferenceApp(sidecarChart);
const sidecar = synth(sidecarChart);
const ambientChart = Testing.chart();
const app = buildReferenceApp(ambientChart, AMBIENT, AMBIENT_VARIANT);
const ambient = synth(ambientChart);

const ref = (name: string, weight?: number) => ({ group: '', kind: 'Service', name, port: 8080, ...(weight === undefined ? {} : { weight }) });
const kinds = (objects: any[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

describe('reference app, ambient + Gateway API variant', () => {
  test('without stating what it leaves out, the variant fails: retries are never dropped silently', () => {
    expect(() => buildReferenceApp(Testing.chart(), AMBIENT)).toThrow(/\[test\/OrderRoute\] retries: .* is invalid: retries are experimental in Gateway API v1\.5\.1/);
    expect(() => buildReferenceApp(Testing.chart(), AMBIENT, { retries: false })).toThrow(/\[test\/PaymentRateLimit\] props\.service: "payment-service" is invalid: local rate limiting is an EnvoyFilter/);
  });

  test('exactly these objects', () => {
    expect(kinds(ambient)).toEqual([
      'AuthorizationPolicy/default-deny',
      'AuthorizationPolicy/order-service-allow',
      'AuthorizationPolicy/order-service-ztunnel-allow',
      'AuthorizationPolicy/payment-service-allow',
      'AuthorizationPolicy/payment-service-ztunnel-allow',
      'AuthorizationPolicy/waypoint-default-deny',
      'Deployment/order-service-v1',
      'Deployment/order-service-v2',
      'Deployment/payment-service-v1',
      'DestinationRule/order-service-v1',
      'DestinationRule/order-service-v2',
      'DestinationRule/payment-service',
      'Gateway/waypoint',
      'HTTPRoute/order-service',
      'HTTPRoute/payment-service',
      'Namespace/production',
      'PeerAuthentication/default',
      'PeerAuthentication/payment-service',
      'PodDisruptionBudget/order-service-v1',
      'PodDisruptionBudget/order-service-v2',
      'PodDisruptionBudget/payment-service-v1',
      'Service/order-service',
      'Service/order-service-v1',
      'Service/order-service-v2',
      'Service/payment-service',
      'ServiceAccount/order-service',
      'ServiceAccount/payment-service',
      'Telemetry/mesh-default',
    ]);
  });

  test('namespace: ambient, using the waypoint; waypoint Gateway', () => {
    expect(one(ambient, 'Namespace', 'production').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
    expect(one(ambient, 'Gateway', 'waypoint').spec).toEqual({ gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] });
    expect(one(ambient, 'Gateway', 'waypoint').metadata.labels).toEqual({ 'istio.io/waypoint-for': 'service' });
  });

  test('order-service HTTPRoute: canary header, even user ids, then 90/10, each with 10s; no retries (AMBIENT_VARIANT)', () => {
    expect(one(ambient, 'HTTPRoute', 'order-service').spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'order-service', port: 8080 }],
      rules: [
        { name: 'canary', matches: [{ headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }] }], backendRefs: [ref('order-service-v2', 100)], timeouts: { request: '10s' } },
        { name: 'ab-even-users', matches: [{ headers: [{ name: 'x-user-id', type: 'RegularExpression', value: '^[0-9]*[02468]$' }] }], backendRefs: [ref('order-service-v2', 100)], timeouts: { request: '10s' } },
        { backendRefs: [ref('order-service-v1', 90), ref('order-service-v2', 10)], timeouts: { request: '10s' } },
      ],
    });
  });

  test('payment-service HTTPRoute: the Service itself, timeout 5s', () => {
    expect(one(ambient, 'HTTPRoute', 'payment-service').spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'payment-service', port: 8080 }],
      rules: [{ backendRefs: [ref('payment-service')], timeouts: { request: '5s' } }],
    });
  });

  test('the same matches, weights and timeouts as the sidecar VirtualServices', () => {
    const vs = one(sidecar, 'VirtualService', 'order-service').spec.http;
    const hr = one(ambient, 'HTTPRoute', 'order-service').spec.rules;
    expect(hr.map((r: any) => r.name)).toEqual(vs.map((r: any) => r.name));
    expect(hr.map((r: any) => r.timeouts.request)).toEqual(vs.map((r: any) => r.timeout));
    expect(hr.map((r: any) => r.backendRefs.map((b: any) => [b.name, b.weight])))
      .toEqual(vs.map((r: any) => r.route.map((d: any) => [`${d.destination.host}-${d.destination.subset}`, d.weight])));
    const headers = (m: any) => Object.entries(m.headers).map(([name, v]: [string, any]) => ({ name, type: v.exact ? 'Exact' : 'RegularExpression', value: v.exact ?? v.regex }));
    expect(hr.slice(0, 2).map((r: any) => r.matches.map((m: any) => m.headers))).toEqual(vs.slice(0, 2).map((r: any) => r.match.map(headers)));
    expect(one(ambient, 'HTTPRoute', 'payment-service').spec.rules[0].timeouts.request).toBe(one(sidecar, 'VirtualService', 'payment-service').spec.http[0].timeout);
  });

  test('pools: the host pools and the v1 override, on per-version hosts instead of subsets', () => {
    const dr = one(sidecar, 'DestinationRule', 'order-service').spec;
    // order-service's own host is never used (every rule goes to a version): not rendered (issue 22 item 3)
    expect(ambient.filter((o) => o.kind === 'DestinationRule' && o.metadata.name === 'order-service')).toEqual([]);
    expect(one(ambient, 'DestinationRule', 'order-service-v1').spec).toEqual({ host: 'order-service-v1', trafficPolicy: dr.subsets[0].trafficPolicy });
    expect(one(ambient, 'DestinationRule', 'order-service-v2').spec).toEqual({ host: 'order-service-v2', trafficPolicy: dr.trafficPolicy });
    expect(one(ambient, 'DestinationRule', 'payment-service').spec).toEqual(one(sidecar, 'DestinationRule', 'payment-service').spec);
  });

  test('authorization: the same rules, attached with targetRefs instead of selector', () => {
    for (const name of ['order-service-allow', 'payment-service-allow']) {
      const s = one(sidecar, 'AuthorizationPolicy', name).spec;
      const a = one(ambient, 'AuthorizationPolicy', name).spec;
      expect(a.rules).toEqual(s.rules);
      expect(a.action).toBe(s.action);
      expect(a.selector).toBeUndefined();
      expect(a.targetRefs).toEqual([{ group: '', kind: 'Service', name: name.replace(/-allow$/, '') }]);
    }
  });

  test('default deny, ztunnel and waypoint; mTLS PERMISSIVE mesh-wide and STRICT for payment-service with selector', () => {
    expect(one(ambient, 'AuthorizationPolicy', 'default-deny').spec).toEqual({ action: 'ALLOW' });
    for (const svc of ['order-service', 'payment-service']) {
      // Both allow rules use methods and paths (L7): ztunnel admits only the waypoint, which applied them.
      expect(one(ambient, 'AuthorizationPolicy', `${svc}-ztunnel-allow`).spec).toEqual({ selector: { matchLabels: { app: svc } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/production/sa/waypoint'] } }] }] });
    }
    expect(one(ambient, 'AuthorizationPolicy', 'waypoint-default-deny').spec).toEqual({ action: 'ALLOW', targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }] });
    expect(one(ambient, 'PeerAuthentication', 'default').spec).toEqual(one(sidecar, 'PeerAuthentication', 'default').spec);
    expect(one(ambient, 'PeerAuthentication', 'payment-service').spec).toEqual(one(sidecar, 'PeerAuthentication', 'payment-service').spec);
  });

  test('workloads: the same Deployments without sidecar annotations; Services route ingress through the waypoint', () => {
    for (const d of ambient.filter((o) => o.kind === 'Deployment')) {
      const s = one(sidecar, 'Deployment', d.metadata.name);
      expect(d.spec.template.metadata.annotations).toBeUndefined();
      expect(d.spec.template.spec).toEqual(s.spec.template.spec);
    }
    expect(one(ambient, 'Service', 'order-service').metadata.labels).toEqual({ 'app': 'order-service', 'istio.io/ingress-use-waypoint': 'true' });
    expect(one(ambient, 'Service', 'order-service').spec).toEqual(one(sidecar, 'Service', 'order-service').spec);
    expect(one(ambient, 'Telemetry', 'mesh-default').spec).toEqual(one(sidecar, 'Telemetry', 'mesh-default').spec);
  });

  test('only the CI1091 warnings (DestinationRules applied by the waypoint for every caller together; issue 22 item 3), and the intent objects agree', () => {
    expect(collectFindings(ambientChart).map((f) => `${f.code} ${f.path}`)).toEqual(['CI1091 test/OrderService', 'CI1091 test/PaymentService']);
    expect(app.production.waypoint).toBeDefined();
    expect(app.order.traffic.versionServices).toEqual(['v1', 'v2']);
  });

  test('main() writes the variant to ambient/, outside the sidecar app and the control-plane overlay', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ref-ambient-'));
    main(out);
    const docs = yaml.loadAll(fs.readFileSync(path.join(out, 'ambient', 'reference-app-ambient.k8s.yaml'), 'utf8')) as any[];
    expect(kinds(docs)).toEqual(kinds(ambient));
    const top = yaml.loadAll(fs.readFileSync(path.join(out, 'reference-app.k8s.yaml'), 'utf8')) as any[];
    expect(top.filter((o) => o.kind === 'HTTPRoute' || o.kind === 'Gateway')).toEqual([]);
  });
});

describe('reference app, ambient variant: structural schemas of the pinned CRDs', () => {
  // The validation layer runs the full checks (CEL, webhook, analyzers); this only guards the shapes.
  const Ajv = require('ajv');
  const schemas = {
    ...require('../imports/schemas/istio.json'),
    ...require('../imports/schemas/gateway-api.json'),
  } as Record<string, { schema: any }>;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
  const compiled = new Map<string, any>();
  const validator = (key: string) => compiled.get(key) ?? compiled.set(key, ajv.compile(schemas[key].schema)).get(key);
  for (const k of ['x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-map-type']) ajv.addKeyword(k);

  test.each(ambient.filter((o) => schemas[`${o.apiVersion}/${o.kind}`]).map((o) => [`${o.kind}/${o.metadata.name}`, o]))('%s matches its CRD schema', (_name, o: any) => {
    const validate = validator(`${o.apiVersion}/${o.kind}`);
    const ok = validate({ spec: o.spec });
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test('the schema check can fail: a Gateway API duration is not an Istio duration string', () => {
    const validate = validator('gateway.networking.k8s.io/v1/HTTPRoute');
    const r = one(ambient, 'HTTPRoute', 'order-service');
    const bad = { spec: { ...r.spec, rules: [{ ...r.spec.rules[0], timeouts: { request: '10 s' } }] } };
    expect(validate(bad)).toBe(false);
  });
});
