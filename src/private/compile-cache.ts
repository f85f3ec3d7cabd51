/**
 * A V8 code cache for this package's own compiled JavaScript, so a fresh process (every `cdk8s synth`)
 * does not parse and compile the library again: on a 2-core machine compiling the library's modules
 * and the ahead-of-time schema validators is the largest part of a cold synth.
 *
 * Scope: only `.js` files of this package (`lib/**` and `imports/schemas/validators/*`) and the
 * kubernetes-models schema validators the package loads itself (validation/core-kinds.ts), never
 * another dependency's or the app's. Node's own compile path is used for every other file, and for ours when
 * there is no cache folder, when Node already caches (`NODE_COMPILE_CACHE`, Node ≥ 22.1), or when
 * `CDK8S_ISTIO_COMPILE_CACHE` is `0`, `false` or `off`.
 *
 * Where: `node_modules/.cache/cdk8s-istio/v8-<node>-<arch>/` of the app that installed the package
 * (the `node_modules` folder the package sits in), or of this repository when developing it; nothing
 * is cached when there is no such folder or it cannot be written.
 *
 * Correctness: an entry is used only for the same content (SHA-1 of the source: V8 itself checks
 * only its length, and npm gives every installed file the same modification time), the same Node
 * version and architecture, and when its data still has the checksum it was written with (CRC-32,
 * or SHA-1 before Node 20.15: release builds of V8 do not verify their own checksum, and a damaged
 * entry can crash V8); V8 rejects data from other flags. Otherwise the file is compiled as usual and
 * the entry rewritten. A loader hook that transforms the source (coverage) simply gets other keys.
 * Entries are written once per process, when it exits, after the code ran (so the functions V8
 * compiled lazily are in the cache too), each to a temporary file renamed into place, so a concurrent
 * synth never reads half an entry.
 *
 * kubernetes-models' validators (~160 small files) are also kept as one bundle, keyed by each file's
 * stat rather than its content (see {@link ModuleBundle}): that saves reading and hashing every file.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import Module = require('module');
import * as path from 'path';
import * as vm from 'vm';
import * as zlib from 'zlib';
import { NOT_PACKAGE_FILE, requirePackageFile } from './package-require';

/** Package root: this file is lib/src/private/compile-cache.js (or src/private/compile-cache.ts). */
const ROOT = ((up: string) => (path.basename(up) === 'lib' ? path.dirname(up) : up))(path.resolve(__dirname, '..', '..'));
const HEADER = 'cdk8s-istio-v8-cache 2';

interface Pending {
  readonly script: vm.Script;
  readonly entry: string;
  readonly key: string;
}

/** The cache folder, or undefined when none can be used. @internal */
export function compileCacheDir(root: string = ROOT): string | undefined {
  const flag = (process.env.CDK8S_ISTIO_COMPILE_CACHE ?? '').toLowerCase();
  if (flag === '0' || flag === 'false' || flag === 'off') return undefined;
  if (process.env.NODE_COMPILE_CACHE) return undefined;
  const modules = path.basename(path.dirname(root)) === 'node_modules'
    ? path.dirname(root) // installed: <app>/node_modules/cdk8s-istio
    : path.join(root, 'node_modules'); // this repository
  if (!fs.existsSync(modules)) return undefined;
  return path.join(modules, '.cache', 'cdk8s-istio', `v8-${process.version}-${process.arch}`);
}

/** Whether `filename` is one of this package's own compiled files. @internal */
export function isPackageFile(filename: string, root: string = ROOT): boolean {
  // every module load asks: the cheap string tests first
  // (every require of the package's modules asks too: string tests only, no allocation)
  const sep = path.sep;
  if (!filename.endsWith('.js') || filename.length <= root.length || !filename.startsWith(root) || filename[root.length] !== sep) return false;
  const start = root.length + 1;
  // no folder of the path below the root is a node_modules folder
  if (filename.startsWith(`node_modules${sep}`, start) || filename.includes(`${sep}node_modules${sep}`, start)) return false;
  return filename.startsWith(`lib${sep}`, start) || filename.startsWith(`imports${sep}schemas${sep}validators${sep}`, start);
}

const oneShot = (crypto as { hash?: (algorithm: string, data: string | Buffer) => string }).hash;

function sha1(data: string | Buffer): string {
  // crypto.hash (Node ≥ 20.12) hashes in one call, without a Hash object per file
  return oneShot ? oneShot('sha1', data) : crypto.createHash('sha1').update(data).digest('hex');
}

const crc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32;

/**
 * The check written with an entry's data and compared before V8 sees it: CRC-32 (zlib.crc32, Node ≥
 * 20.15; a few times faster than SHA-1) or else SHA-1, tagged so either reads the other as a mismatch.
 * It guards against damage (a bad disk, a truncated copy), not against someone who can write the
 * cache folder (who could as well write the package's own files).
 */
function checksum(data: Buffer): string {
  return crc32 ? `crc32-${crc32(data).toString(16).padStart(8, '0')}` : `sha1-${sha1(data)}`;
}

let dirMemo: string | null | undefined;
const pending: Pending[] = [];
const bundles: ModuleBundle[] = [];
let exitHook = false;

/** Writes every queued entry and bundle when the process (or worker thread) exits. */
function writeAtExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    const dir = cacheDir();
    try {
      if (dir) fs.mkdirSync(dir, { recursive: true });
    } catch {
      return; // a read-only file system: the next process compiles as usual
    }
    if (dir) writePending();
    for (const b of bundles.splice(0)) b.write();
  });
}

function cacheDir(): string | undefined {
  if (dirMemo === undefined) dirMemo = compileCacheDir() ?? null;
  return dirMemo ?? undefined;
}

/**
 * Compiles `source` (already wrapped as a function expression) as a script named `filename`, from
 * the cache entry `name` when it holds this exact source, and queues the entry to be written at exit
 * otherwise. Without a cache folder it simply compiles.
 * @internal
 */
export function cachedScript(source: string, filename: string, name: string): vm.Script {
  const dir = cacheDir();
  const options = scriptOptions(filename);
  if (!dir) return new vm.Script(source, options);
  const entry = path.join(dir, name.replace(/[\\/]/g, '__') + '.bin');
  // keyed by content: installed packages all carry one fixed modification time (npm pack), and V8
  // itself checks only the source's length
  const key = `${HEADER} ${sha1(source)} `;
  let cachedData: Buffer | undefined;
  try {
    const data = fs.readFileSync(entry);
    const newline = data.indexOf(0x0a, key.length); // the data's own checksum and a newline follow the key
    // V8 checks only a header (release builds skip its checksum), so a damaged entry is caught here
    if (newline > 0 && data.toString('latin1', 0, key.length) === key) {
      const body = data.subarray(newline + 1);
      if (body.length > 0 && data.toString('latin1', key.length, newline) === checksum(body)) cachedData = body;
    }
  } catch {
    // no entry yet
  }
  const script = new vm.Script(source, { ...options, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    writeAtExit();
    pending.push({ script, entry, key });
  }
  return script;
}

function scriptOptions(filename: string): vm.ScriptOptions {
  return {
    filename,
    // dynamic import() as in any CommonJS module (Node ≥ 20.12); the library's compiled code has none
    ...((vm as any).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: (vm as any).constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
  };
}

/** Writes the queued entries, each to a temporary file renamed into place. */
function writePending(): void {
  for (const p of pending.splice(0)) {
    const tmp = tmpName(p.entry);
    try {
      const body = p.script.createCachedData();
      writeAtomically(tmp, p.entry, [Buffer.from(`${p.key}${checksum(body)}\n`, 'latin1'), body]);
    } catch {
      // V8 could not serialize: the next process compiles as usual
    }
  }
}

/** Writes `parts` to `tmp` and renames it to `file`, leaving nothing half-written behind on failure. */
function writeAtomically(tmp: string, file: string, parts: Buffer[]): void {
  try {
    fs.writeFileSync(tmp, Buffer.concat(parts));
    fs.renameSync(tmp, file);
  } catch {
    // a full disk or a read-only folder
    fs.rmSync(tmp, { force: true });
  }
}

function tmpName(file: string): string {
  // unique per writer: two threads of one process (the validation worker) may write one file
  return `${file}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`;
}

/**
 * Compiles a CommonJS module's source with Node's own wrapper (`exports, require, module, __filename,
 * __dirname`), from the cache entry `name` when it holds this source. Returns the wrapper function.
 * @internal
 */
export function compileCommonJs(source: string, filename: string, name: string): (...args: unknown[]) => unknown {
  return cachedScript((Module as any).wrap(source), filename, name).runInThisContext({ displayErrors: true });
}

/** Runs `source` as the body of `mod`, with the `require` Node would give it. */
function runCommonJs(mod: any, source: string, filename: string, name: string): unknown {
  const wrapper = compileCommonJs(source, filename, name);
  const require = function require(id: string) {
    return mod.require(id);
  } as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => (Module as any)._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => (Module as any)._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = (Module as any)._extensions;
  require.cache = (Module as any)._cache;
  return wrapper.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
}

/**
 * Loads a dependency's main file through the code cache and registers it in Node's module cache, as
 * `require` would, so a later `require` of it anywhere in the process gets this same instance.
 * Without a cache folder it is plain `require`.
 * @internal
 */
export function loadDependency(name: string): any {
  const file = require.resolve(name);
  const cached = (Module as any)._cache[file];
  if (cached) return cached.exports;
  if (!cacheDir()) return require(name);
  const mod = new (Module as any)(file, module);
  mod.filename = file;
  mod.paths = (Module as any)._nodeModulePaths(path.dirname(file));
  (Module as any)._cache[file] = mod;
  try {
    runCommonJs(mod, fs.readFileSync(file, 'utf8'), file, `dependencies/${name}`);
  } catch (e) {
    delete (Module as any)._cache[file];
    throw e;
  }
  mod.loaded = true;
  return mod.exports;
}

/** Runs one of the package's own files as the body of `mod`. */
function runOwnModule(mod: any, source: string, filename: string): unknown {
  // isPackageFile holds: the file is below ROOT
  return runCommonJs(mod, source, filename, filename.slice(ROOT.length + 1));
}

let installed = false;

/**
 * Installs the cache for this package's files (once per thread; a no-op without a cache folder).
 * @internal
 */
export function installCompileCache(): void {
  if (installed) return;
  installed = true;
  if (!cacheDir()) return;
  const proto = (Module as any).prototype;
  const original = proto._compile;
  if (typeof original !== 'function' || typeof (Module as any).wrap !== 'function') return;

  proto._compile = function compileWithCache(this: any, content: string, filename: string) {
    if (!isPackageFile(filename)) return original.call(this, content, filename);
    return runOwnModule(this, content, filename);
  };
  // the package's own files answer each other's relative requires without Node's resolver (package-require.ts)
  const originalRequire = proto.require;
  if (typeof originalRequire !== 'function') return;
  proto.require = function requireWithPackage(this: any, id: string) {
    if (typeof this.filename === 'string' && isPackageFile(this.filename)) {
      const found = requirePackageFile(this, id, isPackageFile, runOwnModule);
      if (found !== NOT_PACKAGE_FILE) return found;
    }
    return originalRequire.call(this, id);
  };
}

/** How recent a file's change may be for its stat to be trusted: see {@link ModuleBundle}. */
const RACY_MS = 2000;
const BUNDLE_HEADER = 'cdk8s-istio-v8-bundle 1';

/** A file as it is on disk: device, inode, size, modification and change times. */
function fileStamp(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** One module of a bundle: its file, the file's stamp when read, its source wrapped as Node wraps it. */
interface BundledModule {
  readonly file: string;
  readonly stamp: string;
  readonly code: string;
}

/**
 * Many small CommonJS files (kubernetes-models' ~160 schema validators a Deployment needs) compiled as
 * one script from one cache file, instead of one file read, SHA-1 and `vm.Script` each: the script is
 * an array of the modules' wrapper functions (`Module.wrap` of each file's source, the code
 * {@link compileCommonJs} compiles), stored with the list of its files and one V8 code cache blob.
 *
 * It is used only when every one of its files is exactly as it was when read: same device, inode,
 * size, modification and change time. npm gives installed files one fixed modification time, but not a
 * change time or inode: rewriting a file in place changes its change time, replacing it changes its
 * inode, and neither can be set back by a tool. A file is recorded only when its last change is more
 * than {@link RACY_MS} older than the moment its stat was taken (its source is read after), so a change
 * right after reading cannot share the recorded change time (file systems store times at coarse
 * granularity). The whole file carries a checksum (see {@link checksum}), checked before it is parsed.
 * Anything else (a changed, missing or new file, damage, a syntax error, no cache folder) leaves the
 * modules to be compiled one by one as before ({@link compileCommonJs}), and the bundle is rewritten at
 * exit with the files the process did read. A bundle written that way has no code cache yet ("cold"):
 * the first process that runs it writes one after the functions ran ("warm").
 * @internal
 */
export class ModuleBundle {
  /** The bundle named `name` in the cache folder, or undefined without a cache folder. */
  public static open(name: string): ModuleBundle | undefined {
    const dir = cacheDir();
    if (!dir) return undefined;
    const bundle = new ModuleBundle(path.join(dir, `${name}.bundle`));
    bundle.read();
    return bundle;
  }

  private readonly table = new Map<string, (...args: unknown[]) => unknown>();
  private modules: BundledModule[] = [];
  private readonly added: BundledModule[] = [];
  private script: vm.Script | undefined;
  private source = '';
  private dataStale = false;
  private broken = false;
  private queued = false;

  private constructor(private readonly file: string) {}

  /** Whether `file` is compiled from the bundle. */
  public has(file: string): boolean {
    return this.table.has(file);
  }

  /**
   * The wrapper function of the CommonJS module `file` (as {@link compileCommonJs} returns it): from
   * the bundle when it holds the file, otherwise compiled from the file (cache entry `name()`) and
   * recorded for the next bundle.
   */
  public wrapper(file: string, name: () => string): (...args: unknown[]) => unknown {
    const fn = this.table.get(file);
    if (fn) return fn;
    const before = Date.now();
    const st = fs.statSync(file);
    const source = fs.readFileSync(file, 'utf8');
    const compiled = compileCommonJs(source, file, name());
    if (st.isFile() && st.ctimeMs < before - RACY_MS) {
      this.added.push({ file, stamp: fileStamp(st), code: functionExpression(source) });
      this.queue();
    }
    return compiled;
  }

  private queue(): void {
    if (this.queued) return;
    this.queued = true;
    bundles.push(this);
    writeAtExit();
  }

  private read(): void {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file);
    } catch {
      return; // none yet
    }
    try {
      // <header> <state> <manifest bytes> <source bytes> <checksum>\n<manifest><source><code cache>
      const newline = buf.indexOf(0x0a);
      const head = buf.toString('latin1', 0, Math.max(newline, 0)).split(' ');
      if (newline < 0 || head.length !== 6 || `${head[0]} ${head[1]}` !== BUNDLE_HEADER) return;
      const body = buf.subarray(newline + 1);
      if (checksum(body) !== head[5]) return;
      const manifestBytes = Number(head[3]);
      const sourceBytes = Number(head[4]);
      const manifest: Array<[string, string, number, number]> = JSON.parse(body.toString('utf8', 0, manifestBytes));
      for (const [file, stamp] of manifest) {
        const st = fs.statSync(file, { throwIfNoEntry: false });
        if (!st || fileStamp(st) !== stamp) return;
      }
      const source = body.toString('utf8', manifestBytes, manifestBytes + sourceBytes);
      const data = body.subarray(manifestBytes + sourceBytes);
      const script = new vm.Script(source, { ...scriptOptions(this.file), cachedData: data.length > 0 ? data : undefined });
      const fns = script.runInThisContext({ displayErrors: true });
      if (!Array.isArray(fns) || fns.length !== manifest.length || !fns.every((f) => typeof f === 'function')) return;
      this.modules = manifest.map(([file, stamp, start, end]) => ({ file, stamp, code: source.slice(start, end) }));
      manifest.forEach(([file], i) => this.table.set(file, fns[i]));
      this.script = script;
      this.source = source;
      if (head[2] !== 'warm' || data.length === 0 || script.cachedDataRejected) {
        this.dataStale = true;
        this.queue();
      }
    } catch {
      // a bundle that does not compile or run (a patched Module.wrap?): compile file by file, and do
      // not write the same again
      this.broken = true;
      this.table.clear();
      this.modules = [];
      this.script = undefined;
      this.source = '';
    }
  }

  /** Writes the bundle (at exit): with the added modules, or the same one with a code cache of the code that ran. */
  public write(): void {
    try {
      if (this.broken || (this.added.length === 0 && !(this.dataStale && this.script))) return;
      const seen = new Set<string>();
      const modules = [...this.modules, ...this.added].filter((m) => !seen.has(m.file) && seen.add(m.file));
      const manifest: Array<[string, string, number, number]> = [];
      let source = '[\n';
      for (const m of modules) {
        if (manifest.length > 0) source += ',\n';
        manifest.push([m.file, m.stamp, source.length, source.length + m.code.length]);
        source += m.code;
      }
      source += '\n]';
      // the same modules: the code cache of the script that ran; new ones: none yet (compiling the
      // script here would only cache the eagerly compiled code, and cost this process the compile)
      const same = this.added.length === 0 && this.script !== undefined && source === this.source;
      const parts = [Buffer.from(JSON.stringify(manifest), 'utf8'), Buffer.from(source, 'utf8'), same ? this.script!.createCachedData() : Buffer.alloc(0)];
      const state = same ? 'warm' : 'cold';
      const body = Buffer.concat(parts);
      const head = `${BUNDLE_HEADER} ${state} ${parts[0].length} ${parts[1].length} ${checksum(body)}\n`;
      writeAtomically(tmpName(this.file), this.file, [Buffer.from(head, 'latin1'), body]);
    } catch {
      // V8 could not serialize: no bundle, the files load one by one
    }
  }
}

/** A module's source wrapped as Node wraps it, as an expression (without the wrapper's final `;`). */
function functionExpression(source: string): string {
  const wrapped: string = (Module as any).wrap(source);
  return wrapped.endsWith(';') ? wrapped.slice(0, -1) : wrapped;
}
