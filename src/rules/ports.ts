/**
 * Port rules: Istio's `agent.ValidatePort`, `security.ValidatePorts`, Kubernetes' `IsValidPortNum`
 * and `IsValidPortName` (IANA service names), and the ports Istio's proxies reserve.
 */
import { istioDnsLabel } from './names';

export const RULE_PORT = 'a port must be an integer in 1..65535';

/** A TCP/UDP port number in 1..65535 (Istio `ValidatePort`, Kubernetes `IsValidPortNum`). */
export function port(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535 ? undefined : RULE_PORT;
}

/**
 * Istio's `security.ValidatePorts` (AuthorizationPolicy `ports`, `notPorts`, `destination.port`):
 * a decimal string parsed as uint, at most 65535 (0 passes).
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/security/security.go
 */
export function authzPort(v: unknown): string | undefined {
  return typeof v === 'string' && /^[0-9]+$/.test(v) && Number(v) <= 65535 ? undefined : 'a port must be a decimal number of at most 65535 (no ranges or "*")';
}

/**
 * Kubernetes `IsValidPortName` (named container ports, named `targetPort`s and probe ports): an
 * IANA service name of 1..15 lowercase letters, digits and '-', with at least one letter, no
 * leading, trailing or double '-'.
 */
export function ianaPortName(v: unknown): string | undefined {
  const rule = "a port name must be at most 15 lowercase letters, digits or '-', with at least one letter, and no leading, trailing or double '-'";
  if (typeof v !== 'string' || v.length === 0 || v.length > 15) return rule;
  if (!/^[-a-z0-9]+$/.test(v) || !/[a-z]/.test(v) || v.startsWith('-') || v.endsWith('-') || v.includes('--')) return rule;
  return undefined;
}

/** Istio's `ValidatePortName` (Gateway, Sidecar, ServiceEntry ports): an Istio DNS-1123 label. */
export function istioPortName(v: unknown): string | undefined {
  return istioDnsLabel(v) ? `a port name ${istioDnsLabel(v)}` : undefined;
}

/**
 * Ports Istio's sidecar and ztunnel listen on inside every pod; an application port on one of them
 * collides with the proxy (https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio).
 */
export const ISTIO_RESERVED_PORTS: ReadonlyMap<number, string> = new Map([
  [15000, 'Envoy admin'],
  [15001, 'Envoy outbound'],
  [15004, 'debug'],
  [15006, 'Envoy inbound'],
  [15008, 'HBONE mTLS tunnel'],
  [15009, 'HBONE (gateways)'],
  [15020, 'merged Prometheus telemetry'],
  [15021, 'health checks'],
  [15053, 'DNS proxy'],
  [15090, 'Envoy Prometheus telemetry'],
]);

/** An application port that is not one of {@link ISTIO_RESERVED_PORTS}. */
export function notReservedPort(v: number): string | undefined {
  const use = ISTIO_RESERVED_PORTS.get(v);
  return use ? `port ${v} is reserved by Istio's proxy (${use}); an application port there collides with the sidecar` : undefined;
}
