// Launches Debian's Chromium through playwright-core (a test tool's own browser download
// does not work on these machines) and runs axe-core in pages.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Playwright adds --headless itself, and gives every launch a fresh temporary
// --user-data-dir (it refuses one in `args`), which it deletes on close.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM=/path/to/chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/**
 * Opens `url` in a new context. Returns { page, context, response, errors } where errors
 * collects page errors, console errors and failed or >= 400 sub-resource requests.
 */
export async function open(browser, url, options = {}) {
  const { viewport = { width: 390, height: 844 }, ...rest } = options;
  const context = await browser.newContext({ viewport, ...rest });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The document's own status (a 404 page) is the caller's to check, from `response`.
    if (/^Failed to load resource/.test(m.text()) && m.location()?.url === url) return;
    errors.push(`console: ${m.text()} (${m.location()?.url})`);
  });
  page.on('requestfailed', (r) => {
    // Aborted requests (a favicon still loading when the test moves on, a stylesheet refused
    // for its type, which the console reports) are not failures of the site.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  return { page, context, response, errors };
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Runs axe-core's WCAG 2.2 AA rules on the page and returns its violations as
 * { id, impact, help, helpUrl, nodes: [{ target, summary }] }. The page's own
 * Content-Security-Policy forbids injected scripts, so open it with `bypassCSP: true`.
 */
export async function axe(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
}

/** A readable report of axe violations for an assertion message. */
export function formatViolations(label, violations) {
  const lines = [`${label}: ${violations.length} axe violation(s)`];
  for (const v of violations) {
    lines.push(`  - ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes) {
      lines.push(`      at ${n.target}`);
      if (n.summary) lines.push(...n.summary.split('\n').map((s) => `        ${s}`));
    }
  }
  return lines.join('\n');
}
