// Lighthouse's mobile run (its default: a mid-range phone on a simulated slow 4G line) of
// pages of a built site, served as ordinary hosts serve it: text compressed with gzip, hashed
// assets cached for a year, pages revalidated.
//   node bench/lighthouse.mjs SITE_DIR [PATH ...]      (default: / and /search/?q=garden)
// Prints performance, accessibility, LCP, total blocking time and layout shift per page.
// Needs lighthouse (set BARS_NODE to the node_modules folder that has it) and Debian chromium.
import { createRequire } from 'module';
import http from 'http'; import fs from 'fs'; import path from 'path'; import zlib from 'zlib';
const require = createRequire((process.env.BARS_NODE || path.resolve('node_modules')) + '/');
const { default: lighthouse } = await import(require.resolve('lighthouse'));
const chromeLauncher = await import(require.resolve('chrome-launcher'));

const [siteDir, ...paths] = process.argv.slice(2);
if (!siteDir) { console.error('usage: node bench/lighthouse.mjs SITE_DIR [PATH ...]'); process.exit(2); }
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.xml': 'application/xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp' };
const server = http.createServer((req, res) => {
  let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (p.endsWith('/')) p += 'index.html';
  const file = path.join(siteDir, path.normalize(p));
  if (!file.startsWith(path.resolve(siteDir)) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    res.writeHead(404); res.end(); return;
  }
  const ext = path.extname(file);
  let body = fs.readFileSync(file);
  const headers = { 'content-type': TYPES[ext] || 'application/octet-stream',
    'cache-control': /\.[0-9a-f]{8,}\./.test(path.basename(file)) ? 'public, max-age=31536000, immutable' : 'no-cache' };
  if (/^(text|application\/(json|wasm|xml)|image\/svg)/.test(headers['content-type'])) {
    body = zlib.gzipSync(body, { level: 6 }); headers['content-encoding'] = 'gzip';
  }
  res.writeHead(200, headers); res.end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;

const chrome = await chromeLauncher.launch({ chromePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox'] });
try {
  for (const p of paths.length ? paths : ['/', '/search/?q=garden']) {
    const { lhr } = await lighthouse(`http://127.0.0.1:${port}${p}`,
      { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'] });
    const a = lhr.audits;
    console.log(JSON.stringify({ path: p, performance: Math.round(lhr.categories.performance.score * 100),
      accessibility: Math.round(lhr.categories.accessibility.score * 100),
      lcp_ms: Math.round(a['largest-contentful-paint'].numericValue),
      tbt_ms: Math.round(a['total-blocking-time'].numericValue),
      cls: Number(a['cumulative-layout-shift'].numericValue.toFixed(3)),
      fcp_ms: Math.round(a['first-contentful-paint'].numericValue) }));
  }
} finally {
  await chrome.kill();
  server.close();
}
