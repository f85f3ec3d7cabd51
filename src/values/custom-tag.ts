import { fail } from '../private/errors';
import { httpToken } from '../rules/http';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

const CUSTOM_TAG_BRAND = brandSymbol('CustomTag');

/**
 * A custom tag added to every span the proxies emit.
 * @see https://istio.io/latest/docs/reference/config/telemetry/#Tracing-CustomTag
 */
export class CustomTag implements IIntentConvertible<Record<string, unknown>> {
  /** Whether `x` is a CustomTag (works across copies of this package). */
  public static isCustomTag(x: unknown): x is CustomTag {
    return hasBrand(x, CUSTOM_TAG_BRAND);
  }

  /** `x instanceof CustomTag`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is CustomTag {
    return hasBrand(x, CUSTOM_TAG_BRAND);
  }

  /** A tag whose value is taken from a request header, e.g. `CustomTag.header('x-user-id')`. */
  public static header(name: string, defaultValue?: string): CustomTag {
    if (typeof name !== 'string' || name.length === 0) {
      fail('CustomTag.header', 'name', name, 'a custom tag header name must be a non-empty string', "e.g. CustomTag.header('x-user-id')");
    }
    const bad = httpToken(name);
    if (bad) fail('CustomTag.header', 'name', name, `a header name ${bad}`, "e.g. CustomTag.header('x-user-id')");
    return new CustomTag({ header: { name, ...(defaultValue !== undefined ? { defaultValue } : {}) } });
  }

  /** A tag with a fixed value. */
  public static literal(value: string): CustomTag {
    if (typeof value !== 'string' || value.length === 0) {
      fail('CustomTag.literal', 'value', value, 'a literal custom tag needs a non-empty value', "e.g. CustomTag.literal('prod')");
    }
    return new CustomTag({ literal: { value } });
  }

  /** A tag taken from an environment variable of the proxy. */
  public static environment(name: string, defaultValue?: string): CustomTag {
    if (typeof name !== 'string' || name.length === 0) {
      fail('CustomTag.environment', 'name', name, 'an environment custom tag needs a non-empty variable name', "e.g. CustomTag.environment('POD_NAME')");
    }
    return new CustomTag({ environment: { name, ...(defaultValue !== undefined ? { defaultValue } : {}) } });
  }

  private constructor(private readonly spec: Record<string, unknown>) {
    addBrand(this, CUSTOM_TAG_BRAND);
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}). */
  public toIntent(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.spec));
  }
}
