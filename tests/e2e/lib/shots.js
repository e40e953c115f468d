// Screenshots of every page at 360×740 and 1440×900, in Chinese and English, over the
// sweep's data (a round with scans, a positive pool and its recalls):
//   node tests/e2e/lib/shots.js DIR     (after `make web build/muster`)
// writes DIR/<page>-<width>-<lang>.png (full page) and prints each page's overflow.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { startAll, stopAll, newPage, signIn, overflow } = require('./browser.js');
const { roundWithRecall, pageVisits, SIZES, LANGS } = require('./city.js');

// Opens v (a pageVisits entry) in a fresh context and waits until it has settled.
async function open(env, v, size, locale) {
  const { context, page } = await newPage(env, { locale });
  await page.setViewportSize(size);
  if (v.user) await signIn(env, page, v.user);
  await page.goto(v.url);
  await page.waitForLoadState('networkidle').catch(() => {});
  if (v.act) {
    await v.act(page);
    await page.waitForLoadState('networkidle').catch(() => {});
  }
  await page.waitForTimeout(400); // charts animate in
  return { context, page };
}

async function main() {
  const dir = path.resolve(process.argv[2] || 'build/shots');
  fs.mkdirSync(dir, { recursive: true });
  const env = await startAll();
  try {
    const d = await roundWithRecall(env);
    for (const v of pageVisits(env.srv, d)) {
      for (const size of SIZES) {
        for (const locale of LANGS) {
          const { context, page } = await open(env, v, size, locale);
          const lang = locale.slice(0, 2);
          const file = path.join(dir, `${v.page}-${size.width}-${lang}.png`);
          await page.screenshot({ path: file, fullPage: true });
          console.log(`${path.basename(file)}\toverflow ${await overflow(page)} px`);
          await context.close();
        }
      }
    }
  } finally {
    await stopAll(env);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

module.exports = { open };
