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
        const r = resources.get(key) ?? { resourceName: f.name ?? '-', locations: [], manifestPath: f.file ?? '-' };
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
