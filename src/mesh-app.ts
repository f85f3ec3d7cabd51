import * as path from 'path';
import { ApiObject, App, AppProps, Chart, ChartProps, DependencyGraph, Names, YamlOutputType } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { applyOrder, applyRank } from './synth/apply-order';
import { fail } from './private/errors';
import { runSynthHooks } from './private/synth-hooks';
import { constructErrorFindings, constructSynthError, failedSynthError, formatFindings, isInputError, MeshSynthError } from './mesh-synth-error';
import { checkOutdir, isCdk8sStdoutDir, lastGoodDir, OutputFile, recoverInterrupted, replaceOutput, restoreIfMissing, saveLastGood } from './synth/output';
import { toYamlDocuments } from './synth/yaml';
import { MeshValidator, SetValidation, ValidationOptions } from './validation';
import { ValidationWorker } from './validation/parallel';
import { objectId } from './validation/plugin';
import { applyConstructSuppressions, collectExternalPrincipals } from './validation/suppress';
import { Finding, IManifestValidator, SourcedManifest } from './validation/types';
import { collectFindings } from './warnings';
import { addBrand, brandSymbol, hasBrand } from './private/brand';

export { MeshSynthError };

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

const MESH_CHART_BRAND = brandSymbol('MeshChart');

/** A chart that can be written to a subfolder of the {@link MeshApp} output. */
export class MeshChart extends Chart {
  /** Whether `x` is a MeshChart (works across copies of this package). */
  public static isMeshChart(x: unknown): x is MeshChart {
    return hasBrand(x, MESH_CHART_BRAND);
  }

  /** `x instanceof MeshChart`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is MeshChart {
    return hasBrand(x, MESH_CHART_BRAND);
  }

  /** The output folder relative to the app outdir ('' for the outdir itself). */
  public readonly outputDir: string;

  constructor(scope: Construct, id: string, props: MeshChartProps = {}) {
    super(scope, id, props);
    addBrand(this, MESH_CHART_BRAND);
    const dir = props.outputDir ?? '';
    if (path.isAbsolute(dir) || dir.split(/[\\/]/).includes('..')) {
      fail(this, 'props.outputDir', dir, 'it must be a relative folder inside the app outdir', "e.g. outputDir: 'mesh' (written under the app's outdir)");
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

const ARTIFACT_BRAND = brandSymbol('Artifact');

/** A non-manifest output file. Only {@link MeshApp} writes these. */
export class Artifact extends Construct {
  /** Whether `x` is a Artifact (works across copies of this package). */
  public static isArtifact(x: unknown): x is Artifact {
    return hasBrand(x, ARTIFACT_BRAND);
  }

  /** `x instanceof Artifact`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is Artifact {
    return hasBrand(x, ARTIFACT_BRAND);
  }

  /** The relative output path. */
  public readonly path: string;
  private readonly produce: () => string;
  private readonly produceSummary?: () => string;
  constructor(scope: Construct, id: string, props: ArtifactProps) {
    super(scope, id);
    addBrand(this, ARTIFACT_BRAND);
    if (path.isAbsolute(props.path) || props.path.split(/[\\/]/).includes('..')) {
      fail(this, 'props.path', props.path, 'it must be a relative path inside the app outdir', "e.g. path: 'reports/mesh.md' (written under the app's outdir)");
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
  /**
   * Keep the last good output (as hard links, in `node_modules/.cache/cdk8s-istio/last-good/`) and put
   * it back when the app starts and finds the output folder missing, as it is under `cdk8s synth`,
   * which removes the output folder before it runs the app: whatever fails next (a construct error,
   * a failed synth), the output folder holds the last good output. Kept only for an output folder
   * inside the current folder.
   * @default true
   */
  readonly keepLastGoodOutput?: boolean;
}

/** The props {@link MeshApp} knows; any other key is refused rather than ignored. */
const KNOWN_PROPS = new Set(['outdir', 'outputFileExtension', 'yamlOutputType', 'recordConstructMetadata', 'resolvers', 'validators', 'validation', 'log', 'keepLastGoodOutput']);

/** One written file: its folder, name and objects. */
export interface SynthesizedFile {
  readonly file: string;
  readonly manifests: readonly SourcedManifest[];
}

/** A chart resolved: its ApiObjects in apply order. */
interface ResolvedChart {
  readonly chart: Chart;
  readonly objects: ApiObject[];
}

const MESH_APP_BRAND = brandSymbol('MeshApp');

/**
 * A cdk8s App that writes each {@link MeshChart} to its own folder, writes {@link Artifact}s,
 * validates every folder's objects before writing anything, and serializes with a fast,
 * deterministic YAML emitter (the output parses to exactly what cdk8s's own emitter gives).
 *
 * Like cdk8s's `App`, it honours `yamlOutputType` (every value), `outputFileExtension`,
 * `recordConstructMetadata`, `resolvers` and chart dependencies (files of dependent charts are
 * numbered in dependency order). In addition:
 * - objects are written in apply order (see `synth/apply-order.ts`): Namespaces, then mesh policy,
 *   then identities, Services, workloads and routes, whatever order the constructs were created in;
 * - the output folder is replaced as a whole, and only when every check passed and every file was
 *   written (see `synth/output.ts`), so a failed synth leaves the previous output in place;
 * - under `cdk8s synth --stdout` it writes one file, the objects of the output folder itself in apply
 *   order (the set `kubectl apply -f dist/` takes): charts with an `outputDir` (variants, the
 *   control-plane install files) and artifacts are written only by a synth to a folder.
 */
export class MeshApp extends App {
  /** Whether `x` is a MeshApp (works across copies of this package). */
  public static isMeshApp(x: unknown): x is MeshApp {
    return hasBrand(x, MESH_APP_BRAND);
  }

  /** `x instanceof MeshApp`, decided by the brand (works across copies of this package). */
  public static [Symbol.hasInstance](x: unknown): x is MeshApp {
    return hasBrand(x, MESH_APP_BRAND);
  }

  /**
   * Runs an app's main function as a command line should: when it fails on bad input (a
   * {@link MeshSynthError} or a construct's {@link MeshConfigError}), the message — the findings —
   * goes to stderr without a stack trace and the exit code is 1; any other error (a bug) propagates
   * with its stack.
   *
   * @example
   * MeshApp.run(() => {
   *   const app = new MeshApp();
   *   // ... charts and constructs ...
   *   app.synth();
   * });
   */
  public static run(main: () => unknown, log: (line: string) => void = (line) => process.stderr.write(line + '\n')): void {
    try {
      main();
    } catch (e) {
      if (!isInputError(e)) throw e;
      log(e.message);
      process.exitCode = 1;
    }
  }

  private readonly validators: IManifestValidator[];
  private worker?: ValidationWorker;
  private readonly log: (line: string) => void;
  /** Where the last good output is kept, when it is. */
  private readonly lastGood?: string;
  /** The output folder was missing when the app started and the last good output was put back. */
  private readonly restoredAtStart: boolean;
  /** cdk8s's App keeps this private: the same default (the cdk8s CLI sets the variable when validation plugins run). */
  private readonly recordMetadata: boolean;

  constructor(props: MeshAppProps = {}) {
    for (const k of Object.keys(props)) {
      if (!KNOWN_PROPS.has(k)) {
        fail('MeshApp', `props.${k}`, (props as Record<string, unknown>)[k], 'MeshApp does not know this option and will not ignore it', 'remove it, or use a cdk8s App');
      }
    }
    const outputType = props.yamlOutputType ?? YamlOutputType.FILE_PER_CHART;
    if (YamlOutputType[outputType] === undefined) {
      fail('MeshApp', 'props.yamlOutputType', outputType, 'not a cdk8s YamlOutputType', 'use YamlOutputType.FILE_PER_CHART, FILE_PER_APP, FILE_PER_RESOURCE or FOLDER_PER_CHART_FILE_PER_RESOURCE');
    }
    super(props);
    addBrand(this, MESH_APP_BRAND);
    checkOutdir(this.outdir);
    const v = props.validation ?? true;
    this.validators = [...(props.validators ?? (v === false ? [] : [new MeshValidator(v === true ? {} : v)]))];
    this.log = props.log ?? ((line) => process.stderr.write(line + '\n'));
    // `cdk8s synth` has just removed the output folder: put the last good output back at once, so that
    // any failure from here on (a construct error, a failed synth, a crash) leaves it in place
    this.lastGood = (props.keepLastGoodOutput ?? true) && !this.streaming ? lastGoodDir(this.outdir) : undefined;
    this.restoredAtStart = this.lastGood !== undefined && restoreIfMissing(this.outdir, this.lastGood);
    this.recordMetadata = props.recordConstructMetadata ?? process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
  }

  /**
   * Starts the validation worker ahead of synth, so it loads and warms up the validation layer while
   * the rest of the app's constructs are built. A mesh calls this once it has many members; small
   * apps (and unit tests) never start a worker. It never keeps the process alive, and synth stops it.
   * @internal
   */
  public _prewarmValidation(): void {
    if (this.worker || !this.validators.some((x) => MeshValidator.isMeshValidator(x))) return;
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
    return this.resolveFiles(this.node.findAll()).files;
  }

  /** Whether this synth streams to stdout (`cdk8s synth --stdout`): then one file is written. */
  private get streaming(): boolean {
    return isCdk8sStdoutDir(this.outdir);
  }

  /**
   * Resolves every chart into the files synth writes, objects in apply order. `onManifests`, when
   * given, receives each folder's manifests in chunks as soon as they are resolved (the validation
   * worker checks them meanwhile).
   */
  private resolveFiles(all: readonly IConstruct[], onManifests?: (dir: string, chunk: SourcedManifest[]) => void): { files: SynthesizedFile[]; stream: () => SynthesizedFile } {
    const { charts, dependantCharts } = this.resolveCharts(all);
    const ext = this.outputFileExtension;
    const folderOf = (c: Chart) => (c as Partial<MeshChart>).outputDir ?? '';
    // the files to write, as lists of objects
    const layout: Array<{ file: string; objects: ApiObject[] }> = [];
    const perFolder = (): Map<string, ApiObject[]> => {
      // all charts of a folder in one apply order; with chart dependencies, chart by chart
      const byDir = new Map<string, ResolvedChart[]>();
      for (const rc of charts) byDir.set(folderOf(rc.chart), [...(byDir.get(folderOf(rc.chart)) ?? []), rc]);
      const out = new Map<string, ApiObject[]>();
      for (const [dir, list] of byDir) {
        const joined = list.flatMap((rc) => rc.objects);
        out.set(dir, dependantCharts ? joined : sortForApply(joined));
      }
      return out;
    };
    switch (this.yamlOutputType) {
      case YamlOutputType.FILE_PER_APP:
        for (const [dir, objects] of perFolder()) layout.push({ file: path.join(dir, `app${ext}`), objects });
        break;
      case YamlOutputType.FILE_PER_RESOURCE:
        for (const [dir, objects] of perFolder()) {
          objects.forEach((o, i) => layout.push({ file: path.join(dir, resourceFileName(o, i, ext)), objects: [o] }));
        }
        break;
      case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE: {
        const namer = chartNamer(dependantCharts);
        for (const rc of charts) {
          const folder = path.join(folderOf(rc.chart), namer(rc.chart));
          rc.objects.forEach((o, i) => layout.push({ file: path.join(folder, resourceFileName(o, i, ext)), objects: [o] }));
        }
        break;
      }
      default: {
        const namer = chartNamer(dependantCharts);
        for (const rc of charts) layout.push({ file: path.join(folderOf(rc.chart), `${namer(rc.chart)}${ext}`), objects: rc.objects });
      }
    }
    const files: SynthesizedFile[] = [];
    const resolved = new Map<ApiObject, SourcedManifest>();
    for (const { file, objects } of layout) {
      const manifests: SourcedManifest[] = [];
      for (let i = 0; i < objects.length; i += STREAM_CHUNK) {
        const chunk = objects.slice(i, i + STREAM_CHUNK).map((o) => {
          const m = { manifest: o.toJson(), file, path: o.node.path };
          resolved.set(o, m);
          return m;
        });
        for (const m of chunk) manifests.push(m);
        onManifests?.(path.dirname(file), chunk);
      }
      files.push({ file, manifests });
    }
    // what `cdk8s synth --stdout` prints: the charts without an outputDir, whatever the yamlOutputType
    const stream = (): SynthesizedFile => {
      const file = `app${ext}`;
      return { file, manifests: (perFolder().get('') ?? []).map((o) => ({ ...resolved.get(o)!, file })) };
    };
    return { files, stream };
  }

  /**
   * Every chart with its ApiObjects in apply order, charts in cdk8s order. When no construct declares
   * a dependency and no chart is nested in another, one walk of the construct tree gives cdk8s's
   * order (cdk8s re-walks the whole app per chart); otherwise cdk8s resolves the dependencies and
   * its dependency graph gives the order, which apply order then respects.
   */
  private resolveCharts(all: readonly IConstruct[]): { charts: ResolvedChart[]; dependantCharts: boolean } {
    // the construct validation cdk8s runs before synth; its errors are findings of the MeshSynthError
    const constructErrors = constructErrorFindings(all);
    if (constructErrors.length > 0) throw constructSynthError(constructErrors);
    const fast = this.resolveWithoutDependencies(all);
    if (fast) {
      return { charts: [...fast].map(([chart, objects]) => ({ chart, objects: sortForApply(objects) })), dependantCharts: false };
    }
    const charts = this.charts;
    // cdk8s's own resolution (dependencies made explicit between ApiObjects) and construct validation
    if (charts.length > 0) {
      try {
        charts[0].toJson();
      } catch (e) {
        if (e instanceof Error && e.message.startsWith('Validation failed with the following errors')) throw new MeshSynthError(e.message);
        throw e;
      }
    }
    let dependantCharts = false;
    for (const c of all) {
      for (const d of c.node.dependencies) if (chartOf(c) !== chartOf(d)) dependantCharts = true;
      if (Chart.isChart(c) && c.node.children.some((x) => Chart.isChart(x))) dependantCharts = true;
    }
    const resolved = this.charts.map((chart) => {
      const objects = new DependencyGraph(chart.node).topology().filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === chart);
      const index = new Map(objects.map((o, i) => [o as IConstruct, i]));
      const order = applyOrder(objects, (o) => applyRank(o), (i) => {
        const out: number[] = [];
        for (const d of objects[i].node.dependencies) {
          const j = index.get(d);
          if (j !== undefined) out.push(j);
        }
        return out;
      });
      return { chart, objects: order.map((i) => objects[i]) };
    });
    return { charts: resolved, dependantCharts };
  }

  /**
   * cdk8s resolves each chart by re-walking the whole app (dependencies, validation, a dependency
   * graph) once per chart. When no construct declares a dependency and no chart is nested in another,
   * that graph orders every chart's ApiObjects in plain construct-tree order, so one walk gives the
   * same objects in the same order. Returns undefined (use cdk8s's own path) otherwise.
   */
  private resolveWithoutDependencies(all: readonly IConstruct[]): Map<Chart, ApiObject[]> | undefined {
    const chartOfConstruct = new Map<IConstruct, Chart | undefined>();
    const byChart = new Map<Chart, ApiObject[]>();
    for (const c of all) {
      if (c.node.dependencies.length > 0) return undefined;
      const parent = c.node.scope;
      const enclosing = parent ? chartOfConstruct.get(parent) : undefined;
      if (Chart.isChart(c)) {
        if (enclosing) return undefined; // nested charts depend on each other
        chartOfConstruct.set(c, c);
        byChart.set(c, []);
        continue;
      }
      chartOfConstruct.set(c, enclosing);
      if (enclosing && ApiObject.isApiObject(c)) byChart.get(enclosing)!.push(c);
    }
    return byChart;
  }

  /**
   * Validates and writes every chart and artifact. Nothing is written when any check fails: the output
   * folder keeps the previous synth's output (or gets the last good output back, see
   * {@link MeshAppProps.keepLastGoodOutput}), and a {@link MeshSynthError} lists the errors.
   */
  public synth(): void {
    // Only a worker a large mesh started (_prewarmValidation) is used; synth never starts one itself.
    const hasMeshValidator = this.validators.some((v) => MeshValidator.isMeshValidator(v));
    const worker = hasMeshValidator ? this.worker : undefined;
    this.worker = undefined;
    const stream = this.streaming;
    const keep = this.lastGood;
    recoverInterrupted(this.outdir);
    let output: OutputFile[];
    let summaries: string[];
    try {
      runSynthHooks(this); // meshes render their models into objects before the tree is walked
      ({ output, summaries } = this.synthWith(worker, stream));
    } catch (e) {
      throw failedSynthError(e, this.outdir, keep, this.restoredAtStart);
    } finally {
      worker?.stop();
    }
    replaceOutput(this.outdir, output);
    if (keep) saveLastGood(this.outdir, keep);
    for (const line of summaries) this.log(line);
  }

  private synthWith(worker: ValidationWorker | undefined, stream: boolean): { output: OutputFile[]; summaries: string[] } {
    // one walk of the construct tree serves resolution, artifacts, findings and suppressions
    const all = this.node.findAll();
    const external = collectExternalPrincipals(this, all);
    const validators = this.validators.map((v) => (MeshValidator.isMeshValidator(v) ? v.withExternalPrincipals(external) : v));
    // The built-in validator runs in the worker, fed folder by folder while constructs resolve; a small
    // app validates faster in-process than it can hand its objects over.
    const meshValidator = validators.find((v): v is MeshValidator => MeshValidator.isMeshValidator(v));
    const objectCount = all.reduce((n, c) => (ApiObject.isApiObject(c) ? n + 1 : n), 0);
    const streaming = worker !== undefined && meshValidator !== undefined && objectCount >= WORKER_MIN_OBJECTS;
    if (worker && !streaming) worker.stop();
    const begun = new Set<string>();
    // every folder is validated, also when only the root folder is streamed to stdout
    const { files, stream: streamed } = this.resolveFiles(
      all,
      streaming
        ? (dir, chunk) => {
          if (!begun.has(dir)) {
            // the worker runs the per-object checks; the analyzers run here (below)
            worker!.begin(dir, meshValidator!.options, false);
            begun.add(dir);
          }
          worker!.add(dir, chunk);
        }
        : undefined,
    );
    const artifacts = all.filter((c): c is Artifact => Artifact.isArtifact(c));
    const rendered = artifacts.map((a) => ({ file: a.path, content: a.render(), summary: a.renderSummary() }));

    const findings: Finding[] = collectFindings(this, all).map((f) => ({ code: f.code, level: f.level, message: f.message, path: f.path }));
    const byDir = new Map<string, SourcedManifest[]>();
    for (const f of files) {
      const dir = path.dirname(f.file);
      const list = byDir.get(dir) ?? [];
      for (const m of f.manifests) list.push(m);
      byDir.set(dir, list);
    }
    const add = (list: readonly Finding[]) => {
      for (const f of list) findings.push(f);
    };
    for (const v of validators) {
      if (streaming && v === meshValidator) continue;
      for (const manifests of byDir.values()) add(v.validate(manifests));
    }
    // serialize while the worker finishes; nothing is written before the verdict
    const written = stream ? [streamed()] : files;
    const texts = written.map((f) => (f.manifests.length === 0 ? undefined : toYamlDocuments(f.manifests.map((m) => m.manifest))));
    if (streaming) {
      // The cross-object analyzers need every object of a folder, which this thread has: they run here
      // while the worker finishes the per-object checks, and both halves are joined per folder exactly
      // as one in-process validation joins them (SetValidation.complete).
      const local = new Map<string, { set: SetValidation; crossObject: Finding[] }>();
      for (const [dir, manifests] of byDir) {
        if (!begun.has(dir)) continue;
        const set = new SetValidation(meshValidator!.options, { perObject: false });
        set.add(manifests);
        local.set(dir, { set, crossObject: set.crossObjectFindings() });
      }
      const answer = worker!.finish();
      for (const [dir, manifests] of byDir) {
        const perObject = answer?.get(dir);
        const half = local.get(dir);
        add(perObject && half ? half.set.complete(perObject, half.crossObject) : meshValidator!.validate(manifests));
      }
    }

    const kept = applyConstructSuppressions(this, findings, all);
    const errors = kept.filter((f) => f.level === 'error');
    const others = kept.filter((f) => f.level !== 'error');
    if (others.length > 0) this.log(formatFindings(others));
    if (errors.length > 0) {
      throw new MeshSynthError(`Synth failed with ${errors.length} validation error(s); nothing was written:\n${formatFindings(errors)}`, errors);
    }

    const output: OutputFile[] = [];
    written.forEach((f, i) => {
      const text = texts[i];
      if (text !== undefined) output.push({ path: f.file, content: text });
    });
    const summaries: string[] = [];
    if (!stream) {
      for (const a of rendered) output.push({ path: a.file, content: a.content });
      for (const a of rendered) if (a.summary) summaries.push(a.summary);
    } else {
      const held = [...new Set([...files.map((f) => path.dirname(f.file)).filter((d) => d !== '.'), ...rendered.map((a) => a.file)])];
      if (held.length > 0) summaries.push(`cdk8s-istio: --stdout streams the objects of the output folder itself; not streamed: ${held.join(', ')} (synthesize to a folder to get them)`);
    }
    if (this.recordMetadata) output.push({ path: 'construct-metadata.json', content: constructMetadata(written) });
    return { output, summaries };
  }

  /** All manifests of all charts as one YAML string (fast emitter), in each file's apply order. */
  public synthYaml(): string {
    return toYamlDocuments(this.synthFiles().flatMap((f) => f.manifests.map((m) => m.manifest)));
  }
}

/** Orders ApiObjects for apply (no dependencies between them). */
function sortForApply(objects: readonly ApiObject[]): ApiObject[] {
  return applyOrder(objects, (o) => applyRank(o)).map((i) => objects[i]);
}

/** The chart a construct belongs to, or undefined (the app itself). */
function chartOf(c: IConstruct): Chart | undefined {
  try {
    return Chart.of(c);
  } catch {
    return undefined;
  }
}

/** cdk8s's chart file and folder names: `<dns label>`, numbered `0000-<dns label>` in dependency order when charts depend on each other. */
function chartNamer(indexed: boolean): (chart: Chart) => string {
  let i = 0;
  return (chart) => (indexed ? `${String(i++).padStart(4, '0')}-` : '') + Names.toDnsLabel(chart);
}

/**
 * cdk8s's file name for one resource (`<kind>.<name>`, characters outside `[0-9a-zA-Z-_.]` dropped),
 * prefixed with its position in apply order so `kubectl apply -f` takes the files in that order, and
 * two objects of one kind and name (in different namespaces) never overwrite each other.
 */
function resourceFileName(o: ApiObject, index: number, ext: string): string {
  return `${String(index).padStart(4, '0')}-${`${o.kind}.${o.name}`.replace(/[^0-9a-zA-Z-_.]/g, '')}${ext}`;
}

/**
 * cdk8s's `construct-metadata.json`: each object's construct path, by object name (cdk8s's key, which
 * objects of one name share), and by `Kind/namespace/name` (unique; the validation plugin names objects so).
 */
function constructMetadata(files: readonly SynthesizedFile[]): string {
  const resources: Record<string, { path: string | undefined }> = {};
  for (const f of files) for (const m of f.manifests) resources[m.manifest?.metadata?.name] = { path: m.path };
  for (const f of files) {
    for (const m of f.manifests) {
      const md = m.manifest?.metadata;
      if (typeof md?.name === 'string') resources[objectId(m.manifest.kind, md.namespace, md.name)] = { path: m.path };
    }
  }
  return JSON.stringify({ version: '1.0.0', resources });
}

