/**
 * Workload rules: environment variable names and ConfigMap/Secret keys as the API server checks them
 * (k8s.io/apimachinery `IsEnvVarName` relaxed by RelaxedEnvironmentVariableValidation, GA in 1.34;
 * `IsConfigMapKey`), namespaces that must never carry mesh injection labels, and the
 * `OTEL_RESOURCE_ATTRIBUTES` encoding of the OpenTelemetry SDK environment variable spec.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.34.0/staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go
 * @see https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#general-sdk-configuration
 * @see https://opentelemetry.io/docs/specs/otel/resource/sdk/#specifying-resource-information-via-an-environment-variable
 */
import { httpToken } from './http';
import { ISTIO_IGNORED_NAMESPACES } from './kinds';

/** `IsEnvVarName` as relaxed in Kubernetes 1.34: non-empty, printable ASCII, no `=`. */
export function envVarName(v: unknown): string | undefined {
  // eslint-disable-next-line no-control-regex
  return typeof v === 'string' && v.length > 0 && /^[\x20-\x3c\x3e-\x7e]+$/.test(v) ? undefined : "a valid environment variable name must be non-empty and consist only of printable ASCII characters other than '='";
}

/** `IsConfigMapKey` (ConfigMap and Secret keys): `[-._a-zA-Z0-9]+`, at most 253, not `.` or `..`. */
export function configMapKey(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0 || v.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(v)) return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (at most 253)";
  return v === '.' || v === '..' ? `must not be ${JSON.stringify(v)}` : undefined;
}

/**
 * The cluster's own namespaces (Kubernetes', and `local-path-storage`): Istio's sidecar injector and
 * analyzers skip them ({@link ISTIO_IGNORED_NAMESPACES}), and a mesh label there would inject proxies
 * into (or put into ambient) the cluster's control components.
 */
export const SYSTEM_NAMESPACES: readonly string[] = ISTIO_IGNORED_NAMESPACES;

/**
 * A namespace that may carry mesh membership labels (`istio-injection`, `istio.io/rev`,
 * `istio.io/dataplane-mode`): not a Kubernetes system namespace, not the mesh root namespace (where
 * istiod and the mesh-wide policies live; injecting it would put sidecars into the control plane).
 */
export function meshMemberNamespace(name: string, rootNamespace: string): string | undefined {
  if (SYSTEM_NAMESPACES.includes(name)) return `${name} is a cluster system namespace Istio never injects; mesh injection labels there would put proxies into the cluster's own components`;
  if (name === rootNamespace) return `${name} is the mesh root namespace (istiod and the mesh-wide policies); mesh injection labels there would inject the control plane itself`;
  return undefined;
}

/** A resource attribute key of `OTEL_RESOURCE_ATTRIBUTES`: non-empty. */
export function otelAttributeKey(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return 'a resource attribute key must be a non-empty string';
  // OTEL_RESOURCE_ATTRIBUTES uses the W3C Baggage format: a key is an RFC 7230 token and is not
  // percent-decoded (only values are; the OTel Go SDK's env detector unescapes values only), so a key
  // must be written as is; '%' is left out too, since SDKs disagree on decoding it.
  if (httpToken(v) !== undefined || v.includes('%')) return "a resource attribute key is a W3C Baggage key, an RFC 7230 token (letters, digits and !#$&'*+-.^_`|~), which SDKs read as written";
  return undefined;
}

/**
 * Percent-encodes one key or value of `OTEL_RESOURCE_ATTRIBUTES`: the spec requires `,` and `=`
 * encoded and allows encoding any other character; `%` (else the decoder would read it as an
 * escape), whitespace, control and non-ASCII characters (as UTF-8 bytes) are encoded too.
 */
export function otelPercentEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += b > 0x20 && b < 0x7f && c !== ',' && c !== '=' && c !== '%' && c !== '"' && c !== ';' && c !== '\\' ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The `OTEL_RESOURCE_ATTRIBUTES` value of some attributes: `k=v` pairs, keys sorted, values encoded. */
export function otelResourceAttributes(attrs: { readonly [key: string]: string }): string {
  // keys are tokens (otelAttributeKey), written as they are; values percent-encoded
  return Object.keys(attrs).sort().map((k) => `${k}=${otelPercentEncode(attrs[k])}`).join(',');
}

/** Decodes one percent-encoded key or value of `OTEL_RESOURCE_ATTRIBUTES` (the SDK's side). */
export function otelPercentDecode(s: string): string {
  return decodeURIComponent(s);
}
