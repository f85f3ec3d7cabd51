import { IConstruct } from 'constructs';
import { ServiceIntent, ServicePortIntent } from './model';
import { fail } from './private/errors';
import { dns1123Label } from './rules/names';
import { notReservedPort, port as checkPort } from './rules/ports';
import { isHttpOrSniffed, parseProtocol, portProtocol } from './rules/protocol';
import { AppProtocol } from './values/app-protocol';

/**
 * One named port of a service: the Service port, the container port behind it, and the protocol
 * Istio reads from the name prefix or from `protocol`.
 *
 * @example { name: 'grpc', port: 9090 }
 * @example { name: 'api', port: 8443, protocol: AppProtocol.HTTP2 }
 */
export interface ServicePort {
  /**
   * The port name, a DNS-1123 label of at most 15 characters, unique per service. Istio takes the
   * protocol from its prefix up to the first `-` (`http`, `http-api`, `http2`, `grpc`, `tcp-db`...)
   * unless `protocol` is set.
   */
  readonly name: string;
  /** The port the Service exposes, in 1..65535, unique per service. */
  readonly port: number;
  /**
   * The container port behind it, unique per service; not one of the ports Istio's proxy reserves.
   * @default - the same as `port`
   */
  readonly targetPort?: number;
  /**
   * The application protocol, written as the Service port's `appProtocol` (Istio reads it before
   * the name). It must agree with the name's prefix when the prefix names a protocol.
   * @default - the protocol of the name's prefix (a name without one is refused)
   */
  readonly protocol?: AppProtocol;
  /**
   * The primary port: routes, policies, the readiness probe, `SERVICE_PORT` and Flagger use it
   * unless told otherwise. At most one port is primary.
   * @default - the first port
   */
  readonly primary?: boolean;
}

/** A port of a declared service, as constructs expose it ({@link IMeshService.ports}). */
export interface MeshServicePort {
  /** The port name. */
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /** The container port. */
  readonly targetPort: number;
  /** The protocol Istio gives the port (`HTTP`, `HTTP2`, `GRPC`, `TCP`, `TLS`...), `UnsupportedProtocol` when it sniffs. */
  readonly protocol: string;
  /** Whether this is the service's primary port. */
  readonly primary: boolean;
}

/**
 * Checks declared ports and returns them as model records, the primary port first (the model's
 * primary port is its first). Each port needs a protocol Istio recognises (name prefix or
 * `protocol`), names and numbers are unique, container ports are not ports Istio reserves, and at
 * most one port is primary.
 */
export function servicePortIntents(scope: IConstruct, property: string, ports: readonly ServicePort[]): ServicePortIntent[] {
  if (!Array.isArray(ports) || ports.length === 0) {
    fail(scope, property, ports, 'a service needs at least one port', "e.g. ports: [{ name: 'http', port: 8080 }]");
  }
  const names = new Map<string, number>();
  const numbers = new Map<number, number>();
  const targets = new Map<number, number>();
  const out: ServicePortIntent[] = [];
  let primary: number | undefined;
  ports.forEach((p, i) => {
    const at = `${property}[${i}]`;
    if (!p || typeof p !== 'object') fail(scope, at, p, 'must be a ServicePort: { name, port }', "e.g. { name: 'http', port: 8080 }");
    const badName = typeof p.name === 'string' ? dns1123Label(p.name) : 'must be a string';
    if (badName || p.name.length > 15) {
      fail(scope, `${at}.name`, p.name, 'a port name must be a DNS-1123 label of at most 15 characters', "use the protocol as prefix, e.g. 'http', 'grpc' or 'http-admin'");
    }
    const badPort = checkPort(p.port) ?? notReservedPort(p.port);
    if (badPort) fail(scope, `${at}.port`, p.port, badPort, 'use an application port such as 8080');
    const targetPort = p.targetPort ?? p.port;
    const badTarget = checkPort(targetPort) ?? notReservedPort(targetPort);
    if (badTarget) fail(scope, `${at}.targetPort`, targetPort, badTarget, 'use an application port such as 8080');
    if (p.protocol !== undefined && !AppProtocol.isAppProtocol(p.protocol)) {
      fail(scope, `${at}.protocol`, p.protocol, 'must be an AppProtocol', 'e.g. AppProtocol.GRPC');
    }
    const fromName = portProtocol(p.port, p.name, 'TCP', undefined);
    if (p.protocol === undefined && fromName === 'UnsupportedProtocol') {
      fail(scope, `${at}.name`, p.name, 'Istio reads a port\'s protocol from its appProtocol or its name prefix up to the first "-"; this name names no protocol, so Istio would sniff it and routes and L7 policies may not apply',
        `name it '${toProtocolName('http', p.name)}' or '${toProtocolName('grpc', p.name)}', or set protocol: AppProtocol.HTTP`);
    }
    const namePrefix = parseProtocol(p.name.split('-')[0]);
    if (p.protocol !== undefined && fromName !== 'UnsupportedProtocol' && namePrefix !== undefined && fromName !== p.protocol.protocol) {
      fail(scope, `${at}.protocol`, p.protocol.protocol, `the name "${p.name}" says ${fromName}; Istio would take appProtocol ${p.protocol.value} and ignore the name, which misleads readers`,
        `rename the port, e.g. '${toProtocolName(p.protocol.value, p.name)}', or drop protocol`);
    }
    for (const [seen, key, what] of [[names, p.name, 'name'], [numbers, p.port, 'port'], [targets, targetPort, 'targetPort']] as const) {
      const first = (seen as Map<unknown, number>).get(key);
      if (first !== undefined) {
        fail(scope, `${at}.${what}`, key, `port ${what}s must be unique: ${property}[${first}] has it too`, `give each port its own ${what}`);
      }
      (seen as Map<unknown, number>).set(key, i);
    }
    if (p.primary !== undefined && typeof p.primary !== 'boolean') fail(scope, `${at}.primary`, p.primary, 'must be a boolean', 'mark one port primary: true, or leave primary out (the first port is primary)');
    if (p.primary) {
      if (primary !== undefined) fail(scope, `${at}.primary`, true, `at most one port is primary: ${property}[${primary}] is primary already`, 'mark one port primary');
      primary = i;
    }
    out.push({ name: p.name, port: p.port, targetPort, protocol: 'TCP', ...(p.protocol !== undefined ? { appProtocol: p.protocol.value } : {}) });
  });
  if (primary !== undefined && primary > 0) out.unshift(...out.splice(primary, 1));
  return out;
}

/** The ports of a declared service as {@link MeshServicePort}s, the primary first. */
export function meshServicePorts(svc: ServiceIntent): MeshServicePort[] {
  return svc.ports.map((p, i) => ({
    name: p.name,
    port: p.port,
    targetPort: p.targetPort,
    protocol: portProtocol(p.port, p.name, p.protocol, p.appProtocol),
    primary: i === 0,
  }));
}

/** The port of a declared service a construct names (`props.port`), or a MeshConfigError naming the service's ports. */
export function declaredPort(scope: IConstruct, property: string, svc: ServiceIntent, port: unknown): ServicePortIntent {
  const found = svc.ports.find((p) => p.port === port);
  if (!found) {
    const badPort = checkPort(port);
    fail(scope, property, port, badPort ?? `port ${port} is not a port of ${svc.name} (it has ${svc.ports.map((p) => `${p.name} ${p.port}`).join(', ')})`,
      'name a Service port the service declares (`ports` of the TracedService, MeshService.fromAttributes or the adopted Service)');
  }
  return found;
}

/** Whether Istio routes a port of a declared service by HTTP rules (an HTTP or gRPC protocol, or sniffed). */
export function isHttpPort(p: ServicePortIntent): boolean {
  return isHttpOrSniffed(portProtocol(p.port, p.name, p.protocol, p.appProtocol));
}

function toProtocolName(prefix: string, name: string): string {
  return `${prefix}-${name}`.slice(0, 15).replace(/-+$/, '');
}
