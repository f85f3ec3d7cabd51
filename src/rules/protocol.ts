/**
 * Istio's protocols (`pkg/config/protocol/instance.go` at 1.30.3) and the protocol Istio gives a
 * Kubernetes Service port (`pkg/config/kube/conversion.go`). `protocol.Parse` is case-insensitive;
 * anything else is "unsupported": Gateway, Sidecar and ServiceEntry ports reject it, and a Service
 * port with it is sniffed.
 */

/** Istio's protocols (`protocol.Instance`). */
export type Protocol = 'TCP' | 'UDP' | 'GRPC' | 'GRPC-Web' | 'HTTP' | 'HTTP_PROXY' | 'HTTP2' | 'HTTPS' | 'TLS' | 'Mongo' | 'Redis' | 'MySQL';

/** The protocol of a Service port: one of Istio's, or `UnsupportedProtocol` when neither name nor appProtocol says. */
export type PortProtocol = Protocol | 'UnsupportedProtocol';

/** Lowercased protocol name → Istio's canonical protocol (`protocol.Parse`). */
const PROTOCOLS: Readonly<Record<string, Protocol>> = {
  'tcp': 'TCP', 'udp': 'UDP', 'grpc': 'GRPC', 'grpc-web': 'GRPC-Web', 'http': 'HTTP', 'http_proxy': 'HTTP_PROXY',
  'http2': 'HTTP2', 'https': 'HTTPS', 'tls': 'TLS', 'mongo': 'Mongo', 'redis': 'Redis', 'mysql': 'MySQL',
};

/** Istio's `protocol.Parse`: the canonical protocol, or undefined when unsupported. */
export function parseProtocol(v: unknown): Protocol | undefined {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(PROTOCOLS, v.toLowerCase()) ? PROTOCOLS[v.toLowerCase()] : undefined;
}

/** Istio's `ValidateProtocol`: empty (sniffed) or a protocol `protocol.Parse` knows. */
export function protocol(v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined;
  return parseProtocol(v) ? undefined : `unsupported protocol; Istio knows ${Object.values(PROTOCOLS).join(', ')}`;
}

/** `IsHTTP`: HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC-Web. */
export function isHttpProtocol(p: string | undefined): boolean {
  return p === 'HTTP' || p === 'HTTP2' || p === 'HTTP_PROXY' || p === 'GRPC' || p === 'GRPC-Web';
}

/** `IsTLS`: HTTPS, TLS. */
export function isTlsProtocol(p: string | undefined): boolean {
  return p === 'HTTPS' || p === 'TLS';
}

/**
 * `IsHTTPOrSniffed`: an HTTP protocol, or unsupported (Istio sniffs the protocol, and finds HTTP for
 * an HTTP client). A sidecar routes such a port by the HTTP rules of a VirtualService; any other port
 * (TCP, UDP, HTTPS, TLS, Mongo, Redis, MySQL) is proxied as TCP, where only `tcp`/`tls` rules apply.
 */
export function isHttpOrSniffed(p: PortProtocol): boolean {
  return isHttpProtocol(p) || p === 'UnsupportedProtocol';
}

/** Ports Istio treats as TCP when the name says nothing (SMTP, DNS, MySQL, MongoDB: `wellKnownPorts`). */
const WELL_KNOWN_TCP_PORTS: ReadonlySet<number> = new Set([25, 53, 3306, 27017]);

/**
 * The protocol Istio gives a Service port (`kube.ConvertProtocol`): UDP when the port is UDP; else
 * `appProtocol` (with Kubernetes' `kubernetes.io/h2c|ws|wss`) or the port name, taken up to its first
 * `-` (`grpc-web` as a whole), case-insensitive; else TCP for a few well-known ports; else
 * `UnsupportedProtocol`.
 */
export function portProtocol(port: number | undefined, name: string | undefined, l4Protocol: string | undefined, appProtocol: string | undefined): PortProtocol {
  if (l4Protocol === 'UDP') return 'UDP';
  let n = name ?? '';
  if (appProtocol !== undefined && appProtocol !== null) {
    n = String(appProtocol);
    if (n === 'kubernetes.io/h2c') return 'HTTP2';
    if (n === 'kubernetes.io/ws') return 'HTTP';
    if (n === 'kubernetes.io/wss') return 'HTTPS';
  }
  if (n.length >= 8 && n.slice(0, 8).toLowerCase() === 'grpc-web') return 'GRPC-Web';
  const dash = n.indexOf('-');
  const p = parseProtocol(dash >= 0 ? n.slice(0, dash) : n);
  if (p) return p;
  return port !== undefined && WELL_KNOWN_TCP_PORTS.has(port) ? 'TCP' : 'UnsupportedProtocol';
}

/** {@link portProtocol} of a Service's port object (`spec.ports[i]`). */
export function servicePortProtocol(p: { readonly port?: unknown; readonly name?: unknown; readonly protocol?: unknown; readonly appProtocol?: unknown } | undefined): PortProtocol {
  const s = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return portProtocol(typeof p?.port === 'number' ? p.port : undefined, s(p?.name), s(p?.protocol), s(p?.appProtocol));
}
