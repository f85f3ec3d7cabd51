import { IWorkloadIdentity } from '../model';
import { fail } from '../private/errors';
import { nameHint, namespaceHint } from '../private/hints';
import { dns1123Label, dns1123Subdomain } from '../rules/names';
import { addBrand, brandSymbol, hasBrand } from '../private/brand';

/** Properties of {@link ExternalIdentity.serviceAccount}. */
export interface ExternalServiceAccountProps {
  /** The ServiceAccount's namespace, e.g. `istio-system`. */
  readonly namespace: string;
  /** The ServiceAccount name, e.g. `istio-ingressgateway-service-account`. */
  readonly serviceAccount: string;
}

const EXTERNAL_IDENTITY_BRAND = brandSymbol('ExternalIdentity');

/**
 * A workload identity that no {@link TracedService} of this app owns, declared explicitly: the
 * ingress gateway, a monitoring scraper, a workload of another team. Declaring it is what makes it a
 * known identity: authorization rules accept only TracedServices and ExternalIdentities, never
 * principal strings.
 *
 * @example
 * const ingress = ExternalIdentity.serviceAccount({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' });
 * order.allowFrom(ingress, { methods: [HttpMethod.GET] });
 */
export class ExternalIdentity implements IWorkloadIdentity {
  /** Whether `x` is an ExternalIdentity (works across copies of this package). */
  public static isExternalIdentity(x: unknown): x is ExternalIdentity {
    return hasBrand(x, EXTERNAL_IDENTITY_BRAND);
  }

  /** `x instanceof ExternalIdentity`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is ExternalIdentity {
    return hasBrand(x, EXTERNAL_IDENTITY_BRAND);
  }

  /** The identity of a ServiceAccount in a namespace. */
  public static serviceAccount(props: ExternalServiceAccountProps): ExternalIdentity {
    const where = 'ExternalIdentity.serviceAccount';
    if (typeof props !== 'object' || props === null) fail(where, 'props', props, 'props with namespace and serviceAccount are required', "e.g. ExternalIdentity.serviceAccount({ namespace: 'batch', serviceAccount: 'reporter' })");
    const badNs = dns1123Label(props.namespace);
    if (badNs) fail(where, 'props.namespace', props.namespace, `a namespace ${badNs}`, namespaceHint(props.namespace, dns1123Label));
    const badSa = dns1123Subdomain(props.serviceAccount);
    if (badSa) fail(where, 'props.serviceAccount', props.serviceAccount, `a ServiceAccount name ${badSa}`, nameHint(props.serviceAccount, dns1123Subdomain, 'reporter'));
    return new ExternalIdentity(props.serviceAccount, props.namespace);
  }

  /**
   * @param serviceAccountName the ServiceAccount name
   * @param identityNamespace the ServiceAccount's namespace
   */
  private constructor(public readonly serviceAccountName: string, public readonly identityNamespace: string) {
    addBrand(this, EXTERNAL_IDENTITY_BRAND);
  }

  /** `<namespace>/<serviceAccount>`, for messages. */
  public toString(): string {
    return `${this.identityNamespace}/${this.serviceAccountName}`;
  }
}
