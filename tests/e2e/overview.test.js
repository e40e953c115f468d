// The overview of a finished district round (issue 12, items 2, 3, 5, 6, 9), at 360×740
// and 1440×900, in Chinese and English: the city's view counts only the district and
// names the districts outside the round; the positives and the people recalled are shown
// (the map's switch and its list of places), each figure named for what it counts; the
// projection says the round is complete; nothing overflows sideways and axe-core finds no
// serious violation. And a grid worker's start page is their grid and asks nothing it is
// refused (no 403 on load or on the 5 s poll).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious, siteToken } = require('./lib/browser.js');

let env;
let srv;
let round;
let site; // the token of a site at the district: a site samples its own place's people
let people; // the district's people, in the order they were sampled
const digits = (s) => Number(String(s).replace(/[^\d]/g, ''));

// The errors the page logs (a chart's formatter that throws is logged, not raised); a
// refused request is counted apart.
function consoleErrors(page) {
  const out = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) out.push(m.text());
  });
  return out;
}

// The colour at the middle of the treemap's canvas: not blank.
async function treemapPainted(page) {
  const px = await page.evaluate(() => {
    const c = document.querySelector('.grid2 canvas');
    return [...c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data];
  });
  return px[3] > 0 && !(px[0] === 255 && px[1] === 255 && px[2] === 255);
}

async function post(url, body, auth) {
  const r = await srv.request('POST', url, { body, ...auth });
  assert.ok(r.status < 300, `${url}: ${r.status} ${r.text}`);
  return r.json;
}

async function scan(list) {
  for (let i = 0; i < list.length; i += 1000) {
    const r = await post('/api/v1/scans', { scans: list.slice(i, i + 1000) }, { token: site });
    assert.ok(
      r.results.every((x) => x.status === 'ok'),
      JSON.stringify(r.results.filter((x) => x.status !== 'ok')),
    );
  }
}

async function result(tubes, outcome) {
  for (let i = 0; i < tubes.length; i += 1000) {
    const part = tubes.slice(i, i + 1000);
    const rc = await post('/api/v1/labs/L1/receipts', { tubes: part }, { token: srv.tokens.lab });
    assert.ok(rc.results.every((x) => x.status === 'ok'));
    const at = new Date().toISOString();
    const rs = await post(
      '/api/v1/results',
      { results: part.map((tube) => ({ tube, result: outcome(tube), at })) },
      { token: srv.tokens.lab },
    );
    assert.ok(rs.results.every((x) => x.status === 'ok'));
  }
}

// A round over district 440103, everyone in it sampled five to a tube (the test grid's
// first five in tube OV-0, which is positive), two of those five re-swabbed (one
// positive, one negative), then closed: 1 positive person, 3 recalled awaiting re-swab,
// 1 pool-positive tube, nobody left to sample.
before(async () => {
  env = await startAll();
  site = await siteToken(env, 'S-DIST', env.srv.places.district);
  srv = env.srv;
  const admin = { session: await srv.as('admin') };
  round = (await post('/api/v1/rounds', { scope: srv.places.district, name: '区级筛查', pool: 5 }, admin)).round.id;
  const ids = sql(
    srv.db,
    'SELECT p.id, h.code LIKE ' +
      `'${srv.places.grid}%' AS mine FROM people p JOIN places h ON h.id = p.household_id ` +
      `WHERE h.code LIKE '${srv.places.district}%' ORDER BY mine DESC, p.id`,
  ).map((x) => x.id);
  people = [];
  for (let i = 0; i < ids.length; i += 16) {
    const got = await Promise.all(ids.slice(i, i + 16).map((id) => srv.get('admin', `/api/v1/people/${id}`)));
    for (const g of got) people.push(g.json.person.code);
  }
  const at = new Date().toISOString();
  const tubeOf = (i) => `OV-${Math.floor(i / 5)}`;
  await scan(
    people.map((person, i) => ({ scan_id: crypto.randomUUID(), round, site: 'S-DIST', tube: tubeOf(i), person, at })),
  );
  const tubes = [...new Set(people.map((_, i) => tubeOf(i)))];
  if (people.length % 5) {
    const last = tubes[tubes.length - 1];
    await post(`/api/v1/tubes/${last}/seal`, {}, { token: site });
  }
  await result(tubes, (t) => (t === 'OV-0' ? 'positive' : 'negative'));
  await scan(
    [0, 1].map((i) => ({
      scan_id: crypto.randomUUID(),
      round,
      site: 'S-DIST',
      tube: `OV-R${i}`,
      person: people[i],
      at,
    })),
  );
  await result(['OV-R0', 'OV-R1'], (t) => (t === 'OV-R0' ? 'positive' : 'negative'));
  await post(`/api/v1/rounds/${round}/close`, {}, admin);
});
after(async () => stopAll(env));

test('the map colours: blue for coverage, red only for positives, and text at 4.5:1 on every tile', async () => {
  // The web's module, as the browser gets it (an ES module; this file is CommonJS).
  const src = fs.readFileSync(path.join(__dirname, '..', '..', 'web', 'src', 'lib', 'colour.js'), 'utf8');
  const { coverageScale, positivesColour, textOn, contrast, NO_POSITIVE, RECALL_ONLY } = await import(
    `data:text/javascript,${encodeURIComponent(src)}`
  );
  const rgb = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
  const colours = [NO_POSITIVE, RECALL_ONLY];
  for (let i = 0; i <= 100; i++) {
    const c = coverageScale(i / 100);
    const [r, , b] = rgb(c);
    assert.ok(b > r, `coverage ${i} % is blue, not red: ${c}`);
    colours.push(c);
  }
  assert.equal(coverageScale(0), '#eff3ff');
  assert.equal(coverageScale(1), '#08306b');
  assert.equal(coverageScale(NaN), coverageScale(0));
  for (let p = 1; p <= 30; p++) {
    const c = positivesColour(p, 0, 30);
    const [r, g, b] = rgb(c);
    assert.ok(r > g && r > b, `${p} positives are red: ${c}`);
    colours.push(c);
  }
  assert.equal(positivesColour(0, 3, 30), RECALL_ONLY);
  assert.equal(positivesColour(0, 0, 30), NO_POSITIVE);
  assert.equal(positivesColour(1, 0, 1), positivesColour(30, 0, 30), 'the most positives: the darkest red');
  for (const c of colours) assert.ok(contrast(c, textOn(c)) >= 4.5, `${textOn(c)} on ${c}: ${contrast(c, textOn(c))}`);
  assert.ok(Math.abs(contrast('#000000', '#ffffff') - 21) < 1e-9);
  assert.equal(textOn('#ffffff'), '#000000');
  assert.equal(textOn('#08306b'), '#ffffff');
});

const SIZES = [
  { width: 360, height: 740 },
  { width: 1440, height: 900 },
];
const LANGS = [
  {
    locale: 'zh-CN',
    title: (p) => `${p}态势`,
    out: '不在本轮范围',
    done: '已完成',
    none: '无阳性、无复核',
    hot: /阳性 1 · 复核 3/,
  },
  {
    locale: 'en-GB',
    title: (p) => `${p} overview`,
    out: 'Not in this round',
    done: 'Complete',
    none: 'No positive, no recall',
    hot: /1 positive · 3 recalled/,
  },
];
const nameOf = (code) => sql(srv.db, `SELECT name FROM places WHERE code = '${code}'`)[0].name;

for (const size of SIZES) {
  for (const lang of LANGS) {
    test(`a finished district round seen by the city's commander, ${size.width}×${size.height} ${lang.locale}`, async (t) => {
      const { context, page } = await newPage(env, { locale: lang.locale });
      await page.setViewportSize(size);
      const refused = [];
      page.on('response', (r) => r.status() === 403 && refused.push(r.url()));
      const logged = consoleErrors(page);
      await shot(t, page, async () => {
        await signIn(env, page, 'citycmd');
        await page.waitForSelector('[data-test=tile-projection]');
        await page.waitForSelector('section.overview[data-drawn=yes]');
        // The overview starts at the round's scope, and is titled with it.
        assert.equal((await page.innerText('main h1')).trim(), lang.title(nameOf(srv.places.district)));
        const tile = await page.innerText('[data-test=tile-coverage]');
        assert.match(tile, /100(\.0)?\s?%/);
        assert.ok(tile.includes(people.length.toLocaleString(lang.locale)), tile);
        // Each figure for what it counts.
        assert.equal(digits(await page.innerText('[data-test=tile-positives] b')), 1);
        assert.equal(digits(await page.innerText('[data-test=tile-recalls] b')), 3);
        assert.equal(digits(await page.innerText('[data-test=tile-pool] b')), 1);
        assert.ok(await page.getAttribute('[data-test=tile-positives]', 'title'));
        assert.ok(await page.getAttribute('[data-test=tile-recalls]', 'title'));
        assert.ok(await page.getAttribute('[data-test=tile-today]', 'title'));
        assert.doesNotMatch(await page.innerText('.tiles'), /确诊/);
        assert.match(await page.innerText('[data-test=tile-projection]'), new RegExp(lang.done));
        // The map's legend; then the positives, and the street that holds them.
        assert.ok((await page.innerText('[data-test=legend]')).includes('100'));
        assert.ok(await treemapPainted(page), 'the treemap is drawn');
        assert.equal(await overflow(page), 0, 'coverage: no horizontal overflow');
        assert.deepEqual(await axeSerious(page), []);
        await page.click('[data-test=mode-positives]');
        await page.waitForSelector('[data-test=hotspots]');
        assert.equal(await page.getAttribute('[data-test=mode-positives]', 'aria-pressed'), 'true');
        const street = sql(
          srv.db,
          `SELECT code FROM places WHERE level = 2 AND '${srv.places.grid}' LIKE code || '%'`,
        )[0].code;
        assert.equal(await page.locator('[data-test=hotspots] li').count(), 1);
        assert.match(await page.locator(`[data-test=hotspots] li[data-place="${street}"]`).innerText(), lang.hot);
        assert.match(await page.innerText('[data-test=legend]'), new RegExp(lang.none));
        assert.equal(await overflow(page), 0, 'positives: no horizontal overflow');
        assert.deepEqual(await axeSerious(page), []);

        // The city's view of the district round: the district only; the others say so.
        await page.goto(`/screening/${round}/${srv.places.city}`);
        await page.waitForSelector('[data-test=children]');
        assert.equal(digits(await page.innerText('[data-test=expected]')), people.length);
        assert.equal(
          await page
            .locator(`[data-test=children] tr[data-place="${srv.places.district}"] [data-col=expected]`)
            .innerText(),
          people.length.toLocaleString(lang.locale),
        );
        const outRows = await page.locator('[data-test=children] [data-col=out]').allInnerTexts();
        assert.equal(outRows.length, 10, 'the ten other districts');
        // Not linked: the round's drill-down of a place outside it would be refused.
        assert.equal(await page.locator(`[data-test=children] tr[data-place="${srv.places.other}"] a`).count(), 0);
        assert.ok(
          outRows.every((x) => x.trim() === lang.out),
          outRows.join('|'),
        );
        assert.equal(await overflow(page), 0, 'drill-down: no horizontal overflow');
        assert.deepEqual(await axeSerious(page), []);
        assert.deepEqual(refused, []);
        assert.deepEqual(logged, []);
        assert.deepEqual(page.errors, []);
      });
      await context.close();
    });
  }
}

test("a grid worker's start page is their grid, and nothing on it is refused, on load or on the poll", async (t) => {
  const { context, page } = await newPage(env);
  await page.setViewportSize(SIZES[0]);
  const refused = [];
  const asked = [];
  const logged = consoleErrors(page);
  page.on('response', (r) => {
    if (r.status() === 403) refused.push(r.url());
    if (r.url().includes('/api/')) asked.push(new URL(r.url()).pathname);
  });
  await shot(t, page, async () => {
    await signIn(env, page, 'grid1');
    await page.goto('/overview'); // a grid worker lands on the group's day (issue 13)
    await page.waitForSelector('section.overview[data-drawn=yes]');
    const grid = sql(srv.db, `SELECT name FROM places WHERE code = '${srv.places.grid}'`)[0].name;
    assert.equal((await page.innerText('main h1')).trim(), `${grid}态势`);
    assert.doesNotMatch(await page.innerText('body'), /城市态势/, 'nothing calls a grid the city');
    assert.equal(digits(await page.innerText('[data-test=tile-positives] b')), 1);
    assert.equal(digits(await page.innerText('[data-test=tile-recalls] b')), 3);
    // Two polls of the page's 5 s refresh.
    const n = asked.filter((p) => p.endsWith('/coverage')).length;
    for (let i = 0; i < 120 && asked.filter((p) => p.endsWith('/coverage')).length < n + 2; i++)
      await page.waitForTimeout(100);
    assert.ok(asked.filter((p) => p.endsWith('/coverage')).length >= n + 2, 'polled');
    assert.deepEqual(refused, []);
    assert.deepEqual(
      asked.filter((p) => /\/(day|progress)$/.test(p)),
      [],
      'the round-wide figures are not asked',
    );
    assert.ok(await treemapPainted(page), 'the treemap is drawn');
    assert.equal(await overflow(page), 0);
    assert.deepEqual(await axeSerious(page), []);
    assert.deepEqual(logged, []);
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('a refresh that cannot reach the server keeps the figures and marks them stale', async (t) => {
  const { context, page } = await newPage(env);
  await page.setViewportSize({ width: 360, height: 740 });
  await shot(t, page, async () => {
    await signIn(env, page, 'grid1');
    await page.goto('/overview'); // a grid worker lands on the group's day (issue 13)
    await page.waitForSelector('section.overview[data-drawn=yes]');
    assert.equal(await page.locator('[data-test=skeleton]').count(), 0, 'no skeleton once loaded');
    assert.equal(await page.locator('[data-test=stale]').count(), 0);
    const before = digits(await page.innerText('[data-test=tile-recalls] b'));
    await context.setOffline(true);
    // The next 5 s poll fails: the figures stay, said to be from the last good answer.
    await page.waitForSelector('[data-test=stale]', { timeout: 15_000 });
    assert.equal(digits(await page.innerText('[data-test=tile-recalls] b')), before);
    assert.equal(await page.locator('main [role=alert]').count(), 0, 'not an error: stale');
    await context.setOffline(false);
    await page.waitForSelector('[data-test=stale]', { state: 'detached', timeout: 15_000 });
    assert.equal(await overflow(page), 0);
  });
  await context.close();
});
