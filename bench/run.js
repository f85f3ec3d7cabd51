#!/usr/bin/env node
/**
 * `npm run bench` — synthesizes N mesh services (N = 100, 1000, 5000 by default) three ways in one
 * process per N, and the reference app cold, and writes bench/results.json.
 *
 *   library   TracedService (2 versions) + CanaryRoute + CircuitBreaker + one allowFrom edge per
 *             service, synthesized by MeshApp with validation ON, files written to a temp dir.
 *   baseline  the identical objects as plain cdk8s ApiObjects, synthesized by cdk8s's own App.synth().
 *   floor     the identical objects as plain JSON, serialized straight to YAML files.
 *
 * Each N runs --reps times (default 3), each time in a fresh process; the table reports the median of
 * each timing and the largest peak RSS.
 *
 * Usage: node --expose-gc bench/run.js [--n 100,1000,5000] [--reps 3] [--runs 15] [--runs 0] [--no-write]
 *   --runs 0     skips the cold-command timing
 *   --no-write   prints the table without rewriting bench/results.json (for exploratory runs on a
 *                loaded machine, whose numbers must not replace the published ones)
 * Requires the compiled library (lib/, built by `npm ci` or `npx projen compile`).
 */
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

function main() {
  if (process.env.BENCH_CHILD) return child(Number(process.env.BENCH_CHILD));
  if (!fs.existsSync(path.join(root, 'lib/src/index.js'))) {
    throw new Error('lib/ is missing: run `npx projen compile` (or `npm ci`) first');
  }
  const ns = opt('n', '100,1000,5000').split(',').map(Number);
  const runs = Number(opt('runs', '15'));
  const reps = Number(opt('reps', '3'));
  const synth = [];
  for (const n of ns) {
    const samples = [];
    for (let r = 0; r < reps; r++) {
      const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', __filename], {
        env: { ...process.env, BENCH_CHILD: String(n) },
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      samples.push(JSON.parse(out.trim().split('\n').pop()));
    }
    const median = (k) => {
      const v = samples.map((x) => x[k]).sort((a, b) => a - b);
      return v[Math.floor(v.length / 2)];
    };
    synth.push({
      n,
      objects: samples[0].objects,
      ms: median('ms'),
      baselineMs: median('baselineMs'),
      floorMs: median('floorMs'),
      rssMb: Math.max(...samples.map((x) => x.rssMb)),
      cpuMs: median('cpuMs'),
      baselineCpuMs: median('baselineCpuMs'),
      reps,
    });
  }
  const coldSynth = runs > 0 ? cold(runs) : undefined;
  const results = { machine: { cpus: os.cpus().length, node: process.version }, synth, coldSynth };
  const write = !args.includes('--no-write');
  if (write) fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  printTable(results, write);
}

/** One N in a fresh process: library, then baseline, then floor, over the identical objects. */
function child(n) {
  const cdk8s = require('cdk8s');
  const { buildLibraryApp } = require('./services');
  const { toYamlDocuments } = require(path.join(root, 'lib/src'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-bench-'));
  gc();

  // 1. library: constructs + validation + fast emitter
  // CPU time (process.cpuUsage: every thread of the process, the validation worker included) is
  // reported beside the wall time: on a loaded machine it varies less than wall time does.
  const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
  let t0 = process.hrtime.bigint();
  let c0 = cpu();
  const app = buildLibraryApp(n, path.join(tmp, 'library'));
  app.synth();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuMs = cpu() - c0;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const manifests = [];
  for (const f of fs.readdirSync(path.join(tmp, 'library'))) {
    manifests.push(...require('js-yaml').loadAll(fs.readFileSync(path.join(tmp, 'library', f), 'utf8')).filter(Boolean));
  }
  gc();

  // 2. baseline: the same objects as plain ApiObjects through cdk8s's own synth
  t0 = process.hrtime.bigint();
  c0 = cpu();
  const base = new cdk8s.App({ outdir: path.join(tmp, 'baseline') });
  const chart = new cdk8s.Chart(base, 'bench');
  manifests.forEach((m, i) => new cdk8s.ApiObject(chart, `o${i}`, m));
  base.synth();
  const baselineMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const baselineCpuMs = cpu() - c0;
  gc();

  // 3. floor: the same plain objects straight to YAML
  t0 = process.hrtime.bigint();
  fs.mkdirSync(path.join(tmp, 'floor'));
  fs.writeFileSync(path.join(tmp, 'floor', 'bench.k8s.yaml'), toYamlDocuments(manifests));
  const floorMs = Number(process.hrtime.bigint() - t0) / 1e6;

  // Same data all three ways: the baseline's output parses to the library's.
  const baseDocs = require('js-yaml').loadAll(fs.readFileSync(path.join(tmp, 'baseline', 'bench.k8s.yaml'), 'utf8')).filter(Boolean);
  if (JSON.stringify(baseDocs) !== JSON.stringify(manifests)) throw new Error('baseline objects differ from library objects');
  fs.rmSync(tmp, { recursive: true, force: true });
  const r = (x) => Math.round(x * 10) / 10;
  process.stdout.write(JSON.stringify({ n, objects: manifests.length, ms: r(ms), baselineMs: r(baselineMs), floorMs: r(floorMs), rssMb: r(rssMb), cpuMs: r(cpuMs), baselineCpuMs: r(baselineCpuMs) }) + '\n');
}

/** Median wall time of the reference app's `app:` command, and of a bare cdk8s-plus-28 require. */
function cold(runs) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-cold-'));
  let spread;
  const time = (argv, env = {}, n = runs) => {
    const samples = [];
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(argv[0], argv.slice(1), { cwd: root, env: { ...process.env, ...env }, stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${argv.join(' ')} failed`);
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    samples.sort((a, b) => a - b);
    spread = { minMs: Math.round(samples[0]), maxMs: Math.round(samples[samples.length - 1]) };
    return Math.round(samples[Math.floor(samples.length / 2)]);
  };
  const app = (fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8').match(/^app:\s*(.+)$/m) || [])[1].trim().split(/\s+/);
  const argv = app.map((a) => (a === 'node' ? process.execPath : a));
  // a dist/ folder of its own, as in a project (not a folder straight in the shared temporary folder)
  const env = { CDK8S_OUTDIR: path.join(out, 'dist') };
  // The library's V8 code cache (src/private/compile-cache.ts) lives in node_modules/.cache: measured
  // three ways. First run: the cache emptied before each run (what a fresh checkout or CI pays once).
  const cacheRoot = path.join(root, 'node_modules', '.cache', 'cdk8s-istio');
  const clearCache = () => {
    for (const d of fs.existsSync(cacheRoot) ? fs.readdirSync(cacheRoot) : []) {
      if (d.startsWith('v8-')) fs.rmSync(path.join(cacheRoot, d), { recursive: true, force: true });
    }
  };
  const firstRuns = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    clearCache();
    firstRuns.push(time(argv, env, 1));
  }
  firstRuns.sort((a, b) => a - b);
  const firstRunMs = firstRuns[Math.floor(firstRuns.length / 2)];
  // every later run: the cache the previous runs wrote
  const ms = time(argv, env);
  const { minMs, maxMs } = spread;
  // without the cache
  const noCacheMs = time(argv, { ...env, CDK8S_ISTIO_COMPILE_CACHE: '0' });
  const nodeBaselineMs = time([process.execPath, '-e', "require('cdk8s-plus-28')"]);
  const cliStartupMs = time([process.execPath, path.join(root, 'node_modules/cdk8s-cli/bin/cdk8s'), '--version'], { CDK8S_CHECK_UPGRADE: 'false' });
  fs.rmSync(out, { recursive: true, force: true });
  return { ms, minMs, maxMs, noCacheMs, firstRunMs, nodeBaselineMs, cliStartupMs, runs, command: app.join(' ') };
}

function printTable(results, written) {
  const rows = [['N', 'objects', 'wall ms', 'baseline ms', 'floor ms', 'x baseline', 'x floor', 'ms/service', 'peak RSS MB', 'CPU ms', 'baseline CPU ms']];
  for (const s of results.synth) {
    rows.push([s.n, s.objects, s.ms, s.baselineMs, s.floorMs, (s.ms / s.baselineMs).toFixed(2), (s.ms / s.floorMs).toFixed(2), (s.ms / s.n).toFixed(3), s.rssMb, s.cpuMs ?? '-', s.baselineCpuMs ?? '-']);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => String(c).padStart(w[i])).join('  '));
  const c = results.coldSynth;
  if (c) console.log(`\ncold synth (${c.command}): median ${c.ms} ms (min ${c.minMs}, max ${c.maxMs}) over ${c.runs} runs with the library's code cache (${c.noCacheMs} ms without it; ${c.firstRunMs} ms for a first run that writes it); bare require('cdk8s-plus-28'): ${c.nodeBaselineMs} ms; cdk8s CLI start-up alone (cdk8s --version): ${c.cliStartupMs} ms`);
  console.log(written ? 'written to bench/results.json' : 'not written (--no-write)');
}

main();
