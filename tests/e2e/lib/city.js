// Data for the page-wide browser checks (the sweep and the screenshots): a round over the
// city with five people of the test grid pooled in one tube that turns out positive, so
// every page has figures, scans, a result, recalls and an audit trail to show.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { sql } = require('../../api/lib/server.js');
const { siteToken } = require('./browser.js');

async function post(srv, who, url, body) {
  return srv.request('POST', url, { body, session: await srv.as(who) });
}

// Builds the round; returns {round, person, building, grid} (ids and codes the pages open).
// The five are sampled at a site of the grid's own (a site samples the people of its place
// only), whose token is issued between two servers: env.srv is a new server afterwards.
async function roundWithRecall(env) {
  const token = await siteToken(env, 'S-SWEEP', env.srv.places.grid);
  const srv = env.srv;
  let r = await post(srv, 'admin', '/api/v1/rounds', { scope: srv.places.city, name: '全市第一轮', pool: 5 });
  assert.equal(r.status, 201, r.text);
  const round = r.json.round.id;
  const ids = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.grid}%' ORDER BY p.id LIMIT 5`,
  ).map((x) => x.id);
  const scans = [];
  for (const id of ids) {
    const p = await srv.get('admin', `/api/v1/people/${id}`);
    scans.push({
      scan_id: crypto.randomUUID(),
      round,
      site: 'S-SWEEP',
      tube: 'E2E-T1',
      person: p.json.person.code,
      at: new Date().toISOString(),
    });
  }
  r = await srv.request('POST', '/api/v1/scans', { token, body: { scans } });
  assert.ok(
    r.json.results.every((x) => x.status === 'ok'),
    r.text,
  );
  r = await srv.request('POST', '/api/v1/labs/L1/receipts', { token: srv.tokens.lab, body: { tubes: ['E2E-T1'] } });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  r = await srv.request('POST', '/api/v1/results', {
    token: srv.tokens.lab,
    body: {
      results: [{ tube: 'E2E-T1', result: 'positive', ct_orf1ab: 28.5, ct_n: 30.1, at: new Date().toISOString() }],
    },
  });
  assert.equal(r.json.results[0].status, 'ok', r.text);
  const building = sql(
    srv.db,
    `SELECT b.code FROM places b WHERE b.level = 6 AND b.code LIKE '${srv.places.grid}%' ` +
      'AND b.n_people > 0 ORDER BY b.code LIMIT 1',
  )[0].code;
  // ---- orders (helper orders): a district order to its streets, forwarded by one of them.
  r = await post(srv, 'cmd103', '/api/v1/orders', {
    title: '全员核酸检测',
    text: '今日完成辖区全员核酸检测',
    targets: { level: 'street', under: srv.places.district },
  });
  assert.equal(r.status, 201, r.text);
  const order = r.json.id;
  r = await post(srv, 'cmd103', `/api/v1/orders/${order}/targets/${srv.places.street}/forward`, {
    targets: { level: 'community', under: srv.places.street },
  });
  assert.equal(r.status, 201, r.text);
  // ---- cases (helper cases): a case with its household as contacts, for the chain ----
  r = await post(srv, 'admin', '/api/v1/cases', {
    person: ids[0],
    kind: 'confirmed',
    confirmed_at: new Date().toISOString(),
  });
  assert.equal(r.status, 201, r.text);
  const caseId = r.json.id;
  r = await post(srv, 'admin', `/api/v1/cases/${caseId}/contacts`, {
    household: true,
    last_exposure: new Date(Date.now() - 86400_000).toISOString(),
  });
  assert.equal(r.status, 200, r.text);
  // ---- end cases ----
  return { round, person: ids[0], building, grid: srv.places.grid, order, case: caseId };
}

// Every page a fixture role can open, with the user who opens it and the URL that shows
// it with data (d: what roundWithRecall returned), and what to do there first (act).
// Signed-out pages have no user.
function pageVisits(srv, d) {
  return [
    { page: 'signin', user: null, url: '/signin' },
    { page: 'overview', user: 'citycmd', url: '/overview' },
    { page: 'screening', user: 'cmd103', url: `/screening/${d.round}/${srv.places.district}` },
    { page: 'rollcall', user: 'grid1', url: `/rollcall?round=${d.round}&place=${srv.places.grid}` },
    { page: 'tasks', user: 'grid1', url: `/tasks?place=${srv.places.grid}` },
    { page: 'tasks-overdue', user: 'cmd103', url: `/tasks?place=${srv.places.community}` },
    { page: 'screening-building', user: 'grid1', url: `/screening/${d.round}/${d.building}` },
    { page: 'recalls', user: 'cmd103', url: `/recalls/${d.round}` },
    {
      page: 'people',
      user: 'operator1',
      url: '/people',
      // The list is empty until searched: search the user's own place.
      act: (page) => page.click('form.filters button[type=submit]'),
    },
    { page: 'person', user: 'operator1', url: `/people/${d.person}` },
    // ---- plans (helper plans)
    { page: 'keypersons', user: 'grid1', url: '/keypersons' },
    { page: 'file', user: 'grid1', url: `/people/${d.person}/file` },
    { page: 'sampler', user: 'sampler1', url: '/sampler' },
    { page: 'lab', user: 'lab1', url: '/lab' },
    { page: 'audit', user: 'auditor1', url: '/audit' },
    { page: 'orders', user: 'cmd103', url: '/orders' },
    { page: 'order', user: 'cmd103', url: `/orders/${d.order}` },
    // calls (helper calls): the board of a district, children and chart included.
    { page: 'calls', user: 'cmd103', url: '/calls' },
    // ---- forces (helper forces) ----
    { page: 'forces', user: 'cmd103', url: '/forces' },
    { page: 'ledger', user: 'cmd103', url: '/ledger' },
    // ---- posts (helper posts) ----
    { page: 'posts', user: 'cmd103', url: '/posts' },
    // ---- cases (helper cases) ----
    { page: 'cases', user: 'citycmd', url: '/cases' },
    { page: 'chain', user: 'citycmd', url: `/chains/${d.case}` },
    // ---- end cases ----
    { page: 'zones', user: 'cmd103', url: `/zones?place=${srv.places.district}` },
    { page: 'notFound', user: 'cmd103', url: '/no-such-page' },
  ];
}

const SIZES = [
  { width: 360, height: 740 },
  { width: 1440, height: 900 },
];
const LANGS = ['zh-CN', 'en'];

module.exports = { roundWithRecall, pageVisits, SIZES, LANGS };
