import { normalizeHeaders, SimulatorError } from './match';
import { MeshModel } from './model';
import { RouteRequest } from './types';

/** A request with defaults filled in and header names lower-cased. */
export interface NormalRequest {
  readonly fqdn: string;
  readonly headers: Record<string, string>;
  readonly path: string;
  readonly method: string;
  readonly authority: string;
  readonly scheme: string;
  readonly port?: number;
  readonly sourceNamespace?: string;
  readonly sourceLabels?: Record<string, string>;
  readonly gateway: string;
}

/** Fills in a route request's defaults and resolves its host. */
export function normalize(model: MeshModel, r: RouteRequest): NormalRequest {
  if (!r || typeof r.host !== 'string' || r.host === '') throw new SimulatorError('route request: host is required, e.g. order-service.production');
  return {
    fqdn: model.fqdn(r.host, r.sourceNamespace),
    headers: normalizeHeaders(r.headers),
    path: r.path ?? '/',
    method: r.method ?? 'GET',
    authority: r.authority ?? r.host,
    scheme: r.scheme ?? 'http',
    port: r.port,
    sourceNamespace: r.sourceNamespace,
    sourceLabels: r.sourceLabels,
    gateway: r.gateway ?? 'mesh',
  };
}
