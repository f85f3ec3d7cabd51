import { BUILTIN_EXTENSION_PROVIDERS } from '../rules/mesh-config';
import { SourcedManifest } from './types';

export { BUILTIN_EXTENSION_PROVIDERS, meshConfigProviderNames } from '../rules/mesh-config';

/** One provider a Telemetry resource names, with the field it sits in. */
export interface TelemetryProviderRef {
  /** Field path inside the object, e.g. `spec.tracing[0].providers[0].name`. */
  readonly field: string;
  /** The provider name as written (may be empty or not a string when the object is malformed). */
  readonly name: unknown;
}

const PROVIDER_FIELDS = ['tracing', 'accessLogging', 'metrics'] as const;

/** Whether a manifest is an Istio Telemetry resource (any served version). */
export function isTelemetry(manifest: any): boolean {
  return typeof manifest === 'object' && manifest !== null && manifest.kind === 'Telemetry'
    && typeof manifest.apiVersion === 'string' && manifest.apiVersion.startsWith('telemetry.istio.io/');
}

/** Every provider a Telemetry manifest names: `spec.tracing|accessLogging|metrics[i].providers[j].name`. */
export function telemetryProviderRefs(manifest: any): TelemetryProviderRef[] {
  const refs: TelemetryProviderRef[] = [];
  const spec = manifest?.spec ?? {};
  for (const field of PROVIDER_FIELDS) {
    const entries = spec[field];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: any, i: number) => {
      const providers = entry?.providers;
      if (!Array.isArray(providers)) return;
      providers.forEach((p: any, j: number) => refs.push({ field: `spec.${field}[${i}].providers[${j}].name`, name: p?.name }));
    });
  }
  return refs;
}

/**
 * The Telemetry→provider cross-check: every provider a Telemetry resource names must be declared in
 * mesh config (`providerNames`) or be built in ({@link BUILTIN_EXTENSION_PROVIDERS}). At runtime
 * istiod silently ignores an unknown provider, so its spans, access logs or metrics just go missing.
 *
 * A pure function over manifests: manifests that are not Telemetry resources are skipped, so it can
 * run over a whole output folder or over linted YAML. Returns one message per bad reference, naming
 * the object (and its construct path when known), the field, the provider and the declared ones.
 */
export function checkTelemetryProviders(manifests: readonly SourcedManifest[], providerNames: readonly string[]): string[] {
  const known = new Set([...providerNames, ...BUILTIN_EXTENSION_PROVIDERS]);
  const declared = providerNames.length > 0 ? [...providerNames].sort().map((n) => JSON.stringify(n)).join(', ') : 'none';
  const builtin = BUILTIN_EXTENSION_PROVIDERS.map((n) => JSON.stringify(n)).join(', ');
  const errors: string[] = [];
  for (const m of manifests) {
    if (!isTelemetry(m.manifest)) continue;
    const md = m.manifest.metadata ?? {};
    const where = `Telemetry ${md.namespace ?? '-'}/${md.name ?? '-'}${m.path ? ` (${m.path})` : ''}`;
    for (const ref of telemetryProviderRefs(m.manifest)) {
      if (typeof ref.name !== 'string' || ref.name.length === 0) {
        errors.push(`${where} ${ref.field}: ${JSON.stringify(ref.name ?? null)} is invalid: a provider name must be a non-empty string.`);
      } else if (!known.has(ref.name)) {
        errors.push(
          `${where} ${ref.field}: ${JSON.stringify(ref.name)} is invalid: it names no extension provider in mesh config `
          + `(declared: ${declared}; built in: ${builtin}); istiod silently ignores an unknown provider, so its data goes missing. `
          + `Hint: declare it with Mesh props.extensionProviders or mesh.addExtensionProvider(), or fix the name.`,
        );
      }
    }
  }
  return errors;
}
