// Accessibility of both demo council sites in real Chromium (WCAG 2.2 AA, no JavaScript
// needed):
//   - axe-core's WCAG 2.2 AA rules on a representative page of every kind;
//   - with JavaScript off, every page loads and every listing is reachable from the home
//     page by following links;
//   - the keyboard: the first Tab reaches a visible skip link that moves focus to <main>,
//     and every tab stop shows a visible focus indicator that nothing hides, with its
//     focused text still readable (contrast 4.5:1, or 3:1 for large text);
//   - reflow at 320 CSS px (a 640 px window at 200% zoom), 200% text-only zoom and the
//     WCAG text-spacing overrides cause no horizontal scrolling;
//   - a missing address gets the 404 page with status 404, styled and with working links.
// The site comes from $CAREPAGES_SITE (a `carepages build --output` folder), else the demo
// is built into a temporary folder. Set CAREPAGES_AXE_ALL=1 to run axe on every page.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { siteDir, serve, repo } from './server.mjs';
import { launch, open, axe, formatViolations } from './browser.mjs';

const COUNCILS = [
  { id: 'westmoor', theme: 'default' },
  { id: 'eastbrook', theme: 'meadow' },
  // In Welsh at its address and in English under en/: both are sampled.
  { id: 'glanyrafon', theme: 'default' },
];

const site = siteDir();
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('axe-core runs in the page and reports planted WCAG violations', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.setContent('<!doctype html><html><head><title>t</title></head><body><main><img src="x.png"><p style="color:#bbb">pale</p><a href="/x"></a></main></body></html>');
    const ids = (await axe(page)).map((v) => v.id).sort();
    for (const id of ['color-contrast', 'html-has-lang', 'image-alt', 'link-name']) assert.ok(ids.includes(id), `axe did not report ${id}: ${ids}`);
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------------------------------
// What the site folder holds.

/** Every HTML page of a council site as a URL path ("/", "/support/", "/404.html", ...). */
function htmlPages(root) {
  const pages = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'assets') walk(full);
      } else if (entry.name.endsWith('.html') && !full.includes(`${path.sep}oruk${path.sep}`)) {
        // (The Open Referral feed's folder copies are JSON for hosts that cannot rewrite.)
        const rel = '/' + path.relative(root, full).split(path.sep).join('/');
        pages.push(rel.endsWith('/index.html') ? rel.slice(0, -'index.html'.length) : rel);
      }
    }
  };
  walk(root);
  return pages.sort();
}

const isPostcodeDistrict = (slug) => /^[a-z]{1,2}[0-9][0-9a-z]?$/.test(slug);
const childrenOf = (pages, prefix) => pages.filter((p) => p.startsWith(prefix) && p !== prefix && !p.slice(prefix.length).startsWith('page/'));
const isListing = (p) => /^\/enterprises\/[^/]+\/$/.test(p) && p !== '/enterprises/page/';

/** The representative pages axe and the layout checks run on, labelled. */
function samplePages(pages) {
  const sample = new Map();
  const add = (label, p) => {
    if (p && !sample.has(p)) sample.set(p, label);
  };
  add('home', '/');
  add('listing', pages.find(isListing));
  add('support type browse', childrenOf(pages, '/support/')[0]);
  add('town browse', childrenOf(pages, '/areas/').find((p) => !isPostcodeDistrict(p.split('/')[2])));
  add('postcode district browse', childrenOf(pages, '/areas/').find((p) => isPostcodeDistrict(p.split('/')[2])));
  add('who-for browse', childrenOf(pages, '/for/')[0]);
  add('support index', '/support/');
  add('who-for index', '/for/');
  add('areas index', '/areas/');
  add('A to Z', pages.includes('/enterprises/') ? '/enterprises/' : undefined);
  for (const p of pages.filter((x) => /\/page\/\d+\/$/.test(x))) add('paginated', p);
  add('printable directory', pages.includes('/print/') ? '/print/' : undefined);
  add('accessibility statement', pages.includes('/accessibility/') ? '/accessibility/' : undefined);
  add('privacy notice', pages.includes('/privacy/') ? '/privacy/' : undefined);
  add('cookies page', pages.includes('/cookies/') ? '/cookies/' : undefined);
  add('404', '/404.html');
  return [...sample].map(([p, label]) => ({ path: p, label }));
}

// ---------------------------------------------------------------------------------------
// Checks that run inside the page.

/** Elements that stick out past the right edge of the viewport, and the page's scroll width. */
async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const scrollWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
    const scrollsSideways = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX;
        if (ox === 'auto' || ox === 'scroll') return true;
      }
      return false;
    };
    const describe = (el) => {
      let s = el.tagName.toLowerCase();
      if (el.id) s += '#' + el.id;
      if (el.classList.length) s += '.' + [...el.classList].join('.');
      return s;
    };
    const offenders = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.right <= 0) continue; // hidden or off-screen on purpose (skip link)
      if (r.right > vw + 1 && !scrollsSideways(el)) {
        offenders.push(`${describe(el)} right=${Math.round(r.right)} "${(el.textContent || '').trim().slice(0, 40)}"`);
      }
    }
    // Text that runs past the edge inside a box that does not (a long e-mail address).
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || !node.parentElement || scrollsSideways(node.parentElement)) continue;
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (r.width === 0 || r.right <= 0) continue;
      if (r.right > vw + 1) offenders.push(`text in ${describe(node.parentElement)} right=${Math.round(r.right)} "${node.textContent.trim().slice(0, 40)}"`);
    }
    return { vw, scrollWidth, offenders: [...new Set(offenders)].slice(0, 12) };
  });
}

function assertNoOverflow(result, label) {
  assert.ok(
    result.scrollWidth <= result.vw + 1 && result.offenders.length === 0,
    `${label}: scrolls sideways (page ${result.scrollWidth}px wide in a ${result.vw}px viewport)\n  ${result.offenders.join('\n  ')}`,
  );
}

/** The focused element's look, to compare with how it looks unfocused. */
function focusLook(el) {
  const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.color, s.textDecorationLine, s.borderColor].join('|');
}

// ---------------------------------------------------------------------------------------

for (const council of COUNCILS) {
  const root = path.join(site, council.id);
  const pages = fs.existsSync(root) ? htmlPages(root) : [];
  const sample = samplePages(pages);
  const label = `${council.id} (theme ${council.theme})`;

  describe(label, () => {
    let server;

    before(async () => {
      assert.ok(fs.existsSync(path.join(root, 'index.html')), `no site at ${root}`);
      server = await serve(root);
    });

    after(async () => {
      await server?.close();
    });

    test('the demo has every kind of page to check', () => {
      const labels = sample.map((s) => s.label);
      for (const want of ['home', 'listing', 'support type browse', 'town browse', 'support index', 'who-for index', 'areas index', '404', 'accessibility statement', 'privacy notice', 'cookies page']) {
        assert.ok(labels.includes(want), `${council.id}: no ${want} page found in ${root}`);
      }
    });

    const axePages = process.env.CAREPAGES_AXE_ALL ? pages.map((p) => ({ path: p, label: 'page' })) : sample;
    for (const { path: p, label: kind } of axePages) {
      test(`axe WCAG 2.2 AA: ${kind} ${p}`, async () => {
        const { page, context, response } = await open(browser, server.url + p, { bypassCSP: true });
        try {
          assert.equal(response.status(), 200, `${p} did not load`);
          const violations = await axe(page);
          assert.equal(violations.length, 0, formatViolations(`${council.id} ${p}`, violations));
        } finally {
          await context.close();
        }
      });
    }

    test('without JavaScript every page loads and every listing is reachable from the home page', async () => {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      const problems = [];
      let current = '';
      page.on('response', (r) => {
        if (r.status() >= 400 && r.request().resourceType() !== 'document') problems.push(`${current}: HTTP ${r.status()} for ${r.url()}`);
      });
      page.on('requestfailed', (r) => {
        // A favicon still loading when the crawler moves on is aborted, not broken; broken
        // files show as HTTP errors above and unloaded stylesheets below.
        if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`${current}: request failed ${r.url()} ${r.failure()?.errorText}`);
      });
      const origin = server.url;
      const seen = new Set(['/']);
      const queue = ['/'];
      const otherLinks = new Map(); // same-site links that are not pages -> first page linking them
      try {
        while (queue.length) {
          current = queue.shift();
          const response = await page.goto(origin + current);
          if (!response || response.status() !== 200) {
            problems.push(`${current}: HTTP ${response?.status()}`);
            continue;
          }
          const info = await page.evaluate(() => ({
            title: document.title.trim(),
            h1: document.querySelectorAll('h1').length,
            main: !!document.querySelector('main#main'),
            unstyled: [...document.querySelectorAll('link[rel~="stylesheet"]')].filter((l) => !l.sheet || l.sheet.cssRules.length === 0).map((l) => l.href),
          }));
          if (!info.title) problems.push(`${current}: empty <title>`);
          if (info.h1 !== 1) problems.push(`${current}: ${info.h1} <h1> elements`);
          if (!info.main) problems.push(`${current}: no <main id="main">`);
          for (const href of info.unstyled) problems.push(`${current}: stylesheet did not load: ${href}`);
          const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
          for (const href of hrefs) {
            const u = new URL(href);
            if (u.origin !== origin) continue; // mailto:, tel:, the council's own site
            const target = u.pathname;
            if (target.endsWith('/') || target.endsWith('.html')) {
              if (!seen.has(target)) {
                seen.add(target);
                queue.push(target);
              }
            } else if (!otherLinks.has(target)) {
              otherLinks.set(target, current);
            }
          }
        }
        for (const [target, from] of otherLinks) {
          const r = await context.request.get(origin + target);
          if (r.status() !== 200) problems.push(`${from}: link to ${target} gives HTTP ${r.status()}`);
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(problems, [], `${council.id}: pages that did not load properly without JavaScript:\n  ${problems.join('\n  ')}`);

      const listings = pages.filter(isListing);
      assert.ok(listings.length > 0, 'no listing pages in the site');
      const unreachedListings = listings.filter((p) => !seen.has(p));
      assert.deepEqual(unreachedListings, [], `${council.id}: listings no link leads to from the home page`);
      // The search page is reached through the search form; 404.html through a missing address
      // (in either language: the other language's twin through the language switch on them).
      const reachedOtherwise = (p) => ['/404.html', '/search/'].includes(p.replace(/^\/[a-z]{2,3}\//, '/'));
      const unreached = pages.filter((p) => !seen.has(p) && !reachedOtherwise(p));
      assert.deepEqual(unreached, [], `${council.id}: pages no link leads to from the home page`);
    });

    for (const p of ['/', sample.find((s) => s.label === 'listing')?.path].filter(Boolean)) {
      test(`keyboard: the first Tab shows the skip link, which moves focus to main (${p})`, async () => {
        const { page, context } = await open(browser, server.url + p, { viewport: { width: 390, height: 844 } });
        try {
          await page.keyboard.press('Tab');
          const skip = await page.evaluate(() => {
            const el = document.activeElement;
            const r = el.getBoundingClientRect();
            const s = getComputedStyle(el);
            const cx = r.left + r.width / 2;
            const cy = r.top + r.height / 2;
            const hit = document.elementFromPoint(cx, cy);
            return {
              tag: el.tagName,
              cls: el.className,
              href: el.getAttribute('href'),
              text: el.textContent.trim(),
              inViewport: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight,
              shown: s.visibility === 'visible' && Number(s.opacity) > 0 && s.clipPath === 'none' && s.clip === 'auto',
              onTop: !!hit && (hit === el || el.contains(hit)),
              rect: [r.left, r.top, r.width, r.height].map(Math.round),
            };
          });
          assert.equal(skip.tag, 'A', `first Tab focused a <${skip.tag}>, not the skip link`);
          assert.match(skip.cls, /skip-link/, `first Tab focused ${skip.text}, not the skip link`);
          assert.equal(skip.href, '#main');
          assert.ok(skip.text.length > 0, 'the skip link has no text');
          assert.ok(skip.inViewport && skip.shown, `the focused skip link is not visible: ${JSON.stringify(skip)}`);
          assert.ok(skip.onTop, `the focused skip link is covered by another element: ${JSON.stringify(skip)}`);

          await page.keyboard.press('Enter');
          await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'main', null, { timeout: 5000 }).catch(() => {});
          const focused = await page.evaluate(() => ({ tag: document.activeElement.tagName, id: document.activeElement.id, hash: location.hash }));
          assert.deepEqual(focused, { tag: 'MAIN', id: 'main', hash: '#main' }, 'activating the skip link did not move focus to <main>');

          // The next Tab continues from the main content, not from the header.
          await page.keyboard.press('Tab');
          const after = await page.evaluate(() => {
            const main = document.getElementById('main');
            const el = document.activeElement;
            return main.contains(el) || !!(main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
          });
          assert.ok(after, 'after the skip link, Tab went back into the header instead of the main content');
        } finally {
          await context.close();
        }
      });
    }

    for (const p of ['/', sample.find((s) => s.label === 'listing')?.path, sample.find((s) => s.label === 'support type browse')?.path].filter(Boolean)) {
      test(`keyboard: every tab stop shows a visible, unobscured, readable focus indicator (${p})`, async () => {
        const { page, context } = await open(browser, server.url + p, { viewport: { width: 390, height: 844 } });
        try {
          // How each focusable element looks before anything is focused.
          const count = await page.evaluate((lookSrc) => {
            const look = new Function(`return (${lookSrc})`)();
            const els = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')];
            window.__unfocused = new Map(els.map((el) => [el, look(el)]));
            window.__look = look;
            return els.length;
          }, focusLook.toString());
          const problems = [];
          const visited = new Set();
          for (let i = 0; i < count + 5; i++) {
            await page.keyboard.press('Tab');
            const r = await page.evaluate(() => {
              const el = document.activeElement;
              if (!el || el === document.body) return { done: true };
              const rect = el.getBoundingClientRect();
              const hit = document.elementFromPoint(
                Math.min(Math.max(rect.left + rect.width / 2, 0), innerWidth - 1),
                Math.min(Math.max(rect.top + rect.height / 2, 0), innerHeight - 1),
              );
              const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.textContent || el.value || '').trim().slice(0, 30)}"`;
              // Contrast of the focused element's own text against the background it is on.
              const rgba = (c) => {
                const m = c.match(/rgba?\(([^)]+)\)/);
                if (!m) return [0, 0, 0, 0];
                const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
                return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
              };
              let bg = [255, 255, 255];
              const layers = [];
              for (let a = el; a; a = a.parentElement) {
                const c = rgba(getComputedStyle(a).backgroundColor);
                if (c[3] > 0) layers.push(c);
                if (c[3] >= 1) break;
              }
              for (const c of layers.reverse()) bg = bg.map((x, i) => c[i] * c[3] + x * (1 - c[3]));
              const fg = rgba(getComputedStyle(el).color);
              const lum = ([r, g, b]) => {
                const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
                return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
              };
              const fgMixed = fg.slice(0, 3).map((x, i) => x * fg[3] + bg[i] * (1 - fg[3]));
              const [hi, lo] = [lum(fgMixed), lum(bg)].sort((x, y) => y - x);
              const style = getComputedStyle(el);
              const px = parseFloat(style.fontSize);
              const large = px >= 24 || (px >= 18.66 && Number(style.fontWeight) >= 700);
              const hasText = (el.textContent || '').trim().length > 0 && el.tagName !== 'INPUT' && el.tagName !== 'SELECT';
              return {
                name,
                key: name + rect.top + window.scrollY,
                changed: window.__unfocused.has(el) ? window.__unfocused.get(el) !== window.__look(el) : true,
                focusVisible: el.matches(':focus-visible'),
                inView: rect.bottom > 0 && rect.top < innerHeight && rect.right > 0 && rect.left < innerWidth,
                unobscured: !!hit && (hit === el || el.contains(hit) || hit.contains(el)),
                contrast: hasText ? Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100 : null,
                needed: large ? 3 : 4.5,
              };
            });
            if (r.done || visited.has(r.key)) break;
            visited.add(r.key);
            if (!r.changed) problems.push(`${r.name}: looks the same focused and unfocused`);
            if (r.contrast !== null && r.contrast < r.needed) problems.push(`${r.name}: focused text contrast ${r.contrast}:1, needs ${r.needed}:1`);
            if (!r.inView) problems.push(`${r.name}: focused but scrolled out of view`);
            else if (!r.unobscured) problems.push(`${r.name}: focused but covered by another element`);
          }
          assert.ok(visited.size > 3, `only ${visited.size} tab stops found`);
          assert.deepEqual(problems, [], `${council.id} ${p}: focus problems`);
        } finally {
          await context.close();
        }
      });
    }

    /** Opens each sample page with `options`, applies `prepare`, and lists the pages that
     * scroll sideways. */
    async function overflowFailures(options, prepare = async () => {}) {
      const failures = [];
      for (const { path: p } of sample) {
        const { page, context } = await open(browser, server.url + p, options);
        try {
          await prepare(page);
          assertNoOverflow(await horizontalOverflow(page), p);
        } catch (e) {
          if (!(e instanceof assert.AssertionError)) throw e;
          failures.push(e.message);
        } finally {
          await context.close();
        }
      }
      return failures;
    }

    test('reflow: no horizontal scrolling at 320 CSS px (a 640 px window zoomed to 200%)', async () => {
      const failures = await overflowFailures({ viewport: { width: 320, height: 640 }, deviceScaleFactor: 2 });
      assert.deepEqual(failures, [], `${council.id}:\n${failures.join('\n')}`);
    });

    test('resize text: 200% text-only zoom on a 1280 px desktop causes no horizontal scrolling', async () => {
      // A browser's text-size setting scales the root font size, which the theme's rem and
      // em sizes follow.
      const failures = await overflowFailures({ viewport: { width: 1280, height: 800 }, bypassCSP: true }, (page) =>
        page.evaluate(() => {
          const html = document.documentElement;
          html.style.fontSize = `${parseFloat(getComputedStyle(html).fontSize) * 2}px`;
        }),
      );
      assert.deepEqual(failures, [], `${council.id}:\n${failures.join('\n')}`);
    });

    test('200% text on a 360 px phone: no sideways scrolling, and the controls keep their size', async () => {
      const doubled = (page) =>
        page.evaluate(() => {
          const html = document.documentElement;
          html.style.fontSize = `${parseFloat(getComputedStyle(html).fontSize) * 2}px`;
        });
      const failures = await overflowFailures({ viewport: { width: 360, height: 640 }, bypassCSP: true }, doubled);
      assert.deepEqual(failures, [], `${council.id}:\n${failures.join('\n')}`);
      const context = await browser.newContext({ viewport: { width: 360, height: 640 }, bypassCSP: true });
      try {
        const page = await context.newPage();
        await page.goto(server.url + '/search/', { waitUntil: 'load' });
        await doubled(page);
        const sizes = await page.evaluate(() => {
          const box = (el) => el.getBoundingClientRect();
          const header = document.querySelector('.site-search input');
          return {
            headerBox: header ? box(header).width : null,
            boxes: [...document.querySelectorAll('input[type=checkbox]')].map((el) => Math.min(box(el).width, box(el).height)),
          };
        });
        if (sizes.headerBox !== null) assert.ok(sizes.headerBox >= 200, `header search box is ${sizes.headerBox}px wide`);
        for (const size of sizes.boxes) assert.ok(size >= 24, `a tick box is ${size}px at 200% text`);
        await page.goto(server.url + '/', { waitUntil: 'load' });
        await doubled(page);
        const headerBox = await page.evaluate(() => document.querySelector('.site-search input')?.getBoundingClientRect().width ?? null);
        if (headerBox !== null) assert.ok(headerBox >= 200, `header search box is ${headerBox}px wide on the home page`);
      } finally {
        await context.close();
      }
    });

    test('phone first: on a 360 x 640 screen a listing\'s number is on the first screen, one tap to call', async () => {
      const listing = pages.find((p) => isListing(p) && fs.readFileSync(path.join(root, p, 'index.html'), 'utf8').includes('class="call"'));
      assert.ok(listing, 'a listing with a phone number');
      const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
      try {
        const page = await context.newPage();
        await page.goto(server.url + listing, { waitUntil: 'load' });
        const call = await page.evaluate(() => {
          const a = document.querySelector('a.call');
          const r = a.getBoundingClientRect();
          return { bottom: r.bottom, href: a.getAttribute('href') };
        });
        assert.ok(call.bottom <= 640, `${listing}: the number ends ${Math.round(call.bottom)}px down a 640px screen`);
        assert.match(call.href, /^tel:\+?\d+$/);
      } finally {
        await context.close();
      }
    });

    test('the printed booklet: 12 pt type, page numbers, no near-empty pages', async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(server.url + '/print/', { waitUntil: 'load' });
        await page.emulateMedia({ media: 'print' });
        const smallest = await page.evaluate(() =>
          Math.min(...[...document.querySelectorAll('.print-entry p, .print-entry h4, .contents li, .print-index p')].map((el) => parseFloat(getComputedStyle(el).fontSize))),
        );
        assert.ok(smallest >= 16, `smallest booklet text is ${smallest}px (12pt is 16px)`);
        const entries = await page.evaluate(() => document.querySelectorAll('.print-entry').length);
        const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
        const pagesPrinted = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
        // Two columns of 12 pt entries fill a page with four or more; the contents and the
        // index of towns add a few. (Before, 10 pt entries with a new page for each kind of
        // help printed 21 mostly blank pages for 30 entries.)
        const most = Math.ceil(entries / 2) + 3;
        assert.ok(pagesPrinted <= most, `${pagesPrinted} A4 pages for ${entries} entries (at most ${most})`);
        const hidden = await page.evaluate(() => ['.site-search', '.footer-links', '.no-print'].filter((s) => {
          const el = document.querySelector(s);
          return el && getComputedStyle(el).display !== 'none';
        }));
        assert.deepEqual(hidden, [], 'web-only parts are not printed');
      } finally {
        await context.close();
      }
    });

    test('text spacing (WCAG 1.4.12) at 320 CSS px loses nothing sideways', async () => {
      const failures = await overflowFailures({ viewport: { width: 320, height: 640 }, bypassCSP: true }, (page) =>
        page.addStyleTag({
          content: `* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
                     p { margin-bottom: 2em !important; }`,
        }),
      );
      assert.deepEqual(failures, [], `${council.id}:\n${failures.join('\n')}`);
    });

    test('a missing address gets the 404 page with status 404', async () => {
      const { page, context, response } = await open(browser, server.url + '/no-such-page/');
      try {
        assert.equal(response.status(), 404);
        assert.equal(await page.locator('h1').count(), 1);
        assert.ok(await page.locator('main#main').count());
      } finally {
        await context.close();
      }
    });

    test('the 404 page at a nested missing address (an old listing) is styled and its links work', async () => {
      // A withheld or closed listing leaves residents at /enterprises/<old-slug>/, where
      // static hosts serve 404.html as is: links relative to the site root would break there.
      const { page, context, response, errors } = await open(browser, server.url + '/enterprises/no-longer-listed/');
      try {
        assert.equal(response.status(), 404);
        const unstyled = await page.$$eval('link[rel~="stylesheet"]', (ls) => ls.filter((l) => !l.sheet || l.sheet.cssRules.length === 0).map((l) => l.getAttribute('href')));
        const broken = [];
        for (const href of await page.$$eval('a[href]', (as) => as.map((a) => a.href))) {
          if (!href.startsWith(server.url)) continue;
          const u = new URL(href);
          if (u.pathname === '/enterprises/no-longer-listed/') continue; // "#main" links
          const r = await context.request.get(server.url + u.pathname);
          if (r.status() !== 200) broken.push(`${u.pathname} (HTTP ${r.status()})`);
        }
        assert.deepEqual(
          { unstyled, broken, errors },
          { unstyled: [], broken: [], errors: [] },
          `${council.id}: 404.html uses addresses relative to the site root, so it breaks below it`,
        );
      } finally {
        await context.close();
      }
    });
  });
}

// ---------------------------------------------------------------------------------------
// The officers' report (`carepages report`) of each council. It is not part of any site, so
// it is made here into a temporary folder from the demo content, never into the site
// folder, and opened as a file. $CAREPAGES_BIN names the binary; else cargo run.

function officerReport(id) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepages-report-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, `${id}-report.html`);
  const args = ['report', '--content', path.join(repo, 'content'), '--council', id, '--today', '2026-11-25', '--out', out];
  const [cmd, all] = process.env.CAREPAGES_BIN ? [process.env.CAREPAGES_BIN, args] : ['cargo', ['run', '--quiet', '--', ...args]];
  execFileSync(cmd, all, { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

describe("the officers' report", () => {
  for (const { id } of COUNCILS) {
    test(`axe WCAG 2.2 AA: officers' report for ${id}`, async () => {
      const file = officerReport(id);
      assert.ok(!file.startsWith(site), 'the report is not in the site folder');
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(pathToFileURL(file).href);
        const violations = await axe(page);
        assert.deepEqual(violations, [], formatViolations(`officers' report ${id}`, violations));
        // Gaps are named in words, not only by colour.
        assert.ok((await page.locator('td.gap').first().innerText()).trim() === 'gap');
      } finally {
        await context.close();
      }
    });
  }
});
