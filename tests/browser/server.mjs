// The built site for the browser tests, and a tiny static web server that serves one
// council's folder on 127.0.0.1 the way a static host (GitHub Pages, S3, nginx) does:
// `/dir/` serves `/dir/index.html`, `/dir` redirects to `/dir/`, a missing file gets the
// site's 404.html with status 404, and every file gets its proper content type.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let built;

/**
 * The folder holding `<council>/` sites: `$CAREPAGES_SITE` if set, else the bundled demo
 * built once per process into a fresh temporary folder with a fixed `--today`.
 */
export function siteDir() {
  if (process.env.CAREPAGES_SITE) return path.resolve(process.env.CAREPAGES_SITE);
  if (built) return built;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'carepages-a11y-'));
  execFileSync('cargo', ['run', '--quiet', '--', 'build', '--today', '2026-11-25', '--output', out], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  built = out;
  process.once('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  return out;
}

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.woff2': 'font/woff2',
};

export function contentType(file) {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Serves `root` on 127.0.0.1 at a random free port.
 * Resolves to { url, port, requests, close() }; `requests` logs every [status, path].
 */
export function serve(root) {
  root = path.resolve(root);
  const requests = [];
  const server = http.createServer((req, res) => {
    const send = (status, file, headers = {}) => {
      requests.push([status, req.url]);
      const body = file ? fs.readFileSync(file) : Buffer.alloc(0);
      res.writeHead(status, {
        'content-type': file ? contentType(file) : 'text/plain; charset=utf-8',
        'content-length': body.length,
        'x-content-type-options': 'nosniff',
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const notFound = () => {
      const page = path.join(root, '404.html');
      if (isFile(page)) send(404, page);
      else {
        requests.push([404, req.url]);
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('not found');
      }
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      requests.push([405, req.url]);
      res.writeHead(405, { allow: 'GET, HEAD' });
      res.end();
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      notFound();
      return;
    }
    if (pathname.includes('\0')) {
      notFound();
      return;
    }
    const file = path.join(root, path.normalize(pathname));
    if (file !== root && !file.startsWith(root + path.sep)) {
      notFound();
      return;
    }
    if (pathname.endsWith('/')) {
      const index = path.join(file, 'index.html');
      if (isFile(index)) send(200, index);
      else notFound();
    } else if (isFile(file)) {
      send(200, file);
    } else if (isDir(file) && isFile(path.join(file, 'index.html'))) {
      const u = new URL(req.url, 'http://localhost');
      send(301, null, { location: u.pathname + '/' + u.search });
    } else {
      notFound();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        close: () => new Promise((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}
