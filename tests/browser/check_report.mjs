// Opens a pivot report (report.html) in headless Debian Chromium and checks
// that it renders cleanly: no console errors, no page errors, no failed or
// external requests; every chart SVG present with a size and content; the
// claims table with the expected number of verdict rows. Saves a full-page
// screenshot.
//
// Usage: node check_report.mjs REPORT_HTML SCREENSHOT_PNG EXPECTED_CLAIMS
// Env:   CHROMIUM (default /usr/bin/chromium)
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [reportArg, shotArg, claimsArg] = process.argv.slice(2);
if (!reportArg || !shotArg || claimsArg === undefined || !/^\d+$/.test(claimsArg)) {
  console.error('usage: node check_report.mjs REPORT_HTML SCREENSHOT_PNG EXPECTED_CLAIMS');
  process.exit(2);
}
const reportPath = resolve(reportArg);
if (!existsSync(reportPath)) {
  console.error(`report not found: ${reportPath}`);
  process.exit(2);
}
const expectedClaims = Number(claimsArg);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const failures = [];
const fail = (msg) => failures.push(msg);

const userDataDir = mkdtempSync(join(tmpdir(), 'pivot-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
    viewport: { width: 1100, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const reportUrl = pathToFileURL(reportPath).href;

  page.on('console', (msg) => {
    if (msg.type() === 'error') fail(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => fail(`page error: ${err.message}`));
  page.on('requestfailed', (req) =>
    fail(`failed request: ${req.url()} (${req.failure()?.errorText ?? 'unknown'})`),
  );
  page.on('request', (req) => {
    // The report is one file: the only request allowed is the page itself.
    if (req.url() !== reportUrl) fail(`unexpected request: ${req.url()}`);
  });

  const response = await page.goto(reportUrl, { waitUntil: 'load' });
  if (response && !response.ok()) fail(`loading the report gave status ${response.status()}`);

  const title = await page.title();
  if (!title.trim()) fail('the page has no <title>');

  // Charts: every figure's SVG is laid out with a size and has content.
  const charts = await page.$$eval('figure.chart', (figs) =>
    figs.map((f) => {
      const svg = f.querySelector('svg');
      if (!svg) return { id: f.id, missing: true };
      const r = svg.getBoundingClientRect();
      return {
        id: f.id,
        missing: false,
        width: r.width,
        height: r.height,
        children: svg.childElementCount,
        texts: svg.querySelectorAll('text').length,
        title: svg.querySelector('title')?.textContent ?? '',
      };
    }),
  );
  const svgCount = await page.$$eval('svg', (s) => s.length);
  if (svgCount === 0) fail('no <svg> in the page');
  if (charts.length !== svgCount) fail(`${svgCount} <svg> elements but ${charts.length} chart figures`);
  for (const c of charts) {
    if (c.missing) { fail(`chart #${c.id}: no <svg>`); continue; }
    if (!(c.width > 0 && c.height > 0)) fail(`chart #${c.id}: zero size (${c.width}x${c.height})`);
    if (c.children < 5) fail(`chart #${c.id}: only ${c.children} child elements`);
    if (c.texts < 2) fail(`chart #${c.id}: no text (title, axes, source)`);
    if (!c.title.trim()) fail(`chart #${c.id}: no <title>`);
  }

  // Claims table.
  const claims = await page.$$eval('#claims-table tbody tr', (rows) =>
    rows.map((r) => ({ id: r.id, verdict: r.getAttribute('data-verdict') })),
  );
  const allowed = new Set(['supported', 'not-supported', 'mixed', 'not-testable']);
  const verdictRows = claims.filter((r) => allowed.has(r.verdict));
  if (claims.length === 0) fail('no #claims-table (or it has no rows)');
  if (verdictRows.length !== expectedClaims)
    fail(`#claims-table has ${verdictRows.length} verdict rows, expected ${expectedClaims}`);
  if (verdictRows.length !== claims.length)
    fail(`#claims-table has ${claims.length - verdictRows.length} rows without a known verdict`);

  // In-page links all resolve; no link leaves the report's folder.
  const links = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
  for (const href of links) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) fail(`link with a scheme: ${href}`);
    if (href.startsWith('#')) {
      const found = await page.$(`[id="${href.slice(1).replace(/"/g, '\\"')}"]`);
      if (!found) fail(`dangling in-page link: ${href}`);
    }
  }

  // Nothing may stick out sideways (a sign of overflowing text or charts).
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  if (overflow > 1) fail(`page scrolls horizontally by ${overflow}px`);

  await page.screenshot({ path: resolve(shotArg), fullPage: true });
  console.log(
    `checked ${reportPath}: ${charts.length} charts, ${verdictRows.length} claims, ` +
      `${links.length} links; screenshot ${resolve(shotArg)}`,
  );
} catch (e) {
  fail(`browser check crashed: ${e?.stack ?? e}`);
} finally {
  if (context) await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log('OK');
