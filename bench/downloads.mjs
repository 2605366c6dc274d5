// What a search page downloads before its first result, file by file, plus any browser
// console errors; and (with --query-time) how long queries take in Chromium once loaded.
//
//   node bench/downloads.mjs SITE_DIR PATH RESULT_SELECTOR [--query-time carepages|pagefind]
//
// Serves SITE_DIR on loopback exactly as ../shared/bench/search_latency.mjs does (text types
// gzip -9, everything else as stored) but without network shaping or CPU throttling, and logs
// each request: path, content-encoding and bytes sent. Prints one JSON line:
//   { first_ms, requests: [{path, encoding, bytes}], bytes, errors: [...], query: {...} }
// "requests" stops at the moment RESULT_SELECTOR becomes visible, like search_latency.mjs.
//
// --query-time carepages: on a blank same-origin page without the search page's CSP, loads the
//   site's search.js glue, engine and index the way the search page does, then times
//   engine.search() for a fixed query list: "cold" is the first time a term is searched,
//   "ms" the median of 50 repeats.
// --query-time pagefind: imports the site's /pagefind/pagefind.js, inits it, then times
//   pagefind.search(term) plus .data() of the first hit; "cold" is the first time a term is
//   searched (fetches its index chunk and fragment over unshaped loopback), "warm" the median
//   of 20 repeats.
// Needs playwright-core (BARS_NODE = node_modules folder that has it) and Debian chromium.
import { createRequire } from 'module';
import http from 'http'; import fs from 'fs'; import path from 'path'; import zlib from 'zlib';
const require = createRequire((process.env.BARS_NODE || '/tmp/bars-node/node_modules') + '/');
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf('--' + name); return i >= 0 ? args.splice(i, 2)[1] : dflt; };
const queryTime = opt('query-time', null);
const [siteDir, urlPath, selector] = args;
if (!selector) { console.error('usage: node downloads.mjs SITE_DIR PATH RESULT_SELECTOR [--query-time carepages|pagefind]'); process.exit(2); }

const QUERIES = ['gardening', 'dementia', 'gardning', 'home help taunton', 'respite', 'TA1 2PQ', 'befreinding'];

const root = path.resolve(siteDir);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.xml': 'application/xml',
  '.svg': 'image/svg+xml' };
const gz = new Map();
let log = [], late = [], logging = true; // late: 404s after the first result
const server = http.createServer((req, res) => {
  const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (p === '/__blank__') { res.writeHead(200, { 'content-type': 'text/html' }); return res.end('<!doctype html><title>blank</title>'); }
  let f = path.join(root, p);
  if (!f.startsWith(root)) { res.writeHead(403); return res.end(); }
  if (fs.existsSync(f) && fs.statSync(f).isDirectory()) f = path.join(f, 'index.html');
  if (!fs.existsSync(f)) { (logging ? log : late).push({ path: p, status: 404, bytes: 0 }); res.writeHead(404); return res.end(); }
  const ext = path.extname(f);
  let body = fs.readFileSync(f);
  const headers = { 'content-type': TYPES[ext] || 'application/octet-stream', 'cache-control': 'no-cache' };
  let encoding = 'identity';
  if (TYPES[ext] && /gzip/.test(req.headers['accept-encoding'] || '')) {
    if (!gz.has(f)) gz.set(f, zlib.gzipSync(body, { level: 9 }));
    body = gz.get(f); headers['content-encoding'] = encoding = 'gzip';
  }
  headers['content-length'] = body.length;
  if (logging) log.push({ path: p, encoding, bytes: body.length });
  res.writeHead(200, headers);
  res.end(body);
});
await new Promise(r => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const out = {};
try {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
  const page = await context.newPage();
  const errors = [];
  page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', e => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', r => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  const t0 = Date.now();
  await page.goto(base + urlPath, { waitUntil: 'commit', timeout: 60000 });
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: 60000 });
    out.first_ms = Date.now() - t0;
  } catch (e) {
    out.first_ms = null;
    errors.push('first result never appeared: ' + e.message.split('\n')[0]);
    out.status_text = await page.evaluate(() => document.body.innerText.slice(0, 500)).catch(() => null);
  }
  logging = false;
  out.requests = log;
  out.bytes = log.reduce((s, r) => s + r.bytes, 0);
  out.first_result = out.first_ms === null ? null : (await page.locator(selector).first().innerText()).split('\n')[0];
  await page.waitForTimeout(500); // late console errors
  out.errors = [...errors]; // a copy: the query timing below loads a blank page (and its favicon)
  out.late_404s = late.map(r => r.path);

  if (queryTime === 'carepages') {
    const html = fs.readFileSync(path.join(root, urlPath.split('?')[0], 'index.html'), 'utf8');
    const engine = '/' + html.match(/data-engine="\.\.\/([^"]+)"/)[1];
    const index = '/' + html.match(/data-index="\.\.\/([^"]+)"/)[1];
    const glue = '/' + html.match(/src="\.\.\/(assets\/search\.[^"]+\.js)"/)[1];
    await page.goto(base + '/__blank__'); // served by this script: same origin, no CSP
    out.query = await page.evaluate(async ([engineUrl, indexUrl, glueUrl, queries]) => {
      const module = { exports: {} };
      // The glue exports engineFrom when there is no document (as in Node).
      new Function('module', 'document', await (await fetch(glueUrl)).text())(module, undefined);
      const [eng, idx] = await Promise.all([fetch(engineUrl), fetch(indexUrl).then(r => r.arrayBuffer())]);
      let t = performance.now();
      const { instance } = await WebAssembly.instantiateStreaming(eng, {});
      const compile_ms = performance.now() - t;
      t = performance.now();
      const e = module.exports.engineFrom(instance, new Uint8Array(idx));
      const open_ms = performance.now() - t;
      const per = {};
      for (const q of queries) {
        let s0 = performance.now();
        const first = e.search({ text: q, limit: 20 });
        const cold = performance.now() - s0;
        const times = [];
        for (let i = 0; i < 50; i++) { const s = performance.now(); e.search({ text: q, limit: 20 }); times.push(performance.now() - s); }
        times.sort((a, b) => a - b);
        per[q] = { cold_ms: +cold.toFixed(1), ms: +times[25].toFixed(3), total: first.total, top: first.hits[0] ? (first.hits[0].name || first.hits[0].title || first.hits[0].url) : null };
      }
      return { compile_ms: +compile_ms.toFixed(1), open_ms: +open_ms.toFixed(1), per_query: per };
    }, [engine, index, glue, QUERIES]);
  } else if (queryTime === 'pagefind') {
    out.query = await page.evaluate(async (queries) => {
      const pf = await import('/pagefind/pagefind.js');
      let t = performance.now();
      await pf.init();
      const init_ms = performance.now() - t;
      const per = {};
      for (const q of queries) {
        t = performance.now();
        let r = await pf.search(q);
        const top = r.results[0] ? await r.results[0].data() : null;
        const cold = performance.now() - t;
        const times = [];
        for (let i = 0; i < 20; i++) {
          const s = performance.now();
          r = await pf.search(q);
          if (r.results[0]) await r.results[0].data();
          times.push(performance.now() - s);
        }
        times.sort((a, b) => a - b);
        per[q] = { cold_ms: +cold.toFixed(1), ms: +times[10].toFixed(3), total: r.results.length, top: top ? top.meta.title : null };
      }
      return { init_ms: +init_ms.toFixed(1), per_query: per };
    }, QUERIES);
  }
  await context.close();
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(out));
