import { fail } from '../private/errors';
import { dns1123Label, dns1123Subdomain, port as checkPort } from '../private/names';

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

/**
 * A mesh-config extension provider. istiod reads these only from mesh config (ConfigMap `istio`, key
 * `mesh`, or the install's `meshConfig`); a Telemetry resource can only name a provider declared here.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider
 */
export class ExtensionProvider {
  /**
   * An OpenTelemetry (OTLP/gRPC) tracing provider.
   * @example ExtensionProvider.openTelemetry({ name: 'otel', service: 'otel-collector.observability.svc.cluster.local', port: 4317 })
   */
  public static openTelemetry(options: OpenTelemetryProviderOptions): ExtensionProvider {
    const where = 'ExtensionProvider.openTelemetry';
    const bad = dns1123Subdomain(options.name) && dns1123Label(options.name);
    if (!options.name || bad) fail(where, 'name', options.name, `a provider name ${bad ?? 'must be non-empty'}`);
    checkProviderService(where, options.service);
    const port = options.port ?? 4317;
    const badPort = checkPort(port);
    if (badPort) fail(where, 'port', port, badPort);
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
  ) {}

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

  /** The provider as a mesh config `extensionProviders` entry. */
  public toMeshConfig(): Record<string, unknown> {
    return { name: this.name, [this.type]: { service: this.service, port: this.port } };
  }
}

function checkProviderService(where: string, service: string): void {
  const rule = 'a provider service must be a fully qualified host name (svc.ns.svc.cluster.local) or ns/host';
  if (typeof service !== 'string' || service.length === 0) fail(where, 'service', service, rule);
  const slash = service.indexOf('/');
  if (slash >= 0) {
    const ns = service.slice(0, slash);
    const host = service.slice(slash + 1);
    if (dns1123Label(ns) || dns1123Subdomain(host)) fail(where, 'service', service, rule);
    return;
  }
  if (dns1123Subdomain(service) || !service.includes('.')) {
    fail(where, 'service', service, rule, `e.g. "${service.split('.')[0] || 'otel-collector'}.observability.svc.cluster.local"`);
  }
}
