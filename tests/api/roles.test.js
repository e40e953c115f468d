// Every role against every read route, inside and outside its jurisdiction: allowed
// inside (200), refused outside (403 with a body that holds the error and nothing of
// the target), refused everywhere for roles the route does not list; device tokens:
// a lab never sees a person, a site token reads a personal code (masked name).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { start, restart, finish, sql, musterOk, assertBareError } = require('./lib/server.js');

let srv;
const people = {}; // code → {id, name, code} of the first person living under it
const names = {}; // place code → name

function firstPersonId(code) {
  // Codes extend their parent's, except the city's (440100 above 440103...).
  const prefix = code === srv.places.city ? '' : code;
  const rows = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${prefix}%' ORDER BY p.id LIMIT 1`,
  );
  assert.ok(rows.length, `nobody lives under ${code}`);
  return rows[0].id;
}

before(async () => {
  srv = await start();
  for (const row of sql(srv.db, 'SELECT code, name FROM places WHERE level <= 4')) {
    names[row.code] = row.name;
  }
  for (const code of new Set(Object.values(srv.places))) {
    const id = firstPersonId(code);
    const r = await srv.get('admin', `/api/v1/people/${id}`);
    assert.equal(r.status, 200, r.text);
    people[code] = { id, name: r.json.person.name, code: r.json.person.code };
  }
});
after(async () => finish(srv));

const PLACE_ROLES = ['admin', 'commander', 'staff', 'grid_worker', 'operator', 'auditor', 'sampler'];
const PERSON_ROLES = ['admin', 'commander', 'staff', 'grid_worker', 'operator'];

// Targets inside each user's jurisdiction and outside it (none for city-wide users).
function targets(name) {
  const P = srv.places;
  const u = srv.users[name];
  const home = u.place ?? P.district;
  const outside =
    {
      cmd103: [P.other, P.otherGrid],
      cmd106: [P.district, P.grid],
      staff103: [P.other, P.otherGrid],
      operator1: [P.other, P.otherGrid],
      // Above a user's place is outside too: a grid worker does not see the district.
      grid1: [P.otherGrid, P.district, P.street],
      sampler1: [P.otherGrid, P.district],
    }[name] ?? [];
  return { inside: [home], outside };
}

const routes = [
  { name: 'place', roles: PLACE_ROLES, url: (code) => `/api/v1/places/${code}` },
  { name: 'children', roles: PLACE_ROLES, url: (code) => `/api/v1/places/${code}/children` },
  { name: 'people', roles: PERSON_ROLES, url: (code) => `/api/v1/people?place=${code}&limit=5` },
  { name: 'person', roles: PERSON_ROLES, url: (code) => `/api/v1/people/${people[code].id}` },
];

test('every role against every place and person route, inside and outside its jurisdiction', async () => {
  let checked = 0;
  for (const user of Object.keys(srv.users)) {
    const role = srv.users[user].role;
    const { inside, outside } = targets(user);
    for (const rt of routes) {
      for (const code of inside) {
        const r = await srv.get(user, rt.url(code));
        if (rt.roles.includes(role)) {
          assert.equal(r.status, 200, `${user} (${role}) ${rt.url(code)}: ${r.text}`);
        } else {
          assertBareError(r, 403, [names[code], people[code]?.name]);
        }
        checked++;
      }
      for (const code of outside) {
        const r = await srv.get(user, rt.url(code));
        assertBareError(r, 403, [names[code], people[code]?.name, people[code]?.code]);
        checked++;
      }
    }
  }
  assert.ok(checked > 60, `only ${checked} checks`);
});

test('the body of a refusal is the same whether the target exists or not, for a role without access', async () => {
  const a = await srv.get('lab1', '/api/v1/places/440106');
  const b = await srv.get('lab1', '/api/v1/places/999999');
  assertBareError(a, 403, [names['440106']]);
  assertBareError(b, 403);
  assert.deepEqual(a.json, b.json);
});

test('unknown targets answer 404, malformed ones 400 naming the field', async () => {
  assertBareError(await srv.get('admin', '/api/v1/places/999999'), 404);
  assertBareError(await srv.get('admin', '/api/v1/people/99999999'), 404);
  assertBareError(await srv.get('admin', '/api/v1/people?place=999999'), 404);
  const bad = [
    ['/api/v1/places/bad%20code', 'code'],
    [`/api/v1/places/${'9'.repeat(40)}`, 'code'],
    ['/api/v1/people/abc', 'id'],
    ['/api/v1/people/-3', 'id'],
    ['/api/v1/people/0', 'id'],
    ['/api/v1/people/1.5', 'id'],
    ['/api/v1/people', 'place'],
    ['/api/v1/people?place=', 'place'],
    ['/api/v1/people?place=a%27b', 'place'],
    ['/api/v1/places/440103/children?limit=0', 'limit'],
    ['/api/v1/places/440103/children?limit=1001', 'limit'],
    ['/api/v1/places/440103/children?limit=ten', 'limit'],
    ['/api/v1/places/440103/children?cursor=%27', 'cursor'],
    ['/api/v1/people?place=440103&limit=0', 'limit'],
    ['/api/v1/people?place=440103&cursor=nonsense', 'cursor'],
    ['/api/v1/codes/not-a-code', 'code'],
  ];
  for (const [url, field] of bad) {
    const r = await srv.get('admin', url);
    assertBareError(r, 400);
    assert.equal(r.json.error.field, field, `${url}: ${r.text}`);
  }
});

test('a cursor from another place is refused', async () => {
  const page = await srv.get('admin', `/api/v1/people?place=${srv.places.district}&limit=1`);
  assert.equal(page.status, 200);
  assert.ok(page.json.cursor);
  const r = await srv.get('admin', `/api/v1/people?place=${srv.places.other}&limit=1&cursor=${page.json.cursor}`);
  assertBareError(r, 400);
  assert.equal(r.json.error.field, 'cursor');
});

test('a lab never reads a person: lab user and lab token get 403 on people and codes', async () => {
  const p = people[srv.places.district];
  for (const url of [
    `/api/v1/codes/${p.code}`,
    `/api/v1/people/${p.id}`,
    '/api/v1/people/1',
    `/api/v1/people?place=${srv.places.district}`,
    `/api/v1/places/${srv.places.district}`,
  ]) {
    assertBareError(await srv.get('lab1', url), 403, [p.name]);
    assertBareError(await srv.request('GET', url, { token: srv.tokens.lab }), 403, [p.name]);
  }
});

test('a site token reads a personal code: the masked name and the status, nothing else', async () => {
  for (const code of [srv.places.district, srv.places.other]) {
    const p = people[code];
    const r = await srv.request('GET', `/api/v1/codes/${p.code}`, { token: srv.tokens.site });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['code', 'name', 'reasons', 'status']);
    assert.deepEqual(r.json.reasons, []);
    assert.equal(r.json.code, p.code);
    assert.equal(r.json.status, 'green');
    const chars = [...p.name];
    assert.equal([...r.json.name].length, chars.length);
    assert.equal([...r.json.name][0], chars[0]);
    assert.ok(r.json.name.includes('*'));
    if (chars.length >= 3) assert.equal([...r.json.name].at(-1), chars.at(-1));
    assert.notEqual(r.json.name, p.name);
    // Lower case and dashes read the same code.
    const alias = p.code.toLowerCase().replace(/^(.{4})/, '$1-');
    const r2 = await srv.request('GET', `/api/v1/codes/${alias}`, { token: srv.tokens.site });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.code, p.code);
  }
  // A site token is a device: the person and place routes are not for it.
  const p = people[srv.places.community];
  assertBareError(await srv.request('GET', `/api/v1/people/${p.id}`, { token: srv.tokens.site }), 403, [p.name]);
  assertBareError(await srv.request('GET', `/api/v1/places/${srv.places.community}`, { token: srv.tokens.site }), 403);
  // A bearer token that is not one: 401.
  assertBareError(await srv.request('GET', `/api/v1/codes/${p.code}`, { token: 'a'.repeat(52) }), 401, [p.name]);
});

// The 18th character of a resident ID (ISO 7064 MOD 11-2).
function idWithCheck(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((a, d, i) => a + Number(d) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

async function codebookGauges() {
  for (let i = 0; i < 100; i++) {
    const m = await srv.request('GET', '/metrics');
    const ready = /^muster_codebook_ready (\d)$/m.exec(m.text);
    const n = /^muster_codebook_people (\d+)$/m.exec(m.text);
    if (ready && ready[1] === '1') return Number(n[1]);
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail('the codebook was not ready within 10 s');
}

test('codes are answered from the codebook, and for people added since from their row', async () => {
  // Everyone there was at start-up is in the codebook.
  const held = await codebookGauges();
  assert.equal(held, sql(srv.db, 'SELECT count(*) AS n FROM people')[0].n);
  for (const code of new Set(Object.values(srv.places))) {
    const r = await srv.request('GET', `/api/v1/codes/${people[code].code}`, { token: srv.tokens.site });
    assert.equal(r.status, 200, r.text);
    assert.equal([...r.json.name][0], [...people[code].name][0]);
  }
  // Someone imported by another process (while no server runs: the command is refused
  // beside one), found with the same answer's shape.
  const hh = sql(srv.db, 'SELECT code FROM places WHERE level = 7 ORDER BY code LIMIT 1')[0].code;
  const csv = path.join(srv.fx.dir, 'late.csv');
  const idNumber = idWithCheck('44010319900101777');
  fs.writeFileSync(
    csv,
    'id_type,id_number,name,sex,birth_date,phone,household_code\n' +
      `resident_id,${idNumber},周杰伦,M,1990-01-01,13800138000,${hh}\n`,
  );
  srv = await restart(srv, [], () => musterOk(['import', 'people', csv, '--db', srv.db]));
  const id = sql(srv.db, 'SELECT max(id) AS id FROM people')[0].id;
  const rec = await srv.get('admin', `/api/v1/people/${id}`);
  assert.equal(rec.status, 200, rec.text);
  assert.equal(rec.json.person.name, '周杰伦');
  const r = await srv.request('GET', `/api/v1/codes/${rec.json.person.code}`, { token: srv.tokens.site });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { code: rec.json.person.code, name: '周*伦', status: 'green', reasons: [] });
  // (the restarted server's codebook holds them too)
  assert.equal(await codebookGauges(), held + 1);
});

test('a code that does not exist answers 404; every user role but lab may ask', async () => {
  const p = people[srv.places.district];
  // Change one character in the middle: still well-formed, no longer genuine.
  const i = 10;
  const c = p.code[i] === '0' ? '1' : '0';
  const fake = p.code.slice(0, i) + c + p.code.slice(i + 1);
  assertBareError(await srv.get('cmd106', `/api/v1/codes/${fake}`), 404);
  for (const user of Object.keys(srv.users)) {
    const r = await srv.get(user, `/api/v1/codes/${p.code}`);
    if (srv.users[user].role === 'lab') assertBareError(r, 403, [p.name]);
    else assert.equal(r.status, 200, `${user}: ${r.text}`);
  }
});

test('the audit log is for auditors and admins only', async () => {
  for (const user of Object.keys(srv.users)) {
    const r = await srv.get(user, '/api/v1/audit?limit=5');
    if (['auditor', 'admin'].includes(srv.users[user].role)) assert.equal(r.status, 200, r.text);
    else assertBareError(r, 403);
  }
  assertBareError(await srv.request('GET', '/api/v1/audit', { token: srv.tokens.site }), 403);
  assertBareError(await srv.request('GET', '/api/v1/audit'), 401);
});

test('refusals are audited', async () => {
  const r = await srv.get('auditor1', '/api/v1/audit?limit=500');
  assert.equal(r.status, 200);
  const denied = r.json.entries.filter((e) => e.status === 403);
  assert.ok(denied.length > 0, 'no 403 in the audit log');
  srv.assertClean();
});
