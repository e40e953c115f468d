// Cases, contacts, chains and the epi curve through the HTTP API on the small test city:
// a pool-positive recall whose single-tube re-swab comes back positive opens a case by
// itself; the case's household and a building are listed as contacts in one call each
// (answered per person); a household contact who becomes a case, and one of theirs,
// make a chain of three generations of cases with a serial interval; the epi curve is
// exact; and grid workers, samplers, labs and operators get 403, as does a commander
// of another district.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { start, restart, finish, sql, musterOk, assertBareError } = require('./lib/server.js');

let srv;
let siteToken; // of site S2, which samples the whole district
let round;
let index; // the case opened by the re-swab: {id, person}
const pool = []; // {id, code, hh} of the five people in the positive pool
const sid = () => crypto.randomUUID();
const now = () => new Date().toISOString();
// The Guangzhou date of a time (UTC+8, no daylight saving).
const gzDate = (t = Date.now()) => new Date(t + 8 * 3600 * 1000).toISOString().slice(0, 10);
const count = (q) => sql(srv.db, q)[0].n;

async function post(who, url, body) {
  if (who.token) return srv.request('POST', url, { body, token: who.token });
  return srv.request('POST', url, { body, session: await srv.as(who) });
}

async function personCode(id) {
  const r = await srv.get('admin', `/api/v1/people/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.person.code;
}

before(async () => {
  srv = await start();
  let r = await post('staff103', '/api/v1/sites', {
    code: 'S2',
    place: srv.places.district,
    name: '区采样点',
    desks: 2,
  });
  assert.equal(r.status, 201, r.text);
  srv = await restart(srv, [], () => {
    siteToken = musterOk(['token', 'issue', '--site', 'S2', '--db', srv.db]).stdout.trim();
  });
  // Five people of the district: the first from a household of two or more
  // (the case's household), the others from other households.
  const rows = sql(
    srv.db,
    'SELECT p.id, p.household_id AS hh FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.district}%' AND (SELECT count(*) FROM people q ` +
      'WHERE q.household_id = p.household_id) >= 2 ORDER BY p.household_id, p.id LIMIT 1',
  );
  rows.push(
    ...sql(
      srv.db,
      'SELECT p.id, p.household_id AS hh FROM people p JOIN places h ON h.id = p.household_id ' +
        `WHERE h.code LIKE '${srv.places.district}%' AND p.household_id <> ${rows[0].hh} ` +
        'ORDER BY p.id LIMIT 4',
    ),
  );
  assert.equal(rows.length, 5, 'the district holds five people');
  for (const r of rows) pool.push({ ...r, code: await personCode(r.id) });
});
after(async () => finish(srv));

test('a pool-positive recall turns into a case by itself when its re-swab is positive', async () => {
  let r = await post('staff103', '/api/v1/rounds', { scope: srv.places.district, name: '病例测试轮', pool: 5 });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
  const site = { token: siteToken };
  const lab = { token: srv.tokens.lab };
  const scan = (p, tube) => ({ scan_id: sid(), round, site: 'S2', tube, person: p.code, at: now() });
  r = await post(site, '/api/v1/scans', { scans: pool.map((p) => scan(p, 'CP-POOL')) });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'ok', 'ok', 'ok', 'ok'],
    r.text,
  );
  r = await post(lab, '/api/v1/labs/L1/receipts', { tubes: ['CP-POOL'] });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  r = await post(lab, '/api/v1/results', { results: [{ tube: 'CP-POOL', result: 'positive', at: now() }] });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  // Each member is pool-positive (ref: their recall); nobody is a case yet.
  const ids = pool.map((p) => p.id).join(',');
  assert.equal(
    count(
      'SELECT count(*) AS n FROM key_statuses k JOIN recalls r ON r.id = k.ref_id AND ' +
        `r.person_id = k.person_id WHERE k.kind = 'pool_positive' AND k.ended_at IS NULL ` +
        `AND k.person_id IN (${ids})`,
    ),
    5,
  );
  assert.equal(count('SELECT count(*) AS n FROM cases'), 0);

  // Two re-swabs: one negative (their pool-positive ends), one positive (a case).
  r = await post(site, '/api/v1/scans', { scans: [scan(pool[0], 'CP-R0'), scan(pool[4], 'CP-R4')] });
  assert.deepEqual(
    r.json.results.map((x) => x.recall),
    [true, true],
    r.text,
  );
  await post(lab, '/api/v1/labs/L1/receipts', { tubes: ['CP-R0', 'CP-R4'] });
  const resultAt = now();
  r = await post(lab, '/api/v1/results', {
    results: [
      { tube: 'CP-R0', result: 'positive', at: resultAt },
      { tube: 'CP-R4', result: 'negative', at: resultAt },
    ],
  });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'ok'],
    r.text,
  );
  const open = (p, kind) =>
    count(
      `SELECT count(*) AS n FROM key_statuses WHERE person_id = ${p.id} AND kind = '${kind}' ` + 'AND ended_at IS NULL',
    );
  assert.equal(open(pool[4], 'pool_positive'), 0);
  assert.equal(open(pool[0], 'pool_positive'), 0);
  assert.equal(open(pool[1], 'pool_positive'), 1);
  assert.equal(open(pool[0], 'case'), 1);

  r = await srv.get('staff103', `/api/v1/cases?place=${srv.places.district}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.cases.length, 1, r.text);
  const c = r.json.cases[0];
  index = { id: c.id, person: pool[0].id };
  assert.equal(c.person, pool[0].id);
  assert.equal(c.kind, 'confirmed');
  assert.equal(c.source, 'screening');
  assert.equal(Date.parse(c.confirmed_at), Math.floor(Date.parse(resultAt) / 1000) * 1000);
  assert.match(c.name, /\*/, 'the name is masked');
  assert.equal(c.community, srv.places.community);
  assert.ok(c.community_name && c.building_name && c.household_name, r.text);
  assert.equal(r.json.cursor, null);
  // The list is a read of each person on it, audited under that person.
  let audited = false;
  for (let i = 0; i < 50 && !audited; i++) {
    const a = await srv.get('auditor1', '/api/v1/audit?user=staff103');
    audited = a.json.entries.some(
      (e) => e.action.startsWith('GET /api/v1/cases') && e.record === `person:${pool[0].id}`,
    );
    if (!audited) await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(audited, 'the case list is in the audit log');
  // Staff cannot open a second case for the same person.
  r = await post('staff103', '/api/v1/cases', { person: pool[0].code, kind: 'confirmed', confirmed_at: now() });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.field, 'person');
});

let household; // the index case's housemates' ids
let building; // {code, people}
test('the household and a building are listed as contacts, answered per person', async () => {
  const exposure = new Date(Date.now() - 2 * 86400_000).toISOString();
  household = sql(
    srv.db,
    `SELECT id FROM people WHERE household_id = ${pool[0].hh} AND id <> ${pool[0].id} ORDER BY id`,
  ).map((x) => x.id);
  assert.ok(household.length >= 1);
  let r = await post('staff103', `/api/v1/cases/${index.id}/contacts`, { household: true, last_exposure: exposure });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.added, household.length, r.text);
  assert.deepEqual(
    r.json.results.map((x) => x.person),
    household,
  );
  assert.ok(r.json.results.every((x) => x.status === 'ok' && x.id > 0));
  for (const id of household) {
    const row = sql(
      srv.db,
      `SELECT exposure_at FROM key_statuses WHERE person_id = ${id} AND kind = 'close' AND ended_at IS NULL`,
    );
    assert.equal(row.length, 1);
    assert.equal(row[0].exposure_at, Math.floor(Date.parse(exposure) / 1000));
  }
  // Again: duplicates; a later exposure moves them.
  r = await post('staff103', `/api/v1/cases/${index.id}/contacts`, { household: true, last_exposure: exposure });
  assert.equal(r.json.duplicate, household.length, r.text);
  const later = new Date(Date.now() - 86400_000).toISOString();
  r = await post('staff103', `/api/v1/cases/${index.id}/contacts`, { household: true, last_exposure: later });
  assert.equal(r.json.moved, household.length, r.text);
  assert.equal(
    count(
      `SELECT count(*) AS n FROM key_statuses WHERE person_id = ${household[0]} AND kind = 'close' ` +
        `AND exposure_at = ${Math.floor(Date.parse(later) / 1000)}`,
    ),
    1,
  );

  // A building of the district other than the case's: everyone living there.
  const b = sql(
    srv.db,
    "SELECT b.code, b.n_people AS n FROM places b WHERE b.level = 6 AND b.code LIKE '" +
      srv.places.district +
      `%' AND b.n_people BETWEEN 2 AND 400 AND b.id NOT IN (SELECT parent_id FROM places ` +
      `WHERE id IN (${pool.map((p) => p.hh).join(',')})) ` +
      'ORDER BY b.code LIMIT 1',
  )[0];
  building = { code: b.code, people: b.n };
  r = await post('staff103', `/api/v1/cases/${index.id}/contacts`, { building: b.code, last_exposure: exposure });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.added + r.json.duplicate, b.n, r.text);
  assert.equal(r.json.results.length, b.n);
  assert.equal(
    count(`SELECT count(*) AS n FROM contacts WHERE case_id = ${index.id} AND setting = 'building'`),
    r.json.added,
  );
  // Refused items are answered one by one, the others stored.
  r = await post('staff103', `/api/v1/cases/${index.id}/contacts`, {
    contacts: [
      { person: pool[0].id, kind: 'close', setting: 'other', last_exposure: exposure },
      { person: 'NO-SUCH-PERSON', kind: 'close', last_exposure: exposure },
      { person: pool[2].code, kind: 'secondary', last_exposure: exposure },
      { person: pool[3].id, kind: 'close', setting: 'workplace', last_exposure: exposure },
    ],
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['error', 'error', 'error', 'ok'],
    r.text,
  );
  assert.deepEqual(
    r.json.results.slice(0, 3).map((x) => x.error.field),
    ['person', 'person', 'via'],
  );
  // A building outside the caller's district is refused.
  const far = sql(
    srv.db,
    `SELECT code FROM places WHERE level = 6 AND code LIKE '${srv.places.other}%' AND n_people > 0 LIMIT 1`,
  )[0];
  assertBareError(
    await post('staff103', `/api/v1/cases/${index.id}/contacts`, { building: far.code, last_exposure: exposure }),
    403,
  );
});

let second;
let third;
test('a contact who becomes a case keeps the link: a chain of three generations', async () => {
  const b = household[0];
  const onsetB = gzDate(Date.now() - 86400_000);
  let r = await post('staff103', '/api/v1/cases', {
    person: String(b),
    kind: 'confirmed',
    onset: onsetB,
    confirmed_at: now(),
    hospital: '广州市第八人民医院',
  });
  assert.equal(r.status, 201, r.text);
  second = r.json.id;
  assert.equal(r.json.case.hospital, '广州市第八人民医院');
  assert.equal(r.json.case.source, 'staff');
  // B's contact C (pool[1], a workplace) and C's secondary D (pool[2]).
  const exposure = new Date(Date.now() - 3600_000).toISOString();
  r = await post('staff103', `/api/v1/cases/${second}/contacts`, {
    contacts: [
      { person: pool[1].code, kind: 'close', setting: 'workplace', last_exposure: exposure },
      { person: pool[2].id, kind: 'secondary', setting: 'other', last_exposure: exposure, via: pool[1].id },
    ],
  });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'ok'],
    r.text,
  );
  // C becomes a case too, with an onset today: a serial interval of one day from B.
  r = await post('staff103', '/api/v1/cases', {
    person: pool[1].code,
    kind: 'asymptomatic',
    onset: gzDate(),
    confirmed_at: now(),
  });
  assert.equal(r.status, 201, r.text);
  third = r.json.id;

  r = await srv.get('staff103', `/api/v1/chains/${third}`);
  assert.equal(r.status, 200, r.text);
  const node = (id) => r.json.nodes.find((n) => n.person === id);
  assert.deepEqual([node(pool[0].id).generation, node(pool[0].id).role], [0, 'case']);
  assert.deepEqual([node(b).generation, node(b).role], [1, 'case']);
  assert.deepEqual([node(pool[1].id).generation, node(pool[1].id).role], [2, 'case']);
  assert.deepEqual([node(pool[2].id).generation, node(pool[2].id).role], [3, 'secondary']);
  assert.match(node(b).name, /\*/);
  assert.ok(
    r.json.edges.some((e) => e.from === pool[1].id && e.to === pool[2].id),
    'the secondary hangs from their close contact',
  );
  assert.ok(r.json.edges.some((e) => e.from === b && e.to === pool[1].id && e.setting === 'workplace'));
  assert.deepEqual(r.json.serial_intervals, [{ from: b, to: pool[1].id, days: 1 }]);
  // Everyone of the building is in it (linked through the index case).
  assert.ok(r.json.nodes.length >= 1 + household.length + building.people);
  // The chain is a read of each person named in it.
  let audited = false;
  for (let i = 0; i < 50 && !audited; i++) {
    const a = await srv.get('auditor1', '/api/v1/audit?user=staff103');
    audited = a.json.entries.some((e) => e.action.startsWith('GET /api/v1/chains') && e.record === `person:${b}`);
    if (!audited) await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(audited, 'the chain read is in the audit log');
  // Asked from the index case, the same chain.
  const again = await srv.get('staff103', `/api/v1/chains/${index.id}`);
  assert.equal(again.json.nodes.length, r.json.nodes.length);
});

test('the epi curve is exact in Guangzhou dates', async () => {
  const today = gzDate();
  let r = await post('staff103', `/api/v1/cases/${third}/discharge`, { at: now() });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.case.discharged_at);
  r = await post('staff103', `/api/v1/cases/${third}/discharge`, { at: now() });
  assert.equal(r.status, 409, r.text);
  r = await post('staff103', `/api/v1/cases/${second}/reclassify`, { kind: 'asymptomatic' });
  assert.equal(r.json.case.kind, 'asymptomatic');
  r = await post('staff103', `/api/v1/cases/${second}/reclassify`, { kind: 'confirmed' });
  assert.equal(r.json.case.kind, 'confirmed');

  const yesterday = gzDate(Date.now() - 86400_000);
  r = await srv.get('staff103', `/api/v1/epi?place=${srv.places.district}&from=${yesterday}&to=${today}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.days, [
    { date: yesterday, confirmed: 0, asymptomatic: 0, discharged: 0, cumulative: 0, discharged_cumulative: 0 },
    { date: today, confirmed: 2, asymptomatic: 1, discharged: 1, cumulative: 3, discharged_cumulative: 1 },
  ]);
  assert.equal(r.json.days_since_last_case, 0);
  // B and C were listed contacts before they were cases; A's and B's contacts were
  // listed within 24 h, C has none.
  assert.ok(Math.abs(r.json.indicators.new_cases_from_contacts - 2 / 3) < 1e-9, r.text);
  assert.ok(Math.abs(r.json.indicators.contacts_listed_24h - 2 / 3) < 1e-9, r.text);
  assert.equal(r.json.indicators.contacts_seen_daily.length, 2);
  // Another district has none.
  r = await srv.get('citycmd', `/api/v1/epi?place=${srv.places.other}&from=${yesterday}&to=${today}`);
  assert.equal(r.json.days[1].cumulative, 0);
  assert.equal(r.json.days_since_last_case, null);
  r = await srv.get('staff103', `/api/v1/epi?place=${srv.places.district}&from=${today}&to=${yesterday}`);
  assert.equal(r.status, 400);
});

test('grid workers, samplers, labs, operators and other districts get 403', async () => {
  for (const u of ['grid1', 'sampler1', 'lab1', 'operator1']) {
    assertBareError(await srv.get(u, `/api/v1/cases?place=${srv.places.grid}`), 403);
    assertBareError(await srv.get(u, `/api/v1/chains/${index.id}`), 403);
    assertBareError(await srv.get(u, `/api/v1/epi?place=${srv.places.grid}`), 403);
  }
  assertBareError(
    await post('grid1', `/api/v1/cases/${index.id}/contacts`, { household: true, last_exposure: now() }),
    403,
  );
  assertBareError(await srv.get('cmd106', `/api/v1/chains/${index.id}`), 403);
  assertBareError(await srv.get('cmd106', `/api/v1/cases?place=${srv.places.district}`), 403);
  assertBareError(await post('cmd106', `/api/v1/cases/${index.id}/discharge`, { at: now() }), 403);
  assertBareError(
    await post('cmd106', '/api/v1/cases', { person: pool[3].code, kind: 'confirmed', confirmed_at: now() }),
    403,
  );
  // The city's commander sees the district's cases.
  const r = await srv.get('citycmd', `/api/v1/cases?place=${srv.places.district}&limit=2`);
  assert.equal(r.json.cases.length, 2);
  assert.ok(r.json.cursor);
  const next = await srv.get('citycmd', `/api/v1/cases?place=${srv.places.district}&limit=2&cursor=${r.json.cursor}`);
  assert.equal(next.json.cases.length, 1);
  assert.equal(next.json.cursor, null);
});
