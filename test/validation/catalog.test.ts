import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { validateManifests } from '../../src/validation';
import { buildLib, catalogCases, INGRESS_PRINCIPAL, lint, loadYaml, OTHER_KINDS, REFERENCE } from './helpers';

const cases = catalogCases();
const ROOT = path.join(__dirname, '..', '..');
const LINE = /^(\S+) ([A-Za-z]+|-)\/([a-z0-9.-]+|-)\/([a-zA-Z0-9._-]+|-) ((?:CI|IST)\d{4}) (error|warning|info) (.+)$/;

describe('catalog of bad inputs', () => {
  test('has at least 40 error cases', () => {
    // GIVEN the catalog THEN it holds at least 40 cases that must fail synth
    expect(cases.filter((c) => c.level === 'error').length).toBeGreaterThanOrEqual(40);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    // WHEN the case is validated as one set
    const findings = validateManifests(loadYaml(c.file).map((m) => ({ ...m, file: c.file })));
    // THEN it has the expected finding, whose message names the field
    const hit = findings.find((f) => f.code === c.code && f.level === c.level && f.message.includes(c.message));
    expect(hit).toBeDefined();
    if (c.code !== 'CI1004') expect(hit!.kind).toBeDefined();
    expect(hit!.file).toBe(c.file);

    // AND the lint CLI prints it in the line format, exiting 1 exactly when there is an error
    const r = lint([c.file]);
    expect(r.code).toBe(findings.some((f) => f.level === 'error') ? 1 : 0);
    if (c.level === 'error') expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    for (const l of lines) expect(l).toMatch(LINE);
    const line = lines.find((l) => l.includes(` ${c.code} ${c.level} `) && l.includes(c.message));
    expect(line).toBeDefined();
    expect(line!.startsWith(`${c.file} ${hit!.kind ?? '-'}/${hit!.namespace ?? '-'}/${hit!.name ?? '-'} `)).toBe(true);
  });
});

describe('the reference app', () => {
  test('passes every check with zero findings', () => {
    // GIVEN the reference app's manifests, the ingress gateway declared as an external caller
    const findings = validateManifests(loadYaml(REFERENCE), { externalPrincipals: [INGRESS_PRINCIPAL] });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });

  test('valid objects of other kinds (Gateway API, Flagger, ServiceEntry, RequestAuthentication, EnvoyFilter) pass', () => {
    // Gateway API's CEL rules rely on schema defaults being applied first, as the API server does.
    const findings = validateManifests(loadYaml(OTHER_KINDS));
    expect(findings).toEqual([]);
  });

  test('the control-plane overlay (IstioOperator) passes with zero findings', () => {
    expect(validateManifests(loadYaml(path.join(__dirname, 'fixtures', 'control-plane.yaml')))).toEqual([]);
  });

  test('without the external principal, the unknown caller is the only error', () => {
    const findings = validateManifests(loadYaml(REFERENCE));
    expect(findings.map((f) => `${f.code} ${f.kind}/${f.name}`)).toEqual(['CI3002 AuthorizationPolicy/order-service']);
  });

  test('lint exits 0 and prints no finding lines', () => {
    const r = lint(['--external-principal', INGRESS_PRINCIPAL, REFERENCE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^0 error\(s\), 0 warning\(s\), 0 info\(s\) in 18 object\(s\) from 1 file\(s\)/);
  });
});

describe('lint CLI', () => {
  test('usage errors exit 2', () => {
    expect(lint([]).code).toBe(2);
    expect(lint(['--bogus', REFERENCE]).code).toBe(2);
    expect(lint(['/no/such/file.yaml']).code).toBe(2);
  });

  test('a folder is read recursively as one set', () => {
    // GIVEN the whole catalog folder WHEN linted THEN findings from many files come back, and it fails
    const r = lint([path.join(__dirname, 'catalog')]);
    expect(r.code).toBe(1);
    const files = new Set(r.stdout.trim().split('\n').map((l) => l.split(' ')[0]));
    expect(files.size).toBeGreaterThan(40);
  });

  test('--suppress needs a reason, and with one turns the code off', () => {
    const ist0118 = cases.find((c) => c.code === 'IST0118')!;
    expect(lint([ist0118.file]).stdout).toContain(' IST0118 info ');
    const withReason = lint(['--suppress', 'IST0118:legacy port names, migrating in Q3', ist0118.file]);
    expect(withReason.stdout).not.toContain('IST0118');
    // a suppression without a reason is a malformed option: a usage error (exit 2), no findings printed
    const noReason = lint(['--suppress', 'IST0118', ist0118.file]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--suppress "IST0118": needs CODE:REASON, with a reason');
    expect(noReason.stdout).toBe('');
  });

  test('--stats prints CEL coverage', () => {
    const r = lint(['--stats', REFERENCE]);
    expect(r.stderr).toMatch(/CEL rules in the pinned CRDs: 618 \(112 distinct\); evaluable 616, transition rules skipped \(oldSelf\) 2, not compilable 0/);
    expect(r.stderr).toMatch(/CEL evaluations this run: passed \d+, failed 0, not evaluated 0/);
  });

  test('YAML that does not parse is an error naming the file', () => {
    const tmp = path.join(require('os').tmpdir(), `cdk8s-istio-bad-${process.pid}.yaml`);
    require('fs').writeFileSync(tmp, 'a: [1, 2\n');
    const r = lint([tmp]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${tmp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -/-/- CI1006 error cannot parse YAML`));
  });
});

describe('the compiled bin', () => {
  beforeAll(() => buildLib(), 120_000);

  test('cdk8s-istio lint flags a catalog case and exits 1', () => {
    const c = cases.find((x) => x.code === 'CI2118')!;
    const r = spawnSync(process.execPath, [path.join(ROOT, 'lib', 'src', 'cli', 'main.js'), 'lint', c.file], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout.trim()).toMatch(LINE);
    expect(r.stdout).toContain(`${c.file} VirtualService/shop/cart CI2118 error spec.http[0].retries.retryOn: `);
    expect(r.stdout).toContain(c.message);
  });

  test('cdk8s-istio lint passes the reference app', () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'lib', 'src', 'cli', 'main.js'), 'lint', '--external-principal', INGRESS_PRINCIPAL, REFERENCE], { encoding: 'utf8' });
    expect(out).toBe('');
  });
});
