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
