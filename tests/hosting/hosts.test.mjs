// What a real web server sends for a built site when set up as hosting/ says: run by
// tests/hosting/run.sh, which starts each server and names it in CAREPAGES_HOSTS
// ("nginx=http://127.0.0.1:18080,apache=http://127.0.0.1:18081") with the site's folder in
// CAREPAGES_HOST_SITE.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from '../browser/server.mjs';

const hosts = (process.env.CAREPAGES_HOSTS || '')
  .split(',')
  .filter(Boolean)
  .map((pair) => pair.split('='));
const site = process.env.CAREPAGES_HOST_SITE;

/** The first file in `dir` whose name matches `pattern`, as a site path. */
function find(dir, pattern) {
  const names = fs.readdirSync(path.join(site, dir)).filter((n) => pattern.test(n)).sort();
  assert.ok(names.length, `no file like ${pattern} in ${dir}`);
  return `/${dir}/${names[0]}`;
}

async function get(base, address) {
  const response = await fetch(base + address, { redirect: 'manual' });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, address };
}

function typeOf(r) {
  return (r.headers.get('content-type') || '').split(';')[0].trim();
}

test('the host tests were given servers and a site', () => {
  assert.ok(hosts.length >= 1, 'CAREPAGES_HOSTS names no server: run tests/hosting/run.sh');
  assert.ok(site && fs.existsSync(path.join(site, 'index.html')), `no site at ${site}`);
});

for (const [name, base] of hosts) {
  describe(name, () => {
    test('every kind of file has its content type', async () => {
      const listing = '/enterprises/' + fs.readdirSync(path.join(site, 'enterprises')).find((n) => fs.existsSync(path.join(site, 'enterprises', n, 'index.html')) && n !== 'page') + '/';
      const expected = [
        ['/', 'text/html'],
        [listing, 'text/html'],
        ['/search/', 'text/html'],
        ['/accessibility/', 'text/html'],
        [find('assets', /^style\..*\.css$/), 'text/css'],
        [find('assets', /^search\..*\.js$/), 'text/javascript'],
        [find('assets', /^search-engine\..*\.wasm$/), 'application/wasm'],
        [find('assets', /^search-index\..*\.wasm$/), 'application/wasm'],
        [find('assets', /^favicon\..*\.svg$/), 'image/svg+xml'],
        ['/oruk/index.json', 'application/json'],
        ['/feed.xml', 'application/atom+xml'],
        ['/opensearch.xml', 'application/opensearchdescription+xml'],
        ['/robots.txt', 'text/plain'],
      ];
      const photos = path.join(site, 'assets', 'photos');
      if (fs.existsSync(photos)) {
        const photo = fs.readdirSync(photos).find((n) => /\.(jpe?g|png|webp)$/.test(n));
        if (photo) expected.push([`/assets/photos/${photo}`, /\.webp$/.test(photo) ? 'image/webp' : /\.png$/.test(photo) ? 'image/png' : 'image/jpeg']);
      }
      const problems = [];
      for (const [address, type] of expected) {
        const r = await get(base, address);
        // JavaScript goes out under either of its registered names (RFC 9239).
        const same = typeOf(r) === type || (type === 'text/javascript' && typeOf(r) === 'application/javascript');
        if (r.status !== 200 || !same) problems.push(`${address}: ${r.status} ${r.headers.get('content-type')} (want 200 ${type})`);
      }
      const sitemap = await get(base, '/sitemap.xml');
      if (sitemap.status !== 200 || !['application/xml', 'text/xml'].includes(typeOf(sitemap))) {
        problems.push(`/sitemap.xml: ${sitemap.status} ${sitemap.headers.get('content-type')} (want XML, not a feed)`);
      }
      assert.deepEqual(problems, []);
    });

    test('text is sent as UTF-8', async () => {
      for (const address of ['/', '/feed.xml', find('assets', /^style\..*\.css$/)]) {
        const r = await get(base, address);
        assert.match(r.headers.get('content-type') || '', /charset=utf-8/i, address);
      }
    });

    test('pages are revalidated and hashed assets cached for a year', async () => {
      for (const address of ['/', '/feed.xml', '/oruk/index.json']) {
        const r = await get(base, address);
        assert.match(r.headers.get('cache-control') || '', /no-cache/, `${address}: ${r.headers.get('cache-control')}`);
      }
      const css = await get(base, find('assets', /^style\..*\.css$/));
      assert.match(css.headers.get('cache-control') || '', /max-age=31536000/);
      assert.match(css.headers.get('cache-control') || '', /immutable/);
    });

    test('pre-compressed copies are sent to browsers that accept them, and the same bytes arrive', async () => {
      for (const [pattern, type] of [[/^search-engine\..*\.wasm$/, 'application/wasm'], [/^search-index\..*\.wasm$/, 'application/wasm'], [/^style\..*\.css$/, 'text/css'], [/^search\..*\.js$/, 'text/javascript']]) {
        const address = find('assets', pattern);
        const original = fs.readFileSync(path.join(site, address));
        for (const encoding of name === 'nginx' ? ['gzip'] : ['br', 'gzip']) {
          const response = await fetch(base + address, { headers: { 'accept-encoding': encoding } });
          assert.equal(response.status, 200, address);
          const copy = fs.existsSync(path.join(site, address + (encoding === 'br' ? '.br' : '.gz')));
          assert.equal(response.headers.get('content-encoding'), copy ? encoding : null, `${address} with ${encoding}`);
          const got = typeOf({ headers: response.headers });
          assert.ok(got === type || (type === 'text/javascript' && got === 'application/javascript'), `${address}: ${got}`);
          // fetch undoes the encoding: what arrives is the file itself.
          assert.ok(Buffer.from(await response.arrayBuffer()).equals(original), `${address} with ${encoding}`);
        }
        const plain = await fetch(base + address, { headers: { 'accept-encoding': 'identity' } });
        assert.equal(plain.headers.get('content-encoding'), null, `${address} without encoding`);
        assert.ok(Buffer.from(await plain.arrayBuffer()).equals(original));
      }
    });

    test('a missing page gets the site\'s 404 page with status 404', async () => {
      const r = await get(base, '/no-such-page/');
      assert.equal(r.status, 404);
      assert.equal(typeOf(r), 'text/html');
      assert.equal(r.body.toString('utf8'), fs.readFileSync(path.join(site, '404.html'), 'utf8'));
    });

    test('the Open Referral UK API addresses answer JSON with CORS and no redirect', async () => {
      const ids = fs.readdirSync(path.join(site, 'oruk', 'services')).filter((n) => /^[0-9a-f-]{36}\.json$/.test(n)).map((n) => n.slice(0, -5));
      assert.ok(ids.length > 0, 'services in the feed');
      const addresses = ['/oruk/', '/oruk', '/oruk/services', '/oruk/services/', `/oruk/services/${ids[0]}`, `/oruk/services/${ids[0]}.json`, '/oruk/services/index.json'];
      for (const address of addresses) {
        const r = await get(base, address);
        assert.equal(r.status, 200, `${address}: ${r.status} ${r.headers.get('location') || ''}`);
        assert.equal(typeOf(r), 'application/json', `${address}: ${r.headers.get('content-type')}`);
        assert.equal(r.headers.get('access-control-allow-origin'), '*', `${address} has no CORS header`);
        const json = JSON.parse(r.body.toString('utf8'));
        if (address.includes(ids[0])) assert.equal(json.id, ids[0], address);
        if (/^\/oruk\/?$/.test(address)) assert.equal(json.version, 'HSDS-UK-3.0', address);
        if (/^\/oruk\/services\/?$/.test(address)) assert.ok(Array.isArray(json.contents), address);
      }
      const terms = fs.readdirSync(path.join(site, 'oruk', 'taxonomy_terms')).filter((n) => /^[0-9a-f-]{36}\.json$/.test(n));
      const taxonomies = fs.readdirSync(path.join(site, 'oruk', 'taxonomies')).filter((n) => /^[0-9a-f-]{36}\.json$/.test(n));
      for (const address of ['/oruk/taxonomies', '/oruk/taxonomy_terms', '/oruk/service_at_locations', `/oruk/taxonomy_terms/${terms[0].slice(0, -5)}`, `/oruk/taxonomies/${taxonomies[0].slice(0, -5)}`]) {
        const r = await get(base, address);
        assert.equal(r.status, 200, `${address}: ${r.status} ${r.headers.get('location') || ''}`);
        assert.equal(typeOf(r), 'application/json', `${address}: ${r.headers.get('content-type')}`);
        assert.equal(r.headers.get('access-control-allow-origin'), '*', `${address} has no CORS header`);
        JSON.parse(r.body.toString('utf8'));
      }
      const feed = await get(base, '/feed.xml');
      assert.equal(feed.headers.get('access-control-allow-origin'), '*', 'the Atom feed has CORS too');
    });
  });
}

// A host with no rewrites at all (GitHub Pages, a plain static server): a folder's
// index.html is all it serves. An Open Referral client pointed at the feed's base address
// still reads /, /services and /services/{id}, after the host's redirect to the folder.
describe('a plain static server', () => {
  test('an Open Referral client reads the feed at the API addresses', async () => {
    const server = await serve(site);
    try {
      const ids = fs.readdirSync(path.join(site, 'oruk', 'services')).filter((n) => /^[0-9a-f-]{36}\.json$/.test(n)).map((n) => n.slice(0, -5));
      const read = async (address) => {
        const response = await fetch(server.url + address);
        assert.equal(response.status, 200, address);
        return JSON.parse(await response.text());
      };
      assert.equal((await read('/oruk/')).version, 'HSDS-UK-3.0');
      assert.equal((await read('/oruk')).version, 'HSDS-UK-3.0');
      const page = await read('/oruk/services');
      assert.equal(page.contents.length, ids.length);
      for (const id of ids.slice(0, 3)) assert.equal((await read(`/oruk/services/${id}`)).id, id);
      assert.ok(Array.isArray((await read('/oruk/taxonomy_terms')).contents));
    } finally {
      await server.close();
    }
  });
});
