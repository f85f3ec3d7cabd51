/**
 * Route answers of pilot (the harness) and of our simulator, reduced to what both can say, so the
 * conformance tests can compare them: the VirtualService rule (`r<index>` names), or the default
 * route, or 404, or a TCP proxy; and the weighted destinations as `host|subset|weight`.
 */
import { MeshSimulator } from '../../src/simulator/simulator';
import type { DiffRequest } from './generators';
import type { IstioRouteAnswer } from './harness';

/** A route answer reduced to what both sides can say. */
export interface RouteVerdict {
  readonly noRoute?: boolean;
  /** Istio proxies the connection as TCP (the port is not HTTP for Istio). */
  readonly tcp?: boolean;
  readonly error?: string;
  /** `r<i>` rule index, or 'default' for the route to a host without VirtualService. */
  readonly rule?: number | 'default';
  /** `host|subset|weight`, sorted. */
  readonly destinations?: string[];
}

/** Pilot's answer, as the harness reports it (a route named `r<index>` is rule index). */
export function istioVerdict(a: IstioRouteAnswer): RouteVerdict {
  if (a.error === 'no route matched') return { noRoute: true };
  if (a.error) return { error: a.error };
  if (a.tcp) return { tcp: true, destinations: a.clusters.map((c) => `${c.host}|${c.subset ?? ''}|${c.weight}`).sort() };
  const m = /^r(\d+)/.exec(a.route ?? '');
  const rule = m ? Number(m[1]) : a.route === 'default' ? 'default' : undefined;
  return { rule, destinations: a.clusters.map((c) => `${c.host}|${c.subset ?? ''}|${c.weight}`).sort() };
}

/** Our simulator's answer to a request (rule names of the compared sets are `r<index>`). */
export function ourVerdict(sim: MeshSimulator, r: DiffRequest): RouteVerdict {
  try {
    const res = sim.route({ host: r.host, port: r.port, method: r.method, path: r.path, headers: r.headers, sourceNamespace: r.sourceNamespace, sourceLabels: r.sourceLabels });
    if (res.noRoute) return { noRoute: true };
    const destinations = res.destinations.map((d) => `${d.host}|${d.subset ?? ''}|${Math.round(d.weight * 1000) / 1000}`).sort();
    if (res.tcp) return { tcp: true, destinations };
    const rule = res.defaultRoute ? 'default' : res.rule;
    return { rule, destinations };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
