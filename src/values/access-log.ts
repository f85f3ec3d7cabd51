/**
 * Encoding of Envoy access logs written to mesh config's `accessLogFile`.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-AccessLogEncoding
 */
export class AccessLogEncoding {
  /** Plain text, Envoy's default format (Istio's default). */
  public static readonly TEXT = new AccessLogEncoding('TEXT');
  /** One JSON object per line, easy to index in a log pipeline. */
  public static readonly JSON = new AccessLogEncoding('JSON');
  private constructor(
    /** The mesh config value (`TEXT` or `JSON`). */
    public readonly value: string,
  ) {}
  /** The mesh config value. */
  public toString(): string {
    return this.value;
  }
}
