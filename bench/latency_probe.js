// A paced latency probe for coverage-live: GETs at a fixed rate (open loop: a request is
// sent every 1/RATE s whatever the answers do, over a few keep-alive connections), each
// timed from send to the last byte, as a command centre's screens poll. Usage:
//   node bench/latency_probe.js URL PATHS_FILE|- RATE SECONDS [COOKIE]
// PATHS_FILE lists request paths ("-": /bench/hello). Prints JSON: n, errors, p50/p90/p99 ms.
'use strict';

const http = require('node:http');
const fs = require('node:fs');

const [url, pathsFile, rateArg, secsArg, cookie] = process.argv.slice(2);
const paths = pathsFile === '-' ? ['/bench/hello'] : fs.readFileSync(pathsFile, 'utf8').trim().split('\n');
const rate = Number(rateArg);
const secs = Number(secsArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const lat = [];
let errors = 0;
let inflight = 0;

function one() {
  const p = paths[Math.floor(Math.random() * paths.length)];
  const t0 = process.hrtime.bigint();
  inflight++;
  const req = http.get(url + p, { agent, headers: cookie ? { Cookie: cookie } : {} }, (res) => {
    res.resume();
    res.on('end', () => {
      inflight--;
      if (res.statusCode !== 200) errors++;
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
  req.on('error', () => { inflight--; errors++; });
}

const start = Date.now();
let sent = 0;
const timer = setInterval(() => {
  const due = Math.floor(((Date.now() - start) / 1000) * rate);
  while (sent < due) { one(); sent++; }
  if (Date.now() - start >= secs * 1000) {
    clearInterval(timer);
    const wait = setInterval(() => {
      if (inflight > 0) return;
      clearInterval(wait);
      lat.sort((a, b) => a - b);
      const q = (x) => lat[Math.min(lat.length - 1, Math.ceil(x * lat.length) - 1)];
      console.log(JSON.stringify({ n: lat.length, errors, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat[lat.length - 1] }));
      agent.destroy();
    }, 20);
  }
}, 2);
