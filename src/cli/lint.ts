/**
 * `cdk8s-istio lint <files or dirs…>`: validates YAML files as one deployable set, the way
 * `kubectl apply` against an Istio 1.30 cluster plus `istioctl analyze` would.
 *
 * Prints one line per finding, `<file> <kind>/<namespace>/<name> <CODE> <level> <message>`, and
 * exits 0 when no finding is an error, 1 on any error finding, 2 on a usage error or when an input
 * could not be read (reported per file on stderr; every other file is still linted).
 */
import * as fs from 'fs';
import type { InputFile } from '../io/files';
import { readInputs } from '../io/manifests';
import { parseYaml } from '../io/yaml';
import type { IstioMeshConfig } from '../validation/analyzers';
import type { Suppression } from '../validation/suppress';
import { addDocuments, ReadManifests, readManifests } from '../validation/read';
import type { Finding } from '../validation/types';
import { CliIo, EXIT, PROCESS_IO, reportProblems, writeLines } from './io';

export { readManifests };

/** File-name extensions lint takes from a folder. */
const LINT_EXTENSIONS = ['.yaml', '.yml'];

const USAGE = `usage: cdk8s-istio lint [options] <files or dirs...>

Validates *.yaml / *.yml files. The files named on the command line are one deployable set; each
folder (and each subfolder) is a set of its own, as kubectl apply -f <folder> takes it.
"-" (or /dev/stdin) reads stdin; /dev/fd/N reads that descriptor (e.g. <(helm template ...)).
Inside a folder, a symbolic link to a file is read and a symbolic link to a folder is not followed;
FIFOs, devices and unreadable files are reported and skipped.

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
  --mesh-networks FILE     the mesh networks to analyze with (a MeshNetworks YAML, as Istio's
                           analyzer tests pass it; default: key meshNetworks of ConfigMap istio)
  --recursive              accepted for symmetry with route, authz and graph; lint always
                           reads subfolders (each its own set), so it changes nothing
  --stats                  print CEL rule coverage and timings to stderr
  -h, --help               this help

exit status: 0 no error finding, 1 error findings, 2 usage error or an input that could not be read
`;

/** Options parsed from the command line. */
interface LintArgs {
  readonly paths: string[];
  readonly externalPrincipals: string[];
  readonly suppress: Suppression[];
  readonly rootNamespace?: string;
  readonly defaultNamespace?: string;
  readonly meshConfig?: IstioMeshConfig;
  readonly meshNetworks?: Readonly<Record<string, unknown>>;
  readonly stats: boolean;
}

function parseArgs(argv: string[]): LintArgs | string {
  const paths: string[] = [];
  const externalPrincipals: string[] = [];
  const suppress: Suppression[] = [];
  let rootNamespace: string | undefined;
  let defaultNamespace: string | undefined;
  let meshConfig: IstioMeshConfig | undefined;
  let meshNetworks: Readonly<Record<string, unknown>> | undefined;
  let stats = false;
  let optionsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => argv[++i];
    if (optionsEnded || a === '-' || !a.startsWith('-')) paths.push(a);
    else if (a === '--') optionsEnded = true;
    else if (a === '--stats') stats = true;
    // lint always reads subfolders (each a set of its own); route/authz/graph need the flag, so lint
    // accepts it too and a command line works with any of the four
    else if (a === '--recursive') continue;
    else if (a === '--external-principal') {
      const v = value();
      if (!v) return '--external-principal needs a value';
      externalPrincipals.push(v);
    } else if (a === '--suppress') {
      const v = value();
      if (!v) return '--suppress needs CODE:REASON';
      const c = v.indexOf(':');
      const code = (c < 0 ? v : v.slice(0, c)).trim();
      const reason = c < 0 ? '' : v.slice(c + 1).trim();
      // a malformed option is a usage error (exit 2), not a finding about the input
      if (code === '' || reason === '') return `--suppress ${JSON.stringify(v)}: needs CODE:REASON, with a reason (e.g. --suppress "IST0101:the Secret is issued by cert-manager")`;
      suppress.push({ code, reason });
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
    } else if (a === '--mesh-networks') {
      const file = value();
      if (!file) return '--mesh-networks needs a file';
      const mn = readMeshNetworksFile(file);
      if (typeof mn === 'string') return mn;
      meshNetworks = mn;
    } else if (a === '-h' || a === '--help') return '';
    else return `unknown option ${a}`;
  }
  if (paths.length === 0) return 'no files or folders given';
  return { paths, externalPrincipals, suppress, rootNamespace, defaultNamespace, meshConfig, meshNetworks, stats };
}

/**
 * Reads a YAML mapping from `file`, or from key `key` of a ConfigMap in it, through the package's
 * limited YAML reader. Returns an error message naming `option` on failure.
 */
function readEmbeddableYamlFile(file: string, key: string, option: string, what: string): Record<string, unknown> | string {
  try {
    const doc: unknown = parseYaml(fs.readFileSync(file, 'utf8'));
    const cm = doc as { kind?: unknown; data?: Record<string, unknown> } | null;
    const embedded = cm?.kind === 'ConfigMap' ? cm.data?.[key] : undefined;
    const value: unknown = typeof embedded === 'string' ? parseYaml(embedded) : doc;
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) return `${option} ${file}: not ${what} (a YAML mapping)`;
    return value as Record<string, unknown>;
  } catch (e) {
    return `${option} ${file}: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Reads `--mesh-config FILE`: a MeshConfig YAML, or a ConfigMap with key `mesh`. Returns an error message on failure. */
export function readMeshConfigFile(file: string): IstioMeshConfig | string {
  return readEmbeddableYamlFile(file, 'mesh', '--mesh-config', 'a mesh config');
}

/** Reads `--mesh-networks FILE`: a MeshNetworks YAML, or a ConfigMap with key `meshNetworks`. Returns an error message on failure. */
export function readMeshNetworksFile(file: string): Readonly<Record<string, unknown>> | string {
  return readEmbeddableYamlFile(file, 'meshNetworks', '--mesh-networks', 'mesh networks');
}

/** Formats one finding as a lint line. */
export function lintLine(f: Finding): string {
  const obj = `${f.kind ?? '-'}/${f.namespace ?? '-'}/${f.name ?? '-'}`;
  // an object without a name is told apart by where it is in its file
  const where = f.name === undefined && f.document !== undefined ? `documents[${f.document}]${f.item !== undefined ? `.items[${f.item}]` : ''}: ` : '';
  return `${f.file ?? '-'} ${obj} ${f.code} ${f.level} ${where}${f.message.replace(/\s*\n\s*/g, ' ')}`;
}

/** One deployable set: its files, read. */
interface LintSet {
  readonly files: Array<{ readonly input: InputFile; readonly read: ReadManifests }>;
}

/**
 * Reads the inputs and groups them into deployable sets, the way `MeshApp` writes them: the files
 * named on the command line form one set, and each folder (each subfolder too, recursively) is a
 * set of its own made of the YAML files directly in it, as `kubectl apply -f <folder>` would take
 * them. So `lint dist` checks dist/, dist/ambient/ and dist/control-plane/ each on its own.
 */
function readSets(paths: readonly string[]): { sets: LintSet[]; problems: ReturnType<typeof readInputs>['problems'] } {
  const { files, problems } = readInputs(paths, { extensions: LINT_EXTENSIONS, recursive: true });
  const sets: LintSet[] = [];
  const byFolder = new Map<string | undefined, LintSet>();
  for (const f of files) {
    let set = byFolder.get(f.folder);
    if (!set) {
      set = { files: [] };
      byFolder.set(f.folder, set);
      // the named files' set comes first, as before
      if (f.folder === undefined) sets.unshift(set);
      else sets.push(set);
    }
    const read: ReadManifests = { manifests: [], parseErrors: [], problems: [] };
    // read failures are already in `problems`; only parse outcomes are added here
    if (f.outcome.ok || f.outcome.failure === 'content') addDocuments(f.input.name, f.outcome, read);
    set.files.push({ input: f.input, read });
  }
  return { sets, problems };
}

/** Runs the lint command. Returns the exit code. */
export function run(argv: string[], io: Partial<CliIo> = {}): number {
  const out = io.out ?? PROCESS_IO.out;
  const err = io.err ?? PROCESS_IO.err;
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    if (args === '') {
      out(USAGE);
      return EXIT.OK;
    }
    err(`cdk8s-istio lint: ${args}\n\n${USAGE}`);
    return EXIT.USAGE_OR_INPUT;
  }
  const { validateManifests, celCoverage, resetCelCounters } = require('../validation') as typeof import('../validation');
  resetCelCounters();
  const t0 = process.hrtime.bigint();
  const { sets, problems } = readSets(args.paths);
  const t1 = process.hrtime.bigint();
  let objects = 0;
  let fileCount = 0;
  const findings: Finding[] = [];
  const add = (list: readonly Finding[]) => {
    for (const f of list) findings.push(f);
  };
  for (const set of sets) {
    const manifests = [];
    for (const f of set.files) {
      fileCount++;
      add(f.read.parseErrors);
      for (const m of f.read.manifests) manifests.push(m);
    }
    objects += manifests.length;
    add(validateManifests(manifests, {
      externalPrincipals: args.externalPrincipals,
      suppress: args.suppress,
      rootNamespace: args.rootNamespace,
      defaultNamespace: args.defaultNamespace,
      meshConfig: args.meshConfig,
      meshNetworks: args.meshNetworks,
    }));
  }
  const t2 = process.hrtime.bigint();
  reportProblems('lint', problems, err);
  writeLines(out, findings.map(lintLine));
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of findings) {
    if (f.level === 'error') errors++;
    else if (f.level === 'warning') warnings++;
    else infos++;
  }
  const unread = problems.filter((p) => p.level === 'error').length;
  err(
    `${errors} error(s), ${warnings} warning(s), ${infos} info(s) in ${objects} object(s) from ${fileCount} file(s) in ${sets.length} set(s)` +
      (unread > 0 ? `; ${unread} input(s) could not be read` : '') + '\n',
  );
  if (args.stats) {
    const c = celCoverage();
    err(
      `CEL rules in the pinned CRDs: ${c.total} (${c.distinct} distinct); evaluable ${c.evaluable}, ` +
        `transition rules skipped (oldSelf) ${c.transition}, not compilable ${c.notCompiled}\n` +
        `CEL evaluations this run: passed ${c.runtime.passed}, failed ${c.runtime.failed}, ` +
        `not evaluated ${c.runtime.notEvaluated}, transition skipped ${c.runtime.skippedTransition}\n` +
        `time: parse ${Number(t1 - t0) / 1e6} ms, validate ${Number(t2 - t1) / 1e6} ms\n`,
    );
    for (const r of c.notEvaluable) err(`  not evaluable: ${r.rule} (${r.reason})\n`);
  }
  if (unread > 0) return EXIT.USAGE_OR_INPUT;
  return errors > 0 ? EXIT.FINDINGS : EXIT.OK;
}
