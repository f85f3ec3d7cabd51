import type { ExtensionProviderIntent } from '../model';
import { fail } from '../private/errors';
import { nameHint } from '../private/hints';
import { extensionProviderService } from '../rules/mesh-config';
import { dns1123Label, dns1123Subdomain } from '../rules/names';
import { port as checkPort } from '../rules/ports';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

/** Options of an OpenTelemetry tracing provider. */
export interface OpenTelemetryProviderOptions {
  /** Provider name, referenced by Telemetry resources. */
  readonly name: string;
  /**
   * The collector: a fully qualified service name (`otel-collector.observability.svc.cluster.local`)
   * or `namespace/host` (`observability/otel-collector.observability.svc.cluster.local`).
   */
  readonly service: string;
  /** The collector's OTLP port, in 1..65535. @default 4317 (OTLP/gRPC) */
  readonly port?: number;
}

const EXTENSION_PROVIDER_BRAND = brandSymbol('ExtensionProvider');

/**
 * A mesh-config extension provider. istiod reads these only from mesh config (ConfigMap `istio`, key
 * `mesh`, or the install's `meshConfig`); a Telemetry resource can only name a provider declared here.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider
 */
export class ExtensionProvider implements IIntentConvertible<ExtensionProviderIntent> {
  /** Whether `x` is an ExtensionProvider (works across copies of this package). */
  public static isExtensionProvider(x: unknown): x is ExtensionProvider {
    return hasBrand(x, EXTENSION_PROVIDER_BRAND);
  }

  /** `x instanceof ExtensionProvider`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is ExtensionProvider {
    return hasBrand(x, EXTENSION_PROVIDER_BRAND);
  }

  /**
   * An OpenTelemetry (OTLP/gRPC) tracing provider.
   * @example ExtensionProvider.openTelemetry({ name: 'otel', service: 'otel-collector.observability.svc.cluster.local', port: 4317 })
   */
  public static openTelemetry(options: OpenTelemetryProviderOptions): ExtensionProvider {
    const where = 'ExtensionProvider.openTelemetry';
    const bad = dns1123Subdomain(options.name) && dns1123Label(options.name);
    if (!options.name || bad) fail(where, 'name', options.name, `a provider name ${bad ?? 'must be non-empty'}`, nameHint(options.name, dns1123Label, 'otel'));
    checkProviderService(where, options.service);
    const port = options.port ?? 4317;
    const badPort = checkPort(port);
    if (badPort) fail(where, 'port', port, badPort, 'e.g. port: 4317 (the default, OTLP gRPC)');
    return new ExtensionProvider(options.name, 'opentelemetry', options.service, port);
  }

  private constructor(
    /** Provider name. */
    public readonly name: string,
    /** Provider type, the key in mesh config (`opentelemetry`). */
    public readonly type: string,
    /** Collector service (FQDN or ns/host). */
    public readonly service: string,
    /** Collector port. */
    public readonly port: number,
  ) {
    addBrand(this, EXTENSION_PROVIDER_BRAND);
  }

  /** The collector's host name, without any `namespace/` prefix. */
  public get host(): string {
    const slash = this.service.indexOf('/');
    return slash >= 0 ? this.service.slice(slash + 1) : this.service;
  }

  /** The collector's namespace, when it can be told from the service name. */
  public get namespace(): string | undefined {
    const slash = this.service.indexOf('/');
    if (slash >= 0) return this.service.slice(0, slash);
    const parts = this.service.split('.');
    return parts.length >= 2 ? parts[1] : undefined;
  }

  /**
   * The value as plain mesh-model data ({@link IIntentConvertible}): name, collector host, port and
   * namespace, and `meshConfig`, the provider as a mesh config `extensionProviders` entry.
   */
  public toIntent(): ExtensionProviderIntent {
    return {
      name: this.name,
      meshConfig: { name: this.name, [this.type]: { service: this.service, port: this.port } },
      host: this.host,
      port: this.port,
      ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
    };
  }
}

function checkProviderService(where: string, service: string): void {
  const bad = extensionProviderService(service);
  if (!bad) return;
  const bare = typeof service === 'string' && !service.includes('/') && !service.includes('.');
  fail(where, 'service', service, bad, bare ? `e.g. "${service || 'otel-collector'}.observability.svc.cluster.local"` : 'name the collector Service by its FQDN, e.g. "otel-collector.observability.svc.cluster.local"');
}
