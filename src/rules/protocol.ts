/**
 * Istio's protocol names (`pkg/config/protocol/instance.go` at 1.30.3): `protocol.Parse` is
 * case-insensitive; anything else is "unsupported" (Gateway, Sidecar and ServiceEntry reject it).
 */

/** Lowercased protocol name → Istio's canonical protocol. */
const PROTOCOLS: Record<string, string> = {
  'tcp': 'TCP', 'udp': 'UDP', 'grpc': 'GRPC', 'grpc-web': 'GRPC-Web', 'http': 'HTTP', 'http_proxy': 'HTTP_PROXY',
  'http2': 'HTTP2', 'https': 'HTTPS', 'tls': 'TLS', 'mongo': 'Mongo', 'redis': 'Redis', 'mysql': 'MySQL',
};

/** Istio's `protocol.Parse`: the canonical protocol, or undefined when unsupported. */
export function parseProtocol(v: unknown): string | undefined {
  return typeof v === 'string' ? PROTOCOLS[v.toLowerCase()] : undefined;
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
 * Service port-name prefixes from which Istio infers the protocol (`<protocol>[-<suffix>]`,
 * istioctl's IST0118 analyzer).
 */
export const PORT_NAME_PROTOCOL_PREFIXES: readonly string[] = ['tcp', 'udp', 'grpc', 'grpc-web', 'http', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql'];
