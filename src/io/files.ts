/**
 * Finding and reading the files the command line names, safely:
 *
 * - a path named on the command line is followed wherever it points; `-`, `/dev/stdin` and
 *   `/dev/fd/N` (a shell's `<(...)`) read that open descriptor;
 * - inside a folder, entries are taken as `kubectl apply -f <folder>` takes them: files whose name
 *   has one of the extensions, a symbolic link to a file is read (like kubectl), a symbolic link to
 *   a folder is never entered (so a walk can neither leave the named tree nor loop), a real
 *   subfolder is entered only when recursing;
 * - anything that is not a regular file (a FIFO, a device, a socket), a dangling link, a link loop or
 *   an unreadable file is reported for that file and skipped; the other files are still read;
 * - files are opened non-blocking and checked again after opening, so a FIFO can never hang a read;
 *   a file (or stdin) larger than `maxBytes` is refused, and text must be valid UTF-8.
 */
import * as fs from 'fs';
import * as path from 'path';

/** One input to read: a file on disk, or an already open descriptor (stdin, `/dev/fd/N`). */
export interface InputFile {
  /** The name reported to the user (the path as given or found, `-` for stdin). */
  readonly name: string;
  /** The path to open, for a file on disk. */
  readonly path?: string;
  /** The descriptor to read, for stdin and `/dev/fd/N`. */
  readonly fd?: number;
}

/** A file that could not be read, or an entry deliberately not followed. */
export interface InputProblem {
  /** The path as given or found. */
  readonly file: string;
  /** What is wrong, e.g. `not a regular file (a FIFO): skipped`. */
  readonly message: string;
  /**
   * `error`: the file was meant to be read and could not be (the run is incomplete: exit 2);
   * `notice`: an entry skipped by design (a link to a folder), reported so nothing is skipped silently.
   */
  readonly level: 'error' | 'notice';
}

/** The files of one folder, read together (one deployable set for `lint`). */
export interface InputFolder {
  readonly dir: string;
  readonly files: InputFile[];
}

/** The result of {@link collectInputs}. */
export interface CollectedInputs {
  /** Files named directly on the command line, in the order given. */
  readonly named: InputFile[];
  /** Folders (the named ones and, when recursing, their subfolders), in walk order. */
  readonly folders: InputFolder[];
  /** Per-path problems; the rest was still collected. */
  readonly problems: InputProblem[];
}

/** Options of {@link collectInputs}. */
export interface CollectOptions {
  /** File-name extensions taken from folders, lower case with the dot (e.g. `.yaml`). */
  readonly extensions: readonly string[];
  /** Enter real subfolders (never symbolic links to folders). */
  readonly recursive: boolean;
}

/** The largest input read, by default: 256 MiB. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** A file that could not be read (missing, not a regular file, unreadable, too large). */
export class InputReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputReadError';
  }
}

/** Text that is not valid UTF-8. */
export class InputEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputEncodingError';
  }
}

/** The descriptor a path names when it is stdin or `/dev/fd/N` (`/proc/self/fd/N`), else undefined. */
export function descriptorOf(p: string): number | undefined {
  if (p === '-' || p === '/dev/stdin') return 0;
  const m = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/.exec(p);
  return m ? Number(m[1]) : undefined;
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

function errnoMessage(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or folder';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ELOOP': return 'symbolic link loop';
    case 'ENOTDIR': return 'a path component is not a folder';
    case 'EISDIR': return 'a folder, not a file';
    case 'ENAMETOOLONG': return 'name too long';
    default: return code ? `cannot read (${code})` : (e as Error)?.message ?? String(e);
  }
}

/**
 * Expands the paths named on the command line into files and folders to read. Never throws for a
 * bad path: each one becomes an {@link InputProblem} and the others are still collected.
 */
export function collectInputs(paths: readonly string[], options: CollectOptions): CollectedInputs {
  const named: InputFile[] = [];
  const folders: InputFolder[] = [];
  const problems: InputProblem[] = [];
  const visited = new Set<string>(); // dev:ino of folders walked (bind mounts, a folder named twice)
  for (const p of paths) {
    const fd = descriptorOf(p);
    if (fd !== undefined) {
      named.push({ name: p, fd });
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      const lst = tryLstat(p);
      problems.push({ file: p, message: lst?.isSymbolicLink() && (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'dangling symbolic link' : errnoMessage(e), level: 'error' });
      continue;
    }
    if (st.isDirectory()) walk(p, st, options, folders, problems, visited);
    else if (st.isFile()) named.push({ name: p, path: p });
    else problems.push({ file: p, message: `${kindOf(st)}, not a regular file: skipped`, level: 'error' });
  }
  return { named, folders, problems };
}

function tryLstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

function walk(root: string, rootStat: fs.Stats, options: CollectOptions, folders: InputFolder[], problems: InputProblem[], visited: Set<string>): void {
  // an explicit stack instead of recursion: depth is bounded by the file system, not by us
  const pending: Array<{ dir: string; st: fs.Stats }> = [{ dir: root, st: rootStat }];
  while (pending.length > 0) {
    const { dir, st } = pending.pop()!;
    const id = `${st.dev}:${st.ino}`;
    if (visited.has(id)) continue;
    visited.add(id);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({ file: dir, message: errnoMessage(e), level: 'error' });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files: InputFile[] = [];
    const subdirs: Array<{ dir: string; st: fs.Stats }> = [];
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const wanted = options.extensions.includes(path.extname(e.name).toLowerCase());
      if (e.isDirectory()) {
        if (options.recursive) {
          const s = tryLstat(full);
          if (s) subdirs.push({ dir: full, st: s });
        }
        continue;
      }
      if (e.isSymbolicLink()) {
        let target: fs.Stats;
        try {
          target = fs.statSync(full);
        } catch (err) {
          if (wanted) problems.push({ file: full, message: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'dangling symbolic link: skipped' : `${errnoMessage(err)}: skipped`, level: 'error' });
          continue;
        }
        if (target.isDirectory()) {
          if (options.recursive) {
            problems.push({ file: full, message: 'symbolic link to a folder: not followed (name the folder itself to read it)', level: 'notice' });
          }
          continue;
        }
        if (!wanted) continue;
        if (target.isFile()) files.push({ name: full, path: full });
        else problems.push({ file: full, message: `symbolic link to ${kindOf(target)}, not a regular file: skipped`, level: 'error' });
        continue;
      }
      if (!wanted) continue;
      if (e.isFile()) files.push({ name: full, path: full });
      else {
        const s = tryLstat(full);
        problems.push({ file: full, message: `${s ? kindOf(s) : 'not a regular file'}, not a regular file: skipped`, level: 'error' });
      }
    }
    folders.push({ dir, files });
    // depth-first, in name order: the first subfolder ends up on top of the stack
    for (let i = subdirs.length - 1; i >= 0; i--) pending.push(subdirs[i]);
  }
}

/** Options of {@link readInputText}. */
export interface ReadOptions {
  /**
   * Largest input accepted, in bytes.
   * @default DEFAULT_MAX_BYTES (256 MiB)
   */
  readonly maxBytes?: number;
}

/**
 * Reads an input as UTF-8 text (a leading byte-order mark is dropped). Throws {@link InputReadError}
 * when it cannot be read (opened non-blocking and checked to be a regular file, unless it is an
 * open descriptor such as stdin) or is larger than `maxBytes`, and {@link InputEncodingError} when
 * it is not valid UTF-8.
 */
export function readInputText(input: InputFile, options: ReadOptions = {}): string {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let bytes: Buffer;
  if (input.fd !== undefined) {
    bytes = readDescriptor(input.fd, max);
  } else {
    let fd: number;
    try {
      // O_NONBLOCK: opening a FIFO that replaced the file since it was listed must not wait for a writer
      fd = fs.openSync(input.path!, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (e) {
      throw new InputReadError(errnoMessage(e));
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new InputReadError(`${kindOf(st)}, not a regular file: skipped`);
      if (st.size > max) throw new InputReadError(`larger than ${max} bytes (${st.size}): refused`);
      bytes = readDescriptor(fd, max);
    } finally {
      fs.closeSync(fd);
    }
  }
  return decodeUtf8(bytes);
}

const WAIT = new Int32Array(new SharedArrayBuffer(4));

/** Reads a descriptor to its end, refusing more than `max` bytes; waits out EAGAIN on a non-blocking pipe. */
function readDescriptor(fd: number, max: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(WAIT, 0, 0, 5);
        continue;
      }
      if (code === 'EOF') break; // Windows console
      throw new InputReadError(errnoMessage(e));
    }
    if (n === 0) break;
    total += n;
    if (total > max) throw new InputReadError(`larger than ${max} bytes: refused`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks, total);
}

const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 strictly; the error names the byte offset and line of the first invalid sequence. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return DECODER.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    throw new InputEncodingError(`not valid UTF-8: invalid byte sequence at byte ${at} (line ${line})`);
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (RFC 3629), or the length. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; } else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; } else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; } else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return i;
}
