import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { buildReferenceApp } from '../../examples/reference-app';
import { MeshSimulator, toYamlDocuments } from '../../src';
import { answers, referenceManifests } from './helpers';

/** Deep copy with every object's keys in reverse order. */
function reverseKeys(v: any): any {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object') {
    const out: any = {};
    for (const k of Object.keys(v).reverse()) out[k] = reverseKeys(v[k]);
    return out;
  }
  return v;
}

/** Rewrites every short host of VirtualServices and DestinationRules as an FQDN, and durations in ms. */
function fqdnHosts(objects: any[]): any[] {
  const fq = (h: string, ns: string) => (h.includes('.') ? h : `${h}.${ns}.svc.cluster.local`);
  const ms = (d: string) => `${parseInt(d, 10) * 1000}ms`;
  return objects.map((o) => {
    const c = JSON.parse(JSON.stringify(o));
    const ns = c.metadata.namespace;
    if (c.kind === 'VirtualService') {
      c.spec.hosts = c.spec.hosts.map((h: string) => fq(h, ns));
      for (const rule of c.spec.http) {
        for (const r of rule.route) r.destination.host = fq(r.destination.host, ns);
        if (rule.timeout) rule.timeout = ms(rule.timeout);
      }
    }
    if (c.kind === 'DestinationRule') c.spec.host = fq(c.spec.host, ns);
    return c;
  });
}

/** Rewrites short hosts as `<svc>.<ns>`. */
function svcNsHosts(objects: any[]): any[] {
  return objects.map((o) => {
    const c = JSON.parse(JSON.stringify(o));
    const ns = c.metadata.namespace;
    if (c.kind === 'VirtualService') {
      c.spec.hosts = c.spec.hosts.map((h: string) => `${h}.${ns}`);
      for (const rule of c.spec.http) for (const r of rule.route) r.destination.host = `${r.destination.host}.${ns}`;
    }
    return c;
  });
}

describe('the same content written differently gives identical answers', () => {
  // GIVEN the hand-written reference app
  const objects = referenceManifests();
  const expected = answers(MeshSimulator.fromManifests(objects));

  test('the baseline answers are the spec (sanity: not all the same)', () => {
    const a = expected as any;
    expect(new Set(a.routes.map((r: any) => r.rule))).toEqual(new Set([0, 1, 2]));
    expect(new Set(a.authz.map((r: any) => r.decision))).toEqual(new Set(['ALLOW', 'DENY']));
  });

  test('FQDN hosts and durations in milliseconds', () => {
    expect(answers(MeshSimulator.fromManifests(fqdnHosts(objects)))).toEqual(expected);
  });

  test('<svc>.<ns> hosts are not the same content: Istio takes a host with a dot as written (ResolveShortnameToFQDN)', () => {
    // GIVEN every VirtualService host and destination rewritten as <svc>.<ns>
    const a = answers(MeshSimulator.fromManifests(svcNsHosts(objects))) as any;
    // THEN no VirtualService binds the Services (port 8080 is not 80, and the literal hosts name no
    // Service: httproute.go BuildSidecarOutboundVirtualHosts), so every request takes the default route
    for (const r of a.routes) {
      expect(r).toMatchObject({ rule: undefined, timeout: null, retries: { default: true } });
      expect(r.destinations).toHaveLength(1);
    }
    expect(a).not.toEqual(expected);
  });

  test('keys reordered and objects in reverse order', () => {
    expect(answers(MeshSimulator.fromManifests(reverseKeys([...objects].reverse())))).toEqual(expected);
  });

  test('JSON files (one List, one array) instead of YAML, read from a folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-json-'));
    try {
      const half = Math.floor(objects.length / 2);
      fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects.slice(0, half) }));
      fs.mkdirSync(path.join(dir, 'nested'));
      fs.writeFileSync(path.join(dir, 'nested', 'b.json'), JSON.stringify(objects.slice(half)));
      fs.writeFileSync(path.join(dir, 'README.md'), 'not a manifest');
      expect(answers(MeshSimulator.fromFiles([dir], { recursive: true }))).toEqual(expected);
      // like kubectl apply -f <folder>, a folder alone means its own files: the nested half is missing
      expect(answers(MeshSimulator.fromFiles([dir]))).not.toEqual(expected);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('re-emitted by the project YAML emitter, as one multi-document text', () => {
    expect(answers(MeshSimulator.fromYaml(toYamlDocuments(objects)))).toEqual(expected);
  });

  test('the reference app synthesized by the constructs gives the same answers as the hand-written fixtures', () => {
    // GIVEN the whole reference app (workloads, traffic, security) built with the library's constructs
    const chart = Testing.chart();
    buildReferenceApp(chart);
    const synthesized = Testing.synth(chart);
    // THEN every route and authorization answer equals the one for the hand-written YAML of the spec
    expect(answers(MeshSimulator.fromManifests(synthesized))).toEqual(expected);
  });

  test('a changed weight does change the answers (the comparison can fail)', () => {
    const changed = JSON.parse(JSON.stringify(objects));
    const vs = changed.find((o: any) => o.kind === 'VirtualService' && o.metadata.name === 'order-service');
    vs.spec.http[2].route[0].weight = 80;
    vs.spec.http[2].route[1].weight = 20;
    expect(answers(MeshSimulator.fromManifests(changed))).not.toEqual(expected);
  });
});
