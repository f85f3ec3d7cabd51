import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MeshSynthError } from './mesh-synth-error';
import { brandSymbol, hasBrand } from './private/brand';
import { formatMessage } from './private/errors';
import { outputDirOf } from './private/output-dir';

const MESH_APP = brandSymbol('MeshApp');

/**
 * Makes every chart that writes an object into namespace N depend on the chart that declares the
 * Namespace N (in the same output folder), so the files come out in an order `kubectl apply -f`
 * can take on a fresh cluster.
 *
 * Within one file, apply order already puts Namespaces first; across charts it cannot: `kubectl apply -f
 * dist/` reads the files in name order, so a chart `platform` holding the default deny of namespace
 * `billing` would be applied before chart `team-b` that declares `billing` ("namespaces "billing" not
 * found"). A chart dependency is how cdk8s orders chart files: with dependencies, both cdk8s's `App` and
 * `MeshApp` number the files `0000-<chart>` in dependency order (cdk8s `app.ts`, `resolveDependencies`
 * and `IndexedChartNamer`). A dependency that would close a cycle (the other chart already depends on
 * this one, or each writes into a namespace the other declares) cannot be ordered: synth fails naming
 * both charts and the fix. Idempotent (a dependency is a set entry); runs as a synth hook after the
 * meshes' render step, so rendered objects are seen.
 */
export function orderChartsByNamespace(root: IConstruct): void {
  const all = root.node.findAll();
  const charts = all.filter((c): c is Chart => Chart.isChart(c));
  if (charts.length < 2) return;
  // under a MeshApp a chart's outputDir is its own deployable set; a plain App writes every chart to one folder
  const folderOf = (c: IConstruct) => (hasBrand(root, MESH_APP) ? outputDirOf(c) : '');
  const closest = (c: IConstruct): Chart | undefined => {
    try {
      return Chart.of(c);
    } catch {
      return undefined;
    }
  };
  // the chart declaring each Namespace, per folder
  const declaring = new Map<string, Chart>();
  const objects: Array<{ object: ApiObject; chart: Chart }> = [];
  for (const c of all) {
    if (!ApiObject.isApiObject(c)) continue;
    const chart = closest(c);
    if (!chart) continue;
    if (c.kind === 'Namespace' && c.apiVersion === 'v1') {
      const key = `${folderOf(c)}\u0000${c.name}`;
      if (!declaring.has(key)) declaring.set(key, chart);
    } else if (c.metadata.namespace !== undefined) {
      objects.push({ object: c, chart });
    }
  }
  if (declaring.size === 0) return;
  // chart-level dependencies as cdk8s derives them: nested charts and construct dependencies across charts
  const deps = new Map<Chart, Set<Chart>>(charts.map((c) => [c, new Set<Chart>()]));
  const addEdge = (from: Chart, to: Chart) => deps.get(from)?.add(to);
  for (const c of all) {
    const from = closest(c);
    if (!from) continue;
    if (Chart.isChart(c) && c.node.scope && closest(c.node.scope)) addEdge(closest(c.node.scope)!, c);
    for (const d of c.node.dependencies) {
      const to = closest(d);
      if (to && to !== from) addEdge(from, to);
    }
  }
  const reaches = (from: Chart, to: Chart): boolean => {
    const seen = new Set<Chart>();
    const stack = [from];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x === to) return true;
      if (seen.has(x)) continue;
      seen.add(x);
      for (const y of deps.get(x) ?? []) stack.push(y);
    }
    return false;
  };
  const problems: string[] = [];
  const refused = new Set<string>();
  for (const { object, chart } of objects) {
    const namespace = object.metadata.namespace!;
    const owner = declaring.get(`${folderOf(object)}\u0000${namespace}`);
    if (!owner || owner === chart || deps.get(chart)?.has(owner)) continue;
    if (reaches(owner, chart)) {
      const pair = `${chart.node.path}\u0000${owner.node.path}`;
      if (refused.has(pair)) continue;
      refused.add(pair);
      problems.push(formatMessage(
        object.node.path,
        'metadata.namespace',
        namespace,
        `chart "${chart.node.path}" writes ${object.kind} ${namespace}/${object.name} into namespace ${namespace}, which chart "${owner.node.path}" declares, ` +
          `but "${owner.node.path}" already depends on "${chart.node.path}": no file order lets \`kubectl apply -f\` create the Namespace first`,
        `declare namespace ${namespace} in chart "${chart.node.path}", or move what writes into it into chart "${owner.node.path}", or remove the dependency between the two charts`,
      ));
      continue;
    }
    chart.node.addDependency(owner);
    addEdge(chart, owner);
  }
  if (problems.length > 0) {
    throw new MeshSynthError(`Synth failed: ${problems.length} object(s) cannot be applied after their Namespace; nothing was written:\n  ${problems.join('\n  ')}`);
  }
}
