// Shared by the browser tests: build the demo site once, serve it on loopback, and drive
// Debian's Chromium through playwright-core.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Builds the bundled demo into a temporary folder (or uses CAREPAGES_SITE). */
export function buildDemo() {
  if (process.env.CAREPAGES_SITE) return process.env.CAREPAGES_SITE;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'carepages-browser-'));
  execFileSync('cargo', ['run', '--release', '--quiet', '--', 'build', '--today', '2026-11-25', '--output', out], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return out;
}

/**
 * The demo with Eastbrook's first language switched to Welsh, built by the release binary
 * (which CI has built by now; else cargo builds it). Returns the Welsh Eastbrook site folder.
 */
export function buildWelshDemo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepages-welsh-'));
  fs.cpSync(path.join(repo, 'content'), path.join(dir, 'content'), { recursive: true });
  const council = path.join(dir, 'content', 'councils', 'eastbrook.yaml');
  fs.writeFileSync(council, fs.readFileSync(council, 'utf8').replace('languages: [en]', 'languages: [cy]'));
  const args = ['build', '--today', '2026-11-25', '--content', path.join(dir, 'content'),
    '--output', path.join(dir, 'output'), '--themes', path.join(repo, 'themes')];
  const bin = path.join(repo, 'target', 'release', 'carepages');
  if (fs.existsSync(bin)) execFileSync(bin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  else execFileSync('cargo', ['run', '--release', '--quiet', '--', ...args], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(dir, 'output', 'eastbrook');
}

/** The carepages CLI's search, for comparing with the browser. */
export function cliSearch(site, council, query) {
  const bin = path.join(repo, 'target', 'release', 'carepages');
  const json = execFileSync(bin, ['search', '--council', council, '--output', site, '--json', ...query.split(' ')], { encoding: 'utf8' });
  return JSON.parse(json);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.wasm': 'application/wasm', '.xml': 'application/xml', '.txt': 'text/plain', '.jpg': 'image/jpeg', '.svg': 'image/svg+xml',
};

/**
 * Serves `root` on 127.0.0.1 the way a static host does. Resolves to { url, requests, close };
 * `requests` lists the path of every request, in order.
 */
export function serve(root) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(new URL(req.url, 'http://x').pathname);
    let rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404, { 'content-type': TYPES['.html'] });
      res.end(fs.existsSync(path.join(root, '404.html')) ? fs.readFileSync(path.join(root, '404.html')) : 'not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}`, requests, close: () => server.close() });
    });
  });
}

/** Launches headless Chromium with the flags this sandbox needs. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Runs axe-core for WCAG 2.2 AA on the current page; returns its violations. */
export async function axe(page) {
  await page.addScriptTag({ content: fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
