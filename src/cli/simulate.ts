/**
 * `cdk8s-istio route|authz|graph`: the offline simulator on the command line. Each command prints
 * one JSON object on stdout (graph: mermaid or dot text when asked), exits 0 with an answer (a DENY
 * or a 404 is an answer), and exits 2 with a message on stderr for a usage error. The contract is
 * documented in docs/simulator.md; keys are only ever added.
 */
import { GRAPH_FORMATS, GraphFormat } from '../simulator/graph';
import { SimulatorError } from '../simulator/match';
import { MeshSimulator } from '../simulator/simulator';
import { AuthzResult, RouteResult } from '../simulator/types';

/** A CLI command: parses argv, prints its answer, returns the exit code. */
export interface SimulatorCommand {
  /** Runs the command; never throws for bad input (it prints to stderr and returns 2). */
  run(argv: string[]): number;
}

/** Output streams, replaceable in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS_IO: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

class UsageError extends Error {}

interface Parsed {
  readonly files: string[];
  readonly flags: Map<string, string[]>;
}

/** Parses `files… --flag value --bool` with the given flags; `--flag=value` works too. */
function parse(argv: string[], valued: string[], booleans: string[]): Parsed {
  const files: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      files.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (booleans.includes(name) && eq < 0) {
      flags.set(name, ['true']);
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown option ${a}`);
    }
  }
  if (files.length === 0) throw new UsageError('give at least one manifest file or folder');
  return { files, flags };
}

function one(p: Parsed, name: string, required: boolean): string | undefined {
  const v = p.flags.get(name);
  if (!v) {
    if (required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  if (v.length > 1) throw new UsageError(`--${name} given more than once`);
  return v[0];
}

function headers(p: Parsed): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of p.flags.get('header') ?? []) {
    const eq = h.indexOf('=');
    if (eq <= 0) throw new UsageError(`--header ${JSON.stringify(h)}: write it as name=value`);
    out[h.slice(0, eq)] = h.slice(eq + 1);
  }
  return out;
}

function intFlag(p: Parsed, name: string): number | undefined {
  const v = one(p, name, false);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new UsageError(`--${name} ${JSON.stringify(v)}: must be a port in 1..65535`);
  return Number(v);
}

function simulator(p: Parsed): MeshSimulator {
  return MeshSimulator.fromFiles(p.files, { rootNamespace: one(p, 'root-namespace', false), recursive: p.flags.has('recursive') });
}

/** Runs `body`, mapping usage and simulator errors to exit code 2 with a message on stderr. */
function guarded(command: string, usage: string, io: CliIo, body: () => string): number {
  try {
    io.out(body());
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof SimulatorError) {
      io.err(`cdk8s-istio ${command}: ${e.message}\nusage: cdk8s-istio ${command} ${usage}\n`);
      return 2;
    }
    throw e;
  }
}

/** The CLI form of a route answer: the contract's keys first, in contract order. */
export function routeJson(r: RouteResult): object {
  if (r.noRoute) return { noRoute: true, routedBy: r.routedBy, host: r.host, reason: r.reason, warnings: r.warnings };
  return {
    rule: r.rule ?? null,
    destinations: r.destinations,
    timeout: r.timeout,
    retries: r.retries,
    ...(r.match !== undefined ? { match: r.match } : {}),
    routedBy: r.routedBy,
    host: r.host,
    ...(r.defaultRoute ? { defaultRoute: true } : {}),
    ...(r.redirect ? { redirect: r.redirect } : {}),
    ...(r.directResponse ? { directResponse: r.directResponse } : {}),
    reason: r.reason,
    warnings: r.warnings,
  };
}

/** The CLI form of an authorization answer: decision, policy, reason first. */
export function authzJson(r: AuthzResult): object {
  return {
    decision: r.decision,
    policy: r.policy,
    reason: r.reason,
    ...(r.kind ? { kind: r.kind } : {}),
    ...(r.rule !== undefined ? { rule: r.rule } : {}),
    ...(r.workload ? { workload: r.workload } : {}),
    ...(r.mtls ? { mtls: r.mtls } : {}),
    ...(r.enforcedBy ? { enforcedBy: r.enforcedBy } : {}),
    ...(r.audit ? { audit: r.audit } : {}),
  };
}

const ROUTE_USAGE = '<files or dirs…> [--recursive] --host <svc>.<ns> [--header k=v]… [--path P] [--method M] [--port N] [--source-namespace NS] [--gateway mesh|<ns>/<gateway>]';

/** Builds `route` over the given streams (tests pass their own). */
export function routeCommand(io: CliIo = PROCESS_IO): SimulatorCommand {
  return {
    run: (argv) =>
      guarded('route', ROUTE_USAGE, io, () => {
        const p = parse(argv, ['host', 'header', 'path', 'method', 'port', 'source-namespace', 'authority', 'gateway', 'root-namespace'], ['recursive']);
        const r = simulator(p).route({
          host: one(p, 'host', true)!,
          headers: headers(p),
          path: one(p, 'path', false),
          method: one(p, 'method', false),
          port: intFlag(p, 'port'),
          sourceNamespace: one(p, 'source-namespace', false),
          authority: one(p, 'authority', false),
          gateway: one(p, 'gateway', false),
        });
        return JSON.stringify(routeJson(r)) + '\n';
      }),
  };
}

const AUTHZ_USAGE = '<files or dirs…> [--recursive] --to <svc>.<ns> (--from-principal P | --plaintext) --method M --path P [--header k=v]… [--port N] [--workload NAME]';

/** Builds `authz` over the given streams. */
export function authzCommand(io: CliIo = PROCESS_IO): SimulatorCommand {
  return {
    run: (argv) =>
      guarded('authz', AUTHZ_USAGE, io, () => {
        const p = parse(argv, ['to', 'from-principal', 'method', 'path', 'header', 'port', 'workload', 'host', 'source-ip', 'root-namespace'], ['plaintext', 'tcp', 'recursive']);
        const principal = one(p, 'from-principal', false);
        const plaintext = p.flags.has('plaintext');
        if (!principal === !plaintext) throw new UsageError('give exactly one of --from-principal P and --plaintext');
        const r = simulator(p).authorize({
          to: one(p, 'to', true)!,
          fromPrincipal: principal,
          plaintext,
          method: one(p, 'method', true),
          path: one(p, 'path', true),
          headers: headers(p),
          port: intFlag(p, 'port'),
          workload: one(p, 'workload', false),
          host: one(p, 'host', false),
          sourceIp: one(p, 'source-ip', false),
          ...(p.flags.has('tcp') ? { tcp: true } : {}),
        });
        return JSON.stringify(authzJson(r)) + '\n';
      }),
  };
}

const GRAPH_USAGE = '<files or dirs…> [--recursive] [--format json|mermaid|dot]';

/** Builds `graph` over the given streams. The default format is JSON, like every other command. */
export function graphCommand(io: CliIo = PROCESS_IO): SimulatorCommand {
  return {
    run: (argv) =>
      guarded('graph', GRAPH_USAGE, io, () => {
        const p = parse(argv, ['format', 'root-namespace'], ['recursive']);
        const format = (one(p, 'format', false) ?? 'json') as GraphFormat;
        if (!GRAPH_FORMATS.includes(format)) throw new UsageError(`--format ${JSON.stringify(format)}: must be one of ${GRAPH_FORMATS.join(', ')}`);
        const sim = simulator(p);
        return format === 'json' ? JSON.stringify(sim.graph()) + '\n' : sim.renderGraph(format);
      }),
  };
}

/** `cdk8s-istio route`. */
export const route: SimulatorCommand = routeCommand();
/** `cdk8s-istio authz`. */
export const authz: SimulatorCommand = authzCommand();
/** `cdk8s-istio graph`. */
export const graph: SimulatorCommand = graphCommand();
