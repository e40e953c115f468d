// The sampler's page on a phone-sized screen: a full tube scanned and sealed, then the
// network lost — more scans queued, the page reloaded from the service worker with the
// queue intact — and the network back: every scan reaches the server exactly once, even
// when the server's answer to a batch is lost on the way and the batch is sent again.
// And at 360×740 and 1440×900, in Chinese and English (issue 12 item 4): the tube counts
// only what the server accepted, each with its masked name; a refusal shows its reason
// beside the input in the page's language and never raises the count; a repeat is caught
// before it is sent; a scan queued offline shows as waiting, not sampled; the page fits
// the screen and has no serious accessibility violation.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { sql, musterOk } = require('../api/lib/server.js');
const { startAll, stopAll, newPage, signIn, shot, overflow, axeSerious, between } = require('./lib/browser.js');

let env;
let srv;
let round;
let codes; // personal codes of residents of S1's community (sampler1's place), in order
let names; // their names
let neighbour; // the personal code of a resident of another community of the district

// An 18-digit resident ID number with its check digit (GB 11643).
function idNumber(seq) {
  const body = `44010319900101${String(seq).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return body + '10X98765432'[sum % 11];
}
const NAMES = ['张三明', '李小红', '王大伟', '赵一凡', '钱多多', '孙晓东', '周子平', '吴国华', '郑海涛', '冯立新'];

before(async () => {
  env = await startAll();
  srv = env.srv;
  // S1's community holds a handful of people: twenty more move into one of its
  // households (imported between two servers), so a tube can be filled with its own.
  const hh = sql(
    srv.db,
    `SELECT code FROM places WHERE level = 7 AND code LIKE '${srv.places.community}%' ORDER BY code LIMIT 1`,
  )[0].code;
  const csv = path.join(srv.fx.dir, 'residents.csv');
  let text = 'id_type,id_number,name,sex,birth_date,phone,household_code\n';
  for (let i = 0; i < 20; i++)
    text += `resident_id,${idNumber(701 + 2 * i)},${NAMES[i % 10]},M,1990-01-01,1380013${String(8000 + i)},${hh}\n`;
  fs.writeFileSync(csv, text);
  srv = await between(env, () => musterOk(['import', 'people', csv, '--db', srv.db]));
  const s = await srv.as('staff103');
  const r = await srv.request('POST', '/api/v1/rounds', {
    session: s,
    body: { scope: srv.places.district, name: '采样测试', pool: 5 },
  });
  assert.equal(r.status, 201, r.text);
  round = r.json.round.id;
  const ids = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code = '${hh}' ORDER BY p.id DESC LIMIT 20`,
  )
    .map((x) => x.id)
    .reverse();
  codes = [];
  names = [];
  for (const id of ids) {
    const p = (await srv.get('admin', `/api/v1/people/${id}`)).json.person;
    codes.push(p.code);
    names.push(p.name);
  }
  const other = sql(
    srv.db,
    'SELECT p.id FROM people p JOIN places h ON h.id = p.household_id ' +
      `WHERE h.code LIKE '${srv.places.district}%' AND h.code NOT LIKE '${srv.places.community}%' ORDER BY p.id LIMIT 1`,
  )[0].id;
  neighbour = (await srv.get('admin', `/api/v1/people/${other}`)).json.person.code;
});
after(async () => stopAll(env));

// 张三明 → 张*明, as the server masks names.
function masked(name) {
  const c = [...name];
  return c.length === 1 ? '*' : c.length === 2 ? `${c[0]}*` : `${c[0]}${'*'.repeat(c.length - 2)}${c.at(-1)}`;
}

async function scanInto(page, name, value) {
  await page.fill(`input[name=${name}]`, value);
  await page.press(`input[name=${name}]`, 'Enter');
}

const queued = (page) => page.textContent('[data-test=queue-count]').then(Number);
// The queue's count is read from IndexedDB after each scan and at start: wait for it.
const waitQueued = (page, n) =>
  page.waitForFunction((k) => document.querySelector('[data-test=queue-count]')?.textContent === String(k), n);

test('sampler: a full tube, then offline scans survive a reload and arrive exactly once', async (t) => {
  const { context, page } = await newPage(env);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(t, page, async () => {
    await signIn(env, page, 'sampler1');
    await page.waitForURL(/\/sampler/);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.selectOption('[data-test=round]', String(round));
    await page.selectOption('[data-test=site]', 'S1');

    // A full tube: 5 of 5, sealed by the server.
    await scanInto(page, 'tube', 'SAMP-T1');
    assert.equal((await page.textContent('[data-test=fill]')).trim(), '0/5');
    for (const c of codes.slice(0, 5)) await scanInto(page, 'person', c);
    await page.waitForFunction(() => document.querySelector('[data-test=fill]').textContent.trim() === '5/5');
    await page.waitForFunction(() => document.querySelector('[data-test=queue-count]').textContent === '0');
    // Each accepted scan names its person, masked.
    const shown = await page.$$eval('[data-test=people] li .pname', (els) => els.map((e) => e.textContent.trim()));
    assert.deepEqual(shown, names.slice(0, 5).map(masked));
    // Scan ids in the UUIDv7 layout: version 7, variant 10, the first 48 bits now in ms.
    const ids = sql(
      srv.db,
      "SELECT s.scan_id FROM samples s JOIN tubes t ON t.id = s.tube_id WHERE t.barcode = 'SAMP-T1'",
    );
    for (const { scan_id: id } of ids) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      assert.ok(Math.abs(Date.now() - ms) < 600_000, `${id}: not a time-ordered id`);
    }
    const t1 = sql(srv.db, "SELECT state, n FROM tubes WHERE barcode = 'SAMP-T1'")[0];
    assert.deepEqual(t1, { state: 1, n: 5 }, 'the tube is full and sealed on the server');

    // Offline: three scans into the next tube wait on the device.
    await context.setOffline(true);
    await page.waitForSelector('[data-test=offline]');
    await page.click('[data-test=next-tube]');
    await scanInto(page, 'tube', 'SAMP-T2');
    for (const c of codes.slice(5, 8)) await scanInto(page, 'person', c);
    // Queued, not sampled: the tube counts what the server accepted only.
    await waitQueued(page, 3);
    await page.waitForFunction(() => document.querySelector('[data-test=inflight]')?.dataset.n === '3');
    assert.equal((await page.textContent('[data-test=fill]')).trim(), '0/5');

    // A reload with no network: the app shell comes from the service worker, the queue
    // and the tube from IndexedDB.
    await page.reload();
    await waitQueued(page, 3);
    await page.waitForFunction(() => document.querySelector('[data-test=inflight]')?.dataset.n === '3');
    assert.equal((await page.textContent('[data-test=fill]')).trim(), '0/5');
    assert.equal(sql(srv.db, "SELECT count(*) AS n FROM tubes WHERE barcode = 'SAMP-T2'")[0].n, 0, 'nothing sent yet');

    // Back online, and the server's first answer to the scans is lost: the batch is
    // recorded, the device does not know it and sends it again.
    let lost = 0;
    await page.route('**/api/v1/scans', async (route) => {
      if (lost === 0) {
        lost++;
        await route.fetch();
        await route.abort('failed');
      } else {
        await route.continue();
      }
    });
    await context.setOffline(false);
    await page.waitForFunction(() => document.querySelector('[data-test=queue-count]').textContent === '0', null, {
      timeout: 30_000,
    });
    assert.equal(lost, 1, 'one answer was lost on the way');
    await page.waitForFunction(() => document.querySelector('[data-test=fill]').textContent.trim() === '3/5');
    const rows = sql(
      srv.db,
      'SELECT t.barcode, count(*) AS n, count(DISTINCT s.scan_id) AS ids, count(DISTINCT s.person_id) AS people ' +
        "FROM samples s JOIN tubes t ON t.id = s.tube_id WHERE t.barcode LIKE 'SAMP-T%' GROUP BY t.barcode ORDER BY t.barcode",
    );
    assert.deepEqual(rows, [
      { barcode: 'SAMP-T1', n: 5, ids: 5, people: 5 },
      { barcode: 'SAMP-T2', n: 3, ids: 3, people: 3 },
    ]);
    assert.equal(await page.locator('[data-test=refused]').count(), 0, 'nothing refused');
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});

test('sampler: a malformed code is refused on the page and nothing is queued', async (t) => {
  const { context, page } = await newPage(env);
  await shot(t, page, async () => {
    await signIn(env, page, 'sampler1');
    await page.selectOption('[data-test=round]', String(round));
    await page.selectOption('[data-test=site]', 'S1');
    await scanInto(page, 'tube', 'SAMP-T3');
    await scanInto(page, 'person', 'not-a-code');
    await page.waitForSelector('[data-test=error]');
    assert.match(await page.textContent('[data-test=error]'), /26/);
    assert.equal(await queued(page), 0);
    assert.equal((await page.textContent('[data-test=fill]')).trim(), '0/5');
  });
  await context.close();
});

// The matrix of issue 12: two screens, two languages.
for (const [w, h, locale] of [
  [360, 740, 'zh-CN'],
  [1440, 900, 'zh-CN'],
  [360, 740, 'en-US'],
  [1440, 900, 'en-US'],
]) {
  test(`sampler ${w}×${h} ${locale}: refusals beside the input, repeats caught, queued not sampled`, async (t) => {
    const zh = locale === 'zh-CN';
    const i = [360, 1440].indexOf(w) + (zh ? 0 : 2); // this run's residents: 8 + 2i, 9 + 2i
    const [a, b] = codes.slice(8 + 2 * i, 10 + 2 * i);
    const [na, nb] = names.slice(8 + 2 * i, 10 + 2 * i);
    const { context, page } = await newPage(env, { locale });
    await page.setViewportSize({ width: w, height: h });
    const posts = [];
    page.on('request', (q) => {
      if (q.method() === 'POST' && q.url().endsWith('/api/v1/scans')) posts.push(q.postDataJSON());
    });
    const fill = () => page.textContent('[data-test=fill]').then((x) => x.trim());
    const samples = (tube) =>
      sql(srv.db, `SELECT count(*) AS n FROM samples s JOIN tubes t ON t.id = s.tube_id WHERE t.barcode = '${tube}'`)[0]
        .n;
    await shot(t, page, async () => {
      await signIn(env, page, 'sampler1');
      await page.waitForURL(/\/sampler/);
      await page.selectOption('[data-test=round]', String(round));
      await page.selectOption('[data-test=site]', 'S1');
      const tube1 = `MX${i}-1`;
      await scanInto(page, 'tube', tube1);

      // The placeholder of the person's field is not cut off.
      await page.waitForSelector('input[name=person]');
      const cut = await page.$eval('input[name=person]', (el) => {
        const cs = getComputedStyle(el);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        return ctx.measureText(el.placeholder).width - room;
      });
      assert.ok(cut <= 0, `the placeholder is cut by ${cut} px`);

      // A refused scan: its reason at once, beside the input, in the page's language;
      // the count stays.
      await scanInto(page, 'person', neighbour);
      await page.waitForSelector('[data-test=tube] [data-test=error]');
      const why = await page.textContent('[data-test=tube] [data-test=error]');
      if (zh) assert.match(why, /未采：查无此人/);
      else assert.match(why, /Not sampled: No such person/);
      assert.equal(await fill(), '0/5');
      assert.equal(
        await page.$eval('[data-test=people] li.refused .why', (e) => e.textContent).then((x) => x.length > 5),
        true,
      );
      assert.equal(samples(tube1), 0);

      // Accepted: counted, with the masked name.
      await scanInto(page, 'person', a);
      await page.waitForFunction(() => document.querySelector('[data-test=fill]').textContent.trim() === '1/5');
      await page.waitForFunction(
        (m) => document.querySelector('[data-test=message]')?.textContent.includes(m),
        masked(na),
      );
      assert.ok(!(await page.innerText('body')).includes(na), 'never the whole name');

      // The same person again into this tube: stopped here, nothing sent.
      const sent = posts.length;
      await scanInto(page, 'person', a);
      await page.waitForSelector('[data-test=tube] [data-test=error]');
      assert.match(
        await page.textContent('[data-test=tube] [data-test=error]'),
        zh ? /已在这支试管中/ : /already in this tube/,
      );
      assert.equal(posts.length, sent, 'a repeat into the same tube is not sent');
      assert.equal(await fill(), '1/5');

      // Sealed; in the next tube the same person is flagged before sending, and sent only
      // when the sampler says so — then the server's repeat is shown too.
      await page.click('[data-test=seal]');
      await page.click('[data-test=next-tube]');
      const tube2 = `MX${i}-2`;
      await scanInto(page, 'tube', tube2);
      await scanInto(page, 'person', a);
      await page.waitForSelector('[data-test=repeat]');
      assert.match(await page.textContent('[data-test=repeat]'), new RegExp(tube1));
      assert.equal(posts.length, sent, 'flagged before it is sent');
      assert.equal(await fill(), '0/5');
      await page.click('[data-test=repeat-yes]');
      await page.waitForFunction(() => document.querySelector('[data-test=fill]').textContent.trim() === '1/5');
      await page.waitForSelector('[data-test=people] li.ok .tag.warn');
      assert.equal(samples(tube2), 1);

      // Offline: queued, shown as waiting, not sampled; sampled once the network is back.
      await context.setOffline(true);
      await scanInto(page, 'person', b);
      await page.waitForFunction(() => document.querySelector('[data-test=inflight]')?.dataset.n === '1');
      assert.equal(await fill(), '1/5');
      assert.match(await page.textContent('[data-test=message]'), zh ? /联网后发送/ : /sent when online/);
      assert.equal(await page.locator('[data-test=people] li.queued').count(), 1);
      // (the contrast check runs online: the header's offline badge is not this page's)
      assert.equal(await overflow(page), 0, 'no horizontal overflow (offline, a refusal and a repeat shown)');
      await context.setOffline(false);
      await page.waitForFunction(() => document.querySelector('[data-test=fill]').textContent.trim() === '2/5', null, {
        timeout: 30_000,
      });
      await page.waitForFunction(
        (m) => [...document.querySelectorAll('[data-test=people] li.ok .pname')].some((e) => e.textContent === m),
        masked(nb),
      );
      assert.equal(await overflow(page), 0);
      assert.deepEqual(await axeSerious(page), []);
      assert.deepEqual(page.errors, []);
    });
    await context.close();
  });
}
