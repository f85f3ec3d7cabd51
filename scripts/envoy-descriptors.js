#!/usr/bin/env node
/**
 * Generates imports/schemas/envoy-api.json: the Envoy API message types an Istio EnvoyFilter patch
 * value can contain, with their fields, enums and protoc-gen-validate (PGV) rules, for the
 * EnvoyFilter check of the validation layer (src/validation/envoy.ts).
 *
 * Usage: node scripts/envoy-descriptors.js <dir>...
 *
 * Each <dir> is a checkout of a Go module holding protoc-gen-go output (`*.pb.go`). The descriptors
 * are read from the serialized FileDescriptorProtos protoc-gen-go embeds (`file_*_rawDesc`), i.e.
 * Envoy's public API protos exactly as compiled into the Go modules istiod links:
 *   - github.com/envoyproxy/go-control-plane (envoy/ and contrib/) at the commit Istio 1.30.3's
 *     go.mod pins (98966259b99a, mirrored from Envoy 94828ca);
 *   - github.com/cncf/xds/go (xds.*, udpa.*);
 *   - github.com/envoyproxy/protoc-gen-validate v1.3.3 (validate/validate.pb.go: the rule schema).
 *
 * The committed imports/schemas/envoy-api.json was generated from:
 *   git -C go-control-plane archive 98966259b99a envoy contrib | tar -x -C /tmp/gcp
 *   git -C xds archive 5cf4b19495289a9e992ce5e2c3ffb08f2cf387be go | tar -x -C /tmp/xds
 *     (Istio 1.30.3 pins cncf/xds/go dba9d589def2 of 2026-02-02; the newest commit available here
 *     was 5cf4b194 of 2025-10-31, so xds.* / udpa.* types are those of that commit)
 *   git -C protoc-gen-validate archive v1.3.3 validate | tar -x -C /tmp/pgv
 *   node scripts/envoy-descriptors.js /tmp/gcp /tmp/xds /tmp/pgv
 * The proxy of Istio 1.30.3 is Envoy 4f1e006 (istio/proxy 81864a1); its API is the one istiod's
 * go-control-plane was mirrored from a few commits earlier.
 *
 * Which types: every message reachable from the types an EnvoyFilter `applyTo` decodes into
 * (Listener, FilterChain, Filter, ListenerFilter, HttpFilter, RouteConfiguration, VirtualHost, Route,
 * Cluster, TypedExtensionConfig) plus every message of the extension packages istiod registers for
 * `typed_config` (envoy.extensions.*, contrib), and everything reachable from those. Bootstrap is
 * left out (rare in EnvoyFilters, and it pulls in most of the API): a BOOTSTRAP patch is not decoded.
 *
 * Output (compact JSON): { source, applyTo, names: [<message>...], m: [[fields, oneofs?, flags?]...]
 * (aligned with names), e: { <enum>: { <NAME>: number } } } where a field is [name, number, type,
 * ref (message index, or full name for well-known/opaque messages and enums), repeated, oneof index,
 * PGV rules, jsonName when not the default]; flags: 1 map entry, 2 PGV disabled. See
 * src/validation/envoy.ts for the reader.
 */
const fs = require('fs');
const path = require('path');

// ---- Go string literals and protobuf wire format -------------------------------------------

/** Decodes the bytes of a Go interpreted string literal body (no quotes). */
function goStringBytes(body, out) {
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      const cp = body.codePointAt(i);
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.push(b);
      continue;
    }
    const n = body[++i];
    const simple = { n: 10, r: 13, t: 9, v: 11, a: 7, b: 8, f: 12, '\\': 92, '"': 34, "'": 39 };
    if (n in simple) out.push(simple[n]);
    else if (n === 'x') { out.push(parseInt(body.substr(i + 1, 2), 16)); i += 2; }
    else if (n >= '0' && n <= '7') { out.push(parseInt(body.substr(i, 3), 8)); i += 2; }
    else if (n === 'u' || n === 'U') {
      const len = n === 'u' ? 4 : 8;
      const cp = parseInt(body.substr(i + 1, len), 16);
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.push(b);
      i += len;
    } else throw new Error(`bad escape \\${n}`);
  }
}

/** The raw descriptors embedded in one .pb.go file. */
function rawDescriptors(src) {
  const out = [];
  // protoc-gen-go >= 1.36: const file_x_rawDesc = "" + "..." + "..."
  const re = /const (file_\w+_rawDesc) = ""((?:\s*\+\s*"(?:[^"\\]|\\.)*")+)/g;
  let m;
  while ((m = re.exec(src))) {
    const bytes = [];
    for (const part of m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)) goStringBytes(part[1], bytes);
    out.push(Buffer.from(bytes));
  }
  // older protoc-gen-go: var file_x_rawDesc = []byte{ 0x0a, ... }
  const re2 = /var (file_\w+_rawDesc) = \[\]byte\{([^}]*)\}/g;
  while ((m = re2.exec(src))) out.push(Buffer.from(m[2].match(/0x[0-9a-fA-F]{2}/g).map((h) => parseInt(h, 16))));
  return out;
}

/** Minimal protobuf wire reader: field number → list of raw values (varint as BigInt, bytes as Buffer). */
function readWire(buf) {
  const fields = new Map();
  let i = 0;
  const varint = () => {
    let r = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++];
      r |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return r;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wt = key & 7;
    let v;
    if (wt === 0) v = varint();
    else if (wt === 2) { const len = Number(varint()); v = buf.subarray(i, i + len); i += len; }
    else if (wt === 1) { v = buf.readBigUInt64LE(i); i += 8; }
    else if (wt === 5) { v = BigInt(buf.readUInt32LE(i)); i += 4; }
    else throw new Error(`wire type ${wt}`);
    if (!fields.has(no)) fields.set(no, []);
    fields.get(no).push({ wt, v });
  }
  return fields;
}
const str = (f, no) => (f.get(no) ? f.get(no)[0].v.toString('utf8') : undefined);
const num = (f, no) => (f.get(no) ? Number(f.get(no)[0].v) : undefined);
const all = (f, no) => (f.get(no) ?? []).map((x) => x.v);

// ---- descriptor.proto (the parts we need) -------------------------------------------------

const messages = new Map(); // full name → { fields, oneofs, mapEntry, disabled, file }
const enums = new Map(); // full name → { NAME: number }
let fieldRulesType; // the PGV FieldRules message, decoded generically

function decodeFile(buf) {
  const f = readWire(buf);
  const pkg = str(f, 2) ?? '';
  const file = str(f, 1);
  for (const m of all(f, 4)) decodeMessage(m, pkg, file);
  for (const e of all(f, 5)) decodeEnum(e, pkg);
}

function decodeEnum(buf, scope) {
  const f = readWire(buf);
  const name = `${scope}.${str(f, 1)}`.replace(/^\./, '');
  const values = {};
  for (const v of all(f, 2)) {
    const vf = readWire(v);
    values[str(vf, 1)] = num(vf, 2) > 0x7fffffff ? num(vf, 2) - 0x100000000 : num(vf, 2);
  }
  enums.set(name, values);
}

function decodeMessage(buf, scope, file) {
  const f = readWire(buf);
  const name = `${scope}.${str(f, 1)}`.replace(/^\./, '');
  const opts = f.get(7) ? readWire(f.get(7)[0].v) : new Map();
  const fields = all(f, 2).map((fb) => {
    const ff = readWire(fb);
    const fo = ff.get(8) ? readWire(ff.get(8)[0].v) : new Map();
    const rules = fo.get(1071) ? decodeGeneric(fo.get(1071)[0].v, fieldRulesType) : undefined;
    return {
      name: str(ff, 1), number: num(ff, 3), label: num(ff, 4), type: num(ff, 5), typeName: str(ff, 6)?.replace(/^\./, ''),
      oneof: num(ff, 9), jsonName: str(ff, 10), proto3Optional: num(ff, 17) === 1, rules, deprecated: num(fo, 3) === 1,
    };
  });
  const oneofs = all(f, 8).map((ob) => {
    const of = readWire(ob);
    const oo = of.get(2) ? readWire(of.get(2)[0].v) : new Map();
    return { name: str(of, 1), required: num(oo, 1071) === 1 };
  });
  messages.set(name, {
    fields, oneofs, file, mapEntry: num(opts, 7) === 1, disabled: num(opts, 1071) === 1, ignored: num(opts, 1072) === 1,
  });
  for (const n of all(f, 3)) decodeMessage(n, name, file);
  for (const e of all(f, 4)) decodeEnum(e, name);
}

// ---- PGV rules: decode the validate.FieldRules option generically --------------------------

const SCALAR_DECODERS = {
  1: (v) => Buffer.from(new BigUint64Array([v]).buffer).readDoubleLE(0),
  2: (v) => Buffer.from(new Uint32Array([Number(v)]).buffer).readFloatLE(0),
  3: (v) => BigInt.asIntN(64, v).toString(), 4: (v) => v.toString(), 5: (v) => Number(BigInt.asIntN(32, v)),
  6: (v) => v.toString(), 7: (v) => Number(v), 8: (v) => v !== 0n, 13: (v) => Number(v), 14: (v) => Number(BigInt.asIntN(32, v)),
  15: (v) => Number(BigInt.asIntN(32, v)), 16: (v) => BigInt.asIntN(64, v).toString(),
  17: (v) => { const n = Number(v); return (n >>> 1) ^ -(n & 1); }, 18: (v) => { const n = BigInt.asUintN(64, v); return ((n >> 1n) ^ -(n & 1n)).toString(); },
};

/** Decodes a message's bytes into a plain object using `type` (a decoded descriptor). */
function decodeGeneric(buf, type) {
  const msg = messages.get(type);
  const out = {};
  const f = readWire(buf);
  for (const fd of msg.fields) {
    const raw = f.get(fd.number);
    if (!raw) continue;
    let vals = [];
    for (const r of raw) {
      if (fd.type === 11) vals.push(decodeGeneric(r.v, fd.typeName));
      else if (fd.type === 9) vals.push(r.v.toString('utf8'));
      else if (fd.type === 12) vals.push(r.v.toString('base64'));
      else if (r.wt === 2) {
        // packed repeated scalars
        const inner = readWire(Buffer.concat([Buffer.from([(fd.number << 3) | 0]), r.v]));
        vals.push(...(inner.get(fd.number) ?? []).map((x) => SCALAR_DECODERS[fd.type](x.v)));
      } else vals.push(SCALAR_DECODERS[fd.type](r.v));
    }
    // google.protobuf.Duration values in rules (duration lt/gt...) become nanoseconds strings.
    if (fd.typeName === 'google.protobuf.Duration') {
      vals = vals.map((d) => (BigInt(d.seconds ?? 0) * 1000000000n + BigInt(d.nanos ?? 0)).toString());
    }
    out[fd.name] = fd.label === 3 ? vals : vals[vals.length - 1];
  }
  return out;
}

// ---- read everything -------------------------------------------------------------------------

function walk(dir, files = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, files);
    else if (e.name.endsWith('.pb.go') && !e.name.endsWith('_vtproto.pb.go')) files.push(p);
  }
  return files;
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node scripts/envoy-descriptors.js <go-module-dir>...');
  process.exit(2);
}
const files = dirs.flatMap((d) => walk(d));
const descs = files.flatMap((f) => rawDescriptors(fs.readFileSync(f, 'utf8')));
// validate.proto first: its FieldRules describes the option every other file carries.
const isValidate = (b) => readWire(b).get(1)?.[0].v.toString() === 'validate/validate.proto';
const validate = descs.find(isValidate);
if (!validate) throw new Error('validate/validate.pb.go (protoc-gen-validate) not found in the given dirs');
// google.protobuf.Duration and Timestamp appear inside the rules (DurationRules.gt ...); their Go
// package is not among the inputs, so state their two fields here.
for (const wkt of ['google.protobuf.Duration', 'google.protobuf.Timestamp']) {
  messages.set(wkt, { fields: [{ name: 'seconds', number: 1, label: 1, type: 3 }, { name: 'nanos', number: 2, label: 1, type: 5 }], oneofs: [] });
}
decodeFile(validate);
fieldRulesType = 'validate.FieldRules';
for (const d of descs) if (!isValidate(d)) decodeFile(d);

// ---- choose the types ----------------------------------------------------------------------

const APPLY_TO = {
  LISTENER: 'envoy.config.listener.v3.Listener',
  FILTER_CHAIN: 'envoy.config.listener.v3.FilterChain',
  NETWORK_FILTER: 'envoy.config.listener.v3.Filter',
  LISTENER_FILTER: 'envoy.config.listener.v3.ListenerFilter',
  HTTP_FILTER: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter',
  ROUTE_CONFIGURATION: 'envoy.config.route.v3.RouteConfiguration',
  VIRTUAL_HOST: 'envoy.config.route.v3.VirtualHost',
  HTTP_ROUTE: 'envoy.config.route.v3.Route',
  CLUSTER: 'envoy.config.cluster.v3.Cluster',
  EXTENSION_CONFIG: 'envoy.config.core.v3.TypedExtensionConfig',
};
const WELL_KNOWN = /^google\.protobuf\./;
const roots = [...Object.values(APPLY_TO), 'xds.type.v3.TypedStruct', 'udpa.type.v1.TypedStruct', ...[...messages.keys()].filter((n) => /^envoy\.(extensions|config|type)\./.test(n) && !/^envoy\.config\.bootstrap\./.test(n))];
const keep = new Set();
const keepEnums = new Set();
const missing = new Set();
const stack = [...roots];
while (stack.length) {
  const n = stack.pop();
  if (keep.has(n) || WELL_KNOWN.test(n)) continue;
  const m = messages.get(n);
  if (!m) {
    missing.add(n);
    continue;
  }
  keep.add(n);
  for (const f of m.fields) {
    if (f.type === 11 && f.typeName) stack.push(f.typeName);
    if (f.type === 14 && f.typeName) keepEnums.add(f.typeName);
  }
}
const defaultJson = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
/** Keeps only the PGV rules the checker reads; drops empty objects. */
function compactRules(r) {
  if (!r || typeof r !== 'object') return r;
  const out = {};
  for (const [k, v] of Object.entries(r)) {
    const c = typeof v === 'object' && !Array.isArray(v) ? compactRules(v) : v;
    if (c !== undefined && !(typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0 && k !== 'gt' && k !== 'gte' && k !== 'lt' && k !== 'lte')) out[k] = c;
  }
  return out;
}

const names = [...keep].sort();
const index = new Map(names.map((n, i) => [n, i]));
const m = names.map((n) => {
  const msg = messages.get(n);
  const fields = msg.fields.map((f) => {
    // Message refs are indexes into `names` (or the full name for well-known / opaque types).
    const ref = f.type === 11 ? (index.has(f.typeName) ? index.get(f.typeName) : f.typeName) : f.type === 14 ? f.typeName : 0;
    const entry = [f.name, f.number, f.type, ref, f.label === 3 ? 1 : 0, f.oneof ?? -1, f.rules ? compactRules(f.rules) : 0];
    if (f.jsonName && f.jsonName !== defaultJson(f.name)) entry.push(f.jsonName);
    return entry;
  });
  const entry = [fields];
  const oneofs = msg.oneofs.map((o) => [o.name, o.required ? 1 : 0]);
  const flags = (msg.mapEntry ? 1 : 0) | (msg.disabled || msg.ignored ? 2 : 0);
  if (oneofs.length || flags) entry.push(oneofs);
  if (flags) entry.push(flags);
  return entry;
});
const e = {};
for (const n of [...keepEnums].sort()) if (enums.has(n)) e[n] = enums.get(n);
const out = path.join(__dirname, '..', 'imports', 'schemas', 'envoy-api.json');
const source = 'github.com/envoyproxy/go-control-plane@98966259b99a (Envoy 94828ca, pinned by Istio 1.30.3 go.mod), github.com/cncf/xds/go, protoc-gen-validate v1.3.3';
fs.writeFileSync(out, JSON.stringify({ source, applyTo: APPLY_TO, names, m, e }) + '\n');
console.log(`${out}: ${keep.size} messages, ${Object.keys(e).length} enums, ${(fs.statSync(out).size / 1024).toFixed(0)} kB from ${files.length} files`);
if (missing.size) console.log(`referenced but not in the given modules (checked as opaque): ${[...missing].sort().join(', ')}`);
// the per-package files src/validation/envoy.ts reads (needs a build of lib/)
require('./envoy-split').main();
