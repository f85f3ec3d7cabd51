/**
 * Which hosts exist, and to which namespaces they are visible: every ServiceEntry host and every
 * Service (as a ServiceEntry with its ports), scoped by `exportTo` (ServiceEntry) or the
 * `networking.istio.io/exportTo` annotation (Service). Follows `InitServiceEntryHostMap` and
 * `GetDestinationHost` (pkg/config/analysis/analyzers/util/service_lookup.go).
 */
import { list, str } from '../../manifests';
import { configHostFqdn, hostSubsetOf } from '../../rules/hosts';
import type { IndexedObject, ManifestIndex, ServicePort, StringMap } from '../../manifests';

/** A host's provider as Istio's analyzers see it: a ServiceEntry, or a Service converted to one. */
export interface HostEntry {
  /** The ServiceEntry or Service. */
  readonly object: IndexedObject;
  /** Port numbers (a Service's ports, or the ServiceEntry's). */
  readonly ports: readonly number[];
  /** The ServiceEntry's workloadSelector labels (none for a Service). */
  readonly workloadSelector?: StringMap;
}

/** The `exportTo` annotation of Services. */
export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

/** Scoped hosts `<scope>/<fqdn>` → provider; scope `*` means every namespace. */
export class HostRegistry {
  private readonly entries = new Map<string, HostEntry>();
  /** Wildcard hosts, in insertion order: scope, host, entry. */
  private readonly wildcards: Array<{ readonly scope: string; readonly host: string; readonly entry: HostEntry }> = [];

  constructor(private readonly index: ManifestIndex) {
    for (const se of index.serviceEntries) {
      const exportTo = list<string>(se.spec.exportTo).map(String);
      const entry: HostEntry = {
        object: se,
        ports: list<{ number?: number }>(se.spec.ports).map((p) => Number(p?.number ?? 0)),
        workloadSelector: se.spec.workloadSelector?.labels,
      };
      for (const h of list<string>(se.spec.hosts)) {
        if (typeof h !== 'string') continue;
        if (exportTo.length === 0) {
          this.set('*', se.namespace, h, entry);
          continue;
        }
        for (const e of exportTo) {
          if (e === '*') {
            this.set('*', se.namespace, h, entry);
            break;
          }
          this.set(e === '.' ? se.namespace : e, se.namespace, h, entry);
        }
      }
    }
    for (const svc of index.serviceList) {
      const entry: HostEntry = { object: svc, ports: list<ServicePort>(svc.spec.ports).map((p) => Number(p?.port ?? 0)) };
      for (const scope of visibleNamespaces(svc.metadata.annotations?.[EXPORT_TO_ANNOTATION], svc.namespace)) this.set(scope, svc.namespace, svc.name, entry);
    }
  }

  /**
   * The provider of `host` as seen from `namespace`, the way a VirtualService or DestinationRule there
   * with `exportTo` sees it (`GetDestinationHost`): exported to all, then to the scopes `exportTo` names
   * (its own namespace when empty), then wildcard hosts visible to all or to `namespace`.
   */
  public lookup(namespace: string, exportTo: readonly string[], host: string): HostEntry | undefined {
    const fqdn = configHostFqdn(host, namespace, this.index.domainSuffix);
    const all = this.entries.get(`*/${fqdn}`);
    if (all) return all;
    const scopes = exportTo.length === 0 ? [namespace] : exportTo.map((e) => (e === '.' ? namespace : e));
    for (const s of scopes) {
      const hit = this.entries.get(`${s}/${fqdn}`);
      if (hit) return hit;
    }
    // Istio trims the `*` of both and compares suffixes: exactly `host.Name.SubsetOf` for a wildcard entry.
    for (const w of this.wildcards) {
      if (w.scope !== '*' && w.scope !== namespace) continue;
      if (hostSubsetOf(host, w.host)) return w.entry;
    }
    return undefined;
  }

  private set(scope: string, namespace: string, host: string, entry: HostEntry): void {
    const fqdn = configHostFqdn(host, namespace, this.index.domainSuffix);
    const key = `${scope}/${fqdn}`;
    if (fqdn.startsWith('*')) {
      const i = this.wildcards.findIndex((w) => w.scope === scope && w.host === fqdn);
      if (i >= 0) this.wildcards[i] = { scope, host: fqdn, entry };
      else this.wildcards.push({ scope, host: fqdn, entry });
    }
    this.entries.set(key, entry);
  }
}

/** The scopes of a Service's `networking.istio.io/exportTo` annotation: `*` when absent, `.` as its namespace. */
export function visibleNamespaces(annotation: unknown, namespace: string): string[] {
  const a = str(annotation) ?? '';
  if (a === '') return ['*'];
  return a.split(',').map((s) => s.trim()).map((s) => (s === '.' ? namespace : s));
}
