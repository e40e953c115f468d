// The documents stay true to the route table: docs/roles.md is exactly the output of
// `muster routes --markdown`, and docs/openapi.yaml describes every route the server
// has (method and path), no route it lacks, with the same roles.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
const { ROOT, musterOk } = require('./lib/server.js');

const routes = JSON.parse(musterOk(['routes', '--json']).stdout).routes;
const spec = YAML.parse(fs.readFileSync(path.join(ROOT, 'docs/openapi.yaml'), 'utf8'));
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operations() {
  const ops = [];
  for (const [p, item] of Object.entries(spec.paths || {})) {
    for (const m of METHODS) if (item[m]) ops.push({ key: `${m.toUpperCase()} ${p}`, path: p, item, op: item[m] });
  }
  return ops;
}

test('docs/roles.md is the output of `muster routes --markdown`', () => {
  const md = musterOk(['routes', '--markdown']).stdout;
  const file = fs.readFileSync(path.join(ROOT, 'docs/roles.md'), 'utf8');
  assert.equal(file, md, 'docs/roles.md is stale: run `muster routes --markdown > docs/roles.md`');
});

test('`muster routes --json` lists /healthz, /metrics and every capability route', () => {
  const keys = routes.map((r) => `${r.method} ${r.path}`);
  for (const k of ['GET /healthz', 'GET /metrics', 'POST /api/v1/session', 'GET /api/v1/session',
    'DELETE /api/v1/session', 'GET /api/v1/audit', 'GET /api/v1/places/{code}',
    'GET /api/v1/places/{code}/children', 'GET /api/v1/people', 'GET /api/v1/people/{id}',
    'GET /api/v1/codes/{code}']) {
    assert.ok(keys.includes(k), `${k} missing from muster routes`);
  }
  assert.equal(new Set(keys).size, keys.length, 'a route twice');
  // Every table comes from the capability registry (src/cli/registry.c), none dropped.
  const caps = new Set(routes.map((r) => r.capability));
  for (const c of ['http', 'auth', 'places', 'people', 'screening']) {
    assert.ok(caps.has(c), `no route of capability ${c} in muster routes`);
  }
  for (const r of routes) {
    assert.ok(r.summary, `${r.method} ${r.path} has no summary`);
    assert.ok(r.flags.includes('public') || r.roles.length > 0, `${r.method} ${r.path}: nobody may call it`);
  }
});

test('docs/openapi.yaml describes exactly the routes of the server', () => {
  assert.match(String(spec.openapi), /^3\.0\.\d+$/);
  const documented = new Set(operations().map((o) => o.key));
  const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
  const undocumented = [...served].filter((k) => !documented.has(k));
  const phantom = [...documented].filter((k) => !served.has(k));
  assert.deepEqual(undocumented, [], 'routes without a description in docs/openapi.yaml');
  assert.deepEqual(phantom, [], 'docs/openapi.yaml describes routes the server does not have');
});

// Follows a local $ref.
function deref(o) {
  let cur = o;
  while (cur && cur.$ref) {
    cur = cur.$ref.replace(/^#\//, '').split('/').reduce((a, k) => a[k], spec);
    assert.ok(cur, `dangling ${o.$ref}`);
  }
  return cur;
}

test('each operation: summary, roles as in the route table, parameters, responses, errors', () => {
  const byKey = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  const errorSchema = deref(spec.components.schemas.Error);
  assert.deepEqual(Object.keys(errorSchema.properties), ['error']);
  assert.deepEqual(Object.keys(errorSchema.properties.error.properties).sort(), ['code', 'field', 'message']);
  for (const { key, path: p, item, op } of operations()) {
    const r = byKey.get(key);
    assert.ok(op.summary || op.description, `${key}: no summary or description`);
    assert.ok(Array.isArray(op['x-roles']), `${key}: no x-roles list`);
    assert.deepEqual([...op['x-roles']].sort(), [...r.roles].sort(), `${key}: x-roles differ from the route table`);
    // Every {name} of the path is a documented path parameter.
    const params = [...(item.parameters || []), ...(op.parameters || [])].map(deref);
    for (const m of p.matchAll(/\{(\w+)\}/g)) {
      assert.ok(params.some((x) => x.in === 'path' && x.name === m[1] && x.required), `${key}: path parameter ${m[1]}`);
    }
    const statuses = Object.keys(op.responses || {});
    assert.ok(statuses.some((s) => s.startsWith('2')), `${key}: no success response`);
    if (!r.flags.includes('public')) {
      for (const s of ['401', '403']) assert.ok(statuses.includes(s), `${key}: ${s} not documented`);
    }
    if (r.place) assert.ok(statuses.includes('404'), `${key}: 404 not documented`);
    for (const s of statuses.filter((x) => Number(x) >= 400)) {
      const resp = deref(op.responses[s]);
      const schema = resp.content && resp.content['application/json'] && resp.content['application/json'].schema;
      assert.ok(schema && deref(schema) === errorSchema, `${key} ${s}: not the error schema`);
    }
  }
});
