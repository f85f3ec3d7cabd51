import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../examples/main';
import { readManifests, run } from '../../src/cli/lint';

/** The catalog of bad inputs: one YAML file per case, its first line `# expect: CODE level message-part`. */
export const CATALOG_DIR = path.join(__dirname, 'catalog');
export const REFERENCE = path.join(__dirname, 'fixtures', 'reference-app.yaml');
export const OTHER_KINDS = path.join(__dirname, 'fixtures', 'other-kinds.yaml');
/** The caller the reference app declares as external (the ingress gateway). */
export const INGRESS_PRINCIPAL = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

export interface CatalogCase {
  readonly name: string;
  readonly file: string;
  readonly code: string;
  readonly level: 'error' | 'warning' | 'info';
  readonly message: string;
}

export function catalogCases(): CatalogCase[] {
  return fs
    .readdirSync(CATALOG_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const file = path.join(CATALOG_DIR, f);
      const head = fs.readFileSync(file, 'utf8').split('\n')[0];
      const m = /^# expect: (\S+) (error|warning|info) ?(.*)$/.exec(head);
      if (!m) throw new Error(`${f}: first line must be "# expect: CODE level message"`);
      return { name: f.replace(/\.yaml$/, ''), file, code: m[1], level: m[2] as CatalogCase['level'], message: m[3] };
    });
}

export function loadYaml(file: string) {
  return readManifests([file]).manifests;
}

/** Runs the lint command in-process, capturing its output. */
export function lint(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = run(argv, { out: (s) => (stdout += s), err: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/**
 * Builds lib/ (incrementally) for tests that run the compiled CLI or plugin. Jest runs test files in
 * parallel workers, so a lock directory keeps two `tsc --build` runs from writing lib/ at once.
 */
export function buildLib(): void {
  const root = path.join(__dirname, '..', '..');
  const lock = path.join(require('os').tmpdir(), `cdk8s-istio-build-${Buffer.from(root).toString('hex').slice(-24)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is stale after 3 minutes.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 180_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    require('child_process').execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--build', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  } finally {
    fs.rmdirSync(lock);
  }
}

/**
 * Every object the examples synthesize (the dist/ files, in file order), synthesized in-process into a
 * temporary folder (named `<prefix>…`, removed after).
 */
export function synthesizedExampleManifests(prefix: string): any[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    main(dir);
    const files: string[] = [];
    const list = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) list(path.join(d, e.name));
        else if (e.name.endsWith('.k8s.yaml')) files.push(path.join(d, e.name));
      }
    };
    list(dir);
    return readManifests(files.sort()).manifests.map((s) => s.manifest);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
