// The documents stay true to the route table: docs/roles.md is exactly the output of
// `muster routes --markdown`, and docs/openapi.yaml describes every route the server
// has (method and path), no route it lacks, with the same roles. docs/openapi.yaml is
// also a valid OpenAPI 3.0 document as a real validator (swagger-parser) reads it.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
const SwaggerParser = require('@apidevtools/swagger-parser');
const { ROOT, musterOk } = require('./lib/server.js');

const routes = JSON.parse(musterOk(['routes', '--json']).stdout).routes;
const SPEC_PATH = path.join(ROOT, 'docs/openapi.yaml');
const spec = YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8'));
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

test('docs/openapi.yaml passes the OpenAPI validator (swagger-parser)', async () => {
  // validate() parses the file itself (its own copy: it dereferences in place), checks it
  // against the OpenAPI 3.0 schema and the rules a schema cannot say (unique operation
  // ids, path parameters declared, and so on); it rejects with every error it found.
  await assert.doesNotReject(SwaggerParser.validate(SPEC_PATH));
});

test('docs/openapi.yaml has no key without a value (an unquoted comma in a flow mapping)', () => {
  // `{ description: Recalled, not yet resolved. }` is YAML for two keys, the second one
  // "not yet resolved." with no value; where extra keys are allowed no validator sees it.
  const doc = YAML.parseDocument(fs.readFileSync(SPEC_PATH, 'utf8'), { uniqueKeys: true });
  assert.deepEqual(doc.errors.map(String), [], 'YAML errors');
  assert.deepEqual(doc.warnings.map(String), [], 'YAML warnings');
  const empty = [];
  YAML.visit(doc, {
    Pair(_, pair) {
      if (pair.value === null) empty.push(`${pair.key} (offset ${pair.key.range[0]})`);
    },
  });
  assert.deepEqual(empty, [], 'keys without a value: quote the text holding a comma');
});

test('figures and design are cited in the repo: docs/facts.md, not FACTS.md or ../shared', () => {
  // A clone has no ../shared: a citation there leads nowhere.
  const stale = /FACTS\.md|\.\.\/shared\/(DESIGN|STYLE|FACTS)/;
  const hits = [];
  const walk = (rel) => {
    const abs = path.join(ROOT, rel);
    if (fs.statSync(abs).isDirectory()) {
      for (const e of fs.readdirSync(abs)) {
        if (!['node_modules', 'dist', 'build', '.git'].includes(e)) walk(path.join(rel, e));
      }
    } else if (rel !== path.join('tests', 'api', 'docs.test.js')) {
      fs.readFileSync(abs, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (stale.test(line)) hits.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
  };
  for (const d of ['src', 'tests', 'bench', 'web', 'scripts', 'docs', 'README.md', 'Makefile']) {
    if (fs.existsSync(path.join(ROOT, d))) walk(d);
  }
  assert.deepEqual(hits, []);
  assert.match(fs.readFileSync(path.join(ROOT, 'docs/facts.md'), 'utf8'), /18,676,605/);
});

test('`muster routes --json` lists /healthz, /metrics and every capability route', () => {
  const keys = routes.map((r) => `${r.method} ${r.path}`);
  for (const k of [
    'GET /healthz',
    'GET /metrics',
    'POST /api/v1/session',
    'GET /api/v1/session',
    'DELETE /api/v1/session',
    'GET /api/v1/audit',
    'GET /api/v1/places/{code}',
    'GET /api/v1/places/{code}/children',
    'GET /api/v1/people',
    'GET /api/v1/people/{id}',
    'GET /api/v1/codes/{code}',
  ]) {
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
    cur = cur.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((a, k) => a[k], spec);
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
      assert.ok(
        params.some((x) => x.in === 'path' && x.name === m[1] && x.required),
        `${key}: path parameter ${m[1]}`,
      );
    }
    const statuses = Object.keys(op.responses || {});
    assert.ok(
      statuses.some((s) => s.startsWith('2')),
      `${key}: no success response`,
    );
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
