// The test server behaves like the static hosts the README names: index.html for folders,
// a redirect to add the trailing slash, 404.html with status 404, proper content types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './server.mjs';

test('the static test server serves a site folder the way a static host does', async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'carepages-serve-'));
  const root = path.join(parent, 'site');
  fs.mkdirSync(path.join(root, 'support', 'gardening'), { recursive: true });
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), '<h1>home</h1>');
  fs.writeFileSync(path.join(root, 'support', 'gardening', 'index.html'), '<h1>gardening</h1>');
  fs.writeFileSync(path.join(root, '404.html'), '<h1>not found</h1>');
  fs.writeFileSync(path.join(root, 'assets', 'engine.abc.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  fs.writeFileSync(path.join(root, 'assets', 'style.abc.css'), 'body{}');
  fs.writeFileSync(path.join(parent, 'carepages-secret.txt'), 'secret'); // outside the web root
  const server = await serve(root);
  try {
    const get = (p) => fetch(server.url + p, { redirect: 'manual' });
    let r = await get('/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.equal(await r.text(), '<h1>home</h1>');
    r = await get('/support/gardening/');
    assert.equal(await r.text(), '<h1>gardening</h1>');
    r = await get('/support/gardening?x=1');
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), '/support/gardening/?x=1');
    r = await get('/assets/engine.abc.wasm');
    assert.equal(r.headers.get('content-type'), 'application/wasm');
    r = await get('/assets/style.abc.css');
    assert.match(r.headers.get('content-type'), /^text\/css/);
    for (const missing of ['/nope/', '/support/nope/', '/nope.css', '/assets/', '/../carepages-secret.txt', '/%2e%2e/carepages-secret.txt']) {
      r = await get(missing);
      assert.equal(r.status, 404, missing);
      assert.equal(await r.text(), '<h1>not found</h1>', missing);
    }
    r = await fetch(server.url + '/', { method: 'HEAD' });
    assert.equal(r.status, 200);
  } finally {
    await server.close();
    fs.rmSync(parent, { recursive: true, force: true });
  }
});
