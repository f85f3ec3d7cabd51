/**
 * F15 (consumer trial, second part): a request routed through a delegate VirtualService was answered
 * with `rule` = the delegate's rule index while `routedBy` named the root, so `rule` could be read as
 * the root's. The answer keeps `rule`/`routedBy`/`delegate` as they were (backward compatible) and adds
 * `delegation`, which names the root and its `delegate` entry index, the delegate and its rule index,
 * and the match blocks the merged match joins (istiod's merge: pilot/pkg/model/virtualservice.go
 * `mergeHTTPMatchRequests`, Istio 1.30.3: each delegate match ANDed with each root match it does not
 * conflict with, in delegate-match order). The CLI prints the same object.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'yaml';
import { MeshSimulator } from '../../src';
import { routeCommand } from '../../src/cli/simulate';

const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } };
const vs = (name: string, namespace: string, spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace }, spec });
const to = (subset: string) => [{ destination: { host: 'web.shop.svc.cluster.local', subset } }];
const objects = [
  ns('shop'), ns('cart'), svc,
  vs('shop', 'shop', {
    hosts: ['web'],
    http: [
      { name: 'admin', match: [{ uri: { prefix: '/admin/' } }], route: to('v1') },
      { match: [{ uri: { prefix: '/cart/' } }, { uri: { prefix: '/basket/' } }], delegate: { name: 'cart', namespace: 'cart' } },
      { route: to('v1') },
    ],
  }),
  vs('cart', 'cart', {
    http: [
      { name: 'list', match: [{ uri: { exact: '/cart/list' } }], route: to('v1') },
      { name: 'v2', match: [{ headers: { 'x-v2': { exact: '1' } } }, { uri: { prefix: '/basket/v2/' } }], route: to('v2') },
      { name: 'rest', route: to('v1') },
    ],
  }),
];

describe('an answer through a delegate names both VirtualServices and whose index is whose', () => {
  const sim = MeshSimulator.fromManifests(objects);

  test('GIVEN /basket/v2/x THEN rule 1 is the delegate\'s rule, the root entry is rule 1 of the root, and the merged match joins root match 1 with delegate match 1', () => {
    const a = sim.route({ host: 'web.shop', path: '/basket/v2/x' });
    expect(a).toMatchObject({
      rule: 1,
      routedBy: 'VirtualService/shop/shop',
      delegate: 'VirtualService/cart/cart',
      delegation: { root: 'VirtualService/shop/shop', rootRule: 1, rootMatch: 1, delegate: 'VirtualService/cart/cart', delegateRule: 1, delegateMatch: 1 },
      destinations: [{ subset: 'v2' }],
    });
    // merged list of delegate rule 1: (x-v2 AND /cart/), (x-v2 AND /basket/), (/basket/v2/ AND /basket/): the third
    expect(a.match).toBe(2);
  });

  test('GIVEN /cart/x with x-v2: 1 THEN the header block of the delegate (match 0) under root match 0', () => {
    expect(sim.route({ host: 'web.shop', path: '/cart/x', headers: { 'x-v2': '1' } }).delegation).toEqual({
      root: 'VirtualService/shop/shop', rootRule: 1, rootMatch: 0, delegate: 'VirtualService/cart/cart', delegateRule: 1, delegateMatch: 0,
    });
  });

  test('GIVEN a delegate rule without a match THEN only the root entry\'s block is named', () => {
    const a = sim.route({ host: 'web.shop', path: '/basket/a' });
    expect(a.rule).toBe(2);
    expect(a.delegation).toEqual({ root: 'VirtualService/shop/shop', rootRule: 1, rootMatch: 1, delegate: 'VirtualService/cart/cart', delegateRule: 2 });
  });

  test('GIVEN a request the root answers itself THEN no delegation key (rule indexes routedBy)', () => {
    const a = sim.route({ host: 'web.shop', path: '/admin/x' });
    expect(a).toMatchObject({ rule: 0, routedBy: 'VirtualService/shop/shop' });
    expect(a.delegation).toBeUndefined();
    expect(a.delegate).toBeUndefined();
  });

  test('WHEN asked through the CLI THEN the printed answer carries the same delegation object, after delegate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'delegation-answer-'));
    try {
      fs.writeFileSync(path.join(dir, 'set.yaml'), objects.map((m) => yaml.stringify(m)).join('---\n'));
      let out = '';
      const code = routeCommand({ out: (t) => (out += t), err: () => undefined }).run([dir, '--host', 'web.shop', '--path', '/basket/v2/x']);
      expect(code).toBe(0);
      const printed = JSON.parse(out);
      expect(printed.delegation).toEqual(JSON.parse(JSON.stringify(sim.route({ host: 'web.shop', path: '/basket/v2/x' }).delegation)));
      const keys = Object.keys(printed);
      expect(keys.indexOf('delegation')).toBe(keys.indexOf('delegate') + 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
