/**
 * `cdk8s-istio lint <files or dirs…>`: validates YAML files as one deployable set, the way
 * `kubectl apply` against an Istio 1.30 cluster plus `istioctl analyze` would.
 *
 * Prints one line per finding, `<file> <kind>/<namespace>/<name> <CODE> <level> <message>`, and
 * exits 1 on any error, 0 otherwise, 2 on a usage error.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IstioMeshConfig } from '../validation/analyzers';
import type { Suppression } from '../validation/suppress';
import { readManifests } from '../validation/read';
import type { Finding } from '../validation/types';

export { readManifests };

const USAGE = `usage: cdk8s-istio lint [options] <files or dirs...>

Validates *.yaml / *.yml files. The files named on the command line are one deployable set; each
folder (and each subfolder) is a set of its own, as kubectl apply -f <folder> takes it.

options:
  --external-principal P   a principal AuthorizationPolicies may name that no ServiceAccount
                           in the files declares (repeatable)
  --suppress CODE:REASON   turn a finding code off, with a reason (repeatable)
  --root-namespace NS      the mesh root namespace (default: mesh config's, else istio-system)
  -n, --namespace NS       the namespace of objects that name none, as istioctl analyze -n
                           (default default)
  --mesh-config FILE       the mesh config to analyze with (a MeshConfig YAML, as istioctl
                           analyze --meshConfigFile, or a ConfigMap istio with key mesh);
                           default: the mesh config in the files, else Istio's defaults
  --stats                  print CEL rule coverage and timings to stderr
  -h, --help               this help
`;

/** Options parsed from the command line. */
interface LintArgs {
  readonly paths: string[];
  readonly externalPrincipals: string[];
  readonly suppress: Suppression[];
  readonly rootNamespace?: string;
  readonly defaultNamespace?: string;
  readonly meshConfig?: IstioMeshConfig;
  readonly stats: boolean;
}

function parseArgs(argv: string[]): LintArgs | string {
  const paths: string[] = [];
  const externalPrincipals: string[] = [];
  const suppress: Suppression[] = [];
  let rootNamespace: string | undefined;
  let defaultNamespace: string | undefined;
  let meshConfig: IstioMeshConfig | undefined;
  let stats = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => argv[++i];
    if (a === '--stats') stats = true;
    else if (a === '--external-principal') {
      const v = value();
      if (!v) return '--external-principal needs a value';
      externalPrincipals.push(v);
    } else if (a === '--suppress') {
      const v = value();
      if (!v) return '--suppress needs CODE:REASON';
      const c = v.indexOf(':');
      suppress.push(c < 0 ? { code: v, reason: '' } : { code: v.slice(0, c).trim(), reason: v.slice(c + 1).trim() });
    } else if (a === '--root-namespace') {
      rootNamespace = value();
      if (!rootNamespace) return '--root-namespace needs a value';
    } else if (a === '-n' || a === '--namespace') {
      defaultNamespace = value();
      if (!defaultNamespace) return `${a} needs a value`;
    } else if (a === '--mesh-config') {
      const file = value();
      if (!file) return '--mesh-config needs a file';
      const mc = readMeshConfigFile(file);
      if (typeof mc === 'string') return mc;
      meshConfig = mc;
    } else if (a === '-h' || a === '--help') return '';
    else if (a.startsWith('-')) return `unknown option ${a}`;
    else paths.push(a);
  }
  if (paths.length === 0) return 'no files or folders given';
  return { paths, externalPrincipals, suppress, rootNamespace, defaultNamespace, meshConfig, stats };
}

/** Reads `--mesh-config FILE`: a MeshConfig YAML, or a ConfigMap with key `mesh`. Returns an error message on failure. */
function readMeshConfigFile(file: string): IstioMeshConfig | string {
  try {
    const doc: unknown = require('js-yaml').load(fs.readFileSync(file, 'utf8'));
    const cm = doc as { kind?: unknown; data?: { mesh?: unknown } } | null;
    const mc: unknown = cm?.kind === 'ConfigMap' && typeof cm.data?.mesh === 'string' ? require('js-yaml').load(cm.data.mesh) : doc;
    if (mc === null || mc === undefined) return {};
    if (typeof mc !== 'object' || Array.isArray(mc)) return `--mesh-config ${file}: not a mesh config (a YAML mapping)`;
    return mc as IstioMeshConfig;
  } catch (e) {
    return `--mesh-config ${file}: ${(e as Error).message.split('\n')[0]}`;
  }
}

/**
 * Groups the inputs into deployable sets, the way `MeshApp` writes them: the files named on the
 * command line form one set, and each folder (each subfolder too, recursively) is a set of its own
 * made of the YAML files directly in it, as `kubectl apply -f <folder>` would take them. So
 * `lint dist` checks dist/, dist/ambient/ and dist/control-plane/ each on its own.
 */
function collectSets(p: string, loose: string[], sets: string[][]): void {
  if (!fs.statSync(p).isDirectory()) {
    loose.push(p);
    return;
  }
  const here: string[] = [];
  const subdirs: string[] = [];
  for (const e of fs.readdirSync(p).sort()) {
    const child = path.join(p, e);
    if (fs.statSync(child).isDirectory()) subdirs.push(child);
    else if (/\.ya?ml$/i.test(e)) here.push(child);
  }
  if (here.length > 0) sets.push(here);
  for (const d of subdirs) collectSets(d, loose, sets);
}

/** Formats one finding as a lint line. */
export function lintLine(f: Finding): string {
  const obj = `${f.kind ?? '-'}/${f.namespace ?? '-'}/${f.name ?? '-'}`;
  return `${f.file ?? '-'} ${obj} ${f.code} ${f.level} ${f.message.replace(/\s*\n\s*/g, ' ')}`;
}

/** Runs the lint command. Returns the exit code. */
export function run(argv: string[], io: { out?: (s: string) => void; err?: (s: string) => void } = {}): number {
  const out = io.out ?? ((s: string) => process.stdout.write(s));
  const err = io.err ?? ((s: string) => process.stderr.write(s));
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    if (args === '') {
      out(USAGE);
      return 0;
    }
    err(`cdk8s-istio lint: ${args}\n\n${USAGE}`);
    return 2;
  }
  const loose: string[] = [];
  const sets: string[][] = [];
  for (const p of args.paths) {
    if (!fs.existsSync(p)) {
      err(`cdk8s-istio lint: ${p}: no such file or folder\n`);
      return 2;
    }
    collectSets(p, loose, sets);
  }
  if (loose.length > 0) sets.unshift(loose);
  const files = sets.flat();
  const { validateManifests, celCoverage, resetCelCounters } = require('../validation') as typeof import('../validation');
  resetCelCounters();
  let parseMs = 0;
  let validateMs = 0;
  let objects = 0;
  const findings: Finding[] = [];
  for (const set of sets) {
    const t0 = process.hrtime.bigint();
    const { manifests, parseErrors } = readManifests(set);
    const t1 = process.hrtime.bigint();
    objects += manifests.length;
    findings.push(
      ...parseErrors,
      ...validateManifests(manifests, {
        externalPrincipals: args.externalPrincipals,
        suppress: args.suppress,
        rootNamespace: args.rootNamespace,
        defaultNamespace: args.defaultNamespace,
        meshConfig: args.meshConfig,
      }),
    );
    const t2 = process.hrtime.bigint();
    parseMs += Number(t1 - t0) / 1e6;
    validateMs += Number(t2 - t1) / 1e6;
  }
  for (const f of findings) out(lintLine(f) + '\n');
  const count = (l: string) => findings.filter((f) => f.level === l).length;
  const errors = count('error');
  err(`${errors} error(s), ${count('warning')} warning(s), ${count('info')} info(s) in ${objects} object(s) from ${files.length} file(s) in ${sets.length} set(s)\n`);
  if (args.stats) {
    const c = celCoverage();
    err(
      `CEL rules in the pinned CRDs: ${c.total} (${c.distinct} distinct); evaluable ${c.evaluable}, ` +
        `transition rules skipped (oldSelf) ${c.transition}, not compilable ${c.notCompiled}\n` +
        `CEL evaluations this run: passed ${c.runtime.passed}, failed ${c.runtime.failed}, ` +
        `not evaluated ${c.runtime.notEvaluated}, transition skipped ${c.runtime.skippedTransition}\n` +
        `time: parse ${parseMs} ms, validate ${validateMs} ms\n`,
    );
    for (const r of c.notEvaluable) err(`  not evaluable: ${r.rule} (${r.reason})\n`);
  }
  return errors > 0 ? 1 : 0;
}
