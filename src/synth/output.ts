/**
 * Writing a synth's output so that a failed or interrupted synth never leaves a half-written or
 * missing output folder:
 *
 * - the whole output is written to a new folder in a work folder beside the output folder
 *   (`.<name>.cdk8s-istio/new-<pid>-…`) and swapped in only when every file is written: the old
 *   folder is renamed aside (`.<name>.cdk8s-istio/old-<pid>-…`), the new one renamed into place, the
 *   old one removed, and the work folder removed when no other synth uses it. Files from a previous
 *   synth that this one does not write are gone with the old folder;
 * - a synth interrupted between the two renames leaves the old folder aside; the next synth puts
 *   it back before it starts (and removes the half-written folders of dead synths). Finding them
 *   takes one look at the work folder, not a listing of the output folder's parent (which can be a
 *   temporary folder with many thousands of entries);
 * - the cdk8s CLI (`cdk8s synth`, without `--stdout`) removes the output folder before it runs the
 *   app, so on failure there would be no previous output to keep. For that case the last good output
 *   is kept as hard links in `node_modules/.cache/cdk8s-istio/last-good/` and put back as soon as the
 *   app starts (when the output folder is missing), so any failure leaves it in place.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MeshConfigError } from '../private/errors';

/** One file of the output, relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/** What happened to the output folder when a synth failed. */
export type FailedOutput =
  /** The output folder holds the previous synth's output, untouched. */
  | 'kept'
  /** The output folder was missing (the cdk8s CLI removes it) and the last good output was put back. */
  | 'restored'
  /** There is no previous output. */
  | 'none';

/**
 * Refuses an output folder that synth must not replace as a whole: the file-system root, the current
 * folder or one of its parents.
 */
export function checkOutdir(outdir: string): void {
  const abs = path.resolve(outdir);
  const cwd = path.resolve(process.cwd());
  const rel = path.relative(abs, cwd);
  if (abs === path.parse(abs).root || rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new MeshConfigError('MeshApp', 'outdir', outdir,
      'synth replaces the whole output folder, so it cannot be the current folder, one of its parents or the file-system root',
      'use a folder of its own, e.g. "dist"');
  }
}

/** The folder actually written: a symbolic link to a folder is followed, so the link itself stays. */
function realOutdir(outdir: string): string {
  try {
    if (fs.lstatSync(outdir).isSymbolicLink()) return fs.realpathSync(outdir);
  } catch {
    // missing: written where it is named
  }
  return path.resolve(outdir);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The work folder of synths writing `dir`: `.<name>.cdk8s-istio` beside it. */
function workDir(dir: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.cdk8s-istio`);
}

let uniqueCounter = 0;
/** A name no other live synth uses: this process's pid, the time and a counter (folders are made exclusively). */
function uniqueTag(): string {
  uniqueCounter += 1;
  return `${process.pid}-${Date.now().toString(36)}${uniqueCounter.toString(36)}`;
}

/** Leftovers of dead synths in the work folder of `dir`: half-written new folders, and old folders set aside. */
function leftovers(dir: string): Array<{ name: string; kind: 'new' | 'old'; pid: number }> {
  const work = workDir(dir);
  let names: string[];
  try {
    names = fs.readdirSync(work);
  } catch {
    return []; // no work folder: no synth of this folder is running or was interrupted
  }
  const out: Array<{ name: string; kind: 'new' | 'old'; pid: number }> = [];
  for (const n of names) {
    const m = /^(new|old)-(\d+)-[0-9a-z]+$/.exec(n);
    if (m && !alive(Number(m[2]))) out.push({ name: path.join(work, n), kind: m[1] as 'new' | 'old', pid: Number(m[2]) });
  }
  return out;
}

/** Removes the work folder of `dir` when it is empty (another synth may still be using it). */
function removeWorkDir(dir: string): void {
  try {
    fs.rmdirSync(workDir(dir));
  } catch {
    // not empty (another synth, or a leftover of a live one) or already gone
  }
}

/**
 * Puts back an output folder a previous synth set aside and was interrupted before replacing, and
 * removes the half-written folders of dead synths.
 */
export function recoverInterrupted(outdir: string): void {
  const dir = realOutdir(outdir);
  const found = leftovers(dir);
  for (const l of found) {
    if (l.kind === 'old' && !fs.existsSync(dir)) fs.renameSync(l.name, dir);
    else fs.rmSync(l.name, { recursive: true, force: true });
  }
  if (found.length > 0) removeWorkDir(dir);
}

/** Makes `folder` inside the work folder, making the work folder too (again, if a finishing synth just removed it). */
function makeInWorkDir(folder: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.mkdirSync(path.dirname(folder), { recursive: true });
      // mkdir, not mkdtemp: the folder gets the usual mode (0777 & ~umask), not 0700
      fs.mkdirSync(folder);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw e;
    }
  }
}

/**
 * Writes `files` to a new folder in the work folder beside `outdir` and swaps it in. On any error
 * before the swap the new folder is removed and `outdir` is untouched.
 */
export function replaceOutput(outdir: string, files: readonly OutputFile[]): void {
  const dir = realOutdir(outdir);
  const tag = uniqueTag();
  const next = path.join(workDir(dir), `new-${tag}`);
  const old = path.join(workDir(dir), `old-${tag}`);
  makeInWorkDir(next);
  try {
    const made = new Set<string>([next]);
    for (const f of files) {
      const target = path.join(next, f.path);
      const d = path.dirname(target);
      if (!made.has(d)) {
        fs.mkdirSync(d, { recursive: true });
        made.add(d);
      }
      fs.writeFileSync(target, f.content);
    }
  } catch (e) {
    fs.rmSync(next, { recursive: true, force: true });
    removeWorkDir(dir);
    throw e;
  }
  let setAside = false;
  if (fs.existsSync(dir)) {
    fs.renameSync(dir, old);
    setAside = true;
  }
  try {
    fs.renameSync(next, dir);
  } catch (e) {
    if (setAside) fs.renameSync(old, dir);
    fs.rmSync(next, { recursive: true, force: true });
    removeWorkDir(dir);
    throw e;
  }
  if (setAside) fs.rmSync(old, { recursive: true, force: true });
  removeWorkDir(dir);
}

/**
 * Where the last good output of `outdir` is kept: `node_modules/.cache/cdk8s-istio/last-good/<outdir>`
 * under the current folder, for an output folder inside the current folder (the usual `dist/`) when
 * `node_modules` exists; otherwise undefined (no copy is kept, e.g. for the cdk8s CLI's temporary
 * `--stdout` folder or a test's temporary folder).
 */
export function lastGoodDir(outdir: string): string | undefined {
  const cwd = process.cwd();
  const rel = path.relative(cwd, path.resolve(outdir));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const modules = path.join(cwd, 'node_modules');
  if (!fs.existsSync(modules)) return undefined;
  return path.join(modules, '.cache', 'cdk8s-istio', 'last-good', rel.split(path.sep).join('__'));
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const pending = [''];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const p = path.join(rel, e.name);
      if (e.isDirectory()) pending.push(p);
      else if (e.isFile()) out.push(p);
    }
  }
  return out;
}

/** Copies a folder as hard links (files are never rewritten in place, so links are safe), or as copies. */
function linkTree(from: string, to: string): void {
  for (const rel of listFiles(from)) {
    const target = path.join(to, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    try {
      fs.linkSync(path.join(from, rel), target);
    } catch {
      fs.copyFileSync(path.join(from, rel), target);
    }
  }
}

/** Records the output folder as the last good output (replacing the previous record). */
export function saveLastGood(outdir: string, keep: string): void {
  const parent = path.dirname(keep);
  fs.mkdirSync(parent, { recursive: true });
  const next = `${keep}.${uniqueTag()}`;
  linkTree(realOutdir(outdir), next);
  fs.rmSync(keep, { recursive: true, force: true });
  fs.renameSync(next, keep);
}

/**
 * Puts the last good output back when the output folder is missing or empty (the cdk8s CLI removes
 * it before it runs the app). Returns whether it did.
 */
export function restoreIfMissing(outdir: string, keep: string): boolean {
  const dir = realOutdir(outdir);
  if (!fs.existsSync(keep)) return false;
  let present = false;
  try {
    present = fs.readdirSync(dir).length > 0;
  } catch {
    present = false;
  }
  if (present) return false;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const next = path.join(workDir(dir), `new-${uniqueTag()}`);
  makeInWorkDir(next);
  try {
    linkTree(keep, next);
    fs.renameSync(next, dir);
  } catch (e) {
    fs.rmSync(next, { recursive: true, force: true });
    throw e;
  } finally {
    removeWorkDir(dir);
  }
  return true;
}

/**
 * After a failed synth: says what the output folder holds, putting the last good output back if the
 * folder went missing meanwhile. `restoredAtStart`: it was put back when the app started.
 */
export function afterFailure(outdir: string, keep: string | undefined, restoredAtStart = false): FailedOutput {
  if (keep && restoreIfMissing(outdir, keep)) return 'restored';
  const dir = realOutdir(outdir);
  const present = fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
  if (!present) return 'none';
  return restoredAtStart ? 'restored' : 'kept';
}

/**
 * Whether `outdir` is the temporary folder `cdk8s synth --stdout` creates (`<tmpdir>/cdk8s-XXXXXX`,
 * given in `CDK8S_OUTDIR`): the CLI then prints every `*.yaml` file in it, concurrently, so the app
 * must write exactly one.
 */
export function isCdk8sStdoutDir(outdir: string): boolean {
  if (process.env.CDK8S_OUTDIR === undefined || path.resolve(process.env.CDK8S_OUTDIR) !== path.resolve(outdir)) return false;
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return path.dirname(real(outdir)) === real(os.tmpdir()) && /^cdk8s-[A-Za-z0-9]{6}$/.test(path.basename(outdir));
}

/** What a failed synth's message says about the output folder. */
export function describeFailedOutput(outdir: string, state: FailedOutput): string {
  switch (state) {
    case 'kept': return `${outdir}/ still holds the previous output.`;
    case 'restored': return `${outdir}/ was missing (the cdk8s CLI removes it before running the app) and holds the last good output again.`;
    default: return `${outdir}/ has no previous output.`;
  }
}
