/**
 * `cdk8s-istio lint <files or dirs…>`: validates YAML files as one deployable set, the way
 * `kubectl apply` against an Istio 1.30 cluster plus `istioctl analyze` would.
 *
 * Prints one line per finding, `<file> <kind>/<namespace>/<name> <CODE> <level> <message>`, and
 * exits 1 on any error, 0 otherwise, 2 on a usage error.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Suppression } from '../validation/suppress';
import { readManifests } from '../validation/read';
import type { Finding } from '../validation/types';

export { readManifests };

const USAGE = `usage: cdk8s-istio lint [options] <files or dirs...>

Validates every *.yaml / *.yml file (folders are read recursively) as one deployable set.

options:
  --external-principal P   a principal AuthorizationPolicies may name that no ServiceAccount
                           in the files declares (repeatable)
  --suppress CODE:REASON   turn a finding code off, with a reason (repeatable)
  --root-namespace NS      the mesh root namespace (default istio-system)
  --stats                  print CEL rule coverage and timings to stderr
  -h, --help               this help
`;

/** Options parsed from the command line. */
interface LintArgs {
  readonly paths: string[];
  readonly externalPrincipals: string[];
  readonly suppress: Suppression[];
  readonly rootNamespace?: string;
  readonly stats: boolean;
}

function parseArgs(argv: string[]): LintArgs | string {
  const paths: string[] = [];
  const externalPrincipals: string[] = [];
  const suppress: Suppression[] = [];
  let rootNamespace: string | undefined;
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
    } else if (a === '-h' || a === '--help') return '';
    else if (a.startsWith('-')) return `unknown option ${a}`;
    else paths.push(a);
  }
  if (paths.length === 0) return 'no files or folders given';
  return { paths, externalPrincipals, suppress, rootNamespace, stats };
}

function collectFiles(p: string, out: string[]): void {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const e of fs.readdirSync(p).sort()) {
      const child = path.join(p, e);
      if (fs.statSync(child).isDirectory() || /\.ya?ml$/i.test(e)) collectFiles(child, out);
    }
  } else out.push(p);
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
  const files: string[] = [];
  for (const p of args.paths) {
    if (!fs.existsSync(p)) {
      err(`cdk8s-istio lint: ${p}: no such file or folder\n`);
      return 2;
    }
    collectFiles(p, files);
  }
  const { validateManifests, celCoverage, resetCelCounters } = require('../validation') as typeof import('../validation');
  resetCelCounters();
  const t0 = process.hrtime.bigint();
  const { manifests, parseErrors } = readManifests(files);
  const t1 = process.hrtime.bigint();
  const findings = [
    ...parseErrors,
    ...validateManifests(manifests, {
      externalPrincipals: args.externalPrincipals,
      suppress: args.suppress,
      rootNamespace: args.rootNamespace,
    }),
  ];
  const t2 = process.hrtime.bigint();
  for (const f of findings) out(lintLine(f) + '\n');
  const count = (l: string) => findings.filter((f) => f.level === l).length;
  const errors = count('error');
  err(`${errors} error(s), ${count('warning')} warning(s), ${count('info')} info(s) in ${manifests.length} object(s) from ${files.length} file(s)\n`);
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
  return errors > 0 ? 1 : 0;
}
