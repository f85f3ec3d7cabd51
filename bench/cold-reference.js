#!/usr/bin/env node
/**
 * Cold cost of validating the reference app's manifests in a fresh process (what `cdk8s synth` or
 * `cdk8s-istio lint` pays once): median of 5 fresh processes, with and without validation's first call.
 *
 *   npx tsc --build tsconfig.json && node bench/cold-reference.js
 */
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');

const child = `
const t0 = process.hrtime.bigint(); const c0 = process.cpuUsage();
const { readManifests } = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'src', 'cli', 'lint'))});
const { manifests } = readManifests([${JSON.stringify(path.join(__dirname, '..', 'test', 'validation', 'fixtures', 'reference-app.yaml'))}]);
const v = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'src', 'validation'))});
const t1 = process.hrtime.bigint(); const c1 = process.cpuUsage();
v.validateManifests(manifests, { externalPrincipals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] });
const t2 = process.hrtime.bigint(); const c2 = process.cpuUsage(c1);
console.log(JSON.stringify({ requireMs: Number(t1 - t0) / 1e6, validateMs: Number(t2 - t1) / 1e6, validateCpuMs: (c2.user + c2.system) / 1000 }));
`;
const runs = [1, 2, 3, 4, 5].map(() => JSON.parse(execFileSync(process.execPath, ['-e', child], { encoding: 'utf8' })));
const median = (k) => Math.round(runs.map((r) => r[k]).sort((a, b) => a - b)[2]);
const out = { objects: 18, requireMs: median('requireMs'), firstValidateMs: median('validateMs'), firstValidateCpuMs: median('validateCpuMs') };
console.log(`reference app (18 objects), fresh process, median of 5: require ${out.requireMs} ms, first validateManifests ${out.firstValidateMs} ms wall / ${out.firstValidateCpuMs} ms CPU`);
console.log(JSON.stringify(out));
