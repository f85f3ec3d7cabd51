/**
 * `npm test` leaves no temporary files behind (test/jest-global-tmpdir.ts): every test, worker and
 * child process writes its temporary folders into one folder per run, which the global teardown
 * removes. These checks fail when that stops holding: the run's folder is not what `os.tmpdir()`
 * gives (a jest config without the global setup), a child process does not see it, or a source names
 * the system temporary folder directly instead of asking `os.tmpdir()`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { RUN_TMPDIR_ENV, RUN_TMPDIR_PREFIX, setup, teardown } from './jest-global-tmpdir';

const ROOT = path.join(__dirname, '..');

describe('temporary files of the test run', () => {
  test('GIVEN the jest global setup THEN os.tmpdir() in a test is the run\'s own folder, and cdk8s Testing.app() writes there', () => {
    const dir = process.env[RUN_TMPDIR_ENV];
    expect(dir).toBeDefined();
    expect(path.basename(dir!)).toMatch(new RegExp(`^${RUN_TMPDIR_PREFIX}[A-Za-z0-9]{6}$`));
    expect(os.tmpdir()).toBe(dir);
    expect(fs.statSync(dir!).isDirectory()).toBe(true);
    const outdir = Testing.app().outdir;
    expect(path.dirname(outdir)).toBe(dir);
  });

  test('GIVEN a child process (the cdk8s CLI, the consumer test, the Go harness build) THEN it inherits the run\'s folder as its temporary folder', () => {
    const child = execFileSync(process.execPath, ['-e', 'process.stdout.write(require("os").tmpdir())'], { encoding: 'utf8' });
    expect(child).toBe(process.env[RUN_TMPDIR_ENV]);
    const shell = execFileSync('bash', ['-c', 'mktemp -d "${TMPDIR:-/tmp}/probe.XXXXXX"'], { encoding: 'utf8' }).trim();
    expect(path.dirname(shell)).toBe(process.env[RUN_TMPDIR_ENV]);
    fs.rmSync(shell, { recursive: true });
  });

  test('GIVEN setup and teardown run again (as jest runs them) THEN the teardown removes exactly the folder the setup made, with its contents, and restores TMPDIR', () => {
    // GIVEN the outer run's environment, put aside so that setup() makes a folder of its own
    const saved = { tmp: process.env.TMPDIR, run: process.env[RUN_TMPDIR_ENV], prior: process.env.CDK8S_ISTIO_TEST_PRIOR_TMPDIR };
    const sibling = fs.mkdtempSync(path.join(saved.run!, 'sibling-'));
    try {
      delete process.env[RUN_TMPDIR_ENV];
      delete process.env.CDK8S_ISTIO_TEST_PRIOR_TMPDIR;
      process.env.TMPDIR = saved.run;
      // WHEN
      setup();
      const made = process.env[RUN_TMPDIR_ENV]!;
      // (a test's process.env is jest's copy: os.tmpdir() keeps reading the worker's own, the outer folder)
      expect(process.env.TMPDIR).toBe(made);
      expect(path.dirname(made)).toBe(fs.realpathSync(saved.run!));
      fs.mkdirSync(path.join(made, 'cdk8s.outdir.abc123', 'nested'), { recursive: true });
      fs.writeFileSync(path.join(made, 'cdk8s.outdir.abc123', 'nested', 'a.yaml'), 'x');
      teardown();
      // THEN
      expect(fs.existsSync(made)).toBe(false);
      expect(fs.existsSync(sibling)).toBe(true);
      expect(process.env.TMPDIR).toBe(saved.run);
      expect(process.env[RUN_TMPDIR_ENV]).toBeUndefined();
    } finally {
      process.env.TMPDIR = saved.tmp;
      process.env[RUN_TMPDIR_ENV] = saved.run;
      if (saved.prior !== undefined) process.env.CDK8S_ISTIO_TEST_PRIOR_TMPDIR = saved.prior;
      fs.rmSync(sibling, { recursive: true, force: true });
    }
    // a folder the setup did not make is refused, and left alone
    const foreign = fs.mkdtempSync(path.join(os.tmpdir(), 'not-ours-'));
    const env = { ...process.env };
    try {
      process.env[RUN_TMPDIR_ENV] = foreign;
      process.env.CDK8S_ISTIO_TEST_PRIOR_TMPDIR = '';
      expect(() => teardown()).toThrow(/is not a folder the global setup creates; nothing removed/);
      expect(fs.existsSync(foreign)).toBe(true);
    } finally {
      process.env = env;
    }
  });

  test('no source of the tests, examples, benchmarks or scripts writes into /tmp by name (os.tmpdir() honours the run\'s folder, a literal /tmp does not)', () => {
    const roots = ['test', 'examples', 'bench', 'scripts', 'src', 'conformance/istio'];
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!['node_modules', 'fixtures', '.cache', 'imports'].includes(e.name)) walk(p);
        } else if (/\.(ts|js|sh|go)$/.test(e.name)) files.push(p);
      }
    };
    for (const r of roots) walk(path.join(ROOT, r));
    expect(files.length).toBeGreaterThan(100);
    // a /tmp path used for files: in a path.join/mkdtemp/mkdir/write call or an outdir, or a shell `mktemp -p /tmp`,
    // but not a container path in a manifest (`mountPath: '/tmp'`) or the `${TMPDIR:-/tmp}` fallback
    const literal = /(mkdtemp\w*|mkdir\w*|writeFile\w*|path\.(join|resolve)|outdir\s*[:=]|TempDir|-p)\s*\(?\s*['"`]\/tmp\b/i;
    const offenders = files.filter((f) => f !== __filename && literal.test(fs.readFileSync(f, 'utf8'))).map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
