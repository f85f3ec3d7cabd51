/**
 * How the package's own modules require each other once the code cache (compile-cache.ts) is
 * installed: a relative request from one of the package's compiled files for another
 * (`require("./model")` as TypeScript emits it) is answered without Node's resolver, which stats the
 * candidates, resolves real paths and reads the package scope's package.json for every request —
 * a tenth of a cold synth's module loading, for ~300 modules and ~1,500 requests that all resolve
 * the same way.
 *
 * Same answer as Node's: TypeScript writes no extension, and the package holds no extension-less
 * files, so `./x` is `<dir>/x.js` when that file exists (Node tries `x`, then `x.js`, before a folder
 * `x/`). The module is registered in Node's module cache under that name, as Node registers it (the
 * real path when the package's files were reached through real paths, the link's path under
 * `--preserve-symlinks`, as `__filename` is), with the same `Module` fields (parent, children, paths,
 * loaded), before it runs (so a cycle sees the partial exports, as with Node), and removed again if it
 * throws. A bare request (another package) is answered from Node's module cache after Node resolved it
 * once (see requireDependency). Anything else (a folder, a built-in, a file outside the package's
 * compiled files) is left to Node ({@link NOT_PACKAGE_FILE}).
 */
import * as fs from 'fs';
import Module = require('module');
import * as path from 'path';

/** Runs a module's source as the body of `mod` (compile-cache.ts's loader). */
export type RunModule = (mod: any, source: string, filename: string) => void;

/** What {@link requirePackageFile} returns for a request Node must resolve. @internal */
export const NOT_PACKAGE_FILE: unique symbol = Symbol('not a package file');

/**
 * The exports of the module `parent` (one of the package's files) asks for with `id`, when `id` is a
 * relative request for another of the package's files (`isOwn`), loaded through `run` the first
 * time; {@link NOT_PACKAGE_FILE} for every other request.
 * @internal
 */
export function requirePackageFile(parent: any, id: string, isOwn: (file: string) => boolean, run: RunModule): unknown {
  if (typeof id !== 'string') return NOT_PACKAGE_FILE;
  if (id.charCodeAt(0) !== 46 /* . */) return requireDependency(parent, id);
  if (!(id.startsWith('./') || id.startsWith('../')) || path.extname(id) !== '') return NOT_PACKAGE_FILE;
  const cache = (Module as any)._cache as Record<string, any>;
  const target = resolveRelative(parent.filename, id);
  const file = target + '.js';
  const hit = cache[file] ?? cache[folders.get(target) ?? ''];
  if (hit !== undefined) {
    // Node records every module a module required, once
    if (Array.isArray(parent.children) && !parent.children.includes(hit)) parent.children.push(hit);
    return hit.exports;
  }
  if (!isOwn(file)) return NOT_PACKAGE_FILE;
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch {
    // no such file (a folder's index.js, say): Node resolves it, and the answer is kept for the next
    // request of this path (the same absolute path resolves the same from any file)
    try {
      folders.set(target, (Module as any)._resolveFilename(id, parent, false));
    } catch {
      // not found: Node throws its own error
    }
    return NOT_PACKAGE_FILE;
  }
  // the constructor records the child in parent.children, as Node's loader does
  const child = new (Module as any)(file, parent);
  child.filename = file;
  child.paths = (Module as any)._nodeModulePaths(path.dirname(file));
  cache[file] = child;
  try {
    run(child, source, file);
  } catch (e) {
    delete cache[file];
    const i = Array.isArray(parent.children) ? parent.children.indexOf(child) : -1;
    if (i !== -1) parent.children.splice(i, 1);
    throw e;
  }
  child.loaded = true;
  return child.exports;
}

/** The file a relative request for a folder of the package resolved to (the first time, by Node), by the folder's path. */
const folders = new Map<string, string>();

/** The file each bare request of the package's files resolved to (the first time, by Node). */
const dependencies = new Map<string, string>();

/**
 * A bare request (`require("cdk8s")`) from one of the package's files: every one of them resolves it
 * to the same file (the package holds no node_modules folder of its own, so the folders Node searches
 * lead to the same package from any of its files), so after Node answered it once, later requests
 * take that module from Node's module cache, without Node's self-reference and node_modules lookups
 * (which read the package scope of the requiring file each time). Built-ins, paths and a module no
 * longer in the cache go to Node.
 */
function requireDependency(parent: any, id: string): unknown {
  if (id === '' || id.startsWith('node:') || path.isAbsolute(id) || (Module as any).isBuiltin?.(id) !== false) return NOT_PACKAGE_FILE;
  const file = dependencies.get(id);
  if (file === undefined) {
    try {
      dependencies.set(id, (Module as any)._resolveFilename(id, parent, false));
    } catch {
      // not found: Node throws its own error
    }
    return NOT_PACKAGE_FILE;
  }
  const hit = ((Module as any)._cache as Record<string, any>)[file];
  if (hit === undefined) return NOT_PACKAGE_FILE;
  if (Array.isArray(parent.children) && !parent.children.includes(hit)) parent.children.push(hit);
  return hit.exports;
}

/**
 * `path.resolve(path.dirname(from), id)` for a request of `./` and `../` steps followed by a plain
 * path (what TypeScript emits), without normalizing the whole string; anything else, and Windows
 * paths, go through `path.resolve`.
 * @internal
 */
export function resolveRelative(from: string, id: string): string {
  const sep = path.sep;
  let end = from.lastIndexOf(sep);
  let i = 0;
  for (;;) {
    if (id.startsWith('./', i)) i += 2;
    else if (id.startsWith('../', i)) {
      end = from.lastIndexOf(sep, end - 1);
      i += 3;
    } else break;
  }
  const rest = id.slice(i);
  if (sep !== '/' || end <= 0 || rest === '' || rest.startsWith('/') || rest.includes('//') || rest.includes('/.') || rest.startsWith('.') || rest.endsWith('/')) {
    return path.resolve(path.dirname(from), id);
  }
  return `${from.slice(0, end)}/${rest}`;
}
