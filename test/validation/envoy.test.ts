/**
 * EnvoyFilter patch values decoded against Envoy's API (src/validation/envoy.ts): what istiod's
 * decoder refuses (pkg/config/xds/xds.go, legacy jsonpb), what it silently drops (unknown fields),
 * and what the proxy NACKs (protoc-gen-validate rules of Envoy's protos). Findings name the patch
 * index and the field path inside the value.
 */
import { validateManifests } from '../../src/validation';

const LOCAL_RATE_LIMIT = {
  name: 'envoy.filters.http.local_ratelimit',
  typed_config: {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
    stat_prefix: 'http_local_rate_limiter',
    token_bucket: { max_tokens: 100, tokens_per_fill: 50, fill_interval: '1s' },
    filter_enabled: { runtime_key: 'local_rate_limit_enabled', default_value: { numerator: 100, denominator: 'HUNDRED' } },
    status: { code: 'TooManyRequests' },
  },
};

function envoyFilter(patches: any[]) {
  return {
    apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: { name: 'ef', namespace: 'shop' },
    spec: { workloadSelector: { labels: { app: 'cart' } }, configPatches: patches },
  };
}
const insert = (value: any, applyTo = 'HTTP_FILTER') => ({
  applyTo,
  match: { context: 'SIDECAR_INBOUND', listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } } },
  patch: { operation: 'INSERT_BEFORE', value },
});
const withConfig = (change: (c: any) => void) => {
  const v = JSON.parse(JSON.stringify(LOCAL_RATE_LIMIT));
  change(v.typed_config);
  return v;
};
function findings(manifest: any) {
  return validateManifests([{ manifest }], { checks: { analyzers: false } }).filter((f) => /^CI295[4-7]$/.test(f.code)).map((f) => `${f.code} ${f.message}`);
}

describe('valid patch values pass', () => {
  test.each([
    ['a local rate limit', insert(LOCAL_RATE_LIMIT)],
    ['camelCase field names (jsonpb reads both)', insert(withConfig((c) => { c.statPrefix = c.stat_prefix; delete c.stat_prefix; }))],
    ['quoted integers (jsonpb trims the quotes)', insert(withConfig((c) => { c.token_bucket.max_tokens = '100'; }))],
    ['Go durations (jsonpb parses them with time.ParseDuration)', insert(withConfig((c) => { c.token_bucket.fill_interval = '1m30s'; }))],
    ['an enum given as a number', insert(withConfig((c) => { c.status.code = 429; }))],
    ['a Lua filter', insert({ name: 'envoy.filters.http.lua', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua', default_source_code: { inline_string: 'function envoy_on_request(h) end' } } })],
    ['a TypedStruct (passed through to Envoy)', insert({ name: 'x', typed_config: { '@type': 'type.googleapis.com/udpa.type.v1.TypedStruct', type_url: 'type.googleapis.com/x.Y', value: { any: ['thing'] } } })],
    ['an ext_authz filter', insert({ name: 'envoy.filters.http.ext_authz', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz', grpc_service: { envoy_grpc: { cluster_name: 'outbound|9000||authz.shop.svc.cluster.local' }, timeout: '0.5s' }, failure_mode_allow: false } })],
    ['a partial MERGE of a route (absent required fields are the merged route\'s)', { applyTo: 'HTTP_ROUTE', match: { context: 'SIDECAR_INBOUND', routeConfiguration: { vhost: { name: 'inbound|http|8080' } } }, patch: { operation: 'MERGE', value: { route: { rate_limits: [{ actions: [{ generic_key: { descriptor_value: 'x' } }] }] } } } }],
    ['a cluster patch', { applyTo: 'CLUSTER', match: { cluster: { service: 'cart.shop.svc.cluster.local' } }, patch: { operation: 'MERGE', value: { connect_timeout: '2s', circuit_breakers: { thresholds: [{ max_connections: 100 }] } } } }],
    ['a BOOTSTRAP patch (not decoded)', { applyTo: 'BOOTSTRAP', patch: { operation: 'MERGE', value: { anything: 1 } } }],
  ])('%s', (_name, patch) => {
    expect(findings(envoyFilter([patch]))).toEqual([]);
  });
});

describe('what istiod or the proxy refuse, with the patch index and the field path', () => {
  const at = 'spec.configPatches[1].patch.value.typed_config';
  test.each([
    ['a fill_interval without unit (istiod: bad Duration)', (c: any) => { c.token_bucket.fill_interval = '10'; }, `CI2955 ${at}.token_bucket.fill_interval: "10" is invalid: a duration`],
    ['a fill_interval under 50ms (Envoy\'s local rate limiter)', (c: any) => { c.token_bucket.fill_interval = '10ms'; }, `CI2957 ${at}.token_bucket.fill_interval: "10ms" is invalid: Envoy's local rate limiter needs a fill interval of at least 50ms`],
    ['a fill_interval of 0s (PGV: gt 0)', (c: any) => { c.token_bucket.fill_interval = '0s'; }, `CI2957 ${at}.token_bucket.fill_interval: "0s" must be greater than 0s`],
    ['a bad enum name (istiod: unknown value for enum)', (c: any) => { c.status.code = 'TooMany'; }, `CI2955 ${at}.status.code: "TooMany" is invalid: not a value of enum StatusCode`],
    ['an enum number that is not defined (PGV: defined_only)', (c: any) => { c.status.code = 7777; }, `CI2957 ${at}.status.code: 7777 is not a defined value of StatusCode`],
    ['a uint32 overflow (istiod: cannot unmarshal)', (c: any) => { c.token_bucket.max_tokens = 4294967296; }, `CI2955 ${at}.token_bucket.max_tokens: 4294967296 is invalid: out of range for a uint32`],
    ['a negative uint32', (c: any) => { c.token_bucket.max_tokens = -1; }, `CI2955 ${at}.token_bucket.max_tokens: -1 is invalid: out of range for a uint32`],
    ['a non-integer for an integer', (c: any) => { c.token_bucket.max_tokens = 1.5; }, `CI2955 ${at}.token_bucket.max_tokens: 1.5 is invalid`],
    ['max_tokens 0 (PGV: gt 0)', (c: any) => { c.token_bucket.max_tokens = 0; }, `CI2957 ${at}.token_bucket.max_tokens: 0 must be greater than 0`],
    ['max_tokens unset (PGV checks the zero value)', (c: any) => { delete c.token_bucket.max_tokens; }, `CI2957 ${at}.token_bucket.max_tokens: 0 must be greater than 0 (it is unset, so it is 0)`],
    ['an empty stat_prefix (PGV: min_len 1)', (c: any) => { c.stat_prefix = ''; }, `CI2957 ${at}.stat_prefix: is required`],
    ['a number for a string', (c: any) => { c.stat_prefix = 12; }, `CI2955 ${at}.stat_prefix: 12 is invalid: must be a string`],
    ['a string for a message', (c: any) => { c.token_bucket = 'fast'; }, `CI2955 ${at}.token_bucket: "fast" is invalid: TokenBucket must be an object`],
    ['a misspelt field (istiod drops it)', (c: any) => { c.token_bucket.fill_intervall = '1s'; }, `CI2956 ${at}.token_bucket.fill_intervall: unknown field "fill_intervall" in TokenBucket`],
    ['a required message missing (PGV: required)', (c: any) => { delete c.filter_enabled.default_value; }, `CI2957 ${at}.filter_enabled.default_value: is required`],
    ['a v2 @type', (c: any) => { c['@type'] = 'type.googleapis.com/envoy.config.filter.http.local_rate_limit.v2.LocalRateLimit'; }, `CI2954 ${at}.@type: "type.googleapis.com/envoy.config.filter.http.local_rate_limit.v2.LocalRateLimit" is invalid: istiod cannot resolve this type (the v2 xDS API is gone: use the v3 type)`],
    ['an unknown @type', (c: any) => { c['@type'] = 'type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope'; }, 'CI2954'],
    ['a list where one item is expected', (c: any) => { c.status = [{ code: 'OK' }]; }, `CI2955 ${at}.status: [{"code":"OK"}] is invalid: HttpStatus must be an object`],
  ])('%s', (_name, change, expected) => {
    // GIVEN a valid patch first, so the index in the path is 1
    const manifest = envoyFilter([insert(LOCAL_RATE_LIMIT), insert(withConfig(change))]);
    // WHEN validated THEN the finding names the patch and the field
    expect(findings(manifest).join('\n')).toContain(expected);
  });

  test('an Any without @type', () => {
    expect(findings(envoyFilter([insert({ name: 'x', typed_config: { stat_prefix: 'x' } })])).join('\n'))
      .toContain('CI2954 spec.configPatches[0].patch.value.typed_config: an Any needs "@type"');
  });

  test('a whole object whose required oneof is missing (an ADDed route without action)', () => {
    const patch = { applyTo: 'HTTP_ROUTE', match: { context: 'SIDECAR_INBOUND', routeConfiguration: { vhost: { name: 'x' } } }, patch: { operation: 'INSERT_FIRST', value: { name: 'r', match: { prefix: '/' } } } };
    expect(findings(envoyFilter([patch])).join('\n')).toContain('CI2957 spec.configPatches[0].patch.value: one of action (route, redirect, direct_response, filter_action, non_forwarding_action) is required');
  });
});
