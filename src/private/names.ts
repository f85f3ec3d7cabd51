/**
 * Kubernetes and HTTP name rules shared by every construct. Each returns the rule text when the value
 * breaks it, or undefined when it is fine, so callers can word the error for their property.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** RFC 7230 `token`: 1*tchar. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const RULE_DNS1123_LABEL = "must be a DNS-1123 label: at most 63 lowercase alphanumerics or '-', starting and ending with an alphanumeric";
export const RULE_DNS1123_SUBDOMAIN = "must be a DNS-1123 subdomain: at most 253 characters of dot-separated DNS-1123 labels";
export const RULE_LABEL_VALUE = "must be a valid label value: at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
export const RULE_HTTP_TOKEN = "must be an RFC 7230 token (letters, digits and !#$%&'*+-.^_`|~), with no spaces or separators";

export function dns1123Label(v: string): string | undefined {
  return typeof v === 'string' && v.length <= 63 && DNS1123_LABEL.test(v) ? undefined : RULE_DNS1123_LABEL;
}

export function dns1123Subdomain(v: string): string | undefined {
  return typeof v === 'string' && v.length <= 253 && DNS1123_SUBDOMAIN.test(v) ? undefined : RULE_DNS1123_SUBDOMAIN;
}

export function labelValue(v: string): string | undefined {
  return typeof v === 'string' && v.length <= 63 && LABEL_VALUE.test(v) ? undefined : RULE_LABEL_VALUE;
}

/** A label key: optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters. */
export function labelKey(v: string): string | undefined {
  const rule = "must be a valid label key: an optional DNS subdomain prefix and '/', then at most 63 alphanumerics, '-', '_' or '.'";
  if (typeof v !== 'string' || v.length === 0) return rule;
  const slash = v.indexOf('/');
  const prefix = slash >= 0 ? v.slice(0, slash) : undefined;
  const name = slash >= 0 ? v.slice(slash + 1) : v;
  if (prefix !== undefined && dns1123Subdomain(prefix)) return rule;
  return name.length <= 63 && LABEL_NAME.test(name) ? undefined : rule;
}

export function httpToken(v: string): string | undefined {
  return typeof v === 'string' && HTTP_TOKEN.test(v) ? undefined : RULE_HTTP_TOKEN;
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

/** Checks a TCP port number. */
export function port(v: number): string | undefined {
  return Number.isInteger(v) && v >= 1 && v <= 65535 ? undefined : 'a port must be an integer in 1..65535';
}
