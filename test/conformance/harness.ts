/**
 * Builds and runs the Go conformance harness (conformance/istio/, Istio's own validation, analyzers
 * and pilot's route simulation), for the conformance tests.
 *
 * The harness is built once per test run by conformance/istio/build.sh (`go build`, which relinks
 * only when a source changed) into conformance/.cache/bin/. Go's module and build caches live in
 * $CONFORMANCE_GO_CACHE (default ~/.cache/cdk8s-istio-conformance), so a second run reuses them; an
 * empty cache works too, it is only slower (conformance/istio/README.md has the measured times).
 *
 * Without Go the conformance tests fail, loudly. `CONFORMANCE_SKIP=1` skips them on purpose (local
 * runs on a machine without Go only; CI never sets it).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const HARNESS_DIR = path.join(ROOT, 'conformance', 'istio');
export const BIN = path.join(ROOT, 'conformance', '.cache', 'bin', 'istio-conformance');

/** True when the conformance tests are skipped on purpose (CONFORMANCE_SKIP=1). */
export const SKIP = process.env.CONFORMANCE_SKIP === '1' || process.env.CONFORMANCE_SKIP === 'true';

/** `describe`, or `describe.skip` with a warning when CONFORMANCE_SKIP is set. */
export const describeConformance: jest.Describe = SKIP
  ? (((name: string, fn: () => void) => {
    // eslint-disable-next-line no-console
    console.warn(`CONFORMANCE_SKIP is set: "${name}" is skipped (Istio's own code is not run)`);
    return describe.skip(name, fn);
  }) as unknown as jest.Describe)
  : describe;

let built = false;

/**
 * Builds the harness binary (once per process; `go build` relinks only when a source changed).
 * A lock folder keeps two jest workers from building at once.
 */
export function buildHarness(): string {
  if (built) return BIN;
  fs.mkdirSync(path.dirname(BIN), { recursive: true });
  const lock = `${BIN}.lock`;
  const deadline = Date.now() + 40 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`conformance harness: ${lock} held for 40 minutes; remove it if no build runs`);
      // A lock older than an hour is from a killed run.
      const age = Date.now() - fs.statSync(lock).mtimeMs;
      if (age > 60 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }
  try {
    // build.sh holds the Go environment (local toolchain, cache folders, GOFLAGS); one place for it.
    const r = spawnSync('bash', [path.join(HARNESS_DIR, 'build.sh')], { encoding: 'utf8', timeout: 40 * 60_000 });
    if (r.error) throw new Error(`conformance harness: cannot run build.sh (${r.error.message})`);
    if (r.status !== 0) {
      throw new Error(`conformance harness: build failed (exit ${r.status}); Go 1.26 and the Go module proxy are required, or set CONFORMANCE_SKIP=1 to skip these tests locally:\n${r.stderr}`);
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
  built = true;
  return BIN;
}

/** One command for the harness's batch mode. */
export interface HarnessJob {
  readonly args: readonly string[];
  /** The command's stdin as JSON (route requests). */
  readonly input?: unknown;
}

/** One batch answer: the command's JSON or its error. */
export interface HarnessResult<T = any> {
  readonly result?: T;
  readonly error?: string;
}

/** Runs many harness commands in one process; throws if the harness itself fails. */
export function runBatch<T = any>(jobs: readonly HarnessJob[]): HarnessResult<T>[] {
  if (jobs.length === 0) return [];
  const bin = buildHarness();
  const out = execFileSync(bin, ['batch'], {
    input: JSON.stringify(jobs),
    maxBuffer: 1 << 30,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 30 * 60_000,
  });
  const res = JSON.parse(out) as HarnessResult<T>[];
  if (res.length !== jobs.length) throw new Error(`conformance harness: ${jobs.length} jobs, ${res.length} answers`);
  return res;
}

/** Runs one harness command; throws on its error. */
export function runOne<T = any>(job: HarnessJob): T {
  const [r] = runBatch<T>([job]);
  if (r.error !== undefined) throw new Error(`istio-conformance ${job.args.join(' ')}: ${r.error}`);
  return r.result as T;
}

/** The pinned CRDs (Istio 1.30.3, Gateway API v1.5.1, Flagger), from ../shared/crds as scripts/import.js reads them. */
export function crdFiles(): string[] {
  const dir = process.env.CONFORMANCE_CRDS ?? path.resolve(ROOT, '..', 'shared', 'crds');
  if (!fs.existsSync(dir)) throw new Error(`conformance: CRD folder ${dir} not found (set CONFORMANCE_CRDS to the folder of the pinned CRD files)`);
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
}

/** The analyzer message shape of `istio-conformance analyze`. */
export interface IstioMessage {
  readonly code: string;
  readonly level: 'Error' | 'Warning' | 'Info';
  /** `Kind namespace/name`, or `Kind name` (cluster-scoped or namespace default). */
  readonly resource?: string;
  readonly message: string;
  readonly reference?: string;
}

/** `istio-conformance analyze` output. */
export interface AnalyzeOutput {
  readonly messages: IstioMessage[];
  readonly executed: string[];
  readonly skipped: string[];
  readonly readErrors: string[];
}

/** `istio-conformance validate` output. */
export interface ValidateOutput {
  readonly objects: Array<{
    file: string;
    index: number;
    apiVersion?: string;
    kind?: string;
    namespace?: string;
    name?: string;
    webhook: boolean;
    crdSchema: boolean;
    errors: Array<{ source: string; message: string }>;
    warnings: Array<{ source: string; message: string }>;
  }>;
}

/** One weighted cluster of a route answer. */
export interface IstioCluster {
  readonly name: string;
  readonly weight: number;
  readonly host?: string;
  readonly subset?: string;
  readonly port?: number;
}

/** One answer of `istio-conformance route`. */
export interface IstioRouteAnswer {
  readonly listener?: string;
  readonly routeConfig?: string;
  readonly virtualHost?: string;
  readonly route: string | null;
  readonly routeIndex: number;
  readonly routedBy?: string;
  readonly pilotRoute: string | null;
  readonly clusters: IstioCluster[];
  readonly redirect?: Record<string, unknown>;
  readonly directResponse?: number;
  /** The :path forwarded after the route's prefix_rewrite or regex_rewrite (absent: no path rewrite). */
  readonly rewrittenPath?: string;
  /** The port is TCP for Istio: the connection is proxied to clusters[0], no HTTP route applies. */
  readonly tcp?: boolean;
  readonly error?: string;
  readonly unsupported?: string[];
}

/** A request for `istio-conformance route`. */
export interface IstioRouteRequest {
  readonly source: { namespace: string; workload?: string; labels?: Record<string, string> };
  readonly host: string;
  readonly port?: number;
  readonly method?: string;
  readonly path?: string;
  readonly authority?: string;
  readonly headers?: Record<string, string>;
}

/** Writes objects as one multi-document YAML file in a fresh temp folder; returns its path. */
export function writeYaml(objects: readonly unknown[], dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-')), name = 'set.yaml'): string {
  const yaml = require('yaml') as typeof import('yaml');
  const file = path.join(dir, name);
  fs.writeFileSync(file, objects.map((o) => yaml.stringify(o)).join('---\n'));
  return file;
}
