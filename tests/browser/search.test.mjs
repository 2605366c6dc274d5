// Search in a real browser: typing shows the right listings, typos and postcodes work,
// filters narrow, ?q= works on load, the CLI and the browser agree, and the pages pass
// axe-core's WCAG 2.2 AA rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildDemo, buildWelshDemo, serve, launch, cliSearch, axe } from './harness.mjs';

let site, server, browser;

before(async () => {
  site = buildDemo();
  server = await serve(path.join(site, 'westmoor'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open(pathname, options = {}) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(server.url + pathname);
  return { page, context, errors };
}

async function resultNames(page) {
  await page.waitForSelector('#search-results li .search-result-name a');
  return page.$$eval('#search-results li .search-result-name a', (links) => links.map((a) => a.textContent.trim()));
}

test('typing a query shows the right listings and announces the count', async () => {
  const { page, context, errors } = await open('/search/');
  await page.fill('#q', 'befriending');
  const names = await resultNames(page);
  assert.ok(names.includes('Tone Vale Companions'), names.join(', '));
  const status = await page.textContent('#search-status');
  assert.match(status, /\d+ results? for ‘befriending’/);
  assert.equal(await page.getAttribute('#search-status', 'aria-live'), 'polite');
  assert.match(page.url(), /[?&]q=befriending/, 'the query is kept in the URL');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a typo and a full postcode still find the listing', async () => {
  const { page, context } = await open('/search/?q=gardning');
  assert.ok((await resultNames(page)).includes('Brendon Hills Garden Help'));
  await page.fill('#q', 'TA4 2PQ');
  await page.waitForFunction(() => document.querySelector('#search-status').textContent.includes('TA4 2PQ'));
  const names = await resultNames(page);
  assert.ok(names.includes('Brendon Hills Garden Help'), names.join(', '));
  await context.close();
});

test('typing fast on a slow phone ends on the answer to the whole query', async () => {
  // Each change searches at once and, while one runs, only the newest waits: the last
  // keystroke must never be lost, whatever the speed of typing against the phone's.
  const { page, context, errors } = await open('/search/');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.type('#q', 'befriending');
  await page.waitForFunction(() => document.querySelector('#search-status').textContent.includes('‘befriending’'), null, { timeout: 10000 });
  await page.waitForTimeout(1000);
  assert.match(await page.textContent('#search-status'), /results? for ‘befriending’/, 'the count is for the whole word');
  assert.ok((await resultNames(page)).includes('Tone Vale Companions'));
  assert.match(page.url(), /[?&]q=befriending/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('filters narrow the results', async () => {
  const { page, context } = await open('/search/?q=help');
  await page.waitForFunction(() => /\d+ results?/.test(document.querySelector('#search-status').textContent));
  const all = (await page.$$('#search-results li')).length;
  await page.click('.filters-fold summary');
  await page.selectOption('#support', 'gardening');
  await page.waitForFunction((n) => document.querySelectorAll('#search-results li').length < n, all);
  const names = await resultNames(page);
  assert.ok(names.length > 0 && names.includes('Brendon Hills Garden Help'), names.join(', '));
  await page.check('#open');
  await page.waitForFunction(() => location.search.includes('open=1'));
  await context.close();
});

test('withheld listings are never found', async () => {
  const { page, context } = await open('/search/?q=Dunkery+Drivers');
  await page.waitForFunction(() => /result|No /.test(document.querySelector('#search-status').textContent));
  const names = await page.$$eval('#search-results li a', (links) => links.map((a) => a.textContent.trim()));
  assert.ok(!names.includes('Dunkery Drivers'), names.join(', '));
  await context.close();
});

test('the CLI and the browser return the same top results', async () => {
  for (const query of ['gardening', 'befriending', 'TA4 2PQ', 'dementia Taunton', 'respite', 'cleaner']) {
    const { page, context } = await open('/search/?q=' + encodeURIComponent(query));
    const browserNames = (await resultNames(page)).slice(0, 5);
    const cliNames = cliSearch(site, 'westmoor', query).hits.slice(0, 5).map((h) => h.name);
    assert.deepEqual(browserNames, cliNames, `query ${query}`);
    await context.close();
  }
});

test('the search box on every page leads to results, by keyboard', async () => {
  const { page, context } = await open('/');
  await page.focus('#site-q');
  await page.keyboard.type('gardening');
  await page.keyboard.press('Enter');
  await page.waitForURL(/search\/\?q=gardening/);
  assert.ok((await resultNames(page)).length > 0);
  await context.close();
});

test('without JavaScript the search page explains itself and links to browsing', async () => {
  const { page, context } = await open('/search/', { javaScriptEnabled: false });
  const text = await page.textContent('main');
  assert.match(text, /Search needs JavaScript/);
  assert.ok(await page.$('main a[href$="support/"]'));
  await context.close();
});

test('home, listing, browse and search pages have no WCAG 2.2 AA violations', async () => {
  for (const pathname of ['/', '/enterprises/brendon-hills-garden-help/', '/support/gardening/', '/areas/williton/', '/search/?q=garden', '/print/', '/404.html']) {
    // axe is injected as a script, which the site's own Content-Security-Policy forbids.
    const { page, context } = await open(pathname, { bypassCSP: true });
    if (pathname.startsWith('/search/')) await resultNames(page);
    const violations = await axe(page);
    assert.deepEqual(violations, [], `${pathname}: ${JSON.stringify(violations, null, 1)}`);
    await context.close();
  }
});

test('the second theme (meadow, used by Eastbrook) has no WCAG 2.2 AA violations either', async () => {
  const other = await serve(path.join(site, 'eastbrook'));
  try {
    for (const pathname of ['/', '/enterprises/', '/for/', '/search/?q=lunch']) {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
      const page = await context.newPage();
      await page.goto(other.url + pathname);
      if (pathname.startsWith('/search/')) await page.waitForSelector('#search-status:not(:empty)');
      const violations = await axe(page);
      assert.deepEqual(violations, [], `eastbrook ${pathname}: ${JSON.stringify(violations, null, 1)}`);
      await context.close();
    }
  } finally {
    other.close();
  }
});

test('nobody offering the help in that place is said plainly, with the council number and labelled alternatives', async () => {
  const { page, context, errors } = await open('/search/?q=' + encodeURIComponent('someone to help my mum with shopping in Williton'));
  await page.waitForFunction(() => /No one offering/.test(document.querySelector('#search-status').textContent));
  const status = await page.textContent('#search-status');
  assert.match(status, /No one offering Shopping and errands covers Williton yet\./i);
  assert.equal((await page.$$('#search-results li')).length, 0, 'nothing is presented as a match');
  const call = await page.getAttribute('.search-nobody-call a', 'href');
  assert.match(call, /^tel:\d+/);
  const headings = await page.$$eval('.search-alternative-heading', (h) => h.map((x) => x.textContent));
  assert.ok(headings.some((h) => /in other places/.test(h)), headings.join(' | '));
  assert.ok(headings.some((h) => /Other help in Williton/.test(h)), headings.join(' | '));
  assert.deepEqual(errors, []);
  await context.close();
});

test('each understood part can be removed with one tap', async () => {
  const { page, context } = await open('/search/?q=' + encodeURIComponent('gardening in Williton'));
  await page.waitForSelector('.search-part');
  const parts = await page.$$eval('.search-part', (links) => links.map((a) => a.textContent));
  assert.deepEqual(parts.map((p) => p.replace(' ×', '')), ['Gardening', 'Williton']);
  await page.click('.search-part:nth-of-type(2)');
  await page.waitForFunction(() => !location.search.includes('Williton'));
  assert.ok((await resultNames(page)).includes('Blackdown Handyperson'), 'gardeners elsewhere are found once Williton is removed');
  await context.close();
});

test('on a 360 x 640 phone the count and the first result with its number are on the first screen', async () => {
  const { page, context } = await open('/search/?q=' + encodeURIComponent('a cleaner in Bridgwater who takes direct payments'), { viewport: { width: 360, height: 640 } });
  await page.waitForSelector('#search-results li .search-result-name a');
  const box = async (selector) => page.$eval(selector, (e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; });
  const status = await box('#search-status');
  const first = await box('#search-results li:first-child .search-result-name');
  assert.ok(status.bottom <= 640, `count at ${status.bottom}px`);
  assert.ok(first.bottom <= 640, `first result at ${first.bottom}px`);
  assert.ok(await page.$('#search-results li:first-child .search-result-phone a[href^="tel:"]'));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page scrolls sideways: ${width}px`);
  await context.close();
});

test('arriving with a question on a slow line, nothing on the screen jumps while the answer loads', async () => {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // About Slow 4G: the answer arrives well after the page is first drawn.
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 200 * 1024, uploadThroughput: 90 * 1024 });
  await page.addInitScript(() => {
    window.shifted = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.shifted += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(server.url + '/search/?q=garden');
  await resultNames(page);
  await page.waitForTimeout(300);
  const shifted = await page.evaluate(() => window.shifted);
  assert.ok(shifted < 0.05, `cumulative layout shift ${shifted.toFixed(3)}`);
  assert.ok(await page.isVisible('.site-footer'), 'the footer is back once the answer is shown');
  await context.close();
});

test('the engine and index are downloaded once, only for search, and run in a worker', async () => {
  // Residents on pay-as-you-go data pay for every byte: pages where no search starts fetch
  // nothing for it, and the search page fetches each file once (its preload and the engine's
  // download are the same request, and the worker is handed what the page downloaded).
  const search = (paths) => paths.filter((p) => /search-(engine|index)\./.test(p));
  const from = server.requests.length;
  for (const pathname of ['/', '/enterprises/', '/areas/']) {
    const { page, context } = await open(pathname);
    await page.waitForLoadState('load');
    await context.close();
  }
  assert.deepEqual(search(server.requests.slice(from)), [], 'home and browse pages fetch no search files');

  const start = server.requests.length;
  const { page, context, errors } = await open('/search/?q=befriending');
  await resultNames(page);
  const fetched = search(server.requests.slice(start)).map((p) => p.replace(/\.[0-9a-f]+\./, '.'));
  assert.deepEqual(fetched.sort(), ['/assets/search-engine.wasm', '/assets/search-index.wasm']);
  assert.equal(page.workers().length, 1, 'the engine runs in a Web Worker');
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a Welsh site the search speaks Welsh and marks the English listings as English', async () => {
  const welsh = await serve(buildWelshDemo());
  // axe is injected as a script, which the site's own Content-Security-Policy forbids.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(welsh.url + '/search/?q=garden');
    await page.waitForSelector('#search-results li .search-result-name a');
    assert.equal(await page.getAttribute('html', 'lang'), 'cy');
    assert.match(await page.textContent('#search-status'), /canlyniad/, 'the count is in Welsh');
    assert.equal(await page.getAttribute('#search-results li .search-result-name', 'lang'), 'en');
    const violations = await axe(page);
    assert.deepEqual(violations, [], `the Welsh search page: ${JSON.stringify(violations, null, 1)}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    welsh.close();
  }
});

test('a bilingual site searches Welsh in Welsh, switches to the twin page, and passes axe in both languages', async () => {
  const both = await serve(path.join(site, 'glanyrafon'));
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    // A soft mutation (Brynbuga after "ym") and an English query on the Welsh pages.
    await page.goto(both.url + '/search/?q=' + encodeURIComponent('help i arddio ym Mrynbuga'));
    assert.equal(await page.getAttribute('html', 'lang'), 'cy');
    assert.equal((await resultNames(page))[0], 'Usk Valley Gardens');
    assert.match(await page.textContent('#search-status'), /canlyniad/);
    await page.fill('#q', 'siopa yng Nghas-gwent');
    await page.waitForFunction(() => document.querySelector('#search-status').textContent.includes('Nghas-gwent'));
    assert.equal((await resultNames(page))[0], 'Chepstow Shopping Friends');
    await page.fill('#q', 'glanhau Trefynwy');
    await page.waitForFunction(() => document.querySelector('#search-status').textContent.includes('Trefynwy'));
    assert.equal((await resultNames(page))[0], 'Monmouth Home Help');
    // Not in Welsh yet: its words are marked English; a translated listing's are not.
    assert.equal(await page.getAttribute('#search-results li .search-result-name', 'lang'), 'en');
    await page.fill('#q', 'Y Fenni');
    await page.waitForFunction(() => document.querySelector('#search-status').textContent.includes('Fenni'));
    const names = await resultNames(page);
    assert.ok(names.includes('Cwmni Da Y Fenni'), names.join(', '));
    let violations = await axe(page);
    assert.deepEqual(violations, [], `the Welsh search page: ${JSON.stringify(violations, null, 1)}`);
    // The switch on a listing leads to the same listing in English.
    await page.goto(both.url + '/enterprises/cwmni-da-y-fenni/');
    await page.click('.language-switch a[hreflang=en]');
    await page.waitForURL(/\/en\/enterprises\/cwmni-da-y-fenni\/$/);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.textContent('h1'), /Good Company Abergavenny/);
    violations = await axe(page);
    assert.deepEqual(violations, [], `the English twin: ${JSON.stringify(violations, null, 1)}`);
    await page.goto(both.url + '/en/search/?q=' + encodeURIComponent('gardening in Usk'));
    assert.equal((await resultNames(page))[0], 'Usk Valley Gardens');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    both.close();
  }
});
