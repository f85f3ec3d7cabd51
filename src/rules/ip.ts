/**
 * IP address and CIDR rules as Go's `net/netip` parses them (Istio: `security.ValidateIPs`,
 * `agent.ValidateIPAddress`, `agent.ValidateIPSubnet`) and as Kubernetes validates IP fields
 * (`k8s.io/apimachinery/pkg/util/validation` `IsValidIP`, `IsValidCIDR`).
 */

/** Parses an IPv4 address; `sloppy` allows leading zeros (Kubernetes' legacy `ParseIPSloppy`). */
function ipv4(s: string, sloppy: boolean): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255 && (sloppy || p === '0' || !p.startsWith('0')));
}

/** Parses an IPv6 address (no zone): hex groups, one `::`, an optional trailing IPv4. */
function ipv6(s: string, sloppy: boolean): boolean {
  if (!s.includes(':')) return false;
  let groups = 0;
  let rest = s;
  // A trailing dotted IPv4 counts as two groups.
  const lastColon = rest.lastIndexOf(':');
  const tail = rest.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!ipv4(tail, sloppy)) return false;
    groups += 2;
    rest = rest.slice(0, lastColon + 1);
    if (!rest.endsWith('::')) rest = rest.slice(0, -1);
  }
  const dbl = rest.indexOf('::');
  if (dbl >= 0 && rest.indexOf('::', dbl + 1) >= 0) return false;
  const sides = dbl >= 0 ? [rest.slice(0, dbl), rest.slice(dbl + 2)] : [rest];
  for (const side of sides) {
    if (side === '') continue;
    for (const g of side.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return false;
      groups++;
    }
  }
  return dbl >= 0 ? groups <= 7 : groups === 8;
}

/** Rule text for a value that is not an IP address. */
export const RULE_IP = 'must be an IPv4 or IPv6 address, e.g. "10.0.0.1" or "2001:db8::1"';
/** Rule text for a value that is not a CIDR block. */
export const RULE_CIDR = 'must be a CIDR block, e.g. "10.0.0.0/8" or "2001:db8::/32"';

/** Go `netip.ParseAddr`: IPv4 without leading zeros, or IPv6 with an optional `%zone`. */
export function ipAddress(v: unknown): string | undefined {
  if (typeof v !== 'string') return RULE_IP;
  if (ipv4(v, false)) return undefined;
  const pct = v.indexOf('%');
  const addr = pct >= 0 ? v.slice(0, pct) : v;
  if (pct >= 0 && pct === v.length - 1) return RULE_IP;
  return ipv6(addr, false) ? undefined : RULE_IP;
}

/** Go `netip.ParsePrefix`: an address without zone, `/`, and prefix bits without leading zeros. */
export function ipPrefix(v: unknown): string | undefined {
  if (typeof v !== 'string') return RULE_CIDR;
  const slash = v.lastIndexOf('/');
  if (slash < 0) return RULE_CIDR;
  const addr = v.slice(0, slash);
  const bits = v.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bits)) return RULE_CIDR;
  if (ipv4(addr, false)) return Number(bits) <= 32 ? undefined : `${RULE_CIDR}: an IPv4 prefix has at most 32 bits`;
  if (!addr.includes('%') && ipv6(addr, false)) return Number(bits) <= 128 ? undefined : `${RULE_CIDR}: an IPv6 prefix has at most 128 bits`;
  return RULE_CIDR;
}

/**
 * Istio's `security.ValidateIPs` (AuthorizationPolicy `ipBlocks`, `remoteIpBlocks`, `source.ip`,
 * `remote.ip`, `destination.ip` conditions): a CIDR block when the value holds `/`, else an address.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/security/security.go
 */
export function ipOrCidr(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'must be an IP address or a CIDR block, e.g. "10.0.0.0/8"';
  return v.includes('/') ? ipPrefix(v) : ipAddress(v) && 'must be an IP address or a CIDR block, e.g. "10.0.0.0/8"';
}

/** Istio's `agent.ValidateIPSubnet` (`destinationSubnets`, ServiceEntry `addresses`). */
export function ipSubnet(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'must be an IP address or a CIDR block';
  return v.split('/').length === 2 ? ipPrefix(v) : ipAddress(v);
}

/** Kubernetes `IsValidIP` (Service `clusterIP`, `externalIPs`, `hostAliases`): no zone, leading zeros tolerated. */
export function k8sIp(v: unknown): string | undefined {
  if (typeof v !== 'string') return RULE_IP;
  return ipv4(v, true) || ipv6(v, true) ? undefined : RULE_IP;
}

/** Kubernetes `IsValidCIDR` (`loadBalancerSourceRanges`): address `/` bits. */
export function k8sCidr(v: unknown): string | undefined {
  if (typeof v !== 'string') return RULE_CIDR;
  const slash = v.lastIndexOf('/');
  if (slash < 0) return RULE_CIDR;
  const addr = v.slice(0, slash);
  const bits = v.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return RULE_CIDR;
  if (ipv4(addr, true)) return Number(bits) <= 32 ? undefined : RULE_CIDR;
  if (ipv6(addr, true)) return Number(bits) <= 128 ? undefined : RULE_CIDR;
  return RULE_CIDR;
}

/** An address as a number: its family and its 32 (IPv4) or 128 (IPv6) bits. */
export interface IpValue {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/**
 * The numeric value of an IPv4 or IPv6 address (leading zeros tolerated, an IPv6 zone ignored), or
 * undefined when `v` is neither.
 */
export function ipValue(v: string): IpValue | undefined {
  if (ipv4(v, true)) return { family: 4, value: v.split('.').reduce((n, p) => n * 256n + BigInt(Number(p)), 0n) };
  const pct = v.indexOf('%');
  const addr = pct >= 0 ? v.slice(0, pct) : v;
  if (!ipv6(addr, true)) return undefined;
  // A trailing dotted IPv4 is the last two groups.
  let rest = addr;
  const tailGroups: bigint[] = [];
  const lastColon = addr.lastIndexOf(':');
  if (addr.slice(lastColon + 1).includes('.')) {
    const [a, b, c, d] = addr.slice(lastColon + 1).split('.').map(Number);
    tailGroups.push(BigInt(a * 256 + b), BigInt(c * 256 + d));
    rest = addr.slice(0, lastColon + 1);
    if (!rest.endsWith('::')) rest = rest.slice(0, -1);
  }
  const groups = (side: string): bigint[] => (side === '' ? [] : side.split(':').map((g) => BigInt(parseInt(g, 16))));
  const dbl = rest.indexOf('::');
  let all: bigint[];
  if (dbl >= 0) {
    const left = groups(rest.slice(0, dbl));
    const right = [...groups(rest.slice(dbl + 2)), ...tailGroups];
    all = [...left, ...new Array<bigint>(8 - left.length - right.length).fill(0n), ...right];
  } else {
    all = [...groups(rest), ...tailGroups];
  }
  return { family: 6, value: all.reduce((n, g) => (n << 16n) | g, 0n) };
}

/**
 * Whether address `ip` lies in `cidr`, as Envoy's RBAC `CidrRange` matches an AuthorizationPolicy
 * `ipBlocks` / `remoteIpBlocks` entry or an `ip` condition: istiod makes a bare address a /32 (IPv4) or
 * /128 (IPv6) range (pilot/pkg/security/authz/model/generator.go, `util.AddrStrToCidrRange`); an
 * address of the other family never matches. A value that is no address is compared as written.
 */
export function ipInPrefix(cidr: string, ip: string | undefined): boolean {
  if (!ip) return false;
  const slash = cidr.lastIndexOf('/');
  const base = ipValue(slash >= 0 ? cidr.slice(0, slash) : cidr);
  const addr = ipValue(ip);
  if (!base || !addr) return cidr === ip;
  if (base.family !== addr.family) return false;
  const width = base.family === 4 ? 32 : 128;
  const bits = slash >= 0 ? Number(cidr.slice(slash + 1)) : width;
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return false;
  const shift = BigInt(width - bits);
  return base.value >> shift === addr.value >> shift;
}

/** The IP family of a valid address (4 or 6), or 0. */
export function ipFamily(v: string): 0 | 4 | 6 {
  if (ipv4(v, true)) return 4;
  return ipv6(v, true) ? 6 : 0;
}
