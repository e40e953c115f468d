// Issue 13 §Tests, the scripted scenario end to end on one server over the small city:
// a round over district 440103 began yesterday at 08:00 (Guangzhou); three people of
// grid1's grid share a tube (a pool of five) that comes back positive: their codes turn
// yellow and their recalls are the grid's tasks; the index person A's single-tube
// re-swab is positive (a confirmed case, yesterday 11:00), another's negative (green
// again); A's household and a building of the grid become close contacts exposed
// yesterday at 08:00, so day 1 of their plans is today: the plans are in their files and
// their plan tests and check-ins are today's tasks of the group holding the grid (added
// with `muster group add` before anything else); a housemate B's plan test comes back
// positive (a case, generation 1; no longer a contact), a contact of B's outside the grid,
// C, too (generation 2), and the chain holds generations 0, 1, 2 with every edge; a
// sealed high zone on a building elsewhere in the district makes the round single-tube
// there and its residents red until lifted; the epi curve, the tracing indicators and
// days since the last case are exact; a discharge turns A green; a grid worker gets 403
// outside their grid.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { start, restart, finish, sql, musterOk, assertBareError } = require('./lib/server.js');

const DAY = 86400;
const TZ = 8 * 3600; // Guangzhou, no daylight saving
let srv;
let grid; // grid1's grid, held by the group
let group; // the group's id, from `muster group add`
let siteToken; // site S2 over the whole district
let round;

const now = () => Math.floor(Date.now() / 1000);
const dateOf = (t) => new Date((t + TZ) * 1000).toISOString().slice(0, 10);
const iso = (t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const TODAY = () => dateOf(now());
const YESTERDAY = () => dateOf(now() - DAY);
// Yesterday's hour h in Guangzhou, as unix seconds.
const yh = (h) => Date.parse(`${YESTERDAY()}T00:00:00Z`) / 1000 - TZ + h * 3600;

async function post(who, url, body) {
  const opts = { body };
  if (who.token) opts.token = who.token;
  else opts.session = await srv.as(who);
  return srv.request('POST', url, opts);
}

// Polls fn until it answers something truthy: colours follow a write within a second.
async function until(what, fn) {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`never: ${what}`);
}

async function colour(p) {
  const r = await srv.get('grid1', `/api/v1/codes/${p.code}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}
// Waits until p's colour is want; answers the reasons' codes.
async function colourIs(p, want) {
  const c = await until(`person ${p.id} is ${want}`, async () => {
    const x = await colour(p);
    return x.status === want ? x : null;
  });
  return c.reasons.map((x) => x.code);
}

async function file(p, who = 'staff103') {
  const r = await srv.get(who, `/api/v1/people/${p.id}/file`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// Every task of a place for a date, page after page.
async function tasks(who, place, date) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 1000; i++) {
    const r = await srv.get(
      who,
      `/api/v1/tasks?place=${place}&day=${date}&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.tasks);
    cursor = r.json.cursor;
    if (!cursor) break;
  }
  return out;
}

const site = () => ({ token: siteToken });
const lab = () => ({ token: srv.tokens.lab });
const scan = (p, tube, at = now()) => ({
  scan_id: crypto.randomUUID(),
  round,
  site: 'S2',
  tube,
  person: p.code,
  at: iso(at),
});
// Receipt and result of tubes through the lab's API, each answered ok.
async function resulted(list, at = now()) {
  let r = await post(lab(), '/api/v1/labs/L1/receipts', { tubes: list.map((x) => x[0]) });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    list.map(() => 'ok'),
    r.text,
  );
  r = await post(lab(), '/api/v1/results', {
    results: list.map(([tube, result]) => ({ tube, result, at: iso(at) })),
  });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    list.map(() => 'ok'),
    r.text,
  );
}

async function withCode(id) {
  const r = await srv.get('admin', `/api/v1/people/${id}`);
  assert.equal(r.status, 200, r.text);
  return { id, code: r.json.person.code };
}

// The cast, chosen from the tables.
let index; // the index person (A)
let mates; // A's housemates; mates[0] is B, who becomes a case
let pool; // A and two others of the grid outside A's household and the contact building
let building; // {code, people: [ids]}: a building of the grid other than A's
let gridPeople; // ids of everyone living in the grid
let C; // a person of the district outside the grid B names as a contact, who becomes a case
let Z; // {code, people: [{id, code}]}: a building of the district outside the grid, zoned

before(async () => {
  srv = await start();
  grid = srv.users.grid1.place;
  // The site and the group are written on the command line, the server stopped, first.
  srv = await restart(srv, [], () => {
    const db = ['--db', srv.db];
    musterOk([
      'site',
      'add',
      '--code',
      'S2',
      '--place',
      srv.places.district,
      '--name',
      '区采样点',
      '--desks',
      '2',
      ...db,
    ]);
    siteToken = musterOk(['token', 'issue', '--site', 'S2', ...db])
      .stdout.split('\n')
      .map((s) => s.trim())
      .find((s) => /^[a-z2-7]{52}$/.test(s));
    const g = musterOk([
      'group',
      'add',
      '--grid',
      grid,
      '--medic',
      'grid1',
      '--cadre',
      'staff103',
      '--police',
      'cmd103',
      ...db,
    ]);
    group = Number(g.stdout.trim());
  });
  assert.ok(siteToken, 'a site token');
  assert.ok(group > 0, 'a group id');
  const people = (where) =>
    sql(
      srv.db,
      'SELECT p.id, p.household_id AS hh, h.parent_id AS b FROM people p JOIN places h ON h.id = p.household_id ' +
        `WHERE ${where} ORDER BY p.household_id, p.id`,
    );
  const inGrid = people(`h.code LIKE '${grid}%'`);
  gridPeople = inGrid.map((p) => p.id).sort((a, b) => a - b);
  const hh = inGrid.find((p) => inGrid.filter((q) => q.hh === p.hh).length >= 2);
  assert.ok(hh, 'a household of two or more in the grid');
  const bRow = sql(
    srv.db,
    `SELECT id, code FROM places WHERE level = 6 AND code LIKE '${grid}%' AND id <> ${hh.b} ` +
      'AND n_people BETWEEN 2 AND 400 ORDER BY code LIMIT 1',
  )[0];
  assert.ok(bRow, 'a second building in the grid');
  building = { code: bRow.code, people: inGrid.filter((p) => p.b === bRow.id).map((p) => p.id) };
  const rest = inGrid.filter((p) => p.hh !== hh.hh && p.b !== bRow.id);
  assert.ok(rest.length >= 2, 'two more people in the grid');
  index = await withCode(hh.id);
  mates = [];
  for (const p of inGrid.filter((q) => q.hh === hh.hh && q.id !== hh.id)) mates.push(await withCode(p.id));
  pool = [index];
  for (const p of rest.slice(0, 2)) pool.push(await withCode(p.id));
  const zRow = sql(
    srv.db,
    `SELECT id, code FROM places WHERE level = 6 AND code LIKE '${srv.places.district}%' ` +
      `AND code NOT LIKE '${grid}%' AND n_people >= 2 ORDER BY n_people, code LIMIT 1`,
  )[0];
  Z = { code: zRow.code, people: [] };
  for (const p of people(`h.parent_id = ${zRow.id}`)) Z.people.push(await withCode(p.id));
  // C lives in the district outside the grid and the zone.
  const c = people(
    `h.code LIKE '${srv.places.district}%' AND h.code NOT LIKE '${grid}%' AND h.code NOT LIKE '${zRow.code}%'`,
  )[0];
  C = await withCode(c.id);

  // The round began yesterday at 08:00, before its first scan.
  const r = await post('staff103', '/api/v1/rounds', {
    scope: srv.places.district,
    name: '控制日',
    pool: 5,
    starts: iso(yh(8)),
  });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
});
after(async () => finish(srv));

let caseA;
test('a pool-positive recall turns into a confirmed case; codes go yellow, red, green', async () => {
  for (const p of pool) assert.deepEqual(await colourIs(p, 'green'), []);
  let r = await post(site(), '/api/v1/scans', { scans: pool.map((p) => scan(p, 'CD-POOL', yh(9))) });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'ok', 'ok'],
    r.text,
  );
  assert.equal(r.json.results[2].sealed, false, 'three in a pool of five');
  r = await post(site(), '/api/v1/tubes/CD-POOL/seal', {});
  assert.equal(r.status, 200, r.text);
  await resulted([['CD-POOL', 'positive']], yh(10));
  for (const p of pool) assert.deepEqual(await colourIs(p, 'yellow'), ['pool_positive']);
  assert.equal(sql(srv.db, 'SELECT count(*) AS n FROM cases')[0].n, 0);
  // Their recalls are today's tasks of the grid's group.
  const recalls = (await tasks('grid1', grid, TODAY())).filter((t) => t.kind === 'recall');
  assert.deepEqual(
    recalls.map((t) => t.person).sort((a, b) => a - b),
    pool.map((p) => p.id).sort((a, b) => a - b),
  );

  // Re-swabs yesterday: A positive, pool[1] negative.
  r = await post(site(), '/api/v1/scans', {
    scans: [scan(index, 'CD-RA', yh(10.5)), scan(pool[1], 'CD-R1', yh(10.5))],
  });
  assert.deepEqual(
    r.json.results.map((x) => [x.status, x.recall, x.sealed]),
    [
      ['ok', true, true],
      ['ok', true, true],
    ],
    r.text,
  );
  await resulted(
    [
      ['CD-RA', 'positive'],
      ['CD-R1', 'negative'],
    ],
    yh(11),
  );
  assert.deepEqual(await colourIs(index, 'red'), ['case']);
  assert.deepEqual(await colourIs(pool[1], 'green'), []);
  for (const p of pool.slice(2)) assert.deepEqual(await colourIs(p, 'yellow'), ['pool_positive']);
  // Today's list: the re-swabbed leave it; the third's recall, due yesterday at 12:00
  // (the pool's result came at 10:00), was missed and has climbed to the community at
  // 12:00 and the street at 14:00. The roll-call is everyone of the grid not sampled.
  const list = await tasks('grid1', grid, TODAY());
  const street = sql(
    srv.db,
    `SELECT s.code FROM places g JOIN places c ON c.id = g.parent_id JOIN places s ON s.id = c.parent_id WHERE g.code = '${grid}'`,
  )[0].code;
  assert.deepEqual(
    list
      .filter((t) => t.kind === 'recall')
      .map((t) => [t.id, t.person, t.day, t.due, t.state, t.level, t.holder, t.since]),
    [[`recall:${round}:${pool[2].id}`, pool[2].id, YESTERDAY(), iso(yh(12)), 'missed', 'street', street, iso(yh(14))]],
  );
  assert.deepEqual(
    list
      .filter((t) => t.kind === 'rollcall')
      .map((t) => t.person)
      .sort((a, b) => a - b),
    gridPeople.filter((id) => !pool.some((p) => p.id === id)),
  );

  r = await srv.get('staff103', `/api/v1/cases?place=${srv.places.district}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.cases.map((c) => [c.person, c.kind, c.source, c.confirmed_at]),
    [[index.id, 'confirmed', 'screening', iso(yh(11))]],
  );
  caseA = r.json.cases[0].id;
});

const contacts = new Set(); // every close contact of A: household and building
test("A's household and a building are contacts; their plans and the group's tasks appear", async () => {
  let r = await post('staff103', `/api/v1/cases/${caseA}/contacts`, { household: true, last_exposure: iso(yh(8)) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.added, mates.length, r.text);
  assert.deepEqual(
    r.json.results.map((x) => x.person),
    mates.map((p) => p.id),
  );
  r = await post('staff103', `/api/v1/cases/${caseA}/contacts`, { building: building.code, last_exposure: iso(yh(8)) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.added, building.people.length, r.text);
  for (const p of mates) contacts.add(p.id);
  for (const id of building.people) contacts.add(id);

  // B's plan: exposed yesterday (day 0), quarantined from today, tests on days 1..21.
  const B = mates[0];
  const f = await file(B);
  assert.deepEqual(
    f.status.map((s) => s.kind),
    ['close'],
  );
  assert.equal(f.plans.length, 1);
  const plan = f.plans[0];
  assert.equal(plan.template, 'cn8-close');
  const d = (n) => dateOf(now() + n * DAY);
  assert.deepEqual(plan.phases, [
    { kind: 'central_quarantine', from: d(0), to: d(13) },
    { kind: 'home_monitoring', from: d(14), to: d(20) },
  ]);
  assert.deepEqual(
    plan.tests.map((t) => [t.day, t.due, t.state]),
    [
      [1, d(0), 'due'],
      [4, d(3), 'due'],
      [7, d(6), 'due'],
      [14, d(13), 'due'],
      [16, d(15), 'due'],
      [21, d(20), 'due'],
    ],
  );
  assert.deepEqual(await colourIs(B, 'red'), ['close_contact']);
  const bp = await withCode(building.people[0]);
  assert.deepEqual(await colourIs(bp, 'red'), ['close_contact']);

  // The group holding the grid: every contact has today's plan test and check-in.
  r = await srv.get('cmd103', `/api/v1/groups?place=${srv.places.district}`);
  assert.deepEqual(
    r.json.groups.map((g) => [g.id, g.grids.map((x) => x.code), g.members]),
    [[group, [grid], { medic: 'grid1', cadre: 'staff103', police: 'cmd103' }]],
  );
  const list = await tasks('grid1', grid, TODAY());
  const ids = [...contacts].sort((a, b) => a - b);
  const persons = (kind) =>
    list
      .filter((t) => t.kind === kind)
      .map((t) => t.person)
      .sort((a, b) => a - b);
  assert.deepEqual(persons('plan_test'), ids);
  assert.deepEqual(persons('checkin'), ids);
  // Due at today's noon; a plan made after it has the test due at tomorrow's (it was not
  // missed before the plan existed).
  const noon = Date.parse(`${TODAY()}T12:00:00+08:00`) / 1000;
  const due = Date.parse(plan.made_at) / 1000 >= noon ? noon + DAY : noon;
  for (const t of list.filter((x) => x.kind === 'plan_test')) {
    assert.equal(t.due, iso(due));
    assert.match(t.id, /^plan_test:\d+$/);
  }
  // The medic marks a contact's check-in done, once.
  const ci = list.find((x) => x.kind === 'checkin' && x.person === building.people[0]);
  assert.equal(ci.id, `checkin:${building.people[0]}:${TODAY()}`);
  r = await post('grid1', `/api/v1/tasks/${encodeURIComponent(ci.id)}/done`, { result: 'ok', note: '36.6' });
  assert.deepEqual([r.status, r.json.status], [200, 'done'], r.text);
  r = await post('grid1', `/api/v1/tasks/${encodeURIComponent(ci.id)}/done`, {});
  assert.equal(r.json.status, 'duplicate', r.text);
  assert.equal((await tasks('grid1', grid, TODAY())).find((x) => x.id === ci.id).state, 'done');
  // Nobody else's group sees them: the other district's grid has no such task.
  const far = await tasks('citycmd', srv.places.otherGrid, TODAY());
  assert.ok(!far.some((t) => contacts.has(t.person)));
});

let caseB;
let caseC;
test('plan tests come back positive: cases of generations 1 and 2 in the chain', async () => {
  const B = mates[0];
  // B is due a plan test today: alone in a tube, sealed at once; positive.
  let r = await post(site(), '/api/v1/scans', { scans: [scan(B, 'CD-PB')] });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  assert.equal(r.json.results[0].sealed, true, 'a plan test is a single tube');
  await resulted([['CD-PB', 'positive']]);
  let f = await file(B);
  assert.equal(f.plans[0].tests[0].state, 'positive');
  // A case is no longer a contact in quarantine: the close status and its plan end.
  const rb = await until('B is a case', async () => {
    const x = await colour(B);
    return x.reasons.some((y) => y.code === 'case') ? x : null;
  });
  assert.equal(rb.status, 'red');
  assert.deepEqual(
    rb.reasons.map((x) => x.code),
    ['case'],
  );
  f = await file(B);
  assert.deepEqual(
    f.status.map((x) => x.kind),
    ['case'],
  );
  assert.ok(f.plans[0].ended_at, 'the quarantine plan ended with the close status');
  r = await srv.get('staff103', `/api/v1/cases?place=${srv.places.district}`);
  caseB = r.json.cases.find((c) => c.person === B.id).id;

  // B names C, exposed yesterday too; C's first plan test is today, positive.
  r = await post('staff103', `/api/v1/cases/${caseB}/contacts`, {
    contacts: [{ person: C.code, kind: 'close', setting: 'workplace', last_exposure: iso(yh(8)) }],
  });
  assert.deepEqual(
    r.json.results.map((x) => [x.person, x.status]),
    [[C.id, 'ok']],
    r.text,
  );
  assert.deepEqual(await colourIs(C, 'red'), ['close_contact']);
  r = await post(site(), '/api/v1/scans', { scans: [scan(C, 'CD-PC')] });
  assert.equal(r.json.results[0].sealed, true, r.text);
  await resulted([['CD-PC', 'positive']]);
  f = await file(C);
  assert.equal(f.plans[0].tests[0].state, 'positive');
  r = await srv.get('staff103', `/api/v1/cases?place=${srv.places.district}`);
  assert.equal(r.json.cases.length, 3, r.text);
  caseC = r.json.cases.find((c) => c.person === C.id).id;

  // B has left the group's list (no plan test, no check-in); the other contacts' are
  // still there.
  const left = await tasks('grid1', grid, TODAY());
  assert.deepEqual(
    left.filter((t) => t.person === B.id),
    [],
  );
  assert.deepEqual(
    left
      .filter((t) => t.kind === 'plan_test')
      .map((t) => t.person)
      .sort((a, b) => a - b),
    [...contacts].filter((id) => id !== B.id).sort((a, b) => a - b),
  );

  r = await srv.get('staff103', `/api/v1/chains/${caseC}`);
  assert.equal(r.status, 200, r.text);
  const node = (id) => r.json.nodes.find((n) => n.person === id);
  assert.deepEqual([node(index.id).generation, node(index.id).role], [0, 'case']);
  assert.deepEqual([node(B.id).generation, node(B.id).role], [1, 'case']);
  assert.deepEqual([node(C.id).generation, node(C.id).role], [2, 'case']);
  for (const id of contacts) {
    if (id === B.id) continue;
    assert.deepEqual([node(id).generation, node(id).role], [1, 'close'], `contact ${id}`);
  }
  assert.equal(r.json.nodes.length, 1 + contacts.size + 1, 'A, their contacts, and C');
  // Every edge, with the last exposure it records.
  const key = (e) => `${e[0]}>${e[1]}`;
  const edges = (list) => list.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  assert.deepEqual(
    edges(r.json.edges.map((e) => [e.from, e.to, e.setting, e.at])),
    edges([
      ...mates.map((p) => [index.id, p.id, 'household', iso(yh(8))]),
      ...building.people.map((id) => [index.id, id, 'building', iso(yh(8))]),
      [B.id, C.id, 'workplace', iso(yh(8))],
    ]),
  );
  // The same chain asked from A's case.
  const fromA = await srv.get('staff103', `/api/v1/chains/${caseA}`);
  assert.deepEqual(
    fromA.json.nodes.map((n) => [n.person, n.role, n.generation]),
    r.json.nodes.map((n) => [n.person, n.role, n.generation]),
  );
  // Cases found by screening carry no onset: no serial interval to measure.
  assert.deepEqual(r.json.serial_intervals, []);
});

test('a sealed high zone makes the round single-tube there; its residents red until lifted', async () => {
  let r = await post('cmd103', '/api/v1/zones', {
    place: Z.code,
    level: 'high',
    measures: 'sealed',
    reason: '本土病例',
  });
  assert.equal(r.status, 201, r.text);
  const zone = r.json.id;
  assert.equal(r.json.sealed, Z.people.length);
  for (const p of Z.people) assert.deepEqual(await colourIs(p, 'red'), ['sealed_zone']);
  const [z] = (await srv.get('cmd103', `/api/v1/zones?place=${srv.places.district}`)).json.zones;
  assert.deepEqual(
    [z.id, z.place, z.people, z.statuses.sealed, z.statuses.case, z.colours.red],
    [zone, Z.code, Z.people.length, Z.people.length, 0, Z.people.length],
  );
  const [a, b] = Z.people;
  r = await post(site(), '/api/v1/scans', { scans: [scan(a, 'CD-Z1'), scan(b, 'CD-Z1')] });
  assert.deepEqual(
    r.json.results.map((x) => x.status),
    ['ok', 'error'],
    r.text,
  );
  assert.equal(r.json.results[0].sealed, true);
  assert.deepEqual(sql(srv.db, "SELECT capacity, n FROM tubes WHERE barcode = 'CD-Z1'"), [{ capacity: 1, n: 1 }]);
  r = await post('cmd103', `/api/v1/zones/${zone}/lift`, {});
  assert.equal(r.status, 200, r.text);
  for (const p of Z.people) assert.deepEqual(await colourIs(p, 'green'), []);
});

test('the epi curve and days since the last case are exact; a discharge turns A green', async () => {
  const y = YESTERDAY();
  const t = TODAY();
  let r = await srv.get('staff103', `/api/v1/epi?place=${srv.places.district}&from=${y}&to=${t}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.days, [
    { date: y, confirmed: 1, asymptomatic: 0, discharged: 0, cumulative: 1, discharged_cumulative: 0 },
    { date: t, confirmed: 2, asymptomatic: 0, discharged: 0, cumulative: 3, discharged_cumulative: 0 },
  ]);
  assert.equal(r.json.days_since_last_case, 0);
  assert.equal(r.json.cases, 3);
  // B and C were listed contacts before they were cases, A was not; B listed C within
  // 24 h of B's confirmation, C listed nobody, and A's contacts were listed today, within
  // 24 h of A's result yesterday at 11:00 or not, as the stored times say.
  const listedA = sql(srv.db, `SELECT min(listed_at) AS t FROM contacts WHERE case_id = ${caseA}`)[0].t;
  const aWithin = listedA <= yh(11) + DAY ? 1 : 0;
  assert.deepEqual(
    [r.json.indicators.new_cases_from_contacts, r.json.indicators.contacts_listed_24h],
    [2 / 3, (1 + aWithin) / 3],
  );
  // Contacts in plans (made today) and seen (B's and C's plan tests, taken today).
  assert.deepEqual(r.json.indicators.contacts_seen_daily, [
    { date: y, share: null, seen: 0, in_plans: 0 },
    { date: t, share: 2 / (contacts.size + 1), seen: 2, in_plans: contacts.size + 1 },
  ]);
  // Before A: nothing yet, no last case.
  const d = (n) => dateOf(now() + n * DAY);
  r = await srv.get('staff103', `/api/v1/epi?place=${srv.places.district}&from=${d(-3)}&to=${d(-2)}`);
  assert.deepEqual(
    r.json.days.map((x) => [x.date, x.confirmed, x.cumulative]),
    [
      [d(-3), 0, 0],
      [d(-2), 0, 0],
    ],
  );
  assert.equal(r.json.days_since_last_case, null);
  // The other district has none of them.
  r = await srv.get('citycmd', `/api/v1/epi?place=${srv.places.other}&from=${y}&to=${t}`);
  assert.deepEqual([r.json.cumulative, r.json.days_since_last_case], [0, null]);
  // Only yesterday: the last case was that day.
  r = await srv.get('staff103', `/api/v1/epi?place=${srv.places.district}&from=${y}&to=${y}`);
  assert.deepEqual(
    r.json.days.map((x) => [x.date, x.cumulative]),
    [[y, 1]],
  );

  r = await post('staff103', `/api/v1/cases/${caseA}/discharge`, { at: iso(now()) });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(await colourIs(index, 'green'), []);
  r = await srv.get('staff103', `/api/v1/epi?place=${srv.places.district}&from=${y}&to=${t}`);
  assert.deepEqual(r.json.days[1], {
    date: t,
    confirmed: 2,
    asymptomatic: 0,
    discharged: 1,
    cumulative: 3,
    discharged_cumulative: 1,
  });
});

test('a grid worker gets 403 outside their grid, and reads their own', async () => {
  const far = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.otherGrid}%' ORDER BY p.id LIMIT 1`,
  )[0].id;
  assertBareError(await srv.get('grid1', `/api/v1/tasks?place=${srv.places.otherGrid}&day=${TODAY()}`), 403);
  assertBareError(await srv.get('grid1', `/api/v1/people/${far}/file`), 403);
  assertBareError(await srv.get('grid1', `/api/v1/keypersons?place=${srv.places.otherGrid}`), 403);
  assertBareError(await srv.get('grid1', `/api/v1/zones?place=${srv.places.district}`), 403);
  assertBareError(await srv.get('grid1', `/api/v1/chains/${caseA}`), 403);
  assertBareError(await post('grid1', `/api/v1/people/${far}/checkins`, { temperature: 36.5 }), 403);
  // Their own: a contact's file, with the colour.
  const f = await file(mates[0], 'grid1');
  assert.equal(f.colour.status, 'red');
});
