// The built browser engine, driven through the page's own glue (themes/default/static/search.js), on the
// fixture index the Rust unit tests search.
//
//   node --test crates/search-wasm/tests/
//
// Builds the fixture index with `cargo run --example make-fixture-index` unless
// CAREPAGES_FIXTURE_INDEX names one. CAREPAGES_ENGINE and CAREPAGES_SEARCH_JS override where
// the engine and the glue are found.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const crate = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const enginePath = process.env.CAREPAGES_ENGINE || path.join(crate, 'dist', 'carepages-search.wasm');
const gluePath = process.env.CAREPAGES_SEARCH_JS || path.resolve(crate, '..', '..', 'themes', 'default', 'static', 'search.js');

let glue;
let engine;

// search.js is a classic browser script; run it the way a page would, minus the page.
function loadGlue() {
  const sandbox = { module: { exports: {} }, TextEncoder, TextDecoder, WebAssembly, URL, console };
  vm.runInNewContext(fs.readFileSync(gluePath, 'utf8'), sandbox, { filename: gluePath });
  return sandbox.module.exports;
}

function fixtureIndex() {
  if (process.env.CAREPAGES_FIXTURE_INDEX) return fs.readFileSync(process.env.CAREPAGES_FIXTURE_INDEX);
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'carepages-')), 'fixture-index.wasm');
  execFileSync('cargo', ['run', '--quiet', '-p', 'carepages-search', '--example', 'make-fixture-index', '--', out], {
    // The index is built by the carepages workspace, as a site build does, not the engine's.
    cwd: path.join(crate, '..', '..'),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return fs.readFileSync(out);
}

// Plain values: objects parsed inside the sandbox have the sandbox's prototypes.
function search(query) {
  return JSON.parse(JSON.stringify(engine.search(query)));
}

function slugs(query) {
  return search(query).hits.map((hit) => hit.slug);
}

before(async () => {
  glue = loadGlue();
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(enginePath), {});
  engine = glue.engineFrom(instance, fixtureIndex());
});

test('the engine needs nothing from the page', () => {
  const module = new WebAssembly.Module(fs.readFileSync(enginePath));
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  for (const name of ['memory', 'alloc', 'dealloc', 'open', 'search', 'result_ptr', 'result_len']) {
    assert.ok(exports.includes(name), name);
  }
});

test('a typo still finds the listing, and nothing unrelated', () => {
  const results = search({ text: 'gardning' });
  assert.equal(results.total, 1);
  assert.equal(results.hits[0].slug, 'green-fingers');
  assert.equal(results.hits[0].url, 'enterprises/green-fingers/');
  assert.equal(results.hits[0].taking_new_clients, 'limited');
});

test('a full postcode matches its outward code', () => {
  assert.deepEqual(slugs({ text: 'TA4 2PQ' }), ['quantock-kindly-hands']);
  assert.deepEqual(slugs({ text: 'ta42pq' }), ['quantock-kindly-hands']);
});

test('filters narrow the list, sorted by name when there is no text', () => {
  assert.deepEqual(slugs({ direct_payment: true }), [
    'brightday-club',
    'mendip-sitters',
    'quantock-kindly-hands',
    'tone-personal-care',
  ]);
  assert.deepEqual(slugs({ who_for: 'dementia', taking_new_clients: true }), ['quantock-kindly-hands']);
  assert.deepEqual(slugs({ text: 'dementia', day: 'wed', taking_new_clients: false }).sort(), [
    'mendip-sitters',
    'quantock-kindly-hands',
  ]);
});

test('synonyms and the last word as a prefix work in the browser too', () => {
  assert.deepEqual(slugs({ text: 'cleaner' }), ['quantock-kindly-hands']);
  assert.deepEqual(slugs({ text: 'gard' }), ['green-fingers']);
  assert.deepEqual(search({ text: 'gard ' }).ignored, ['gard']);
});

test('errors come back as exceptions with a message, and the engine keeps working', async () => {
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(enginePath), {});
  assert.throws(() => glue.engineFrom(instance, new Uint8Array([1, 2, 3])), /not a carepages search index/);
  assert.deepEqual(slugs({ text: 'Williton' }), ['quantock-kindly-hands']);
});

test('a query takes well under a frame', () => {
  const queries = ['gardning', 'TA4 2PQ', 'home help dementia', 'respite Shepton Mallet', 'gard'];
  for (let i = 0; i < 50; i++) search({ text: queries[i % queries.length] }); // warm up
  const times = [];
  for (let i = 0; i < 500; i++) {
    const started = process.hrtime.bigint();
    engine.search({ text: queries[i % queries.length], limit: 20 });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`fixture index: median query ${median.toFixed(3)} ms, p95 ${times[Math.floor(times.length * 0.95)].toFixed(3)} ms`);
  assert.ok(median < 16, `median ${median} ms`);
});
