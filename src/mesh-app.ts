import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, ChartProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { runSynthHooks } from './private/synth-hooks';
import { toYamlDocuments } from './synth/yaml';
import { MeshValidator, ValidationOptions } from './validation';
import { ValidationWorker } from './validation/parallel';
import { applyConstructSuppressions, collectExternalPrincipals } from './validation/suppress';
import { Finding, IManifestValidator, SourcedManifest } from './validation/types';
import { collectFindings } from './warnings';

/** Properties of a {@link MeshChart}. */
export interface MeshChartProps extends ChartProps {
  /**
   * Folder, relative to the app's outdir, that this chart's file is written to. Charts that belong
   * to another deployable set (a variant, the control-plane overlay) go to their own folder so that
   * `kubectl apply -f dist/` never picks them up.
   * @default - the app's outdir itself
   */
  readonly outputDir?: string;
}

/** A chart that can be written to a subfolder of the {@link MeshApp} output. */
export class MeshChart extends Chart {
  /** The output folder relative to the app outdir ('' for the outdir itself). */
  public readonly outputDir: string;

  constructor(scope: Construct, id: string, props: MeshChartProps = {}) {
    super(scope, id, props);
    const dir = props.outputDir ?? '';
    if (path.isAbsolute(dir) || dir.split(/[\\/]/).includes('..')) {
      throw new Error(`[${this.node.path}] props.outputDir: ${JSON.stringify(dir)} is invalid: it must be a relative folder inside the app outdir.`);
    }
    this.outputDir = dir.replace(/[\\/]+$/, '');
  }
}

/** A file other than a manifest (e.g. Helm values), written by {@link MeshApp} beside the charts. */
export interface ArtifactProps {
  /** Path relative to the app outdir, e.g. `control-plane/istiod-values.yaml`. */
  readonly path: string;
  /** Produces the content at synth time. */
  readonly content: () => string;
  /**
   * Produces a few lines that {@link MeshApp} prints (with its `log`) after writing the file, e.g. a
   * short table summarizing a report.
   * @default - nothing is printed
   */
  readonly summary?: () => string;
}

/** A non-manifest output file. Only {@link MeshApp} writes these. */
export class Artifact extends Construct {
  /** The relative output path. */
  public readonly path: string;
  private readonly produce: () => string;
  private readonly produceSummary?: () => string;
  constructor(scope: Construct, id: string, props: ArtifactProps) {
    super(scope, id);
    if (path.isAbsolute(props.path) || props.path.split(/[\\/]/).includes('..')) {
      throw new Error(`[${this.node.path}] props.path: ${JSON.stringify(props.path)} is invalid: it must be a relative path inside the app outdir.`);
    }
    this.path = props.path;
    this.produce = props.content;
    this.produceSummary = props.summary;
  }
  /** The file content. */
  public render(): string {
    return this.produce();
  }
  /** The console summary, or undefined when the artifact has none. */
  public renderSummary(): string | undefined {
    return this.produceSummary?.();
  }
}

export type { IManifestValidator } from './validation/types';

/** Below this many objects, validation runs in-process rather than in the worker thread. */
const WORKER_MIN_OBJECTS = 1000;

/** Objects per message to the validation worker while resolving. */
const STREAM_CHUNK = 500;

/** Properties of a {@link MeshApp}. */
export interface MeshAppProps extends AppProps {
  /**
   * Validators run over every output folder before anything is written. Any error finding fails
   * synth and nothing is written.
   * @default - [new MeshValidator(validation options)] unless `validation` is false
   */
  readonly validators?: IManifestValidator[];
  /**
   * The built-in validation layer (see docs/validation.md): `false` turns it off, options configure it.
   * Ignored when `validators` is given.
   * @default true
   */
  readonly validation?: boolean | ValidationOptions;
  /**
   * Where warnings and infos are printed.
   * @default - process.stderr
   */
  readonly log?: (line: string) => void;
}

/** One written file: its folder, name and objects. */
export interface SynthesizedFile {
  readonly file: string;
  readonly manifests: readonly SourcedManifest[];
}

/**
 * A cdk8s App that writes each {@link MeshChart} to its own folder, writes {@link Artifact}s,
 * validates every folder's objects before writing anything, and serializes with a fast,
 * deterministic YAML emitter (the output parses to exactly what cdk8s's own emitter gives).
 */
export class MeshApp extends App {
  private readonly validators: IManifestValidator[];
  private worker?: ValidationWorker;
  private readonly log: (line: string) => void;

  constructor(props: MeshAppProps = {}) {
    super(props);
    const v = props.validation ?? true;
    this.validators = [...(props.validators ?? (v === false ? [] : [new MeshValidator(v === true ? {} : v)]))];
    this.log = props.log ?? ((line) => process.stderr.write(line + '\n'));
  }

  /**
   * Starts the validation worker ahead of synth, so it loads and warms up the validation layer while
   * the rest of the app's constructs are built. A mesh calls this once it has many members; small
   * apps (and unit tests) never start a worker. It never keeps the process alive, and synth stops it.
   * @internal
   */
  public _prewarmValidation(): void {
    if (this.worker || !this.validators.some((x) => x instanceof MeshValidator)) return;
    this.worker = ValidationWorker.start();
  }

  /** Adds a validator. */
  public addValidator(v: IManifestValidator): void {
    this.validators.push(v);
  }

  /**
   * Resolves every chart and returns the files that synth writes, without writing them. Throws on
   * construct validation errors (each prefixed with its construct path).
   */
  public synthFiles(): SynthesizedFile[] {
    runSynthHooks(this); // meshes render their models into objects before the tree is walked
    return this.resolveFiles(this.node.findAll());
  }

  /**
   * Resolves every chart into its file's manifests. `onManifests`, when given, receives each folder's
   * manifests in chunks as soon as they are resolved (the validation worker checks them meanwhile).
   */
  private resolveFiles(all: readonly IConstruct[], onManifests?: (dir: string, chunk: SourcedManifest[]) => void): SynthesizedFile[] {
    const fast = this.resolveWithoutDependencies(all);
    const files: SynthesizedFile[] = [];
    for (const chart of fast ? [...fast.keys()] : this.charts) {
      const dir = (chart as Partial<MeshChart>).outputDir ?? '';
      const file = path.join(dir, `${chart.node.id}${this.outputFileExtension}`);
      let manifests: SourcedManifest[];
      if (fast) {
        const objects = fast.get(chart) ?? [];
        manifests = [];
        for (let i = 0; i < objects.length; i += STREAM_CHUNK) {
          const chunk = objects.slice(i, i + STREAM_CHUNK).map((o) => ({ manifest: o.toJson(), file, path: o.node.path }));
          manifests.push(...chunk);
          onManifests?.(path.dirname(file), chunk);
        }
      } else {
        const objects = chart.toJson();
        const paths = objectPaths(chart);
        manifests = objects.map((m) => ({
          manifest: m,
          file,
          path: paths.get(objectKey(m.apiVersion, m.kind, m.metadata?.namespace, m.metadata?.name)),
        }));
        if (manifests.length > 0) onManifests?.(path.dirname(file), manifests);
      }
      files.push({ file, manifests });
    }
    return files;
  }

  /**
   * cdk8s resolves each chart by re-walking the whole app (dependencies, validation, a dependency
   * graph) once per chart. When no construct declares a dependency and no chart is nested in another,
   * that graph orders every chart's ApiObjects in plain construct-tree order, so one walk gives the
   * same objects in the same order. Returns undefined (use cdk8s's own path) otherwise.
   */
  private resolveWithoutDependencies(all: readonly IConstruct[]): Map<Chart, ApiObject[]> | undefined {
    const chartOf = new Map<IConstruct, Chart | undefined>();
    const byChart = new Map<Chart, ApiObject[]>();
    const errors: string[] = [];
    for (const c of all) {
      if (c.node.dependencies.length > 0) return undefined;
      const parent = c.node.scope;
      const enclosing = parent ? chartOf.get(parent) : undefined;
      if (Chart.isChart(c)) {
        if (enclosing) return undefined; // nested charts depend on each other
        chartOf.set(c, c);
        byChart.set(c, []);
        continue;
      }
      chartOf.set(c, enclosing);
      if (enclosing && ApiObject.isApiObject(c)) byChart.get(enclosing)!.push(c);
    }
    // the same construct validation cdk8s runs before synth, with the same message
    for (const c of all) {
      for (const e of c.node.validate()) errors.push(`[${c.node.path}] ${e}`);
    }
    if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
    return byChart;
  }

  /** Validates and writes every chart and artifact. Nothing is written when any check fails. */
  public synth(): void {
    // Only a worker a large mesh started (_prewarmValidation) is used; synth never starts one itself.
    const hasMeshValidator = this.validators.some((v) => v instanceof MeshValidator);
    const worker = hasMeshValidator ? this.worker : undefined;
    this.worker = undefined;
    try {
      runSynthHooks(this); // meshes render their models into objects before the tree is walked
      this.synthWith(worker);
    } finally {
      worker?.stop();
    }
  }

  private synthWith(worker: ValidationWorker | undefined): void {
    // one walk of the construct tree serves resolution, artifacts, findings and suppressions
    const all = this.node.findAll();
    const external = collectExternalPrincipals(this, all);
    const validators = this.validators.map((v) => (v instanceof MeshValidator ? v.withExternalPrincipals(external) : v));
    // The built-in validator runs in the worker, fed folder by folder while constructs resolve; a small
    // app validates faster in-process than it can hand its objects over.
    const meshValidator = validators.find((v): v is MeshValidator => v instanceof MeshValidator);
    const objectCount = all.reduce((n, c) => (ApiObject.isApiObject(c) ? n + 1 : n), 0);
    const streaming = worker !== undefined && meshValidator !== undefined && objectCount >= WORKER_MIN_OBJECTS;
    if (worker && !streaming) worker.stop();
    const begun = new Set<string>();
    const files = this.resolveFiles(
      all,
      streaming
        ? (dir, chunk) => {
          if (!begun.has(dir)) {
            worker!.begin(dir, meshValidator!.options);
            begun.add(dir);
          }
          worker!.add(dir, chunk);
        }
        : undefined,
    );
    const artifacts = all.filter((c): c is Artifact => c instanceof Artifact);
    const rendered = artifacts.map((a) => ({ file: a.path, content: a.render(), summary: a.renderSummary() }));

    const findings: Finding[] = collectFindings(this, all).map((f) => ({ code: f.code, level: f.level, message: f.message, path: f.path }));
    const byDir = new Map<string, SourcedManifest[]>();
    for (const f of files) {
      const dir = path.dirname(f.file);
      byDir.set(dir, [...(byDir.get(dir) ?? []), ...f.manifests]);
    }
    for (const v of validators) {
      if (streaming && v === meshValidator) continue;
      for (const manifests of byDir.values()) findings.push(...v.validate(manifests));
    }
    // serialize while the worker finishes; nothing is written before the verdict
    const texts = files.map((f) => (f.manifests.length === 0 ? undefined : toYamlDocuments(f.manifests.map((m) => m.manifest))));
    if (streaming) {
      const answer = worker!.finish();
      for (const [dir, manifests] of byDir) {
        const found = answer?.get(dir);
        findings.push(...(found ?? meshValidator!.validate(manifests)));
      }
    }

    const kept = applyConstructSuppressions(this, findings, all);
    const errors = kept.filter((f) => f.level === 'error');
    const others = kept.filter((f) => f.level !== 'error');
    if (others.length > 0) this.log(formatFindings(others));
    if (errors.length > 0) {
      throw new Error(`Synth failed with ${errors.length} validation error(s); nothing was written:\n${formatFindings(errors)}`);
    }

    files.forEach((f, i) => {
      const text = texts[i];
      if (text === undefined) return;
      const target = path.join(this.outdir, f.file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
    });
    for (const a of rendered) {
      const target = path.join(this.outdir, a.file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, a.content);
    }
    for (const a of rendered) {
      if (a.summary) this.log(a.summary);
    }
  }


  /** All manifests of all charts as one YAML string (fast emitter). */
  public synthYaml(): string {
    return toYamlDocuments(this.synthFiles().flatMap((f) => f.manifests.map((m) => m.manifest)));
  }
}

/** Construct paths of a chart's ApiObjects, by `apiVersion|kind|namespace|name`. */
function objectPaths(chart: Chart): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of chart.node.findAll()) {
    if (c instanceof ApiObject && Chart.of(c) === chart) {
      out.set(objectKey(c.apiVersion, c.kind, c.metadata.namespace, c.name), c.node.path);
    }
  }
  return out;
}

function objectKey(apiVersion: string, kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${apiVersion}|${kind}|${namespace ?? ''}|${name ?? ''}`;
}

/** Formats findings as a compact table: level, code, where, message. */
export function formatFindings(findings: readonly Finding[]): string {
  const rows = findings.map((f) => [
    f.level,
    f.code,
    f.kind ? `${f.kind}/${f.namespace ?? '-'}/${f.name ?? '-'}` : f.path ?? '-',
    f.kind && f.path ? `${f.message} [${f.path}]` : f.message,
  ]);
  const widths = [0, 1, 2].map((i) => Math.min(60, Math.max(...rows.map((r) => r[i].length))));
  return rows.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join('  ')).join('\n');
}
