// Issue 13 §5: risk zones. A high zone makes a round's tubes single there (two people
// of the zone scanned into one tube: the second is refused, each gets a tube of one),
// a medium zone caps the pool at the round's pool_medium, outside the pool is the
// round's; a sealed zone gives its residents a 'sealed' status and lifting ends it;
// GET /zones counts the people inside by status and colour and proposes a downgrade or
// a lift once Guangzhou's conditions hold; a downgrade keeps the record. Only admins,
// commanders and staff in jurisdiction draw zones; a grid worker reads their own.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { start, restart, finish, sql, musterOk, assertBareError } = require('./lib/server.js');

let srv;
let round;
let street; // the street of 440103 with the most people: the test site's place
let siteToken;
const B = {}; // buildings: high, medium, plain → {code, people: [{id, code}]}
const DAY = 86400;

const now = () => Math.floor(Date.now() / 1000);
const iso = (t) => new Date(t * 1000).toISOString();
const zones = async (who, place, all = false) => {
  const r = await srv.get(who, `/api/v1/zones?place=${place}${all ? '&all=1' : ''}`);
  assert.equal(r.status, 200, r.text);
  return r.json.zones;
};
const post = async (who, url, body) => srv.request('POST', url, { session: await srv.as(who), body });
const scan = (p, tube) => ({
  scan_id: crypto.randomUUID(),
  round,
  site: 'SZ',
  tube,
  person: p.code,
  at: new Date().toISOString(),
});
const scans = async (list) => {
  const r = await srv.request('POST', '/api/v1/scans', { token: siteToken, body: { scans: list } });
  assert.equal(r.status, 200, r.text);
  return r.json.results;
};
const tube = (barcode) => sql(srv.db, `SELECT capacity, n, state FROM tubes WHERE barcode = '${barcode}'`)[0];

before(async () => {
  srv = await start();
  street = sql(
    srv.db,
    "SELECT code FROM places WHERE level = 2 AND code LIKE '440103%' ORDER BY n_people DESC, code LIMIT 1",
  )[0].code;
  // A site over the whole street, its token made with the server stopped.
  srv = await restart(srv, [], () => {
    musterOk([
      'site',
      'add',
      '--code',
      'SZ',
      '--place',
      street,
      '--name',
      '街道采样点',
      '--desks',
      '4',
      '--db',
      srv.db,
    ]);
    const out = musterOk(['token', 'issue', '--site', 'SZ', '--db', srv.db]).stdout;
    siteToken = out
      .split('\n')
      .map((s) => s.trim())
      .find((s) => /^[a-z2-7]{52}$/.test(s));
  });
  assert.ok(siteToken, 'a site token');
  const buildings = sql(
    srv.db,
    `SELECT id, code FROM places WHERE level = 6 AND code LIKE '${street}%' AND n_people >= 2 ` +
      'ORDER BY n_people DESC, code LIMIT 3',
  );
  assert.equal(buildings.length, 3, 'the street has three buildings of two people or more');
  for (const [i, key] of ['high', 'medium', 'plain'].entries()) {
    const rows = sql(
      srv.db,
      'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
        `WHERE h.parent_id = ${buildings[i].id} ORDER BY p.id`,
    );
    const people = [];
    for (const { id } of rows) {
      const r = await srv.get('admin', `/api/v1/people/${id}`);
      people.push({ id, code: r.json.person.code });
    }
    B[key] = { code: buildings[i].code, people };
  }
  const r = await post('staff103', '/api/v1/rounds', {
    scope: srv.places.district,
    name: '分区筛查',
    pool: 10,
    pool_medium: 5,
  });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
});
after(async () => finish(srv));

let high; // the sealed high zone's id
let medium;

test('drawing zones: where, who, and a sealed zone seals its residents', async () => {
  // Not a grid, not a household; not twice on one place; a known level.
  let r = await post('cmd103', '/api/v1/zones', {
    place: srv.places.grid,
    level: 'high',
    reason: '本土病例',
  });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field, 'place');
  r = await post('cmd103', '/api/v1/zones', { place: B.high.code, level: 'severe', reason: 'x' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'level');
  r = await post('cmd103', '/api/v1/zones', { place: B.high.code, level: 'high', reason: 'x', colour: 'red' });
  assert.equal(r.status, 400);
  // Outside one's jurisdiction, or a role that draws none: 403.
  for (const who of ['cmd106', 'grid1', 'sampler1', 'lab1', 'auditor1', 'operator1']) {
    assertBareError(await post(who, '/api/v1/zones', { place: B.high.code, level: 'high', reason: '本土病例' }), 403);
  }
  assert.equal(sql(srv.db, 'SELECT count(*) AS n FROM zones')[0].n, 0);

  r = await post('cmd103', '/api/v1/zones', {
    place: B.high.code,
    level: 'high',
    measures: 'sealed',
    reason: '本土病例密接所在楼栋',
  });
  assert.equal(r.status, 201, r.text);
  high = r.json.id;
  assert.equal(r.json.sealed, B.high.people.length);
  assert.equal(r.json.zone.level, 'high');
  assert.equal(r.json.zone.measures, 'sealed');
  assert.equal(r.json.zone.place, B.high.code);
  const rows = sql(
    srv.db,
    `SELECT person_id FROM key_statuses WHERE kind = 'sealed' AND source = 'zone' AND ref_id = ${high} ` +
      'AND ended_at IS NULL ORDER BY person_id',
  );
  assert.deepEqual(
    rows.map((x) => x.person_id),
    B.high.people.map((p) => p.id),
  );
  r = await post('cmd103', '/api/v1/zones', { place: B.high.code, level: 'medium', reason: 'again' });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.field, 'place');

  // Medium, controlled by default: nobody sealed.
  r = await post('staff103', '/api/v1/zones', { place: B.medium.code, level: 'medium', reason: '次密接' });
  assert.equal(r.status, 201, r.text);
  medium = r.json.id;
  assert.equal(r.json.zone.measures, 'controlled');
  assert.equal(r.json.sealed, 0);
});

test('a high zone samples single tubes, a medium one pools at most pool_medium', async () => {
  const [a, b] = B.high.people;
  let res = await scans([scan(a, 'ZH-1'), scan(b, 'ZH-1')]);
  assert.equal(res[0].status, 'ok', JSON.stringify(res));
  assert.equal(res[0].sealed, true, 'a tube of one is sealed at once');
  assert.equal(res[1].status, 'error', 'the second person of the zone cannot join the tube');
  res = await scans([scan(b, 'ZH-2')]);
  assert.equal(res[0].status, 'ok', JSON.stringify(res));
  assert.deepEqual(tube('ZH-1'), { capacity: 1, n: 1, state: 1 });
  assert.deepEqual(tube('ZH-2'), { capacity: 1, n: 1, state: 1 });

  // Outside the zones the pool is shared at the round's 10.
  const [c, d] = B.plain.people;
  res = await scans([scan(c, 'ZP-1'), scan(d, 'ZP-1')]);
  assert.deepEqual(
    res.map((x) => x.status),
    ['ok', 'ok'],
    JSON.stringify(res),
  );
  assert.deepEqual(tube('ZP-1'), { capacity: 10, n: 2, state: 0 });

  // The medium building: a tube of at most 5; a person of it cannot join the pool of 10.
  const m = B.medium.people[0];
  res = await scans([scan(m, 'ZP-1')]);
  assert.equal(res[0].status, 'error', JSON.stringify(res));
  assert.equal(res[0].error.field, 'person');
  res = await scans([scan(m, 'ZM-1')]);
  assert.equal(res[0].status, 'ok', JSON.stringify(res));
  assert.equal(tube('ZM-1').capacity, 5);
});

test('GET /zones: names, people by status and colour, the proposal and its conditions', async () => {
  for (const who of ['cmd106', 'sampler1', 'lab1', 'auditor1']) {
    assertBareError(await srv.get(who, `/api/v1/zones?place=${street}`), 403);
  }
  // A grid worker reads their own grid's zones (none here), not the street's.
  assert.deepEqual(await zones('grid1', srv.places.grid), []);
  assertBareError(await srv.get('grid1', `/api/v1/zones?place=${street}`), 403);

  const list = await zones('cmd103', street);
  assert.deepEqual(
    list.map((z) => z.id),
    [high, medium],
  );
  const h = list[0];
  assert.equal(h.place, B.high.code);
  assert.equal(h.place_level, 'building');
  assert.match(h.name, /栋$/);
  assert.equal(h.path[0].code, street);
  assert.equal(h.path.at(-1).code, B.high.code);
  assert.equal(h.people, B.high.people.length);
  assert.equal(h.statuses.sealed, B.high.people.length);
  assert.equal(h.statuses.case, 0);
  assert.equal(h.colours.green + h.colours.yellow + h.colours.red, h.people);
  assert.equal(h.proposal.action, 'downgrade');
  assert.equal(h.proposal.to, 'medium');
  assert.equal(h.proposal.ready, false);
  const cond = Object.fromEntries(h.proposal.conditions.map((c) => [c.code, c]));
  assert.deepEqual(Object.keys(cond), ['no_new_case', 'contacts_past', 'tested_negative']);
  assert.equal(cond.no_new_case.ok, true);
  assert.equal(cond.contacts_past.ok, true);
  // Sampled, not resulted: not yet negative.
  assert.equal(cond.tested_negative.ok, false);
  assert.equal(cond.tested_negative.untested, B.high.people.length);
  for (const c of h.proposal.conditions) assert.equal(typeof c.text, 'string');
});

test('the conditions one by one, then a downgrade that keeps the record', async () => {
  const people = B.medium.people;
  const hh = sql(srv.db, `SELECT household_id AS h FROM people WHERE id = ${people[0].id}`)[0].h;
  const t = now();
  // A case inside confirmed 20 days ago, its close contact exposed 10 days ago.
  sql(
    srv.db,
    'INSERT INTO cases (id, person_id, kind, source, confirmed_at, household_id, created_at) ' +
      `VALUES (900001, ${people[0].id}, 'confirmed', 'staff', ${t - 20 * DAY}, ${hh}, ${t - 20 * DAY})`,
  );
  sql(
    srv.db,
    'INSERT INTO contacts (case_id, person_id, kind, setting, last_exposure, listed_at) ' +
      `VALUES (900001, ${people[1].id}, 'close', 'household', ${t - 10 * DAY}, ${t - 10 * DAY})`,
  );
  const cond = async () => {
    const z = (await zones('staff103', B.medium.code)).find((x) => x.id === medium);
    return { z, c: Object.fromEntries(z.proposal.conditions.map((c) => [c.code, c])) };
  };
  let { z, c } = await cond();
  assert.equal(c.no_new_case.ok, true, JSON.stringify(c));
  assert.equal(c.no_new_case.last_case_at, iso(t - 20 * DAY).replace('.000', ''));
  assert.equal(c.contacts_past.ok, false);
  assert.equal(c.contacts_past.last_exposure, iso(t - 10 * DAY).replace('.000', ''));
  assert.equal(c.tested_negative.ok, false);
  assert.equal(z.proposal.ready, false);

  sql(srv.db, `UPDATE contacts SET last_exposure = ${t - 15 * DAY} WHERE case_id = 900001`);
  ({ c } = await cond());
  assert.equal(c.contacts_past.ok, true);

  // Everyone inside sampled (pools of at most 5) and resulted negative.
  const barcodes = [];
  for (let i = 0; i < people.length; i += 5) barcodes.push(`ZN-${i}`);
  const res = await scans(people.map((p, i) => scan(p, `ZN-${Math.floor(i / 5) * 5}`)));
  assert.ok(
    res.every((x) => x.status === 'ok'),
    JSON.stringify(res),
  );
  for (const b of barcodes) {
    if (tube(b).state === 0) {
      const s = await srv.request('POST', `/api/v1/tubes/${b}/seal`, { token: siteToken, body: {} });
      assert.equal(s.status, 200, s.text);
    }
  }
  // ZM-1 (the first person's earlier tube) is resulted too.
  const s = await srv.request('POST', '/api/v1/tubes/ZM-1/seal', { token: siteToken, body: {} });
  assert.equal(s.status, 200, s.text);
  const all = [...barcodes, 'ZM-1'];
  let r = await srv.request('POST', '/api/v1/labs/L1/receipts', { token: srv.tokens.lab, body: { tubes: all } });
  assert.equal(r.status, 200, r.text);
  r = await srv.request('POST', '/api/v1/results', {
    token: srv.tokens.lab,
    body: { results: all.map((b) => ({ tube: b, result: 'negative' })) },
  });
  assert.equal(r.status, 200, r.text);
  assert.ok(
    r.json.results.every((x) => x.status === 'ok'),
    r.text,
  );
  ({ z, c } = await cond());
  assert.equal(c.tested_negative.ok, true, JSON.stringify(c));
  assert.equal(c.tested_negative.untested, 0);
  assert.equal(z.proposal.ready, true);
  assert.equal(z.proposal.action, 'downgrade');
  assert.equal(z.proposal.to, 'low');

  // A new case inside: not ready again.
  sql(
    srv.db,
    'INSERT INTO cases (id, person_id, kind, source, confirmed_at, household_id, created_at) ' +
      `VALUES (900002, ${people[1].id}, 'asymptomatic', 'staff', ${t - DAY}, ${hh}, ${t - DAY})`,
  );
  ({ z, c } = await cond());
  assert.equal(c.no_new_case.ok, false);
  assert.equal(z.proposal.ready, false);

  // The officer confirms anyway: a downgrade, not upward, and another district's
  // commander cannot.
  assertBareError(await post('cmd106', `/api/v1/zones/${medium}/downgrade`, { level: 'low' }), 403);
  r = await post('cmd103', `/api/v1/zones/${medium}/downgrade`, { level: 'high' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'level');
  r = await post('cmd103', `/api/v1/zones/${medium}/downgrade`, { level: 'low' });
  assert.equal(r.status, 201, r.text);
  const low = r.json.id;
  assert.equal(r.json.zone.prev, medium);
  assert.equal(r.json.zone.level, 'low');
  assert.equal(r.json.zone.measures, 'precaution');
  const inForce = await zones('cmd103', B.medium.code);
  assert.deepEqual(
    inForce.map((x) => [x.id, x.proposal.action]),
    [[low, 'lift']],
  );
  const history = await zones('cmd103', B.medium.code, true);
  assert.deepEqual(
    history.map((x) => x.id),
    [medium, low],
  );
  assert.ok(history[0].lifted_at, 'the medium zone was lifted by the downgrade');
  // A low zone pools like anywhere else.
  const res2 = await scans([scan(people[0], 'ZL-1')]);
  assert.equal(res2[0].status, 'ok', JSON.stringify(res2));
  assert.equal(tube('ZL-1').capacity, 10);
});

test('lifting a sealed zone ends its statuses; the audit log names the zone', async () => {
  assertBareError(await post('cmd106', `/api/v1/zones/${high}/lift`, {}), 403);
  assertBareError(await post('grid1', `/api/v1/zones/${high}/lift`, {}), 403);
  let r = await post('cmd103', `/api/v1/zones/${high}/lift`, { at: 'yesterday' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'at');
  r = await post('cmd103', '/api/v1/zones/999999/lift', {});
  assert.equal(r.status, 404);
  r = await post('cmd103', `/api/v1/zones/${high}/lift`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ended, B.high.people.length);
  assert.ok(r.json.zone.lifted_at);
  const open = sql(
    srv.db,
    `SELECT count(*) AS n FROM key_statuses WHERE source = 'zone' AND ref_id = ${high} AND ended_at IS NULL`,
  )[0].n;
  assert.equal(open, 0);
  r = await post('cmd103', `/api/v1/zones/${high}/lift`, {});
  assert.equal(r.status, 409);
  // Lifted: the building pools again at the round's size.
  const res = await scans([scan(B.high.people[0], 'ZH-3'), scan(B.high.people[1], 'ZH-3')]);
  assert.deepEqual(
    res.map((x) => x.status),
    ['ok', 'ok'],
    JSON.stringify(res),
  );
  assert.equal(tube('ZH-3').capacity, 10);
  const audit = sql(
    srv.db,
    `SELECT count(*) AS n FROM audit WHERE actor = 'cmd103' AND record = 'zone:${high}' AND status IN (200, 201)`,
  )[0].n;
  assert.equal(audit, 2, 'the drawing and the lift, each audited under the zone');
});
