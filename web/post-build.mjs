// After `vite build`: writes the list of built files into dist/sw.js (so the service
// worker can cache the whole app shell at install), stamps it with a build id, and
// writes a gzip sibling of every text file for `muster serve` to send when accepted.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist');
const walk = (dir) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
for (const f of walk(dist)) if (f.endsWith('.gz')) fs.unlinkSync(f);
const files = walk(dist)
  .map((f) => '/' + path.relative(dist, f).split(path.sep).join('/'))
  .filter((f) => f !== '/sw.js' && f !== '/index.html')
  .sort();
const hash = crypto.createHash('sha256');
for (const f of files) hash.update(f);
hash.update(fs.readFileSync(path.join(dist, 'index.html')));
const swPath = path.join(dist, 'sw.js');
const sw = fs
  .readFileSync(swPath, 'utf8')
  .replace("'__BUILD__'", JSON.stringify(hash.digest('hex').slice(0, 12)))
  .replace('self.__FILES__ || []', JSON.stringify(files));
fs.writeFileSync(swPath, sw);
let js = 0;
for (const f of walk(dist)) {
  if (!/\.(js|css|html|svg|json|webmanifest)$/.test(f)) continue;
  const gz = zlib.gzipSync(fs.readFileSync(f), { level: 9 });
  fs.writeFileSync(f + '.gz', gz);
  if (f.endsWith('.js')) js += gz.length;
}
console.log(`web: ${files.length} files, JavaScript ${(js / 1024).toFixed(0)} KiB gzipped`);
