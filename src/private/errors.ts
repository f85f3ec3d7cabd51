import { IConstruct } from 'constructs';
import { addBrand, brandSymbol, hasBrand } from './brand';

const MESH_CONFIG_ERROR_BRAND = brandSymbol('MeshConfigError');

/**
 * The error every construct throws for bad input. Its message names the construct path (a value
 * object's factory, e.g. `ConnectionPool.of`, names itself instead: no construct exists yet), the
 * property, the bad value, the rule and a hint that says how to fix it:
 *
 *   [App/Chart/OrderService] props.port: 70000 is invalid: a port must be an integer in 1..65535. Hint: use an application port such as 8080
 *
 * Every error the library throws has a hint (test/error-hints.test.ts); the constructor keeps it
 * optional for code outside the library.
 */
export class MeshConfigError extends Error {
  /** Whether `x` is a MeshConfigError (works across copies of this package). */
  public static isMeshConfigError(x: unknown): x is MeshConfigError {
    return hasBrand(x, MESH_CONFIG_ERROR_BRAND);
  }

  /** `x instanceof MeshConfigError`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is MeshConfigError {
    return hasBrand(x, MESH_CONFIG_ERROR_BRAND);
  }

  /** Construct path of the construct that rejected the input ('' when not known). */
  public readonly path: string;
  /** The property, e.g. `props.versions[1].name`. */
  public readonly property: string;
  /** The rule the value breaks. */
  public readonly rule: string;
  /** The bad value. */
  public readonly value: unknown;
  /** How to fix it (every error of this library has one; undefined only when other code omits it). */
  public readonly hint: string | undefined;

  constructor(path: string, property: string, value: unknown, rule: string, hint?: string) {
    super(formatMessage(path, property, value, rule, hint));
    addBrand(this, MESH_CONFIG_ERROR_BRAND);
    this.name = 'MeshConfigError';
    this.path = path;
    this.property = property;
    this.rule = rule;
    this.value = value;
    this.hint = hint;
  }
}

/**
 * Formats the standard message, `[path] property: value is invalid: rule. Hint: hint` (no `[path] `
 * when the path is empty, no ` Hint: …` when there is no hint); also used by `node.addValidation`
 * checks that return strings.
 */
export function formatMessage(path: string, property: string, value: unknown, rule: string, hint?: string): string {
  const where = path ? `[${path}] ` : '';
  const h = hint ? ` Hint: ${hint}` : '';
  return `${where}${property}: ${show(value)} is invalid: ${rule}.${h}`;
}

/** Same as {@link formatMessage} but without the path, for cdk8s validations (cdk8s prefixes the path). */
export function validationMessage(property: string, value: unknown, rule: string, hint?: string): string {
  return formatMessage('', property, value, rule, hint);
}

/**
 * Throws a {@link MeshConfigError} for `scope`. The hint is required: every bad-input error says how to
 * fix the input (test/error-hints.test.ts also refuses an empty one).
 */
export function fail(scope: IConstruct | string, property: string, value: unknown, rule: string, hint: string): never {
  throw new MeshConfigError(typeof scope === 'string' ? scope : scope.node.path, property, value, rule, hint);
}

/** Renders a value for an error message: strings quoted, objects as compact JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null && typeof (value as any).toHumanString === 'function') {
    return (value as any).toHumanString();
  }
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 200 ? s.slice(0, 197) + '...' : s;
  } catch {
    return String(value);
  }
}
