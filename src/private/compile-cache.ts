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
 * version and architecture, and when its data still has the SHA-1 it was written with (release
 * builds of V8 do not verify their own checksum); V8 rejects data from other flags. Otherwise the
 * file is compiled as usual and the entry rewritten. A loader hook that transforms the source
 * (coverage) simply gets other keys. Entries are written once per process, when it exits, after the
 * code ran (so the functions V8 compiled lazily are in the cache too), each to a temporary file
 * renamed into place, so a concurrent synth never reads half an entry.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import Module = require('module');
import * as path from 'path';
import * as vm from 'vm';
import { NOT_PACKAGE_FILE, requirePackageFile } from './package-require';

/** Package root: this file is lib/src/private/compile-cache.js (or src/private/compile-cache.ts). */
const ROOT = ((up: string) => (path.basename(up) === 'lib' ? path.dirname(up) : up))(path.resolve(__dirname, '..', '..'));
const HEADER = 'cdk8s-istio-v8-cache 1';

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
  if (!filename.endsWith('.js') || !filename.startsWith(root + path.sep)) return false;
  const rel = filename.slice(root.length + 1);
  const parts = rel.split(path.sep);
  if (parts.includes('node_modules')) return false;
  return parts[0] === 'lib' || (parts[0] === 'imports' && parts[1] === 'schemas' && parts[2] === 'validators');
}

const oneShot = (crypto as { hash?: (algorithm: string, data: string | Buffer) => string }).hash;

function sha1(data: string | Buffer): string {
  // crypto.hash (Node ≥ 20.12) hashes in one call, without a Hash object per file
  return oneShot ? oneShot('sha1', data) : crypto.createHash('sha1').update(data).digest('hex');
}

let dirMemo: string | null | undefined;
const pending: Pending[] = [];

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
  const options: vm.ScriptOptions = {
    filename,
    // dynamic import() as in any CommonJS module (Node ≥ 20.12); the library's compiled code has none
    ...((vm as any).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: (vm as any).constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
  };
  if (!dir) return new vm.Script(source, options);
  const entry = path.join(dir, name.replace(/[\\/]/g, '__') + '.bin');
  // keyed by content: installed packages all carry one fixed modification time (npm pack), and V8
  // itself checks only the source's length
  const key = `${HEADER} ${sha1(source)} `;
  let cachedData: Buffer | undefined;
  try {
    const data = fs.readFileSync(entry);
    const start = key.length + 41; // the data's own SHA-1 and a newline follow the key
    // V8 checks only a header (release builds skip its checksum), so a damaged entry is caught here
    if (data.length > start && data.toString('latin1', 0, key.length) === key) {
      const body = data.subarray(start);
      if (data.toString('latin1', key.length, start - 1) === sha1(body)) cachedData = body;
    }
  } catch {
    // no entry yet
  }
  const script = new vm.Script(source, { ...options, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    if (pending.length === 0) process.once('exit', () => writePending(dir));
    pending.push({ script, entry, key });
  }
  return script;
}

/** Writes the queued entries, each to a temporary file renamed into place. */
function writePending(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch {
    return; // a read-only file system: the next process compiles as usual
  }
  for (const p of pending.splice(0)) {
    // unique per writer: two threads of one process (the validation worker) may write one entry
    const tmp = `${p.entry}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      const body = p.script.createCachedData();
      fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${p.key}${sha1(body)}\n`, 'latin1'), body]));
      fs.renameSync(tmp, p.entry);
    } catch {
      // a full disk: leave nothing half-written behind
      fs.rmSync(tmp, { force: true });
    }
  }
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
  return runCommonJs(mod, source, filename, path.relative(ROOT, filename));
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
