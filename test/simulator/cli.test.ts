import { spawnSync } from 'child_process';
import * as path from 'path';
import { authzCommand, graphCommand, routeCommand } from '../../src/cli/simulate';
import { INGRESS, ORDER, REFERENCE_DIR } from './helpers';

/** Runs a command with captured streams. */
function run(make: typeof routeCommand, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = make({ out: (t) => (stdout += t), err: (t) => (stderr += t) }).run(argv);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

const F = REFERENCE_DIR;
const ORDER_FQDN = 'order-service.production.svc.cluster.local';
const RETRIES = { attempts: 3, perTryTimeout: '3s', retryOn: '5xx,reset,connect-failure,refused-stream' };

describe('cdk8s-istio route', () => {
  test.each([
    ['x-canary=true', ['--header', 'x-canary=true'], 0, [{ host: ORDER_FQDN, subset: 'v2', weight: 100 }]],
    ['x-canary=TRUE', ['--header', 'x-canary=TRUE'], 2, [{ host: ORDER_FQDN, subset: 'v1', weight: 90 }, { host: ORDER_FQDN, subset: 'v2', weight: 10 }]],
    ['even user id', ['--header', 'x-user-id=42'], 1, [{ host: ORDER_FQDN, subset: 'v2', weight: 100 }]],
    ['odd user id', ['--header', 'x-user-id=13'], 2, [{ host: ORDER_FQDN, subset: 'v1', weight: 90 }, { host: ORDER_FQDN, subset: 'v2', weight: 10 }]],
    ['empty user id', ['--header', 'x-user-id='], 2, [{ host: ORDER_FQDN, subset: 'v1', weight: 90 }, { host: ORDER_FQDN, subset: 'v2', weight: 10 }]],
    ['no headers', [], 2, [{ host: ORDER_FQDN, subset: 'v1', weight: 90 }, { host: ORDER_FQDN, subset: 'v2', weight: 10 }]],
    ['header name case', ['--header', 'X-Canary=true'], 0, [{ host: ORDER_FQDN, subset: 'v2', weight: 100 }]],
  ])('%s prints the contract JSON', (_t, flags, rule, destinations) => {
    // WHEN
    const r = run(routeCommand, [F, '--host', 'order-service.production', ...(flags as string[]), '--path', '/api/orders', '--method', 'GET']);
    // THEN one JSON object, contract keys first
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(Object.keys(r.json()).slice(0, 4)).toEqual(['rule', 'destinations', 'timeout', 'retries']);
    expect(r.json()).toMatchObject({ rule, destinations, timeout: '10s', retries: RETRIES });
  });

  test('the exact line for the canary header', () => {
    const r = run(routeCommand, [path.join(F, 'traffic.yaml'), path.join(F, 'order-service.yaml'), '--host', 'order-service.production', '--header=x-canary=true']);
    expect(r.stdout.startsWith('{"rule":0,"destinations":[{"host":"order-service.production.svc.cluster.local","subset":"v2","weight":100}],"timeout":"10s","retries":{"attempts":3,"perTryTimeout":"3s","retryOn":"5xx,reset,connect-failure,refused-stream"}')).toBe(true);
  });

  test('--gateway picks VirtualServices bound to that gateway', () => {
    const r = run(routeCommand, [F, '--host', 'order-service.production', '--gateway', 'istio-system/ingress']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ rule: null, defaultRoute: true });
  });

  test('no rule matches: {"noRoute": true, ...}', () => {
    const vs = path.join(__dirname, '..', 'fixtures', 'simulator', 'header-only.yaml');
    const r = run(routeCommand, [vs, '--host', 'inventory-service.production']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ noRoute: true });
    expect(Object.keys(r.json())[0]).toBe('noRoute');
  });

  test.each([
    [['--host', 'order-service.production'], /at least one manifest/],
    [[F], /--host is required/],
    [[F, '--host', 'order-service.production', '--header', 'novalue'], /name=value/],
    [[F, '--host', 'order-service.production', '--bogus'], /unknown option --bogus/],
    [[F, '--host'], /--host needs a value/],
    [[F, '--host', 'order-service'], /short name/],
    [[F, '--host', 'a.b', '--port', '70000'], /1\.\.65535/],
  ])('usage error %j exits 2 with a message on stderr', (argv, message) => {
    const r = run(routeCommand, argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).toMatch(/usage: cdk8s-istio route/);
  });

  test('a path that does not exist is an input error naming it: exit 2, no answer', () => {
    const r = run(routeCommand, ['/no/such/dir', F, '--host', 'order-service.production']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cdk8s-istio route: \/no\/such\/dir: no such file or folder$/m);
    expect(r.stderr).toMatch(/1 input\(s\) could not be read or parsed; no answer/);
  });
});

describe('cdk8s-istio authz', () => {
  const PAY = ['--to', 'payment-service.production', '--method', 'POST', '--path', '/api/payments/42'];
  test.each([
    ['order-service POST', [...PAY, '--from-principal', ORDER], 'ALLOW', 'production/payment-service-allow'],
    ['order-service POST as guest', [...PAY, '--from-principal', ORDER, '--header', 'x-user-role=guest'], 'DENY', null],
    ['plaintext', [...PAY, '--plaintext'], 'DENY', 'production/payment-service'],
    ['ingress → orders', ['--to', 'order-service.production', '--from-principal', INGRESS, '--method', 'GET', '--path', '/api/orders/7'], 'ALLOW', 'production/order-service-allow'],
    ['payment → orders', ['--to', 'order-service.production', '--from-principal', 'cluster.local/ns/production/sa/payment-service', '--method', 'GET', '--path', '/api/orders'], 'DENY', null],
  ])('%s', (_t, argv, decision, policy) => {
    const r = run(authzCommand, [F, ...(argv as string[])]);
    expect(r.code).toBe(0);
    expect(Object.keys(r.json()).slice(0, 3)).toEqual(['decision', 'policy', 'reason']);
    expect(r.json()).toMatchObject({ decision, policy });
  });

  test.each([
    [[...PAY], /exactly one of --from-principal P and --plaintext/],
    [[...PAY, '--plaintext', '--from-principal', ORDER], /exactly one/],
    [['--to', 'payment-service.production', '--plaintext', '--path', '/'], /--method is required/],
    [['--to', 'ghost.production', '--plaintext', '--method', 'GET', '--path', '/'], /no Service/],
  ])('usage error %j exits 2', (argv, message) => {
    const r = run(authzCommand, [F, ...(argv as string[])]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message as RegExp);
  });
});

describe('cdk8s-istio graph', () => {
  test('json by default: one object with services, calls, denies, splits', () => {
    const r = run(graphCommand, [F]);
    expect(r.code).toBe(0);
    expect(Object.keys(r.json())).toEqual(['services', 'calls', 'denies', 'splits']);
  });

  test.each([
    ['mermaid', /^flowchart LR\n/],
    ['dot', /^digraph mesh \{\n/],
  ])('--format %s', (format, start) => {
    const r = run(graphCommand, [F, '--format', format]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(start);
  });

  test('an unknown format exits 2', () => {
    const r = run(graphCommand, [F, '--format', 'png']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mermaid, dot, json/);
  });
});

describe('the cdk8s-istio bin (a real process)', () => {
  const main = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
  const bin = (...argv: string[]) =>
    spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', main, ...argv], { encoding: 'utf8', cwd: path.join(__dirname, '..', '..') });

  test('route prints one JSON line and exits 0', () => {
    const r = bin('route', F, '--host', 'order-service.production', '--header', 'x-user-id=13');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rule: 2, destinations: [{ subset: 'v1', weight: 90 }, { subset: 'v2', weight: 10 }] });
  }, 30000);

  test('authz DENY is an answer: exit 0', () => {
    const r = bin('authz', F, '--to', 'payment-service.production', '--plaintext', '--method', 'POST', '--path', '/api/payments/42');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'DENY', policy: 'production/payment-service' });
  }, 30000);

  test('a usage error exits 2 with stderr and empty stdout', () => {
    const r = bin('authz', F, '--to', 'payment-service.production');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/usage/);
  }, 30000);
});

describe('docs/simulator.md', () => {
  test('every CLI example shows the output the CLI prints today', () => {
    // GIVEN the console block of the docs
    const fs = require('fs') as typeof import('fs');
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'simulator.md'), 'utf8');
    const block = /```console\n([\s\S]*?)```/.exec(doc)![1].split('\n');
    const commands = { route: routeCommand, authz: authzCommand, graph: graphCommand } as const;
    let checked = 0;
    for (let i = 0; i < block.length; i++) {
      const m = /^\$ cdk8s-istio (\w+) (.*?)(; echo \$\?)?$/.exec(block[i]);
      if (!m) continue;
      // WHEN the documented command runs
      const r = run(commands[m[1] as keyof typeof commands], m[2].split(' '));
      // THEN its output (stdout, or stderr for a usage error) is the documented one
      const printed = (r.stdout || r.stderr).trimEnd().split('\n');
      expect(block.slice(i + 1, i + 1 + printed.length)).toEqual(printed);
      if (m[3]) expect(block[i + 1 + printed.length]).toBe(String(r.code));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
