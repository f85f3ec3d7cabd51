import { addBrand, brandSymbol, hasBrand } from '../private/brand';

const ACCESS_LOG_ENCODING_BRAND = brandSymbol('AccessLogEncoding');

/**
 * Encoding of Envoy access logs written to mesh config's `accessLogFile`.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-AccessLogEncoding
 */
export class AccessLogEncoding {
  /** Whether `x` is an AccessLogEncoding (works across copies of this package). */
  public static isAccessLogEncoding(x: unknown): x is AccessLogEncoding {
    return hasBrand(x, ACCESS_LOG_ENCODING_BRAND);
  }

  /** `x instanceof AccessLogEncoding`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is AccessLogEncoding {
    return hasBrand(x, ACCESS_LOG_ENCODING_BRAND);
  }

  /** Plain text, Envoy's default format (Istio's default). */
  public static readonly TEXT = new AccessLogEncoding('TEXT');
  /** One JSON object per line, easy to index in a log pipeline. */
  public static readonly JSON = new AccessLogEncoding('JSON');
  private constructor(
    /** The mesh config value (`TEXT` or `JSON`). */
    public readonly value: string,
  ) {
    addBrand(this, ACCESS_LOG_ENCODING_BRAND);
  }
  /** The mesh config value. */
  public toString(): string {
    return this.value;
  }
}
