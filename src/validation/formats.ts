/**
 * The OpenAPI formats the pinned CRDs use, as ajv format definitions. Shared by lazy compilation and
 * the ahead-of-time validators, which receive this object at load time.
 */
import { ipFamily } from '../rules/ip';

const int = (lo: number, hi: number) => ({ type: 'number', validate: (n: number) => Number.isInteger(n) && n >= lo && n <= hi });
const finite = { type: 'number', validate: (n: number) => Number.isFinite(n) };

/** Format name → ajv format definition. String formats follow kube-openapi loosely; the API server checks few. */
export const FORMATS: Record<string, unknown> = {
  'int32': int(-2147483648, 2147483647),
  'uint32': int(0, 4294967295),
  'int64': int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  'double': finite,
  'float': finite,
  'byte': /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  'ipv4': (s: string) => ipFamily(s) === 4,
  'ipv6': (s: string) => ipFamily(s) === 6,
  'url': (s: string) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  },
  'string': () => true,
};
