import { IndexedObject, ManifestIndex } from '../manifests';
import { routesForService } from './gamma';
import { regexFullMatch, stripQuery } from './match';

/**
 * Gateway API GRPCRoute matching for the mesh (GAMMA), as istiod translates it: a GRPCRoute's method
 * match becomes a condition on the request path `/<service>/<method>` (pilot/pkg/config/kube/gateway/
 * conversion.go `createGRPCURIMatch`, Istio 1.30.3), its header matches header conditions, and its
 * rules are ordered with HTTPRoutes' by `sortHTTPRoutes` (exact path, then prefix, then regex, longer
 * first; a match without method has no path and ranks below all of them; a rule without matches last).
 */

/** The path condition istiod gives a GRPCRoute method match; undefined when the match has no method. */
export interface GrpcPathCondition {
  /** `exact`, `prefix` or `regex`, as istiod writes the VirtualService URI match. */
  readonly kind: 'exact' | 'prefix' | 'regex';
  readonly value: string;
}

/**
 * The URI condition of a GRPCRoute `method` match, as `createGRPCURIMatch` writes it: Exact service and
 * method → exact `/S/M`; Exact service → prefix `/S/`; Exact method → regex `/[^/]+/M`;
 * RegularExpression → regex `/S/M` (`/S/.+` without method, `/[^/]+/M` without service).
 */
export function grpcPathCondition(method: any): GrpcPathCondition | undefined {
  if (!method || typeof method !== 'object') return undefined;
  const service = typeof method.service === 'string' && method.service !== '' ? method.service : undefined;
  const name = typeof method.method === 'string' && method.method !== '' ? method.method : undefined;
  if (service === undefined && name === undefined) return undefined;
  if ((method.type ?? 'Exact') === 'Exact') {
    if (name === undefined) return { kind: 'prefix', value: `/${service}/` };
    if (service === undefined) return { kind: 'regex', value: `/[^/]+/${name}` };
    return { kind: 'exact', value: `/${service}/${name}` };
  }
  if (name === undefined) return { kind: 'regex', value: `/${service}/.+` };
  if (service === undefined) return { kind: 'regex', value: `/[^/]+/${name}` };
  return { kind: 'regex', value: `/${service}/${name}` };
}

/** Whether a request path meets a GRPCRoute method's path condition (Envoy compares paths without the query). */
export function grpcPathMatches(cond: GrpcPathCondition | undefined, path: string): boolean {
  if (!cond) return true;
  if (cond.kind === 'prefix') return path.startsWith(cond.value);
  if (cond.kind === 'exact') return stripQuery(path) === cond.value;
  return regexFullMatch(cond.value, stripQuery(path));
}

/** GRPCRoutes attached to the Service `fqdn` names (and to `port`, when the parentRef gives one). */
export function grpcRoutesForService(model: ManifestIndex, fqdn: string, port: number | undefined): IndexedObject[] {
  return routesForService('GRPCRoute', model, fqdn, port);
}

/** Describes one GRPCRoute match for explanations. */
export function describeGrpcRouteMatch(m: any): string {
  const parts: string[] = [];
  const method = m?.method;
  if (method && typeof method === 'object') {
    const what = [method.service !== undefined ? `service ${JSON.stringify(method.service)}` : '', method.method !== undefined ? `method ${JSON.stringify(method.method)}` : ''].filter((x) => x).join(' ');
    parts.push(`gRPC ${method.type ?? 'Exact'} ${what}`);
  }
  for (const h of Array.isArray(m?.headers) ? m.headers : []) parts.push(`header ${String(h.name).toLowerCase()} ${h.type ?? 'Exact'} ${JSON.stringify(h.value)}`);
  return parts.length ? parts.join(' and ') : 'any gRPC request';
}
