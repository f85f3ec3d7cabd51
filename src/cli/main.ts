#!/usr/bin/env node
/**
 * `cdk8s-istio <command>`: the package's command line. Each command lives in its own module and is
 * loaded only when called, so `lint` never pays for the simulator and vice versa.
 */

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

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name ? COMMANDS[name] : undefined;
  if (!cmd) {
    const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(6)} ${c.summary}`);
    process.stderr.write(`usage: cdk8s-istio <command> [args]\n\n${lines.join('\n')}\n`);
    return name === undefined || name === '--help' || name === '-h' ? 0 : 2;
  }
  return cmd.load().run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`cdk8s-istio: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
