/**
 * Label and annotation rules, and label selector semantics. Labels are checked twice over because
 * Kubernetes and Istio check them differently:
 * - Kubernetes (`k8s.io/apimachinery` `IsQualifiedName`, `IsValidLabelValue`): keys have an
 *   optional lowercase DNS-1123 subdomain prefix (≤ 253) and a name of ≤ 63; values ≤ 63.
 * - Istio (`pkg/config/labels/instance.go` at 1.30.3, DestinationRule subset labels, `sourceLabels`,
 *   ServiceEntry endpoint labels): the same character sets, the prefix may use upper case, and
 *   values have no length limit.
 */
import { dns1123Subdomain } from './names';

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ISTIO_PREFIX = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)*$/;

export const RULE_LABEL_VALUE = "must be a valid label value: at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
export const RULE_LABEL_KEY = "must be a valid label key: an optional DNS subdomain prefix and '/', then at most 63 alphanumerics, '-', '_' or '.'";
export const RULE_ISTIO_LABEL_VALUE = "must be a valid label value: alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";

/** Kubernetes label value: empty, or ≤ 63 characters of `[A-Za-z0-9_.-]` with alphanumeric ends. */
export function labelValue(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 63 && LABEL_VALUE.test(v) ? undefined : RULE_LABEL_VALUE;
}

/** Kubernetes label (and annotation) key: `[prefix/]name`, prefix a DNS-1123 subdomain. */
export function labelKey(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return RULE_LABEL_KEY;
  const parts = v.split('/');
  if (parts.length > 2) return RULE_LABEL_KEY;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length === 0 || dns1123Subdomain(prefix))) return RULE_LABEL_KEY;
  return name.length <= 63 && QUALIFIED_NAME.test(name) ? undefined : RULE_LABEL_KEY;
}

/** Istio's `validateTagKey`: like {@link labelKey}, the prefix may use upper case. */
export function istioLabelKey(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return RULE_LABEL_KEY;
  const slash = v.indexOf('/');
  const prefix = slash >= 0 ? v.slice(0, slash) : undefined;
  const name = slash >= 0 ? v.slice(slash + 1) : v;
  if (prefix !== undefined && (!ISTIO_PREFIX.test(prefix) || prefix.length > 253)) return RULE_LABEL_KEY;
  return name.length <= 63 && QUALIFIED_NAME.test(name) ? undefined : RULE_LABEL_KEY;
}

/** Istio's label value check (`labelValueRegexp`): no length limit. */
export function istioLabelValue(v: unknown): string | undefined {
  return typeof v === 'string' && LABEL_VALUE.test(v) ? undefined : RULE_ISTIO_LABEL_VALUE;
}

/**
 * Istio's workload selector check (`validateWorkloadSelector`, `ValidateAlphaWorkloadSelector`):
 * no empty key and no `*` in a key or value. Returns the rule text for the first bad entry.
 */
export function selectorEntry(key: string, value: unknown): string | undefined {
  if (key === '') return 'an empty key is not supported in a workload selector';
  if (key.includes('*') || (typeof value === 'string' && value.includes('*'))) return 'a wildcard is not supported in a workload selector';
  return undefined;
}

/** Kubernetes' limit on the total size of a object's annotations (keys and values), in bytes. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** Labels, or a `matchLabels` selector: key → value. */
export type LabelMap = Readonly<Record<string, string>>;

/** A Kubernetes `LabelSelector`: `matchLabels` and `matchExpressions`. */
export interface LabelSelectorSpec {
  readonly matchLabels?: LabelMap;
  readonly matchExpressions?: ReadonlyArray<{ readonly key?: unknown; readonly operator?: unknown; readonly values?: unknown }>;
}

/**
 * Kubernetes `labels.SelectorFromSet(selector).Matches(labels)`, which is also Istio's
 * `labels.Instance.SubsetOf` (workload selectors, `sourceLabels`, subsets): every selector label is
 * present with the same value. An absent or empty selector matches everything.
 */
export function labelsMatch(selector: LabelMap | undefined, labels: LabelMap): boolean {
  if (!selector) return true;
  for (const k of Object.keys(selector)) if (labels[k] !== selector[k]) return false;
  return true;
}

/** A selector as Kubernetes prints it (`labels.Selector.String()`): `k=v` pairs sorted by key, comma-separated. */
export function selectorString(selector: LabelMap | undefined): string {
  return Object.keys(selector ?? {}).sort().map((k) => `${k}=${selector![k]}`).join(',');
}

/**
 * `metav1.LabelSelectorAsSelector(s).Matches(labels)`: `matchLabels` plus `matchExpressions` with the
 * operators In, NotIn, Exists and DoesNotExist. An absent selector matches everything; an unknown
 * operator makes the selector invalid, which matches nothing.
 */
export function labelSelectorMatches(selector: LabelSelectorSpec | undefined, labels: LabelMap): boolean {
  if (!selector) return true;
  if (!labelsMatch(selector.matchLabels, labels)) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const key = String(e?.key ?? '');
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
