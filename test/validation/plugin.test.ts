import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MeshValidationPlugin } from '../../src/validation/plugin';
import { buildLib, CATALOG_DIR } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'plugin-app');

function synth(variant: 'good' | 'bad') {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `plugin-app-${variant}-`));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade', '-o', out], {
    cwd: FIXTURE,
    encoding: 'utf8',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', VARIANT: variant },
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}`, out };
}

describe('MeshValidationPlugin in a real `cdk8s synth`', () => {
  beforeAll(() => buildLib(), 120_000);

  test('the good variant synthesizes and the report succeeds', () => {
    // GIVEN a plain cdk8s app naming the plugin in cdk8s.yaml WHEN synthesized
    const r = synth('good');
    // THEN synth succeeds, the report is a success, and the IST0118 suppression (with a reason) applied
    expect(r.output).toMatch(/Status\s+│ success/);
    expect(r.output).toContain('Validations ended succesfully');
    expect(r.output).not.toContain('IST0118');
    expect(r.status).toBe(0);
  }, 60_000);

  test('the bad variant fails synth, naming the code, field and construct path', () => {
    const r = synth('bad');
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/Status\s+│ failure/);
    expect(r.output).toContain('CI2118 (error)');
    expect(r.output).toContain('spec.http[0].retries.retryOn: "5xx, reset" is invalid');
    expect(r.output).toContain('Construct Path: shop/vs');
    expect(r.output).toContain('Validation failed');
  }, 60_000);
});

describe('MeshValidationPlugin.validate', () => {
  function fakeContext(files: string[]) {
    const violations: any[] = [];
    let summary: any;
    return {
      ctx: {
        manifests: files,
        report: { addViolation: (v: any) => violations.push(v), submit: (status: any, metadata: any) => (summary = { status, metadata }) },
      },
      violations,
      summary: () => summary,
    };
  }

  test('groups findings by code and fails on errors', async () => {
    const c = fakeContext([path.join(CATALOG_DIR, 'vs-duplicate-host.yaml')]);
    await new MeshValidationPlugin().validate(c.ctx);
    expect(c.summary().status).toBe('failure');
    const v = c.violations.find((x) => x.ruleName.startsWith('CI2106 (error)'));
    expect(v.violatingResources[0].locations[0]).toMatch(/^VirtualService\/shop\/cart: spec.hosts\[1\]: duplicate host "cart"/);
  });

  test('a suppression without a reason fails', async () => {
    const c = fakeContext([path.join(CATALOG_DIR, 'ist0118-port-name.yaml')]);
    await new MeshValidationPlugin({ suppress: [{ code: 'IST0118', reason: ' ' }] }).validate(c.ctx);
    expect(c.summary().status).toBe('failure');
    expect(c.violations.map((x) => x.ruleName.split(' ')[0])).toEqual(['CI9001', 'IST0118']);
  });
});

describe('MeshValidationPlugin names same-named objects apart', () => {
  // cdk8s-cli's own report: it looks each violating resource's name up in the construct metadata
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  // (its package exports do not list the module: loaded by path)
  const { ValidationContext } = require(path.join(ROOT, 'node_modules', 'cdk8s-cli', 'lib', 'plugins', 'validation.js'));

  /** GIVEN a deployed gateway (Deployment, Service, ServiceAccount, Role, RoleBinding all named shop-ingress), written without validation as a plain app would be. */
  function gatewayOutput(): { files: string[]; metadata: Record<string, { path: string }> } {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const src = require('../../src') as typeof import('../../src');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OTEL } = require('../helpers') as typeof import('../helpers');
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-names-'));
    const app = new src.MeshApp({ outdir, validation: false, recordConstructMetadata: true, keepLastGoodOutput: false, log: () => undefined });
    const chart = new src.MeshChart(app, 'shop');
    const mesh = new src.Mesh(chart, 'Mesh', { tracing: { provider: OTEL, samplingPercentage: 10 } });
    const ns = new src.MeshNamespace(chart, 'Production', { mesh, name: 'production' });
    const order = new src.TracedService(chart, 'order-service', { namespace: ns, name: 'order-service', imageRepository: 'registry.example.com/order-service', versions: [{ name: 'v1' }] });
    const gw = new src.IngressGateway(chart, 'Gw', {
      mesh, name: 'shop-gateway', hosts: ['shop.example.com'], tls: src.GatewayTls.simple('shop-tls'),
      workload: src.IngressWorkload.deployed({ namespace: 'production', name: 'shop-ingress' }),
    });
    gw.expose(order, { paths: [src.RoutePath.prefix('/api/orders')] });
    app.synth();
    // as cdk8s-cli loads it (ValidationPlugin.loadConstructMetadata)
    const json = JSON.parse(fs.readFileSync(path.join(outdir, 'construct-metadata.json'), 'utf8'));
    const metadata = Object.fromEntries(Object.entries(json.resources).map(([k, v]: [string, any]) => [k, { path: v.path }]));
    return { files: fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(outdir, f)), metadata };
  }

  async function report(files: string[], metadata: Record<string, { path: string }>) {
    const context = new ValidationContext(files, 'cdk8s-istio', '0.0.0', metadata, false);
    await new MeshValidationPlugin().validate(context);
    const rows: string[] = [];
    for (const v of context.report.toJson().violations) {
      for (const c of v.violatingConstructs) rows.push(`${v.ruleName.split(' ')[0]} ${c.resourceName} -> ${c.constructPath ?? 'N/A'}`);
    }
    return rows.sort();
  }

  test('GIVEN MeshApp\'s construct metadata WHEN the plugin reports THEN each object is named Kind/namespace/name and cdk8s shows its own construct path', async () => {
    const { files, metadata } = gatewayOutput();
    // the name key is ambiguous: five objects share it
    expect(metadata['shop-ingress']).toBeDefined();
    const rows = await report(files, metadata);
    expect(rows).toEqual(expect.arrayContaining([
      'CI1000 Role/production/shop-ingress -> shop/Gw/Role',
      'CI1000 RoleBinding/production/shop-ingress -> shop/Gw/RoleBinding',
      'IST0101 Gateway/istio-system/shop-gateway -> shop/Gw/Resource',
      'IST0146 Deployment/production/shop-ingress -> shop/Gw/Deployment',
    ]));
    // AND every path cdk8s shows is the path of that very object
    for (const r of rows) {
      const [, id, , p] = r.split(' ');
      expect(metadata[id]?.path).toBe(p);
    }
  }, 60_000);

  test('GIVEN cdk8s\'s own name-keyed metadata WHEN names are shared THEN only the object cdk8s\'s entry belongs to shows a path, never another object\'s; a unique name keeps cdk8s\'s key', async () => {
    const { files, metadata } = gatewayOutput();
    const byName = Object.fromEntries(Object.entries(metadata).filter(([k]) => !k.includes('/')));
    const rows = await report(files, byName);
    // a unique name: cdk8s's own key, and its path
    expect(rows).toContain('IST0101 shop-gateway -> shop/Gw/Resource');
    // the shared name: only the last object of that name in the file (the one cdk8s's entry points to)
    // keeps the plain name and shows a path; the others are named apart and show none
    // (the Deployment is the last object named shop-ingress in the file: cdk8s's name entry is its own)
    expect(rows).toEqual(expect.arrayContaining([
      'CI1000 Role/production/shop-ingress -> N/A',
      'CI1000 RoleBinding/production/shop-ingress -> N/A',
      'IST0146 shop-ingress -> shop/Gw/Deployment',
    ]));
    expect(metadata['Deployment/production/shop-ingress'].path).toBe('shop/Gw/Deployment');
    expect(byName['shop-ingress'].path).toBe('shop/Gw/Deployment');
  }, 60_000);
});
