#!/usr/bin/env node
/**
 * `cdk8s-istio <command>`: the package's command line. Each command lives in its own module and is
 * loaded only when called, so `lint` never pays for the simulator and vice versa.
 *
 * Exit status: 0 clean (or help, version), 1 lint error findings, 2 usage error or unreadable input.
 * The process is never ended with `process.exit()`: the exit code is set and the process ends once
 * stdout and stderr have drained, so a pipe receives every line.
 */
import '../private/compile-cache-install';
import { CliIo, EXIT, packageVersion, PROCESS_IO } from './io';

interface Command {
  readonly summary: string;
  readonly load: () => { run(argv: string[]): Promise<number> | number };
}

const COMMANDS: Record<string, Command> = {
  lint: { summary: 'validate YAML files or folders like kubectl apply + istioctl analyze', load: () => require('./lint') },
  route: { summary: 'where does this request go? (offline simulator)', load: () => require('./simulate').route },
  authz: { summary: 'is this call allowed? (offline simulator)', load: () => require('./simulate').authz },
  graph: { summary: 'who may call whom, and how each host splits traffic', load: () => require('./simulate').graph },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(6)} ${c.summary}`);
  return (
    'usage: cdk8s-istio <command> [options] <files or dirs...>\n\n' +
    `commands:\n${lines.join('\n')}\n\n` +
    'options:\n  -h, --help     this help (`cdk8s-istio <command> --help` for a command)\n  --version      print the version\n\n' +
    'exit status: 0 clean, 1 lint error findings, 2 usage error or an input that could not be read\n'
  );
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], io: CliIo = PROCESS_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(usage());
    return EXIT.USAGE_OR_INPUT;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] && COMMANDS[rest[0]]) return COMMANDS[rest[0]].load().run(['--help']);
    io.out(usage());
    return EXIT.OK;
  }
  if (name === '--version') {
    io.out(`${packageVersion()}\n`);
    return EXIT.OK;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`cdk8s-istio: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return EXIT.USAGE_OR_INPUT;
  }
  return cmd.load().run(rest);
}

if (require.main === module) {
  // a reader that closed the pipe (`| head`) wants no more output: end quietly, not with a stack trace
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(process.exitCode ?? 0);
    });
  }
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`cdk8s-istio: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.USAGE_OR_INPUT;
    },
  );
}
