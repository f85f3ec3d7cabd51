/**
 * `cdk8s-istio route|authz|graph`: the offline simulator on the command line. Each command prints
 * one JSON object on stdout (graph: mermaid or dot text when asked), exits 0 with an answer (a DENY
 * or a 404 is an answer), and exits 2 with a message on stderr for a usage error or for any input
 * file that cannot be read or parsed: every such file is named, and no answer is printed, since an
 * answer over part of the mesh (a policy file missing, say) could be wrong. The contract is
 * documented in docs/simulator.md; keys are only ever added.
 */
import { GRAPH_FORMATS, GraphFormat } from '../simulator/graph';
import { SimulatorError } from '../simulator/match';
import { readManifestInputs } from '../simulator/load';
import { MeshSimulator } from '../simulator/simulator';
import { AuthzResult, RouteResult } from '../simulator/types';
import { CliIo, EXIT, PROCESS_IO, reportProblems } from './io';

export type { CliIo };

/** A CLI command: parses argv, prints its answer, returns the exit code. */
export interface SimulatorCommand {
  /** Runs the command; never throws for bad input (it prints to stderr and returns 2). */
  run(argv: string[]): number;
}

class UsageError extends Error {}

/** `--help` was asked for. */
class HelpRequest extends Error {}

interface Parsed {
  readonly files: string[];
  readonly flags: Map<string, string[]>;
}

/** Parses `files… --flag value --bool` with the given flags; `--flag=value` works too. */
function parse(argv: string[], valued: string[], booleans: string[]): Parsed {
  const files: string[] = [];
  const flags = new Map<string, string[]>();
  let optionsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!optionsEnded && (a === '-h' || a === '--help')) throw new HelpRequest();
    if (optionsEnded || !a.startsWith('-') || a === '-') {
      files.push(a);
      continue;
    }
    if (a === '--') {
      optionsEnded = true;
      continue;
    }
    if (!a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
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

/**
 * The `--claim k=v` flags as a JWT payload: a claim given more than once is a list; a value that
 * parses as JSON (a number, true/false, an object or a list) is taken as that.
 */
function claims(p: Parsed): Record<string, unknown> | undefined {
  const given = p.flags.get('claim') ?? [];
  if (given.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const c of given) {
    const eq = c.indexOf('=');
    if (eq <= 0) throw new UsageError(`--claim ${JSON.stringify(c)}: write it as name=value`);
    const [k, raw] = [c.slice(0, eq), c.slice(eq + 1)];
    let v: unknown = raw;
    if (/^(-?\d|true$|false$|\{|\[)/.test(raw)) {
      try {
        v = JSON.parse(raw);
      } catch {
        v = raw;
      }
    }
    out[k] = k in out ? [...(Array.isArray(out[k]) ? (out[k] as unknown[]) : [out[k]]), v] : v;
  }
  return out;
}

function intFlag(p: Parsed, name: string): number | undefined {
  const v = one(p, name, false);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new UsageError(`--${name} ${JSON.stringify(v)}: must be a port in 1..65535`);
  return Number(v);
}

/** An input file that cannot be read or parsed: reported per file, then exit 2 without an answer. */
class InputError extends Error {}

function simulator(p: Parsed, command: string, io: CliIo): MeshSimulator {
  const { objects, problems } = readManifestInputs(p.files, { recursive: p.flags.has('recursive') });
  reportProblems(command, problems, io.err);
  const unread = problems.filter((x) => x.level === 'error').length;
  if (unread > 0) throw new InputError(`${unread} input(s) could not be read or parsed; no answer`);
  return MeshSimulator.fromManifests(objects, { rootNamespace: one(p, 'root-namespace', false) });
}

/** Runs `body`, mapping usage, input and simulator errors to exit code 2 with a message on stderr. */
function guarded(command: string, usage: string, help: string, io: CliIo, body: () => string): number {
  try {
    io.out(body());
    return EXIT.OK;
  } catch (e) {
    if (e instanceof HelpRequest) {
      io.out(`usage: cdk8s-istio ${command} ${usage}\n\n${help}${SHARED_HELP}`);
      return EXIT.OK;
    }
    if (e instanceof InputError) {
      io.err(`cdk8s-istio ${command}: ${e.message}\n`);
      return EXIT.USAGE_OR_INPUT;
    }
    if (e instanceof UsageError || e instanceof SimulatorError) {
      io.err(`cdk8s-istio ${command}: ${e.message}\nusage: cdk8s-istio ${command} ${usage}\n`);
      return EXIT.USAGE_OR_INPUT;
    }
    throw e;
  }
}

const SHARED_HELP = `
Reads .yaml, .yml and .json files; a folder means its own files (--recursive: its subfolders' too).
"-" (or /dev/stdin) reads stdin; /dev/fd/N reads that descriptor. Inside a folder, a symbolic link
to a file is read and a symbolic link to a folder is not followed.

exit status: 0 an answer was printed (a DENY or a 404 is an answer), 2 usage error or an input that
could not be read or parsed (each one is named on stderr, and no answer is printed)
`;

/** The CLI form of a route answer: the contract's keys first, in contract order. */
export function routeJson(r: RouteResult): object {
  if (r.noRoute) return { noRoute: true, routedBy: r.routedBy, host: r.host, ...(r.port !== undefined ? { port: r.port } : {}), reason: r.reason, warnings: r.warnings };
  return {
    rule: r.rule ?? null,
    destinations: r.destinations,
    timeout: r.timeout,
    retries: r.retries,
    ...(r.match !== undefined ? { match: r.match } : {}),
    ...(r.section ? { section: r.section } : {}),
    routedBy: r.routedBy,
    host: r.host,
    ...(r.port !== undefined ? { port: r.port } : {}),
    ...(r.defaultRoute ? { defaultRoute: true } : {}),
    ...(r.tcp ? { tcp: true } : {}),
    ...(r.redirect ? { redirect: r.redirect } : {}),
    ...(r.directResponse ? { directResponse: r.directResponse } : {}),
    ...(r.fault ? { fault: r.fault } : {}),
    ...(r.mirrors ? { mirrors: r.mirrors } : {}),
    ...(r.rewrite ? { rewrite: r.rewrite } : {}),
    ...(r.headers ? { headers: r.headers } : {}),
    ...(r.cors !== undefined ? { cors: r.cors } : {}),
    ...(r.delegate ? { delegate: r.delegate } : {}),
    ...(r.delegation ? { delegation: r.delegation } : {}),
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
    ...(r.shadow ? { shadow: r.shadow } : {}),
  };
}

const ROUTE_USAGE = '<files or dirs…> [--recursive] --host <svc>.<ns> [--header k=v]… [--path P] [--method M] [--port N] [--source-namespace NS] [--gateway mesh|<ns>/<gateway>]';
const ROUTE_HELP = `Where does this request go? Prints one JSON object: the matching rule, the weighted
destinations, timeout and retries, or {"noRoute": true, ...} (see docs/simulator.md). Through a
delegate VirtualService, "rule" indexes the delegate's rules; "delegation" names the root and its
entry (rootRule) and the delegate and its rule (delegateRule).

  --host H               the requested host, <service>.<namespace> or an FQDN (required)
  --header k=v           a request header (repeatable)
  --path P, --method M   the request path and method
  --port N               the destination port
  --authority A          the :authority, when it differs from the host
  --source-namespace NS  the caller's namespace (for exportTo and sourceNamespaces)
  --gateway G            mesh (default) or <namespace>/<gateway> for an ingress request
  --root-namespace NS    the mesh root namespace (default istio-system)
`;

/** Builds `route` over the given streams (tests pass their own). */
export function routeCommand(io: CliIo = PROCESS_IO): SimulatorCommand {
  return {
    run: (argv) =>
      guarded('route', ROUTE_USAGE, ROUTE_HELP, io, () => {
        const p = parse(argv, ['host', 'header', 'path', 'method', 'port', 'source-namespace', 'authority', 'gateway', 'root-namespace'], ['recursive']);
        const r = simulator(p, 'route', io).route({
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

const AUTHZ_USAGE = '<files or dirs…> [--recursive] --to <svc>.<ns> (--from-principal P | --plaintext) --method M --path P [--header k=v]… [--port N] [--workload NAME] [--via service|pod] [--request-principal ISS/SUB] [--claim k=v]… [--sni HOST]';
const AUTHZ_HELP = `Is this call allowed? Prints one JSON object: ALLOW or DENY, the deciding policy, rule and reason.

  --to S                 the called service, <service>.<namespace> (required)
  --from-principal P     the caller's mTLS principal, e.g. cluster.local/ns/prod/sa/order-service
  --plaintext            the caller sends plaintext (no principal); give one of the two
  --method M, --path P   the request method and path (required)
  --header k=v           a request header (repeatable)
  --port N               the destination port
  --workload NAME        the called workload, when the service selects several
  --host H               the request's host header
  --source-ip IP         the caller's IP (for ipBlocks)
  --tcp                  a TCP connection: HTTP-only rules do not match
  --via service|pod      ambient: to the Service, through its waypoint (default), or straight to a pod IP
  --sni HOST             the TLS SNI the caller sent (for connection.sni conditions)
  --request-principal R  the validated JWT's <iss>/<sub> (default: from --claim iss and sub)
  --claim k=v            a claim of the validated JWT (repeatable; repeated: a list; scope and
                         permission are split at spaces, as Istio does)
  --root-namespace NS    the mesh root namespace (default istio-system)
`;

/** Builds `authz` over the given streams. */
export function authzCommand(io: CliIo = PROCESS_IO): SimulatorCommand {
  return {
    run: (argv) =>
      guarded('authz', AUTHZ_USAGE, AUTHZ_HELP, io, () => {
        const p = parse(argv, ['to', 'from-principal', 'method', 'path', 'header', 'port', 'workload', 'host', 'source-ip', 'via', 'root-namespace', 'request-principal', 'claim', 'sni'], ['plaintext', 'tcp', 'recursive']);
        const principal = one(p, 'from-principal', false);
        const plaintext = p.flags.has('plaintext');
        if (!principal === !plaintext) throw new UsageError('give exactly one of --from-principal P and --plaintext');
        const via = one(p, 'via', false);
        if (via !== undefined && via !== 'service' && via !== 'pod') throw new UsageError(`--via ${JSON.stringify(via)}: must be service or pod`);
        const r = simulator(p, 'authz', io).authorize({
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
          requestPrincipal: one(p, 'request-principal', false),
          claims: claims(p),
          sni: one(p, 'sni', false),
          ...(p.flags.has('tcp') ? { tcp: true } : {}),
          ...(via ? { via } : {}),
        });
        return JSON.stringify(authzJson(r)) + '\n';
      }),
  };
}

const GRAPH_USAGE = '<files or dirs…> [--recursive] [--format json|mermaid|dot]';
const GRAPH_HELP = `Who may call whom, and how each host splits traffic. Prints JSON by default.

  --format F             json (default), mermaid or dot
  --root-namespace NS    the mesh root namespace (default istio-system)
`;

/** Builds `graph` over the given streams. The default format is JSON, like every other command. */
export function graphCommand(io: CliIo = PROCESS_IO): SimulatorCommand {
  return {
    run: (argv) =>
      guarded('graph', GRAPH_USAGE, GRAPH_HELP, io, () => {
        const p = parse(argv, ['format', 'root-namespace'], ['recursive']);
        const format = (one(p, 'format', false) ?? 'json') as GraphFormat;
        if (!GRAPH_FORMATS.includes(format)) throw new UsageError(`--format ${JSON.stringify(format)}: must be one of ${GRAPH_FORMATS.join(', ')}`);
        const sim = simulator(p, 'graph', io);
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
