// Time to first search result on a later visit, when the resident has searched once before
// and the browser has kept what it may: the warm-cache run of bench/search.sh.
//   node bench/search_warm.mjs SITE_DIR PATH RESULT_SELECTOR [--prime PATH]
//        [--profile slow4g|3g|none] [--runs N]
// Serves and shapes the network exactly as ../shared/bench/search_latency.mjs does (one round
// trip per response, one shared download pipe, text types gzip -9, CPU slowed 4x on phone
// profiles), but answers the way an ordinary static host does for caching:
//   - a file whose name carries a content hash (carepages' `name.0123456789.ext`, Pagefind's
//     `en_0123abc.pf_index` and the like) is `Cache-Control: public, max-age=31536000,
//     immutable`: the browser keeps it and does not ask again;
//   - every other file is `no-cache` with an ETag: the browser asks again and gets an empty
//     304 when it has not changed, which still costs a round trip.
// Each run is a fresh browser context: it visits --prime (default PATH) and waits for its
// first result, untimed, then opens PATH in a new tab and times that visit. Prints one JSON
// line per run ({run, first, bytes, requests}), then the medians, like search_latency.mjs.
// Needs playwright-core (BARS_NODE = node_modules folder that has it) and Debian chromium.
import { createRequire } from 'module';
import crypto from 'crypto'; import http from 'http'; import fs from 'fs'; import path from 'path';
import zlib from 'zlib';
const require = createRequire((process.env.BARS_NODE || '/tmp/bars-node/node_modules') + '/');
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf('--' + name); return i >= 0 ? args.splice(i, 2)[1] : dflt; };
const profileName = opt('profile', 'slow4g'), runs = Number(opt('runs', '3'));
const [siteDir, urlPath, selector] = args;
const prime = opt('prime', null) || urlPath;
if (!selector) {
  console.error('usage: node search_warm.mjs SITE_DIR PATH RESULT_SELECTOR [--prime PATH] [--profile P] [--runs N]');
  process.exit(2);
}
const PROFILES = { // Chrome DevTools presets, as search_latency.mjs
  none: { latency: 0, rate: Infinity, cpu: 1 },
  slow4g: { latency: 562.5, rate: 180000, cpu: 4 },
  '3g': { latency: 2000, rate: 50000, cpu: 4 },
};
const profile = PROFILES[profileName];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A content hash in the file name: seven or more hex digits just before the extension.
const HASHED = /[._-][0-9a-f]{7,}\.[a-z_]+$/;

const root = path.resolve(siteDir);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.xml': 'application/xml',
  '.svg': 'image/svg+xml' };
const bodies = new Map();
let sent = 0, served = 0, pipeFreeAt = 0;
async function shapedWrite(res, body) {
  const CHUNK = 16384;
  for (let off = 0; off < body.length; off += CHUNK) {
    const part = body.subarray(off, off + CHUNK);
    if (profile.rate !== Infinity) {
      const start = Math.max(Date.now(), pipeFreeAt);
      pipeFreeAt = start + (part.length / profile.rate) * 1000;
      await sleep(pipeFreeAt - Date.now());
    }
    res.write(part); sent += part.length;
  }
  res.end();
}
const server = http.createServer(async (req, res) => {
  await sleep(profile.latency);
  served += 1;
  let f = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!f.startsWith(root)) { res.writeHead(403); return res.end(); }
  if (fs.existsSync(f) && fs.statSync(f).isDirectory()) f = path.join(f, 'index.html');
  if (!fs.existsSync(f)) { res.writeHead(404); return res.end(); }
  const ext = path.extname(f);
  const gzip = TYPES[ext] && /gzip/.test(req.headers['accept-encoding'] || '');
  const key = f + (gzip ? '.gz' : '');
  if (!bodies.has(key)) {
    const raw = fs.readFileSync(f);
    const body = gzip ? zlib.gzipSync(raw, { level: 9 }) : raw;
    bodies.set(key, { body, etag: '"' + crypto.createHash('sha256').update(body).digest('hex').slice(0, 16) + '"' });
  }
  const { body, etag } = bodies.get(key);
  const headers = {
    'content-type': TYPES[ext] || 'application/octet-stream',
    'cache-control': HASHED.test(f) ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag, vary: 'Accept-Encoding',
  };
  if (gzip) headers['content-encoding'] = 'gzip';
  if (req.headers['if-none-match'] === etag) { res.writeHead(304, headers); return res.end(); }
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  await shapedWrite(res, body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const results = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
    // The first visit, untimed: the resident searched once before.
    const first = await context.newPage();
    await first.goto(base + prime, { waitUntil: 'commit', timeout: 120000 });
    await first.locator(selector).first().waitFor({ state: 'visible', timeout: 120000 });
    await first.waitForLoadState('load');
    await sleep(2000); // let the browser finish writing its caches (compiled code included)
    await first.close();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
    sent = 0; served = 0; pipeFreeAt = 0;
    const t0 = Date.now();
    await page.goto(base + urlPath, { waitUntil: 'commit', timeout: 120000 });
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: 120000 });
    const run = { run: i + 1, first: Date.now() - t0, bytes: sent, requests: served };
    console.log(JSON.stringify(run));
    results.push(run);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log('median ' + JSON.stringify({ path: urlPath, profile: profileName + '-warm', runs,
  first_ms: median(results.map((r) => r.first)), bytes: median(results.map((r) => r.bytes)),
  requests: median(results.map((r) => r.requests)) }));
