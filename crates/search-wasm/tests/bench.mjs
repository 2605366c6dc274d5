// Times the browser engine in Node on a real index: load (compile + open) and queries.
//
//   node crates/search-wasm/tests/bench.mjs INDEX_FILE [ENGINE_FILE]
//
// Prints one JSON line. Not a test (node --test does not pick it up): numbers depend on the
// machine, so they are reported, not asserted.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const crate = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [indexPath, enginePath = path.join(crate, 'dist', 'carepages-search.wasm')] = process.argv.slice(2);
if (!indexPath) {
  console.error('usage: node bench.mjs INDEX_FILE [ENGINE_FILE]');
  process.exit(2);
}
const gluePath = process.env.CAREPAGES_SEARCH_JS || path.resolve(crate, '..', '..', 'themes', 'default', 'static', 'search.js');
const sandbox = { module: { exports: {} }, TextEncoder, TextDecoder, WebAssembly, URL, console };
vm.runInNewContext(fs.readFileSync(gluePath, 'utf8'), sandbox, { filename: gluePath });
const { engineFrom } = sandbox.module.exports;

const QUERIES = [
  { text: 'gardening' },
  { text: 'gardning' },
  { text: 'gard' },
  { text: 'TA1 2PQ' },
  { text: 'home help taunton' },
  { text: 'respite shepton mallet' },
  { text: 'companionship dementia wells' },
  { text: 'cleaner', direct_payment: true },
  { text: '', support_type: 'meals', taking_new_clients: true },
  { text: 'befreinding' },
];

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const engineBytes = fs.readFileSync(enginePath);
const indexBytes = fs.readFileSync(indexPath);
let start = process.hrtime.bigint();
const { instance } = await WebAssembly.instantiate(engineBytes, {});
const compileMs = ms(start);
start = process.hrtime.bigint();
const engine = engineFrom(instance, indexBytes);
const openMs = ms(start);
start = process.hrtime.bigint();
const first = engine.search({ ...QUERIES[1], limit: 20 });
const firstQueryMs = ms(start);

const perQuery = {};
const all = [];
for (const query of QUERIES) {
  const times = [];
  for (let i = 0; i < 200; i++) {
    const t = process.hrtime.bigint();
    engine.search({ ...query, limit: 20 });
    times.push(ms(t));
  }
  perQuery[JSON.stringify(query)] = +median(times).toFixed(3);
  all.push(...times);
}
console.log(
  JSON.stringify({
    index_bytes: indexBytes.length,
    engine_bytes: engineBytes.length,
    compile_ms: +compileMs.toFixed(1),
    open_ms: +openMs.toFixed(1),
    first_query_ms: +firstQueryMs.toFixed(2),
    first_query_total: first.total,
    median_query_ms: +median(all).toFixed(3),
    per_query_median_ms: perQuery,
  })
);
