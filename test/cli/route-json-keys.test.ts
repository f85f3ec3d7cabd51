/**
 * The `route` and `authz` commands print every key docs/simulator.md lists in its "added" row, as the
 * MeshSimulator API returns them (the CLI dropped `port`, `tcp`, `fault`, `mirrors`, `rewrite`, `headers`,
 * `cors`, `delegate` and authz `shadow`; found by a consumer trial).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'yaml';
import { MeshSimulator, MeshTesting } from '../../src';
import { routeCommand } from '../../src/cli/simulate';
import { buildFeaturesApp } from '../../examples/features';
import { Testing } from 'cdk8s';

describe('route CLI output keeps the simulator answer keys', () => {
  const chart = Testing.chart();
  buildFeaturesApp(chart);
  const { manifests } = MeshTesting.synth(chart);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'route-json-'));
  fs.writeFileSync(path.join(dir, 'features.yaml'), manifests.map((m) => yaml.stringify(m)).join('---\n'));
  const sim = MeshSimulator.fromManifests(manifests);

  test.each<[string, string[], string]>([
    ['the two-port host on its HTTP port, with x-chaos (fault)', ['--host', 'catalog.storefront', '--port', '8080', '--header', 'x-chaos=on'], 'fault'],
    ['the two-port host under /v1/ (rewrite, mirrors, headers, cors)', ['--host', 'catalog.storefront', '--port', '8080', '--path', '/v1/items'], 'rewrite'],
  ])('%s: every key of the API answer is printed', (_what, args, effect) => {
    let out = '';
    const code = routeCommand({ out: (t) => (out += t), err: () => undefined }).run([dir, ...args]);
    expect(code).toBe(0);
    const printed = JSON.parse(out);
    const api: any = sim.route({ host: 'catalog.storefront', port: 8080, ...(args.includes('--path') ? { path: '/v1/items' } : { headers: { 'x-chaos': 'on' } }) });
    expect(printed.port).toBe(8080);
    expect(api[effect as string]).toBeDefined();
    expect(printed[effect as string]).toBeDefined();
    for (const k of ['port', 'tcp', 'fault', 'mirrors', 'rewrite', 'headers', 'cors', 'delegate', 'delegation']) {
      if (api[k] !== undefined) expect(printed[k]).toEqual(JSON.parse(JSON.stringify(api[k])));
    }
  });
});
