/**
 * The Kubernetes Pod Security Standards, stated once: the "baseline" and "restricted" profiles as
 * field checks over a pod spec (a Pod's, or a workload's pod template), and the Pod Security
 * Admission namespace labels. Constructs use them to prove their own output, tests to check every
 * Deployment written, and the validation layer can use them for namespaces that enforce a level.
 *
 * Each check follows one control of the standard (Kubernetes v1.34, "latest").
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */

/** The Pod Security Standards levels, least to most restrictive. */
export const POD_SECURITY_LEVELS: readonly string[] = ['privileged', 'baseline', 'restricted'];

/** A Pod Security level name. */
export function podSecurityLevel(v: unknown): string | undefined {
  return typeof v === 'string' && POD_SECURITY_LEVELS.includes(v) ? undefined : `must be one of ${POD_SECURITY_LEVELS.join(', ')}`;
}

/** A Pod Security Admission version label value: `latest` or `v<major>.<minor>`. */
export function podSecurityVersion(v: unknown): string | undefined {
  return typeof v === 'string' && /^(latest|v[0-9]+\.(0|[1-9][0-9]*))$/.test(v) ? undefined : 'must be "latest" or a Kubernetes minor version such as "v1.34"';
}

/** The Pod Security Admission label prefix. */
export const POD_SECURITY_LABEL_PREFIX = 'pod-security.kubernetes.io/';

/** Capabilities "baseline" allows containers to add. */
export const BASELINE_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/** Sysctls "baseline" allows ("safe" sysctls). */
export const SAFE_SYSCTLS: readonly string[] = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
];

/** Volume types "restricted" allows. */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

/** The parts of a pod a Pod Security check reads (a Pod's `metadata` + `spec`, or a pod template). */
export interface PodSecurityInput {
  readonly metadata?: { readonly annotations?: { readonly [key: string]: string } };
  readonly spec?: any;
}

interface ContainerRef {
  readonly path: string;
  readonly c: any;
}

function containersOf(spec: any): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = Array.isArray(spec?.[field]) ? spec[field] : [];
    list.forEach((c: any, i: number) => out.push({ path: `spec.${field}[${i}]${c?.name ? ` (${c.name})` : ''}`, c: c ?? {} }));
  }
  return out;
}

/**
 * What a pod breaks in the "baseline" profile: one sentence per violation, naming the field.
 * Empty when the pod meets the profile.
 */
export function podSecurityBaselineViolations(pod: PodSecurityInput): string[] {
  const spec = pod.spec ?? {};
  const out: string[] = [];
  const containers = containersOf(spec);
  // HostProcess
  if (spec.securityContext?.windowsOptions?.hostProcess === true) out.push('spec.securityContext.windowsOptions.hostProcess must not be true (HostProcess)');
  for (const { path, c } of containers) {
    if (c.securityContext?.windowsOptions?.hostProcess === true) out.push(`${path}.securityContext.windowsOptions.hostProcess must not be true (HostProcess)`);
  }
  // Host namespaces
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[f] === true) out.push(`spec.${f} must not be true (host namespaces)`);
  for (const { path, c } of containers) {
    const sc = c.securityContext ?? {};
    // Privileged containers
    if (sc.privileged === true) out.push(`${path}.securityContext.privileged must not be true (privileged containers)`);
    // Capabilities
    for (const cap of Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : []) {
      if (!BASELINE_CAPABILITIES.includes(cap)) out.push(`${path}.securityContext.capabilities.add must not add ${cap} (capabilities)`);
    }
    // Host ports
    for (const p of Array.isArray(c.ports) ? c.ports : []) {
      if (p?.hostPort !== undefined && p.hostPort !== 0) out.push(`${path}.ports hostPort ${p.hostPort} must be 0 or unset (host ports)`);
    }
    // AppArmor, SELinux, /proc mount, seccomp (container level)
    const aa = sc.appArmorProfile?.type;
    if (aa !== undefined && aa !== 'RuntimeDefault' && aa !== 'Localhost') out.push(`${path}.securityContext.appArmorProfile.type must be RuntimeDefault or Localhost (AppArmor)`);
    out.push(...seLinux(`${path}.securityContext.seLinuxOptions`, sc.seLinuxOptions));
    if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${path}.securityContext.procMount must be Default (/proc mount type)`);
    if (sc.seccompProfile?.type === 'Unconfined') out.push(`${path}.securityContext.seccompProfile.type must not be Unconfined (seccomp)`);
  }
  // HostPath volumes
  for (const [i, v] of (Array.isArray(spec.volumes) ? spec.volumes : []).entries()) {
    if (v?.hostPath !== undefined) out.push(`spec.volumes[${i}] (${v.name}) must not be a hostPath volume (HostPath volumes)`);
  }
  // AppArmor (pod level and the legacy annotations)
  const podAa = spec.securityContext?.appArmorProfile?.type;
  if (podAa !== undefined && podAa !== 'RuntimeDefault' && podAa !== 'Localhost') out.push('spec.securityContext.appArmorProfile.type must be RuntimeDefault or Localhost (AppArmor)');
  for (const [k, v] of Object.entries(pod.metadata?.annotations ?? {})) {
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/')) {
      out.push(`metadata.annotations[${k}] must be runtime/default or localhost/* (AppArmor)`);
    }
  }
  out.push(...seLinux('spec.securityContext.seLinuxOptions', spec.securityContext?.seLinuxOptions));
  if (spec.securityContext?.seccompProfile?.type === 'Unconfined') out.push('spec.securityContext.seccompProfile.type must not be Unconfined (seccomp)');
  // Sysctls
  for (const s of Array.isArray(spec.securityContext?.sysctls) ? spec.securityContext.sysctls : []) {
    if (!SAFE_SYSCTLS.includes(s?.name)) out.push(`spec.securityContext.sysctls ${s?.name} is not a safe sysctl (sysctls)`);
  }
  return out;
}

function seLinux(path: string, o: any): string[] {
  if (!o) return [];
  const out: string[] = [];
  if (o.type !== undefined && !SELINUX_TYPES.includes(o.type)) out.push(`${path}.type must be one of container_t, container_init_t, container_kvm_t, container_engine_t (SELinux)`);
  if (o.user !== undefined && o.user !== '') out.push(`${path}.user must not be set (SELinux)`);
  if (o.role !== undefined && o.role !== '') out.push(`${path}.role must not be set (SELinux)`);
  return out;
}

/**
 * What a pod breaks in the "restricted" profile (which includes "baseline"): one sentence per
 * violation, naming the field. Empty when the pod meets the profile.
 */
export function podSecurityRestrictedViolations(pod: PodSecurityInput): string[] {
  const spec = pod.spec ?? {};
  const out = podSecurityBaselineViolations(pod);
  const podSc = spec.securityContext ?? {};
  // Volume types
  for (const [i, v] of (Array.isArray(spec.volumes) ? spec.volumes : []).entries()) {
    const types = Object.keys(v ?? {}).filter((k) => k !== 'name');
    for (const t of types) if (!RESTRICTED_VOLUME_TYPES.includes(t)) out.push(`spec.volumes[${i}] (${v.name}) uses volume type ${t}; restricted allows ${RESTRICTED_VOLUME_TYPES.join(', ')} (volume types)`);
  }
  if (podSc.runAsNonRoot === false) out.push('spec.securityContext.runAsNonRoot must not be false (running as non-root)');
  if (podSc.runAsUser === 0) out.push('spec.securityContext.runAsUser must not be 0 (running as non-root user)');
  for (const { path, c } of containersOf(spec)) {
    const sc = c.securityContext ?? {};
    // Privilege escalation
    if (sc.allowPrivilegeEscalation !== false) out.push(`${path}.securityContext.allowPrivilegeEscalation must be false (privilege escalation)`);
    // Running as non-root: the container's own setting, else the pod's
    if (sc.runAsNonRoot === false) out.push(`${path}.securityContext.runAsNonRoot must not be false (running as non-root)`);
    else if (sc.runAsNonRoot !== true && podSc.runAsNonRoot !== true) out.push(`${path}.securityContext.runAsNonRoot must be true, here or in spec.securityContext (running as non-root)`);
    if (sc.runAsUser === 0) out.push(`${path}.securityContext.runAsUser must not be 0 (running as non-root user)`);
    // Seccomp: RuntimeDefault or Localhost, the container's own setting, else the pod's
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${path}.securityContext.seccompProfile.type must be RuntimeDefault or Localhost, here or in spec.securityContext (seccomp)`);
    // Capabilities: drop ALL, add nothing but NET_BIND_SERVICE
    const drop = Array.isArray(sc.capabilities?.drop) ? sc.capabilities.drop : [];
    if (!drop.includes('ALL')) out.push(`${path}.securityContext.capabilities.drop must include ALL (capabilities)`);
    for (const cap of Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : []) {
      if (cap !== 'NET_BIND_SERVICE') out.push(`${path}.securityContext.capabilities.add may only add NET_BIND_SERVICE, not ${cap} (capabilities)`);
    }
  }
  return out;
}

/** The violations of a pod for one level (none for `privileged`). */
export function podSecurityViolations(level: string, pod: PodSecurityInput): string[] {
  if (level === 'restricted') return podSecurityRestrictedViolations(pod);
  if (level === 'baseline') return podSecurityBaselineViolations(pod);
  return [];
}

/**
 * Whether a pod meets the "restricted" profile, as a rule: the violations joined, or undefined.
 * (A Deployment's pod is `{ metadata: spec.template.metadata, spec: spec.template.spec }`.)
 */
export function podSecurityRestricted(pod: PodSecurityInput): string | undefined {
  const v = podSecurityRestrictedViolations(pod);
  return v.length > 0 ? `the pod does not meet Pod Security "restricted": ${v.join('; ')}` : undefined;
}

/** The seccomp profile a templated gateway needs under Pod Security "restricted" (`values.gateways.seccompProfile`). */
export const GATEWAY_SECCOMP_PROFILE: { readonly type: string } = { type: 'RuntimeDefault' };

/**
 * The pod istiod deploys for a waypoint, as far as Pod Security looks at it, from Istio 1.30.3's
 * template (`manifests/charts/istio-control/istio-discovery/files/waypoint.yaml`, not OpenShift): no
 * pod `securityContext`; one container, `istio-proxy`, with `privileged: false`, `runAsUser`/
 * `runAsGroup` 1337, `allowPrivilegeEscalation: false`, `readOnlyRootFilesystem: true`,
 * `runAsNonRoot: true`, `capabilities.drop: [ALL]`, and a `seccompProfile` only when the install sets
 * `values.gateways.seccompProfile` (default `{}`: none); volumes emptyDir, downwardAPI, projected and
 * configMap only.
 */
export function waypointPod(gatewaysSeccompProfile?: { readonly type: string }): PodSecurityInput {
  return {
    spec: {
      containers: [{
        name: 'istio-proxy',
        securityContext: {
          privileged: false, runAsGroup: 1337, runAsUser: 1337, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          ...(gatewaysSeccompProfile ? { seccompProfile: { ...gatewaysSeccompProfile } } : {}),
        },
      }],
      // Only the volume types matter to Pod Security (the names are the sidecar injector's, stated in workload-spec.ts).
      volumes: [{ emptyDir: {} }, { emptyDir: { medium: 'Memory' } }, { downwardAPI: { items: [] } }, { projected: { sources: [] } }, { configMap: { name: 'istio-ca-root-cert' } }],
    },
  };
}

/**
 * Why the API server refuses a namespace's waypoint pods under the Pod Security level it enforces,
 * given the install's `values.gateways.seccompProfile` (absent: Istio's default, none); undefined when
 * it admits them. Under "restricted" the template's missing seccomp profile is the only violation.
 */
export function waypointPodSecurity(level: string, gatewaysSeccompProfile?: { readonly type: string }): string | undefined {
  const v = podSecurityViolations(level, waypointPod(gatewaysSeccompProfile));
  return v.length > 0
    ? `the waypoint pods istiod deploys break Pod Security "${level}" (${v.join('; ')}): Istio 1.30's waypoint template sets a seccomp profile only from the install's values.gateways.seccompProfile, which is empty by default`
    : undefined;
}
