/**
 * Status conditions (pkg/config/analysis/analyzers/conditions/). Status is written by the cluster,
 * so this only finds something in manifests exported from one (`kubectl get -o yaml`).
 */
import { isObject, list, str } from '../../manifests';
import type { Condition, IndexedObject } from '../../manifests';
import type { Analyzer } from './context';
import { q } from './util';

/** The negative condition types per group/kind: reported when their status is `False`. */
const NEGATIVE: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['', 'Service', ['istio.io/WaypointBound']],
  ['networking.istio.io', 'ServiceEntry', ['istio.io/WaypointBound']],
  ['networking.istio.io', 'WorkloadEntry', ['istio.io/WaypointBound']],
  ['security.istio.io', 'AuthorizationPolicy', ['ZtunnelAccepted', 'WaypointAccepted']],
  ['gateway.networking.k8s.io', 'Gateway', ['Accepted', 'Programmed', 'ResolvedRefs']],
  ['gateway.networking.k8s.io', 'HTTPRoute', ['Accepted', 'Programmed', 'ResolvedRefs']],
  ['gateway.networking.k8s.io', 'GRPCRoute', ['Accepted', 'Programmed', 'ResolvedRefs']],
];

function conditionsOf(o: IndexedObject): Condition[] {
  const status = o.manifest.status;
  if (!isObject(status)) return [];
  if (o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute') return list<{ conditions?: unknown }>(status.parents).flatMap((p) => list<Condition>(p?.conditions));
  return list<Condition>(status.conditions).filter(isObject);
}

/**
 * IST0171: a negative status condition (`status: False` on Accepted, Programmed, ResolvedRefs,
 * WaypointBound, ZtunnelAccepted, WaypointAccepted), or an AuthorizationPolicy's WaypointAccepted with
 * reason PartiallyInvalid.
 */
export const conditionAnalyzer: Analyzer = {
  name: 'conditions.ConditionAnalyzer',
  codes: ['IST0171'],
  source: 'pkg/config/analysis/analyzers/conditions/conditions.go',
  analyze(ctx) {
    for (const [group, kind, negative] of NEGATIVE) {
      for (const o of ctx.index.ofKind(kind, group)) {
        for (const c of conditionsOf(o)) {
          const type = str(c.type) ?? '';
          const text = `status.conditions: ${q(type)} is ${q(str(c.status) ?? '')} (reason ${q(str(c.reason) ?? '')}): ${str(c.message) ?? ''}`;
          if (negative.includes(type) && c.status === 'False') ctx.report(o, 'IST0171', text);
          if (kind === 'AuthorizationPolicy' && type === 'WaypointAccepted' && c.reason === 'PartiallyInvalid') ctx.report(o, 'IST0171', text);
        }
      }
    }
  },
};
