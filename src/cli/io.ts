/**
 * What every command shares: its output streams, the exit codes, and reporting per-file input
 * problems.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { InputProblem } from '../io/files';

/** Output streams, replaceable in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * The process streams. Writes are queued by Node and flushed before the process exits on its own,
 * which is why no command calls `process.exit()`: the CLI sets `process.exitCode` and returns, so a
 * slow pipe (CI logs, `| tee`, a parent process) receives every line.
 */
export const PROCESS_IO: CliIo = {
  out: (t) => {
    process.stdout.write(t);
  },
  err: (t) => {
    process.stderr.write(t);
  },
};

/** Exit codes of every command (documented in the README). */
export const EXIT = {
  /** Clean: no error finding (lint), or an answer was printed (route, authz, graph), or help. */
  OK: 0,
  /** lint: at least one error finding. */
  FINDINGS: 1,
  /** A usage error, or an input that could not be read (the result would be incomplete). */
  USAGE_OR_INPUT: 2,
} as const;

/** Writes lines in chunks of about 64 KiB rather than one write per line. */
export function writeLines(write: (text: string) => void, lines: Iterable<string>): void {
  let chunk: string[] = [];
  let size = 0;
  for (const line of lines) {
    chunk.push(line);
    size += line.length + 1;
    if (size >= 65536) {
      write(chunk.join('\n') + '\n');
      chunk = [];
      size = 0;
    }
  }
  if (chunk.length > 0) write(chunk.join('\n') + '\n');
}

/** One stderr line per input problem: `cdk8s-istio <command>: <file>: <message>`. */
export function reportProblems(command: string, problems: readonly InputProblem[], err: (text: string) => void): void {
  writeLines(err, problems.map((p) => `cdk8s-istio ${command}: ${p.file}: ${p.message}`));
}

/** The package version, read from the package.json that ships with the code. */
export function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === 'cdk8s-istio') return String(pkg.version);
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
