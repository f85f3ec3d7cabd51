/**
 * DestinationRule traffic-policy rules beyond connection pools and outlier detection: load
 * balancers, locality load balancing (`ValidateLocalityLbSetting`, `validateLocalities`) and what
 * pilot needs for locality failover to do anything (`applyLocalityLoadBalancer`).
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/agent/validation.go
 * @see https://github.com/istio/istio/blob/1.30.3/pilot/pkg/networking/core/cluster_traffic_policy.go
 * @see https://github.com/istio/istio/blob/1.30.3/pilot/pkg/networking/core/loadbalancer/loadbalancer.go
 */

/** `LoadBalancerSettings.SimpleLB` values. */
export const SIMPLE_LOAD_BALANCERS: readonly string[] = ['UNSPECIFIED', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST', 'LEAST_CONN'];

/** `ClientTLSSettings.TLSmode` values. */
export const CLIENT_TLS_MODES: readonly string[] = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'];

/** Largest maglev table size (exclusive), and it must be prime (`validateLoadBalancer`). */
export const MAGLEV_TABLE_SIZE_LIMIT = 5000011;

/** A maglev table size: a prime below 5000011. */
export function maglevTableSize(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return 'a maglev table size is required (a positive integer)';
  if (v >= MAGLEV_TABLE_SIZE_LIMIT) return `must be less than ${MAGLEV_TABLE_SIZE_LIMIT}`;
  return isPrime(v) ? undefined : 'must be a prime number';
}

function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if ((x & 1) === 0) return false;
  const limit = Math.floor(Math.sqrt(x));
  for (let f = 3; f <= limit; f += 2) if (x % f === 0) return false;
  return true;
}

/** The weights of one `distribute` entry: each within 1..100, together 100. */
export function localityWeights(to: { readonly [locality: string]: number }): string | undefined {
  let total = 0;
  for (const w of Object.values(to)) {
    if (!(typeof w === 'number' && Number.isInteger(w) && w >= 1 && w <= 100)) return 'a locality weight must be within 1..100';
    total += w;
  }
  return total === 100 ? undefined : `the weights total ${total}, not 100`;
}

/**
 * A list of localities (`region`, `region/zone`, `region/zone/subzone`, a trailing `*` at most):
 * no empty part, no overlap between entries (`validateLocalities`).
 */
export function localities(list: readonly string[]): string | undefined {
  const seen = new Map<string, Map<string, Set<string>>>();
  for (const loc of list) {
    const stars = (loc.match(/\*/g) ?? []).length;
    if (stars > 1 || (stars === 1 && !loc.endsWith('*'))) return `locality ${JSON.stringify(loc)}: at most one "*", and only at the end`;
    if (seen.has('*')) return `locality ${JSON.stringify(loc)} overlaps an earlier one`;
    const parts = splitLocality(loc);
    if (!parts) return `locality ${JSON.stringify(loc)} has an empty region, zone or subzone`;
    const [region, zone, sub] = parts;
    const zones = seen.get(region);
    if (zone === undefined) {
      if (zones) return `locality ${JSON.stringify(loc)} overlaps an earlier one`;
      seen.set(region, new Map([['*', new Set(['*'])]]));
      continue;
    }
    if (zones?.has('*')) return `locality ${JSON.stringify(loc)} overlaps an earlier one`;
    const subs = zones?.get(zone);
    if (sub === undefined) {
      if (subs) return `locality ${JSON.stringify(loc)} overlaps an earlier one`;
      if (zones) zones.set(zone, new Set(['*']));
      else seen.set(region, new Map([[zone, new Set(['*'])]]));
      continue;
    }
    if (subs && (subs.has('*') || subs.has(sub))) return `locality ${JSON.stringify(loc)} overlaps an earlier one`;
    if (subs) subs.add(sub);
    else if (zones) zones.set(zone, new Set([sub]));
    else seen.set(region, new Map([[zone, new Set([sub])]]));
  }
  return undefined;
}

function splitLocality(loc: string): [string, string?, string?] | undefined {
  const items = loc.split('/');
  const parts = items.length > 3 ? [items[0], items[1], items.slice(2).join('/')] : items;
  if (parts.some((p) => p === '')) return undefined;
  return parts as [string, string?, string?];
}

/** One failover entry: two different regions, no zones, no wildcards. */
export function localityFailover(from: unknown, to: unknown): string | undefined {
  const f = String(from ?? '');
  const t = String(to ?? '');
  if (f === t) return 'from and to must be different regions';
  if (f.includes('/') || t.includes('/')) return 'failover names regions only (no "/")';
  if (f.includes('*') || t.includes('*')) return 'a failover region cannot contain "*"';
  return undefined;
}

/**
 * Locality failover and failover priorities do nothing without outlier detection in the same
 * traffic policy: pilot applies them only when the cluster has outlier detection, or Envoy never
 * drops to a lower priority (istio/istio#48084). istiod's webhook only warns.
 */
export function localityFailoverNeedsOutlierDetection(failover: boolean, outlierDetection: boolean): string | undefined {
  return failover && !outlierDetection
    ? 'locality failover needs outlier detection in the same traffic policy: without it pilot never applies the failover priorities and Envoy never fails over (istio/istio#48084)'
    : undefined;
}

/** What a DestinationRule `portLevelSettings` entry can hold besides its port (`TrafficPolicy.PortTrafficPolicy`). */
export const PORT_LEVEL_PARTS: readonly string[] = ['connectionPool', 'loadBalancer', 'outlierDetection', 'tls'];

/**
 * Destination-level parts a port entry cannot hold at all: pilot builds the port's policy from the
 * entry alone (`shadowCopyPortTrafficPolicy`), so these are not applied on that port. (`tunnel` is read
 * from the destination-level policy directly, `tunnelingconfig/apply.go`, and is kept.)
 */
export const PORT_LEVEL_DROPPED_PARTS: readonly string[] = ['proxyProtocol', 'retryBudget'];

/** The load balancer's algorithm choice, one oneof (`lbPolicy`): `simple` or `consistentHash`. */
const LB_ALGORITHM = ['simple', 'consistentHash'];

type Policy = { readonly [part: string]: unknown };
const rec = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * The destination-level fields a `portLevelSettings` entry drops on its port, as field paths
 * (`loadBalancer.consistentHash`, `connectionPool.tcp.maxConnections`, `tls`, `retryBudget`).
 * Istio does not inherit destination-level settings into a port entry: pilot applies the entry
 * instead of the destination-level policy, defaults for every field it omits
 * (`pilot/pkg/networking/util/util.go` `GetPortLevelTrafficPolicy`, `shadowCopyPortTrafficPolicy`;
 * a subset's own fields are then laid over that, `MergeSubsetTrafficPolicy`). Pool, outlier and
 * load-balancer fields are compared one by one; `tls` as a whole; the load balancer's algorithm choice
 * (`simple` / `consistentHash`) as one field.
 */
export function portLevelDroppedFields(policy: Policy, entry: Policy): string[] {
  const out: string[] = [];
  const pool = rec(policy.connectionPool);
  const entryPool = rec(entry.connectionPool);
  for (const part of ['tcp', 'http']) {
    const host = rec(pool?.[part]);
    const own = rec(entryPool?.[part]);
    for (const [k, v] of Object.entries(host ?? {})) if (isSet(v) && !isSet(own?.[k])) out.push(`connectionPool.${part}.${k}`);
  }
  const od = rec(policy.outlierDetection);
  const entryOd = rec(entry.outlierDetection);
  for (const [k, v] of Object.entries(od ?? {})) if (isSet(v) && !isSet(entryOd?.[k])) out.push(`outlierDetection.${k}`);
  const lb = rec(policy.loadBalancer);
  const entryLb = rec(entry.loadBalancer);
  for (const [k, v] of Object.entries(lb ?? {})) {
    if (!isSet(v)) continue;
    if (LB_ALGORITHM.includes(k) ? !LB_ALGORITHM.some((c) => isSet(entryLb?.[c])) : !isSet(entryLb?.[k])) out.push(`loadBalancer.${k}`);
  }
  if (isSet(policy.tls) && !isSet(entry.tls)) out.push('tls');
  for (const part of PORT_LEVEL_DROPPED_PARTS) if (isSet(policy[part])) out.push(part);
  return out;
}

/**
 * A `portLevelSettings` entry with the destination-level fields it omits written into it, so the
 * port keeps what the traffic policy it sits in sets, except what the entry overrides: pool, outlier
 * and load-balancer fields one by one (the entry's algorithm choice replaces the policy's), `tls` as a
 * whole. What {@link portLevelDroppedFields} reports for the result is only what a port entry cannot
 * hold ({@link PORT_LEVEL_DROPPED_PARTS}). Keys keep the order of `PORT_LEVEL_PARTS`, `port` first.
 */
export function portLevelWithInherited(policy: Policy, entry: Policy): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isSet(entry.port)) out.port = entry.port;
  const fieldwise = (a: unknown, b: unknown, drop: readonly string[] = []): Record<string, unknown> | undefined => {
    const base = rec(a);
    const own = rec(b);
    if (!base) return own;
    const kept = Object.fromEntries(Object.entries(base).filter(([k]) => !drop.includes(k)));
    return { ...kept, ...(own ?? {}) };
  };
  const pool = rec(policy.connectionPool);
  const entryPool = rec(entry.connectionPool);
  if (pool || entryPool) {
    const merged: Record<string, unknown> = {};
    for (const part of ['tcp', 'http']) {
      const v = fieldwise(pool?.[part], entryPool?.[part]);
      if (v) merged[part] = v;
    }
    out.connectionPool = merged;
  }
  const entryLb = rec(entry.loadBalancer);
  const lb = fieldwise(policy.loadBalancer, entryLb, LB_ALGORITHM.some((c) => isSet(entryLb?.[c])) ? LB_ALGORITHM : []);
  if (lb) out.loadBalancer = lb;
  const od = fieldwise(policy.outlierDetection, entry.outlierDetection);
  if (od) out.outlierDetection = od;
  const tls = isSet(entry.tls) ? entry.tls : policy.tls;
  if (isSet(tls)) out.tls = tls;
  return out;
}

/**
 * A destination-level part no port entry can carry, while the host has port entries: Istio would not
 * apply it on those ports (`shadowCopyPortTrafficPolicy` copies only the four port parts).
 */
export function portLevelCannotCarry(part: string, ports: readonly number[]): string | undefined {
  return PORT_LEVEL_DROPPED_PARTS.includes(part) && ports.length > 0
    ? `${part} cannot be set per port (a DestinationRule portLevelSettings entry holds only ${PORT_LEVEL_PARTS.join(', ')}), and pilot does not apply the host's ${part} on a port that has its own settings (${ports.join(', ')}): GetPortLevelTrafficPolicy builds that port's policy from the port entry alone`
    : undefined;
}
