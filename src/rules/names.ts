/**
 * Name rules: Kubernetes object names (k8s.io/apimachinery `validation.IsDNS1123Label`,
 * `IsDNS1123Subdomain`, `IsDNS1035Label`) and Istio's host and name checks (istio/istio 1.30.3
 * `pkg/config/labels/instance.go`, `pkg/config/validation/agent/validation.go`).
 *
 * Every rule returns the rule text when the value breaks it, or undefined when it is fine, so each
 * caller words the error for its own property (a factory throws, a validator reports a finding).
 */
import { ipAddress } from './ip';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** Istio's `dns1123LabelFmt`: letters of either case (pkg/config/labels/instance.go). */
const ISTIO_DNS_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
/** Istio's `wildcardPrefix`: `*`, or an optional `*` / `*-` before a DNS-1123 label. */
const ISTIO_WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;

export const RULE_DNS1123_LABEL = "must be a DNS-1123 label: at most 63 lowercase alphanumerics or '-', starting and ending with an alphanumeric";
export const RULE_DNS1123_SUBDOMAIN = 'must be a DNS-1123 subdomain: at most 253 characters of dot-separated DNS-1123 labels';
export const RULE_DNS1035_LABEL = "must be a DNS-1035 label: at most 63 lowercase alphanumerics or '-', starting with a letter and ending with an alphanumeric";
export const RULE_ISTIO_DNS_LABEL = "must be a DNS-1123 label as Istio checks it: at most 63 letters, digits or '-', starting and ending with a letter or digit";

/** Kubernetes DNS-1123 label (namespace names, most `name` fields): lowercase, at most 63. */
export function dns1123Label(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 63 && DNS1123_LABEL.test(v) ? undefined : RULE_DNS1123_LABEL;
}

/** Kubernetes DNS-1123 subdomain (most object names): dot-separated labels, at most 253. */
export function dns1123Subdomain(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 253 && DNS1123_SUBDOMAIN.test(v) ? undefined : RULE_DNS1123_SUBDOMAIN;
}

/** Kubernetes DNS-1035 label (Service names): starts with a letter, at most 63. */
export function dns1035Label(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 63 && DNS1035_LABEL.test(v) ? undefined : RULE_DNS1035_LABEL;
}

/**
 * Istio's `labels.IsDNS1123Label`: like Kubernetes' but letters of either case. Istio uses it for
 * subset names, port names, gateway names and namespaces inside Istio resources.
 */
export function istioDnsLabel(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 63 && ISTIO_DNS_LABEL.test(v) ? undefined : RULE_ISTIO_DNS_LABEL;
}

/**
 * Istio's `ValidateDNS1123Labels`: dot-separated Istio DNS labels; the last label may be empty (a
 * trailing dot, `istio.io.`), and the top-level label may not be all digits.
 */
function istioDnsLabels(domain: string): string | undefined {
  const parts = domain.split('.');
  if (/^[+-]?[0-9]+$/.test(parts[parts.length - 1])) return `the top-level label ${JSON.stringify(parts[parts.length - 1])} cannot be all-numeric`;
  for (let i = 0; i < parts.length; i++) {
    if (i === parts.length - 1 && parts[i] === '') return undefined;
    if (istioDnsLabel(parts[i])) return `label ${JSON.stringify(parts[i])} is not a DNS-1123 label`;
  }
  return undefined;
}

function dnsPreconditions(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return 'a domain name must be a non-empty string';
  if (v.length > 255) return 'a domain name must be at most 255 characters';
  return undefined;
}

/**
 * Istio's `ValidateWildcardDomain` (hosts of VirtualServices, DestinationRules, ServiceEntries,
 * destinations): at most 255 characters; the first label may be `*`, `*x` or `*-x`; the others are
 * DNS-1123 labels (either case); a trailing dot is allowed; the top-level label is not all digits.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/agent/validation.go
 */
export function wildcardDomain(v: unknown): string | undefined {
  const pre = dnsPreconditions(v);
  if (pre) return pre;
  const s = v as string;
  const dot = s.indexOf('.');
  const first = dot < 0 ? s : s.slice(0, dot);
  if (first.length > 63 || !ISTIO_WILDCARD_LABEL.test(first)) {
    return first.includes('*') ? `label ${JSON.stringify(first)} is invalid: a wildcard is only allowed as "*", "*x" or "*-x" in the first label` : `label ${JSON.stringify(first)} is not a DNS-1123 label`;
  }
  if (dot >= 0) {
    const rest = istioDnsLabels(s.slice(dot + 1));
    if (rest) return rest.includes('*') ? `${rest}: a wildcard is only allowed in the first label` : rest;
  }
  return undefined;
}

/** Istio's `ValidateFQDN`: like {@link wildcardDomain} without wildcards. */
export function fqdn(v: unknown): string | undefined {
  return dnsPreconditions(v) ?? istioDnsLabels(v as string);
}

/** Istio's `ValidatePartialWildCard`: `*` only alone or as a `*.` prefix. */
export function partialWildcard(v: string): string | undefined {
  return v.includes('*') && v.length !== 1 && !v.startsWith('*.') ? `partial wildcard ${JSON.stringify(v)} is not allowed` : undefined;
}

/**
 * Istio's `ValidateNamespaceSlashWildcardHostname` for Sidecar egress hosts (`isGateway` false) and
 * Gateway server hosts (`isGateway` true): `namespace/dnsName`, where the namespace is `*`, `.`,
 * `~` (Sidecar only) or a DNS-1123 label, and the DNS name is `*`, an FQDN or a `*.`-prefixed FQDN
 * (a Gateway also takes an IP address and the old form without a namespace).
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/agent/validation.go
 */
export function namespaceSlashHost(v: unknown, isGateway: boolean): string | undefined {
  if (typeof v !== 'string') return 'a host must be a string of the form namespace/dnsName';
  const slash = v.indexOf('/');
  if (slash < 0) {
    if (isGateway) return hostnamePart(v, true);
    return 'a host must be of the form namespace/dnsName';
  }
  const ns = v.slice(0, slash);
  const host = v.slice(slash + 1);
  if (ns.length === 0 || host.length === 0) return 'the namespace and the dnsName of a host cannot be empty';
  const special = isGateway ? ['*', '.'] : ['*', '.', '~'];
  if (!special.includes(ns) && istioDnsLabel(ns)) return `namespace ${JSON.stringify(ns)} is invalid: it must be *, .${isGateway ? '' : ', ~'} or a DNS-1123 label`;
  return hostnamePart(host, isGateway);
}

function hostnamePart(host: string, isGateway: boolean): string | undefined {
  if (host !== '*' && !host.includes('.')) return `${JSON.stringify(host)} is a short name: only fully qualified names (or *) are allowed`;
  const bad = wildcardDomain(host);
  if (bad && !(isGateway && ipAddressOk(host))) return bad;
  return partialWildcard(host);
}

function ipAddressOk(v: string): boolean {
  return ipAddress(v) === undefined;
}

/** Istio's `ValidateTrustDomain`: dot-separated DNS-1123 labels, a trailing dot allowed. */
export function trustDomain(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return 'a trust domain must be a non-empty string';
  const parts = v.split('.');
  for (let i = 0; i < parts.length; i++) {
    if (i === parts.length - 1 && parts[i] === '') return undefined;
    if (istioDnsLabel(parts[i])) return `trust domain ${JSON.stringify(v)} is invalid: each label must be a DNS-1123 label`;
  }
  return undefined;
}

/**
 * Istio's `validateGatewayNames`: `namespace/name` (both DNS-1123 labels), `mesh`, or the legacy
 * FQDN form `name.namespace.svc.cluster.local`.
 */
export function gatewayName(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'a gateway name must be a string';
  const slash = v.indexOf('/');
  if (slash < 0) return fqdn(v);
  const ns = v.slice(0, slash);
  const name = v.slice(slash + 1);
  if (ns.length === 0 || name.length === 0) return 'the namespace and the name of a gateway cannot be empty';
  if (istioDnsLabel(ns)) return `namespace ${JSON.stringify(ns)} is not a DNS-1123 label`;
  if (istioDnsLabel(name)) return `gateway name ${JSON.stringify(name)} is not a DNS-1123 label`;
  return undefined;
}

/** Suggests a DNS-1123 label for a free-form name, for error hints and default names. */
export function toDnsLabel(v: string): string {
  return v
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/-{2,}/g, '-')
    .slice(0, 63)
    .replace(/-+$/g, '');
}
