/**
 * A cdk8s CLI validation plugin running the same checks as {@link MeshApp} during `cdk8s synth` of
 * any cdk8s app. In the app's cdk8s.yaml:
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-istio   # or a local path starting with ./
 *     class: MeshValidationPlugin
 *     version: 0.0.0
 *     properties:
 *       externalPrincipals: [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]
 *       suppress: [{ code: IST0118, reason: legacy port names }]
 * ```
 *
 * Each output folder is validated as one deployable set. Any error fails synth (cdk8s exits 2).
 */
import * as path from 'path';
import { checkInfo } from './codes';
import type { ValidationOptions } from './index';
import type { Finding, SourcedManifest } from './types';

/** The part of cdk8s-cli's `ValidationContext` the plugin uses (cdk8s-cli is not a runtime dependency). */
export interface MeshValidationPluginContext {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(v: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }>;
    }): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  readonly logger?: { log(message: string): void };
  /**
   * The construct metadata cdk8s read from `construct-metadata.json` (resource key → construct path).
   * cdk8s's App keys it by object name; MeshApp adds `Kind/namespace/name` keys.
   */
  readonly metadata?: { readonly [key: string]: { readonly path?: string } | undefined };
}

/** Properties given under `properties:` in cdk8s.yaml. Same as {@link ValidationOptions}. */
export interface MeshValidationPluginProps extends ValidationOptions {}

/** The cdk8s validation plugin. */
export class MeshValidationPlugin {
  private readonly options: ValidationOptions;

  constructor(props: MeshValidationPluginProps = {}) {
    this.options = props;
  }

  /** Validates the synthesized manifests and submits the report. */
  public async validate(context: MeshValidationPluginContext): Promise<void> {
    const { readManifests } = require('./read') as typeof import('./read');
    const { validateManifests } = require('./index') as typeof import('./index');
    const { manifests, parseErrors, problems } = readManifests(context.manifests);
    const byDir = new Map<string, SourcedManifest[]>();
    for (const m of manifests) {
      const dir = path.dirname(m.file ?? '');
      const list = byDir.get(dir) ?? [];
      list.push(m);
      byDir.set(dir, list);
    }
    const findings: Finding[] = [...parseErrors, ...problems.map((p): Finding => ({ code: 'CI1006', level: 'error', message: `cannot read: ${p.message}`, file: p.file }))];
    for (const dir of [...byDir.keys()].sort()) for (const f of validateManifests(byDir.get(dir)!, this.options)) findings.push(f);

    // cdk8s names a violation's construct path by looking its resourceName up in the construct metadata.
    // cdk8s's App keys it by object name, the last object of a name written winning, so objects of one
    // name (a gateway's Deployment, Service, ServiceAccount, Role...) share one entry. The plugin names an
    // object `Kind/namespace/name` when the metadata has that key (MeshApp writes it), and by its plain
    // name only when cdk8s's name entry is that object's: the name is unique, or it is the last object of
    // that name in the one file holding them all. Otherwise cdk8s shows no path rather than another object's.
    const metadata = context.metadata ?? {};
    const nameOwner = new Map<string, { id: string; file: string | undefined } | null>();
    for (const m of manifests) {
      const md = m.manifest?.metadata;
      if (typeof md?.name !== 'string') continue;
      const prev = nameOwner.get(md.name);
      const self = { id: objectId(m.manifest.kind, md.namespace, md.name), file: m.file };
      nameOwner.set(md.name, prev === undefined || (prev !== null && prev.file === m.file) ? self : null);
    }
    const resourceName = (f: Finding): string => {
      if (f.name === undefined) return '-';
      const id = objectId(f.kind, f.namespace, f.name);
      if (metadata[id] !== undefined) return id;
      const owner = nameOwner.get(f.name);
      return owner && owner.id === id && owner.file === f.file ? f.name : id;
    };
    const byCode = new Map<string, Finding[]>();
    for (const f of findings) {
      const list = byCode.get(f.code) ?? [];
      list.push(f);
      byCode.set(f.code, list);
    }
    for (const code of [...byCode.keys()].sort()) {
      const list = byCode.get(code)!;
      const info = checkInfo(code);
      const resources = new Map<string, { resourceName: string; locations: string[]; manifestPath: string }>();
      for (const f of list) {
        const key = `${f.file}|${f.kind}|${f.namespace}|${f.name}`;
        const r = resources.get(key) ?? { resourceName: resourceName(f), locations: [], manifestPath: f.file ?? '-' };
        r.locations.push(`${f.kind ?? '-'}/${f.namespace ?? '-'}/${f.name ?? '-'}: ${f.message}`);
        resources.set(key, r);
      }
      context.report.addViolation({
        ruleName: `${code} (${list[0].level})${info ? ` ${info.title}` : ''}`,
        recommendation: info ? `${info.title}. Source: ${info.source}.` : list[0].message,
        fix: `Fix the field named in each location, or suppress ${code} with a reason (see docs/validation.md).`,
        violatingResources: [...resources.values()],
      });
    }
    const count = (l: string) => String(findings.filter((f) => f.level === l).length);
    context.report.submit(findings.some((f) => f.level === 'error') ? 'failure' : 'success', {
      errors: count('error'),
      warnings: count('warning'),
      infos: count('info'),
      objects: String(manifests.length),
    });
  }
}

/**
 * The key of one object in the construct metadata MeshApp writes beside cdk8s's name keys:
 * `Kind/namespace/name`, `-` for no namespace (a name never contains `/`, so the keys cannot clash).
 */
export function objectId(kind: string | undefined, namespace: string | undefined, name: string): string {
  return `${kind ?? '-'}/${namespace ?? '-'}/${name}`;
}
