import { normalizeHeaders, SimulatorError } from './match';
import { ManifestIndex } from '../manifests';
import { RouteRequest } from './types';
import { requestPath } from '../rules/http';

/** A request with defaults filled in and header names lower-cased. */
export interface NormalRequest {
  readonly fqdn: string;
  readonly headers: Record<string, string>;
  readonly path: string;
  readonly method: string;
  readonly authority: string;
  /** The Host header as Envoy compares it with virtual host domains: lower-cased, without port or trailing dot. */
  readonly hostHeader: string;
  readonly scheme: string;
  readonly port?: number;
  readonly sourceNamespace?: string;
  readonly sourceLabels?: Record<string, string>;
  readonly gateway: string;
}

/** Fills in a route request's defaults and resolves its host. */
export function normalize(model: ManifestIndex, r: RouteRequest): NormalRequest {
  if (!r || typeof r.host !== 'string' || r.host === '') throw new SimulatorError('route request: host is required, e.g. order-service.production');
  const badPath = r.path === undefined ? undefined : requestPath(r.path);
  if (badPath) throw new SimulatorError(`route request: path ${JSON.stringify(r.path)} is invalid: ${badPath}`);
  return {
    // A Host header may carry the port (`shop.example.com:443`): Envoy's virtual hosts list each domain
    // with and without `:*` (pilot's generateVirtualHostDomains), so the host matches without it.
    fqdn: requestFqdn(model, r.host.replace(/:\d+$/, ''), r.sourceNamespace),
    headers: normalizeHeaders(r.headers),
    path: r.path ?? '/',
    method: r.method ?? 'GET',
    authority: r.authority ?? r.host,
    hostHeader: hostHeaderOf(r.authority ?? r.host),
    scheme: r.scheme ?? 'http',
    port: r.port,
    sourceNamespace: r.sourceNamespace,
    sourceLabels: r.sourceLabels,
    gateway: r.gateway ?? 'mesh',
  };
}

/** `Host: a.shop:80` → `a.shop`; an IPv6 literal keeps its brackets. */
function hostHeaderOf(authority: string): string {
  const h = authority.toLowerCase();
  const colon = h.lastIndexOf(':');
  const bare = colon > h.lastIndexOf(']') && /^\d+$/.test(h.slice(colon + 1)) ? h.slice(0, colon) : h;
  return bare.replace(/\.$/, '');
}

/**
 * A request host as an FQDN (see {@link ManifestIndex.fqdn}). A short name needs the caller's
 * namespace to resolve, as DNS would: without one it is an error, not a guess. `a.b` is Service `a` of
 * namespace `b` unless no such Service exists and a ServiceEntry serves `a.b` as written (`example.com`),
 * as Envoy matches the Host header against both the Service's aliases and the ServiceEntry's hosts.
 */
export function requestFqdn(index: ManifestIndex, host: string, sourceNamespace: string | undefined): string {
  if (!host.includes('.') && !host.startsWith('*') && !sourceNamespace) {
    throw new SimulatorError(`host ${JSON.stringify(host)} is a short name: write it as <service>.<namespace>`);
  }
  const completed = index.fqdn(host, sourceNamespace);
  const literal = host.toLowerCase().replace(/\.$/, '');
  if (completed !== literal && !index.serviceOfHost(completed)) {
    if (index.serviceEntryFor(literal)) return literal;
  }
  return completed;
}
