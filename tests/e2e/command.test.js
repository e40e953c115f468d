// The command centre in the browser: sign-in and sign-out, the overview, the drill-down
// from the city to a building with every figure checked against the API, the roll-call
// exported as CSV and .xlsx and read back, the recall list, a person's QR page, both
// languages without an untranslated key, and a grid worker kept out of another district.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const ExcelJS = require('exceljs');
const { sql } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, axeSerious } = require('./lib/browser.js');
const { roundWithRecall } = require('./lib/city.js');

let env;
let srv;
let round;
let chain; // codes from the city down to the test grid, and a building of it

const digits = (s) => Number(String(s).replace(/[^\d]/g, ''));

// The place codes from the city to place, and the parent of each.
function pathOf(code) {
  const out = [];
  let row = sql(srv.db, `SELECT id, parent_id, code FROM places WHERE code = '${code}'`)[0];
  while (row) {
    out.unshift(row.code);
    row = row.parent_id ? sql(srv.db, `SELECT id, parent_id, code FROM places WHERE id = ${row.parent_id}`)[0] : null;
  }
  return out;
}

// A round over the city; five people of the test grid in one tube, sampled at the grid's
// own site, which turns out positive: five recalls (lib/city.js, shared with the sweep).
before(async () => {
  env = await startAll();
  const d = await roundWithRecall(env);
  srv = env.srv;
  round = d.round;
  chain = pathOf(d.building);
});
after(async () => stopAll(env));

test('sign in: a wrong password is refused on the page; sign out ends the session', async (t) => {
  const { context, page } = await newPage(env);
  await shot(t, page, async () => {
    await page.goto('/overview');
    await page.waitForURL(/\/signin/);
    await page.fill('input[name=username]', 'cmd103');
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-test=signin-error]');
    assert.match(await page.textContent('[data-test=signin-error]'), /用户名或密码错误/);
    await signIn(env, page, 'cmd103');
    assert.match(page.url(), /\/overview/);
    await page.waitForSelector('[data-test=who]');
    assert.match(await page.textContent('[data-test=who]'), /cmd103/);
    await page.click('[data-test=signout]');
    await page.waitForURL(/\/signin/);
    await page.goto('/overview');
    await page.waitForURL(/\/signin/);
    const r = await page.evaluate(() => fetch('/api/v1/session').then((x) => x.status));
    assert.equal(r, 401, 'the session is over on the server');
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('overview: tiles and treemap of the round, figures as the API gives them', async (t) => {
  const { context, page } = await newPage(env);
  const asked = []; // the coverage requests the page makes
  page.on('request', (q) => {
    if (/\/api\/v1\/rounds\/\d+\/coverage\?/.test(q.url())) asked.push(new URL(q.url()).search);
  });
  await shot(t, page, async () => {
    await signIn(env, page, 'citycmd');
    await page.waitForSelector('[data-test=tile-coverage]');
    await page.waitForSelector('section.overview[data-drawn=yes]');
    // One request for the city with two levels below it (the treemap's), not one per district.
    assert.deepEqual(asked, [`?place=${srv.places.city}&depth=2`]);
    const cov = (await srv.get('citycmd', `/api/v1/rounds/${round}/coverage?place=${srv.places.city}`)).json;
    const tile = await page.textContent('[data-test=tile-coverage]');
    assert.ok(
      tile.includes(cov.sampled.toLocaleString('zh-CN')) && tile.includes(cov.expected.toLocaleString('zh-CN')),
      tile,
    );
    assert.equal(digits(await page.textContent('[data-test=tile-positives] b')), 0);
    assert.equal(digits(await page.textContent('[data-test=tile-recalls] b')), 5);
    assert.equal(digits(await page.textContent('[data-test=tile-today] b')), 5);
    assert.equal((await page.locator('canvas').count()) >= 2, true, 'treemap and hourly chart drawn');
    // The next refresh (every 5 s) asks once again.
    for (let i = 0; i < 80 && asked.length < 2; i++) await page.waitForTimeout(100);
    await page.waitForTimeout(300);
    assert.deepEqual(asked, Array(2).fill(`?place=${srv.places.city}&depth=2`));
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('overview: a place name in the treemap tooltip is text, never markup (issue 11 item 20)', async (t) => {
  const { context, page } = await newPage(env);
  const evil = '<img id=xss src=x onerror=alert(1)><b>区</b>';
  // Names come from the API; the page is given hostile ones without touching the server.
  await page.route(/\/api\/v1\/rounds\/\d+\/coverage\?/, async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    for (const k of body.children || []) {
      k.name = evil;
      for (const g of k.children || []) g.name = evil;
    }
    await route.fulfill({ response: res, json: body });
  });
  await shot(t, page, async () => {
    await signIn(env, page, 'citycmd');
    await page.waitForSelector('section.overview[data-drawn=yes]');
    // The wartime board and the longer nav push the map below a desk's fold: hover it
    // where it is.
    await page.locator('canvas').first().scrollIntoViewIfNeeded();
    const box = await page.locator('canvas').first().boundingBox();
    let tip = '';
    for (let i = 0; i < 20 && !tip.includes('区'); i++) {
      await page.mouse.move(box.x + box.width / 2 + i, box.y + box.height / 2 + i);
      await page.waitForTimeout(150);
      tip = await page.evaluate(() =>
        [...document.querySelectorAll('div')]
          .filter((d) => d.style.pointerEvents === 'none' && d.textContent.includes('区'))
          .map((d) => d.textContent)
          .join('|'),
      );
    }
    assert.ok(tip.includes('<img id=xss'), `the tooltip shows the name as text: ${tip}`);
    assert.equal(await page.locator('#xss').count(), 0, 'no element made of a name');
    assert.equal(await page.locator('div b', { hasText: '区' }).count(), 0, 'no markup made of a name');
  });
  await context.close();
});

test("drill-down from the city to a building: every figure equals the API's", async (t) => {
  const { context, page } = await newPage(env);
  await shot(t, page, async () => {
    await signIn(env, page, 'citycmd');
    await page.goto(`/screening/${round}/${chain[0]}`);
    for (let i = 0; i < chain.length; i++) {
      const code = chain[i];
      if (i > 0) {
        await page.click(`[data-test=children] tr[data-place="${code}"] a`);
        await page.waitForURL(new RegExp(`/screening/${round}/${code}$`));
      }
      const cov = (await srv.get('citycmd', `/api/v1/rounds/${round}/coverage?place=${code}`)).json;
      await page.waitForFunction((c) => document.querySelector('[data-test=crumbs] b')?.textContent === c, cov.name);
      assert.equal(digits(await page.textContent('[data-test=expected]')), cov.expected, `${code} expected`);
      assert.equal(digits(await page.textContent('[data-test=sampled]')), cov.sampled, `${code} sampled`);
      assert.equal(
        digits(await page.textContent('[data-test=missing]')),
        cov.expected - cov.sampled,
        `${code} missing`,
      );
      const rows = await page.$$eval('[data-test=children] tbody tr', (trs) =>
        trs.map((tr) => ({
          place: tr.dataset.place,
          expected: tr.querySelector('[data-col=expected]').textContent,
          sampled: tr.querySelector('[data-col=sampled]').textContent,
        })),
      );
      assert.equal(rows.length, cov.children.length, `${code}: one row per child`);
      for (const [j, k] of cov.children.entries()) {
        assert.equal(rows[j].place, k.place);
        assert.equal(digits(rows[j].expected), k.expected, `${k.place} expected`);
        assert.equal(digits(rows[j].sampled), k.sampled, `${k.place} sampled`);
      }
      // Breadcrumbs: one per level down to here.
      assert.equal(await page.locator('[data-test=crumbs] a, [data-test=crumbs] b').count(), i + 1);
    }
    assert.equal(await page.locator('[data-test=rollcall]').count(), 1, 'a building shows its roll-call');
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test("roll-call of a grid: exported as CSV and .xlsx, read back equal to the API's list", async (t) => {
  const { context, page } = await newPage(env);
  const grid = srv.places.grid;
  await shot(t, page, async () => {
    await signIn(env, page, 'grid1');
    // The roll-call is a page of its own, linked from the drill-down.
    await page.goto(`/screening/${round}/${grid}`);
    await page.click('[data-test=rollcall-link]');
    await page.waitForURL(/\/rollcall\?/);
    await page.waitForSelector('[data-person]');
    await page.click('.rc-tools summary');
    let api = [];
    let cursor = null;
    do {
      const r = await srv.get(
        'grid1',
        `/api/v1/rounds/${round}/missing?place=${grid}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
      );
      api = api.concat(r.json.missing);
      cursor = r.json.cursor;
    } while (cursor);
    assert.ok(api.length >= 1, 'the grid has people missing');

    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export-csv]')]);
    assert.match(csvDl.suggestedFilename(), new RegExp(`^rollcall-${round}-${grid}-\\d{8}-\\d{4}\\.csv$`));
    const csv = fs.readFileSync(await csvDl.path(), 'utf8');
    assert.ok(csv.startsWith('\ufeff'), 'a byte-order mark for Excel');
    const lines = csv.slice(1).trim().split('\r\n');
    assert.equal(lines[0], '小区,楼栋,户,姓名,居民编号');
    assert.equal(lines.length - 1, api.length);
    const byId = new Map(api.map((m) => [String(m.person_id), m]));
    for (const line of lines.slice(1)) {
      // Names, not codes: nothing here is a long digit string that Excel would mangle.
      const [compound, building, household, name, id] = line.split(',');
      const m = byId.get(id);
      assert.ok(m, `person ${id} is not missing per the API`);
      assert.deepEqual(
        [compound, building, household, name],
        [m.compound_name, m.building_name, m.household_name, m.name],
      );
    }

    const [xlsxDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export-xlsx]')]);
    assert.match(xlsxDl.suggestedFilename(), /\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await xlsxDl.path());
    const ws = wb.worksheets[0];
    assert.equal(ws.rowCount - 1, api.length);
    assert.equal(ws.getRow(1).getCell(4).value, '姓名');
    const ids = [];
    ws.eachRow((row, n) => {
      if (n > 1) ids.push(String(row.getCell(5).value));
    });
    assert.deepEqual(ids.sort(), api.map((m) => String(m.person_id)).sort());
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('recall list: the five pool-positive people of the grid, pending; their record with a QR code', async (t) => {
  const { context, page } = await newPage(env);
  await shot(t, page, async () => {
    await signIn(env, page, 'grid1');
    await page.goto(`/recalls/${round}?place=${srv.places.grid}&status=pending`);
    await page.waitForSelector(`[data-grid="${srv.places.grid}"] tbody tr`);
    const people = await page.$$eval('tr[data-person]', (trs) => trs.map((tr) => tr.dataset.person));
    const api = (await srv.get('grid1', `/api/v1/rounds/${round}/recalls?place=${srv.places.grid}&status=pending`)).json
      .recalls;
    assert.equal(people.length, 5);
    assert.deepEqual(people.sort(), api.map((r) => String(r.person_id)).sort());
    await page.click(`tr[data-person="${people[0]}"] a`);
    await page.waitForURL(new RegExp(`/people/${people[0]}$`));
    await page.waitForSelector('[data-test=qr]');
    await page.waitForFunction(() => document.querySelector('[data-test=qr]').naturalWidth > 0);
    const code = (await srv.get('grid1', `/api/v1/people/${people[0]}`)).json.person.code;
    assert.equal((await page.textContent('[data-test=code]')).trim(), code);
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('recalls on a phone: cards titled by name, homes by name, a phone to call; the place picked by name (issue 12 item 8)', async (t) => {
  const { context, page } = await newPage(env);
  await page.setViewportSize({ width: 360, height: 740 });
  await shot(t, page, async () => {
    await signIn(env, page, 'cmd103');
    await page.goto(`/recalls/${round}?status=pending`);
    await page.waitForSelector(`[data-grid="${srv.places.grid}"] tbody tr`);
    const api = (await srv.get('cmd103', `/api/v1/rounds/${round}/recalls?place=${srv.places.grid}&status=pending`))
      .json.recalls;
    const card = page.locator(`[data-grid="${srv.places.grid}"]`);
    assert.match(await card.locator('[data-test=grid-name]').innerText(), new RegExp(api[0].grid_name));
    for (const r of api) {
      const row = card.locator(`tr[data-person="${r.person_id}"]`);
      assert.equal(
        (await row.locator('[data-test=home]').innerText()).trim(),
        `${r.building_name} · ${r.household_name}`,
      );
      assert.equal(await row.locator('[data-test=phone] a').getAttribute('href'), `tel:${r.phone}`);
    }
    assert.doesNotMatch(await card.innerText(), /\d{12,}/, 'no place code where a name exists');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0);
    // The district's streets by name, down to the grid: no code typed.
    await page.click('[data-test=place-open]');
    await page.waitForSelector('[data-test=place-child]');
    assert.deepEqual(await axeSerious(page), [], 'the open picker');
    for (const code of chain.slice(2, 5)) {
      const name = sql(srv.db, `SELECT name FROM places WHERE code = '${code}'`)[0].name;
      await page.fill('[data-test=place-filter]', name);
      await page.click(`[data-test=place-child][data-code="${code}"]`);
      await page.waitForSelector(`.picker-panel .chip.on:has-text("${name}")`);
    }
    await page.click('[data-test=place-choose]');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(new RegExp(`place=${srv.places.grid}`));
    assert.match(await page.textContent('[data-test=place-open]'), new RegExp(api[0].grid_name));
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('both languages: switching changes every label, no key left untranslated', async (t) => {
  const { context, page } = await newPage(env, { locale: 'en-GB' });
  const KEY =
    /\b(app|nav|role|level|signin|err|round|ov|cov|scr|roll|rc|rec|ppl|person|samp|scan|lab|audit)\.[a-zA-Z]+/;
  await shot(t, page, async () => {
    await page.goto('/signin');
    assert.equal(await page.textContent('h1'), 'Sign in', 'English chosen from the browser');
    await signIn(env, page, 'citycmd');
    const pages = [
      '/overview',
      `/screening/${round}/${srv.places.grid}`,
      `/rollcall?round=${round}&place=${srv.places.grid}`,
      `/recalls/${round}?place=${srv.places.grid}&status=`,
      '/people',
    ];
    for (const lang of ['en', 'zh-CN']) {
      await page.selectOption('[data-test=lang]', lang);
      for (const p of pages) {
        await page.goto(p);
        await page.waitForSelector('main h1');
        await page.waitForLoadState('networkidle');
        const text = await page.innerText('body');
        assert.doesNotMatch(text, KEY, `${lang} ${p}: an untranslated key`);
      }
      await page.goto('/overview');
      await page.waitForSelector('main h1');
      const h1 = await page.innerText('main h1');
      assert.equal(h1.trim(), lang === 'en' ? 'City overview' : '城市态势');
    }
    const missing = await page.evaluate(() => window.__musterMissing);
    assert.deepEqual(missing, [], 'keys without a translation');
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('a grid worker sees only their pages and is refused another district', async (t) => {
  const { context, page } = await newPage(env);
  await shot(t, page, async () => {
    await signIn(env, page, 'grid1');
    const nav = await page.$$eval('[data-nav]', (as) => as.map((a) => a.dataset.nav));
    // The group's day heads a grid worker's nav and is where they land (issue 13); then
    // the field pages of issues 12–14 a grid worker may open.
    assert.deepEqual(nav, [
      'tasks',
      'overview',
      'rollcall',
      'calls',
      'people',
      'keypersons',
      'orders',
      'zones',
      'posts',
    ]);
    await page.goto(`/screening/${round}/${srv.places.other}`);
    await page.waitForSelector('[data-test=error]');
    assert.match(await page.textContent('[data-test=error]'), /无权/);
    assert.equal(await page.locator('[data-test=children]').count(), 0, 'no figures of 440106 shown');
    // Its own grid: the places above it are named in the breadcrumbs but not linked.
    await page.goto(`/screening/${round}/${srv.places.grid}`);
    await page.waitForSelector('[data-test=crumbs] b');
    assert.equal(await page.locator('[data-test=crumbs] a').count(), 0);
    assert.equal((await page.locator('[data-test=crumbs] > span:not(:empty)').count()) >= 4, true);
    await page.goto('/lab');
    await page.waitForURL(/\/tasks/);
    await page.goto('/overview');
    await page.waitForSelector('[data-test=tile-coverage]');
    // The overview starts at the grid worker's own grid.
    const cov = (await srv.get('grid1', `/api/v1/rounds/${round}/coverage?place=${srv.places.grid}`)).json;
    assert.match(await page.textContent('[data-test=tile-coverage]'), new RegExp(cov.expected.toLocaleString('zh-CN')));
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});
