// First-result precision of a search engine on the judged query set, in Node: for
// comparing engines (an older one against the current) on the same built demo.
//
//   node scripts/judged-precision.mjs SITE_DIR [ENGINE.wasm] [search.js]
//
// SITE_DIR is a built `output/`. The judged queries are read from tests/search_judged.rs,
// so there is one list. An engine whose results have no `exact` count is judged as it
// presented them: hits that were not marked `relaxed` count as matches.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [site, enginePath = path.join(repo, 'crates/search-wasm/dist/carepages-search.wasm'), gluePath = path.join(repo, 'themes/default/static/search.js')] = process.argv.slice(2);
if (!site) {
  console.error('usage: node scripts/judged-precision.mjs SITE_DIR [ENGINE.wasm] [search.js]');
  process.exit(2);
}
const sandbox = { module: { exports: {} }, TextEncoder, TextDecoder, WebAssembly, URL, console };
vm.runInNewContext(fs.readFileSync(gluePath, 'utf8'), sandbox, { filename: gluePath });
const { engineFrom } = sandbox.module.exports;

const source = fs.readFileSync(path.join(repo, 'tests/search_judged.rs'), 'utf8');
const queries = [];
for (const m of source.matchAll(/\(\s*"(\w+)",\s*"([^"]+)",\s*(Nobody|First\(&\[([^\]]*)\]\)),?\s*\)/g)) {
  const good = m[4] ? [...m[4].matchAll(/"([^"]+)"/g)].map((x) => x[1]) : null;
  queries.push({ council: m[1], text: m[2], good });
}

const engines = {};
async function engineFor(council) {
  if (engines[council]) return engines[council];
  const assets = path.join(site, council, 'assets');
  const index = fs.readdirSync(assets).find((f) => f.startsWith('search-index.'));
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(enginePath), {});
  engines[council] = engineFrom(instance, fs.readFileSync(path.join(assets, index)));
  return engines[council];
}

let right = 0;
const wrong = [];
for (const q of queries) {
  const engine = await engineFor(q.council);
  const r = JSON.parse(JSON.stringify(engine.search({ text: q.text, limit: 20 })));
  const exact = 'exact' in r ? r.exact : r.relaxed ? 0 : r.total;
  const first = exact > 0 && r.hits.length ? r.hits[0].slug : null;
  const ok = q.good ? first !== null && q.good.includes(first) : first === null;
  if (ok) right += 1;
  else wrong.push(`${q.council}: "${q.text}" -> ${first ?? 'nothing'}`);
}
console.log(JSON.stringify({ queries: queries.length, right, precision: +(right / queries.length).toFixed(3), wrong }, null, 1));
