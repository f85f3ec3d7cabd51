import { PodSecurityIntent, RESTRICTED_POD_SECURITY } from '../model';
import { fail } from '../private/errors';
import { BOOLEAN_HINT } from '../private/hints';

/**
 * The security settings of the pods a TracedService writes. Every default meets the Pod Security
 * Standards "restricted" profile; each field is an opt-out of one control, so a workload that needs
 * one exception keeps the others.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export interface PodSecurityOptions {
  /**
   * Mount the ServiceAccount's Kubernetes API token into the pods (only for workloads that call the
   * Kubernetes API; the Istio sidecar has its own token).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * Require a non-root user (`runAsNonRoot`, pod and container). `false` fails "restricted".
   * @default true
   */
  readonly runAsNonRoot?: boolean;
  /**
   * A user id for the container. 0 (root) fails "restricted"; 1337 is the sidecar's and breaks its
   * traffic capture (IST0144).
   * @default - the image's user
   */
  readonly runAsUser?: number;
  /**
   * The pod's seccomp profile: `RuntimeDefault`, `Localhost` (with `seccompLocalhostProfile`) or
   * `Unconfined` (fails "baseline").
   * @default 'RuntimeDefault'
   */
  readonly seccompProfile?: 'RuntimeDefault' | 'Localhost' | 'Unconfined';
  /**
   * The profile file of a `Localhost` seccomp profile, relative to the kubelet's seccomp directory.
   * @default - none (required with `Localhost`)
   */
  readonly seccompLocalhostProfile?: string;
  /**
   * Allow privilege escalation (setuid binaries). `true` fails "restricted".
   * @default false
   */
  readonly allowPrivilegeEscalation?: boolean;
  /**
   * Drop every Linux capability. `false` fails "restricted".
   * @default true
   */
  readonly dropAllCapabilities?: boolean;
  /**
   * Mount the container's root filesystem read-only (not part of "restricted"; needs writable
   * paths as volumes).
   * @default false
   */
  readonly readOnlyRootFilesystem?: boolean;
}

/** The pod security intent of `options` over the "restricted" defaults, each field checked. */
export function podSecurityIntent(where: string, options: PodSecurityOptions | undefined): PodSecurityIntent {
  const o = options ?? {};
  if (typeof o !== 'object') fail(where, 'props.podSecurity', o, 'must be an object of pod security settings', 'e.g. podSecurity: { readOnlyRootFilesystem: false }, or leave podSecurity out for the restricted defaults');
  for (const k of ['automountServiceAccountToken', 'runAsNonRoot', 'allowPrivilegeEscalation', 'dropAllCapabilities', 'readOnlyRootFilesystem'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') fail(where, `props.podSecurity.${k}`, o[k], 'must be a boolean', BOOLEAN_HINT);
  }
  const seccomp = o.seccompProfile ?? RESTRICTED_POD_SECURITY.seccompProfile;
  if (!['RuntimeDefault', 'Localhost', 'Unconfined'].includes(seccomp)) fail(where, 'props.podSecurity.seccompProfile', seccomp, 'must be RuntimeDefault, Localhost or Unconfined', "e.g. seccompProfile: 'RuntimeDefault' (the default)");
  if (seccomp === 'Localhost' && (typeof o.seccompLocalhostProfile !== 'string' || o.seccompLocalhostProfile === '')) {
    fail(where, 'props.podSecurity.seccompLocalhostProfile', o.seccompLocalhostProfile, 'a Localhost seccomp profile needs the profile file (the API server rejects it without)', "e.g. 'profiles/audit.json'");
  }
  if (seccomp !== 'Localhost' && o.seccompLocalhostProfile !== undefined) {
    fail(where, 'props.podSecurity.seccompLocalhostProfile', o.seccompLocalhostProfile, 'a profile file applies to a Localhost seccomp profile only (the API server rejects it otherwise)', "set seccompProfile: 'Localhost'");
  }
  if (o.runAsUser !== undefined) {
    if (!Number.isInteger(o.runAsUser) || o.runAsUser < 0 || o.runAsUser > 2147483647) fail(where, 'props.podSecurity.runAsUser', o.runAsUser, 'must be an integer within 0..2147483647', 'e.g. runAsUser: 1000');
    if (o.runAsUser === 0 && (o.runAsNonRoot ?? true)) {
      fail(where, 'props.podSecurity.runAsUser', 0, 'user 0 is root, which runAsNonRoot forbids (the kubelet refuses to start the container)', 'use a non-root user id, or set runAsNonRoot: false (fails Pod Security "restricted")');
    }
    if (o.runAsUser === 1337) {
      fail(where, 'props.podSecurity.runAsUser', 1337, 'user 1337 is the Istio sidecar\'s: traffic from it bypasses the sidecar capture (IST0144)', 'use another user id');
    }
  }
  return {
    automountServiceAccountToken: o.automountServiceAccountToken ?? RESTRICTED_POD_SECURITY.automountServiceAccountToken,
    runAsNonRoot: o.runAsNonRoot ?? RESTRICTED_POD_SECURITY.runAsNonRoot,
    seccompProfile: seccomp,
    ...(o.seccompLocalhostProfile !== undefined ? { seccompLocalhostProfile: o.seccompLocalhostProfile } : {}),
    allowPrivilegeEscalation: o.allowPrivilegeEscalation ?? RESTRICTED_POD_SECURITY.allowPrivilegeEscalation,
    dropAllCapabilities: o.dropAllCapabilities ?? RESTRICTED_POD_SECURITY.dropAllCapabilities,
    readOnlyRootFilesystem: o.readOnlyRootFilesystem ?? RESTRICTED_POD_SECURITY.readOnlyRootFilesystem,
    ...(o.runAsUser !== undefined ? { runAsUser: o.runAsUser } : {}),
  };
}
