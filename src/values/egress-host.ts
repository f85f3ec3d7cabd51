import { fail } from '../private/errors';
import { namespaceHint } from '../private/hints';
import { dns1123Label, namespaceSlashHost } from '../rules/names';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';
import type { IIntentConvertible } from './intent';

/** What {@link EgressHost.service} needs of a service: its namespace and fully qualified name. */
export interface IEgressService {
  /** The namespace of the Service. */
  readonly namespace: string;
  /** `<name>.<namespace>.svc.cluster.local`. */
  readonly fqdn: string;
}

const EGRESS_HOST_BRAND = brandSymbol('EgressHost');

/**
 * One entry of a `Sidecar`'s `egress[].hosts`, in Istio's `namespace/dnsName` form: a destination a
 * scoped workload may still reach with mesh features. Declare only what the call graph cannot know,
 * e.g. a database, a ServiceEntry for an external API, or a collector other than the mesh's tracing
 * provider (that one is added automatically).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioEgressListener
 * @example EgressHost.of('observability', 'otel-collector.observability.svc.cluster.local')
 */
export class EgressHost implements IIntentConvertible<string> {
  /** Whether `x` is an EgressHost (works across copies of this package). */
  public static isEgressHost(x: unknown): x is EgressHost {
    return hasBrand(x, EGRESS_HOST_BRAND);
  }

  /** `x instanceof EgressHost`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is EgressHost {
    return hasBrand(x, EGRESS_HOST_BRAND);
  }

  /** A service of this app (a TracedService), in its own namespace: `production/payment-service.production.svc.cluster.local`. */
  public static service(service: IEgressService): EgressHost {
    const where = 'EgressHost.service';
    if (typeof service !== 'object' || service === null || typeof service.namespace !== 'string' || typeof service.fqdn !== 'string') {
      fail(where, 'service', service, 'must be a TracedService (or anything with namespace and fqdn)', 'pass a TracedService, or use EgressHost.of(namespace, host)');
    }
    return EgressHost.of(service.namespace, service.fqdn);
  }

  /**
   * A host in a namespace. `namespace` is a namespace name or `*` (any namespace, e.g. for a
   * ServiceEntry's host); `host` is a DNS name, optionally starting with the wildcard label `*.`,
   * or `*` for every service of the namespace. `*` / `*` is refused: it would undo the scoping.
   *
   * @example EgressHost.of('*', 'api.stripe.com')
   */
  public static of(namespace: string, host: string): EgressHost {
    const where = 'EgressHost.of';
    if (namespace !== '*') {
      const bad = dns1123Label(namespace);
      if (bad) fail(where, 'namespace', namespace, `a namespace ${bad}, or "*" for any namespace`, `${namespaceHint(namespace, dns1123Label)}, or "*"`);
    }
    if (host !== '*') {
      // Istio's rule for Sidecar egress hosts (ValidateNamespaceSlashWildcardHostname).
      const bad = typeof host === 'string' ? namespaceSlashHost(`${namespace}/${host}`, false) : 'must be a string';
      if (bad) fail(where, 'host', host, `${bad}; a host is a fully qualified DNS name, optionally starting with "*.", or "*" for every service of the namespace`, "e.g. EgressHost.of('shop', 'api.example.com') or EgressHost.of('shop', '*.example.com')");
    }
    if (namespace === '*' && host === '*') {
      fail(where, 'host', '*/*', 'an egress host "*/*" makes every service of the mesh visible again, which undoes the scoping', 'leave the workload unscoped instead');
    }
    return new EgressHost(namespace, host);
  }

  /** Every service of a namespace: `<namespace>/*`. */
  public static namespace(namespace: string): EgressHost {
    return EgressHost.of(namespace, '*');
  }

  private constructor(
    /** The namespace part (`*` for any namespace). */
    public readonly namespace: string,
    /** The host part (`*` for every service of the namespace). */
    public readonly host: string,
  ) {
    addBrand(this, EGRESS_HOST_BRAND);
  }

  /** The `namespace/host` form a Sidecar carries. */
  public get value(): string {
    return `${this.namespace}/${this.host}`;
  }

  /** The value as plain mesh-model data ({@link IIntentConvertible}): the `namespace/host` string. */
  public toIntent(): string {
    return this.value;
  }

  /** Same as {@link EgressHost.value}. */
  public toString(): string {
    return this.value;
  }
}
