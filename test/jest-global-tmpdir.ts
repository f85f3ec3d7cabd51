/**
 * One temporary folder per jest run: `globalSetup` creates it inside the system temporary folder and
 * points TMPDIR at it, so everything the tests create with `os.tmpdir()` (cdk8s `Testing.app()` outdirs,
 * `fs.mkdtempSync(path.join(os.tmpdir(), ...))`, the cdk8s CLI, the consumer test, Go's build work
 * folders) lands there: jest workers and every child process inherit the environment. `globalTeardown`
 * removes the folder and only it, so `npm test` leaves nothing behind and never touches another
 * process's files. test/tmpdir-hygiene.test.ts checks that tests see it and that no test names /tmp
 * directly.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The name prefix of a run's folder (`<system tmp>/cdk8s-istio-jest-XXXXXX`). */
export const RUN_TMPDIR_PREFIX = 'cdk8s-istio-jest-';
/** The environment variable naming the run's folder (also TMPDIR while the run lasts). */
export const RUN_TMPDIR_ENV = 'CDK8S_ISTIO_TEST_TMPDIR';
/** TMPDIR as it was before the run ('' when unset), restored by the teardown. */
const PRIOR_ENV = 'CDK8S_ISTIO_TEST_PRIOR_TMPDIR';

/** jest globalSetup: creates the run's folder and points TMPDIR (so `os.tmpdir()`) at it. */
export function setup(): void {
  // a nested run (a test that runs jest) keeps the outer run's folder
  if (process.env[RUN_TMPDIR_ENV] !== undefined && process.env.TMPDIR === process.env[RUN_TMPDIR_ENV]) return;
  const base = fs.realpathSync(os.tmpdir());
  const dir = fs.mkdtempSync(path.join(base, RUN_TMPDIR_PREFIX));
  process.env[PRIOR_ENV] = process.env.TMPDIR ?? '';
  process.env[RUN_TMPDIR_ENV] = dir;
  process.env.TMPDIR = dir;
}

/** jest globalTeardown: removes the run's folder with whatever the tests left in it, and restores TMPDIR. */
export function teardown(): void {
  const dir = process.env[RUN_TMPDIR_ENV];
  if (dir === undefined || process.env[PRIOR_ENV] === undefined) return;
  // only the folder setup() made: an absolute path whose name has the run prefix
  if (!path.isAbsolute(dir) || !path.basename(dir).startsWith(RUN_TMPDIR_PREFIX)) {
    throw new Error(`jest teardown: ${RUN_TMPDIR_ENV}=${dir} is not a folder the global setup creates; nothing removed`);
  }
  const prior = process.env[PRIOR_ENV];
  if (prior === '') delete process.env.TMPDIR;
  else process.env.TMPDIR = prior;
  delete process.env[PRIOR_ENV];
  delete process.env[RUN_TMPDIR_ENV];
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  if (fs.existsSync(dir)) throw new Error(`jest teardown: could not remove the run's temporary folder ${dir}`);
}
