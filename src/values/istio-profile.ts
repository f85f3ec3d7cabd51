import { addBrand, brandSymbol, hasBrand } from '../private/brand';

const ISTIO_PROFILE_BRAND = brandSymbol('IstioProfile');

/**
 * An installation profile shipped with Istio 1.30, for `istioctl install` (`spec.profile`) and the
 * `istiod` Helm chart (`profile`). There is no `production` profile: `istioctl install --set
 * profile=production` fails, so use {@link IstioProfile.DEFAULT} for production.
 * @see https://istio.io/latest/docs/setup/additional-setup/config-profiles/
 */
export class IstioProfile {
  /** Whether `x` is an IstioProfile (works across copies of this package). */
  public static isIstioProfile(x: unknown): x is IstioProfile {
    return hasBrand(x, ISTIO_PROFILE_BRAND);
  }

  /** `x instanceof IstioProfile`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is IstioProfile {
    return hasBrand(x, ISTIO_PROFILE_BRAND);
  }

  /** Recommended for production: istiod and an ingress gateway. */
  public static readonly DEFAULT = new IstioProfile('default');
  /** Showcases Istio features with high tracing and access logging; not for production or performance tests. */
  public static readonly DEMO = new IstioProfile('demo');
  /** Like default, but only the control plane (no gateways). */
  public static readonly MINIMAL = new IstioProfile('minimal');
  /** The default profile with only the features Istio considers stable. */
  public static readonly STABLE = new IstioProfile('stable');
  /** Experimental features, for exploring what comes next; stability and security are not guaranteed. */
  public static readonly PREVIEW = new IstioProfile('preview');
  /** Ambient data plane: istiod, ztunnel and the Istio CNI node agent. */
  public static readonly AMBIENT = new IstioProfile('ambient');
  /** Deploys nothing; a base for a fully custom configuration. */
  public static readonly EMPTY = new IstioProfile('empty');
  /** A remote cluster whose control plane runs elsewhere (external control plane or primary-remote multicluster). */
  public static readonly REMOTE = new IstioProfile('remote');
  /** The default profile adapted to OpenShift (Istio CNI, OpenShift security constraints). */
  public static readonly OPENSHIFT = new IstioProfile('openshift');
  /** The ambient profile adapted to OpenShift. */
  public static readonly OPENSHIFT_AMBIENT = new IstioProfile('openshift-ambient');

  /** Every profile Istio 1.30 ships, in documentation order. */
  public static readonly ALL: readonly IstioProfile[] = [
    IstioProfile.DEFAULT, IstioProfile.DEMO, IstioProfile.MINIMAL, IstioProfile.STABLE, IstioProfile.PREVIEW,
    IstioProfile.AMBIENT, IstioProfile.EMPTY, IstioProfile.REMOTE, IstioProfile.OPENSHIFT, IstioProfile.OPENSHIFT_AMBIENT,
  ];

  /** Whether the profile installs the ambient data plane (ztunnel and the CNI node agent). */
  public get isAmbient(): boolean {
    return this.value === IstioProfile.AMBIENT.value || this.value === IstioProfile.OPENSHIFT_AMBIENT.value;
  }

  private constructor(
    /** The profile name as istioctl and the Helm charts spell it. */
    public readonly value: string,
  ) {
    addBrand(this, ISTIO_PROFILE_BRAND);
  }

  /** The profile name. */
  public toString(): string {
    return this.value;
  }
}
