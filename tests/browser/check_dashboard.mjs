// Drives the pivot dashboard (`pivot serve`) in headless Debian Chromium: choose a focal
// state by type-ahead, run a measure, see a chart and a table with provenance, download the
// CSV, open a shared link, the claims page and the SQL console. Fails on any console error,
// page error, failed request, or request leaving the server's origin. Saves a screenshot.
//
// Usage: node check_dashboard.mjs BASE_URL SCREENSHOT_PNG
// Env:   CHROMIUM (default /usr/bin/chromium)
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [base, shotArg] = process.argv.slice(2);
if (!base || !shotArg) {
  console.error('usage: node check_dashboard.mjs BASE_URL SCREENSHOT_PNG');
  process.exit(2);
}
const origin = new URL(base).origin;
const host = new URL(base).hostname;
if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
  console.error(`the dashboard check runs against a local server only, not ${host}`);
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const failures = [];
const fail = (msg) => failures.push(msg);
const step = (msg) => console.log(`- ${msg}`);
// A refusal the test provokes on purpose logs "Failed to load resource: … 400" in the console.
let expectRefusal = false;

const userDataDir = mkdtempSync(join(tmpdir(), 'pivot-dashboard-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    acceptDownloads: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 1000 },
  });
  const watch = (page) => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      if (expectRefusal && /status of 400/.test(msg.text())) return;
      fail(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => fail(`page error: ${err.message}`));
    page.on('requestfailed', (req) => {
      // A download navigation is reported as aborted once the file is saved.
      if (/format=(csv|parquet)/.test(req.url())) return;
      fail(`failed request: ${req.url()} (${req.failure()?.errorText ?? 'unknown'})`);
    });
    page.on('request', (req) => {
      const u = req.url();
      if (u.startsWith('data:')) return;
      if (new URL(u).origin !== origin) fail(`request leaving the server: ${u}`);
    });
  };
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);

  step('open the dashboard');
  const res = await page.goto(base, { waitUntil: 'load' });
  if (!res || !res.ok()) fail(`loading ${base} gave status ${res?.status()}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });

  step('choose partner-share and Russia by type-ahead');
  await page.selectOption('#measure', 'partner-share');
  await page.fill('#focal', '');
  await page.type('#focal', 'Russ', { delay: 30 });
  await page.waitForSelector('#focal-suggest li[data-code="RUS"]', { timeout: 10000 });
  await page.click('#focal-suggest li[data-code="RUS"]');
  if ((await page.inputValue('#focal')) !== 'RUS') fail(`focal is ${await page.inputValue('#focal')}, not RUS`);
  await page.fill('#years', '2014');
  if ((await page.$$('#param-fields [name="top"]')).length !== 1) fail('no form field for the parameter top');

  step('run it: chart, table, provenance');
  await page.click('#run');
  await page.waitForSelector('#result-table tbody tr', { timeout: 60000 });
  const rows = await page.$$eval('#result-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  const headers = await page.$$eval('#result-table thead th', (ths) => ths.map((th) => th.textContent));
  const pi = headers.indexOf('partner');
  const si = headers.indexOf('share');
  const china = rows.find((r) => r[pi] === 'CHN');
  if (!china) fail('no China row in the table');
  // Issue 30: shares read as percentages; issue 29: 2014 comes from BACI totals (0.116548).
  else if (!/^\d+\.\d\d%$/.test(china[si]) || Math.abs(parseFloat(china[si]) / 100 - 0.116548) > 5e-5)
    fail(`China's 2014 share shows ${china[si]}, not 11.65%`);
  const yi = headers.indexOf('year');
  if (china && china[yi] !== '2014') fail(`the year shows ${china[yi]}, not 2014`);
  const vi = headers.indexOf('value (current USD)');
  if (vi < 0) fail(`no 'value (current USD)' column: ${headers}`);
  else if (!/^\d{1,3}(,\d{3})+$/.test(china[vi])) fail(`China's 2014 value shows ${china[vi]}, not grouped by thousands`);
  const ticks = await page.$$eval('#chart svg text[text-anchor="end"]', (ts) => ts.map((t) => t.textContent));
  if (!ticks.length || !ticks.every((t) => /^-?\d+(\.\d)?%$/.test(t))) fail(`share axis ticks are not round percentages: ${ticks}`);
  const bars = await page.$$('#chart svg rect.bar');
  if (bars.length === 0) fail('no bars in the chart');
  const box = await page.$eval('#chart svg', (s) => { const r = s.getBoundingClientRect(); return [r.width, r.height]; });
  if (!(box[0] > 100 && box[1] > 50)) fail(`chart has size ${box}`);
  const prov = await page.textContent('#provenance-body');
  if (!/baci_totals V202501/.test(prov) || !/Gaulier/.test(prov)) fail(`provenance lacks the BACI totals dataset and citation: ${prov}`);
  const url = new URL(page.url());
  if (url.searchParams.get('measure') !== 'partner-share' || url.searchParams.get('focal') !== 'RUS' || url.searchParams.get('years') !== '2014')
    fail(`the URL does not carry the state: ${page.url()}`);

  step('download the CSV');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
  const csv = readFileSync(await download.path(), 'utf8');
  if (!csv.startsWith('year,focal,partner,')) fail(`CSV header: ${csv.slice(0, 80)}`);
  if (!/^2014,RUS,CHN,/m.test(csv)) fail('the CSV has no 2014 RUS-CHN row');
  if (download.suggestedFilename() !== 'partner-share.csv') fail(`download named ${download.suggestedFilename()}`);

  step('a shared link reproduces a view: a line chart over years');
  const shared = await context.newPage();
  watch(shared);
  await shared.goto(`${base}?view=measure&measure=partner-share&focal=RUS&partners=CHN,DEU&years=2000-2014`, { waitUntil: 'load' });
  await shared.waitForSelector('#chart svg path.series', { timeout: 60000 });
  const series = await shared.$$('#chart svg path.series');
  if (series.length !== 2) fail(`shared view: ${series.length} series, expected 2 (China, Germany)`);
  if ((await shared.inputValue('#partners')) !== 'CHN,DEU') fail('shared view lost the partners');
  await shared.close();

  step('claims page: verdicts with evidence');
  await page.click('#nav-claims');
  await page.waitForSelector('#claims-table tbody tr[data-verdict]', { timeout: 120000 });
  const verdicts = await page.$$eval('#claims-table tbody tr', (trs) => trs.map((t) => t.getAttribute('data-verdict')));
  if (verdicts.length !== 8) fail(`claims page shows ${verdicts.length} verdicts, expected 8`);
  for (const v of verdicts) if (!['supported', 'not-supported', 'mixed', 'not-testable'].includes(v)) fail(`verdict ${v}`);
  if (new URL(page.url()).searchParams.get('view') !== 'claims') fail('the URL does not say the claims view');

  step('SQL console: limits shown, a query runs, COPY is refused');
  await page.click('#nav-sql');
  await page.waitForFunction(() => /rows come back/.test(document.getElementById('sql-limits').textContent));
  await page.click('#sql-run');
  await page.waitForSelector('#sql-table tbody tr', { timeout: 30000 });
  const sqlStatus = await page.textContent('#sql-status');
  if (!/cap \d+/.test(sqlStatus)) fail(`SQL status does not say the cap: ${sqlStatus}`);
  expectRefusal = true;
  await page.fill('#sql-query', "COPY (SELECT 1) TO '/tmp/pivot-dashboard-copy.csv'");
  await page.click('#sql-run');
  await page.waitForSelector('#error:not([hidden])', { timeout: 10000 });
  const err = await page.textContent('#error');
  if (!/sql_not_read_only/.test(err)) fail(`COPY refusal shows: ${err}`);
  expectRefusal = false;

  step('datasets page');
  await page.click('#nav-data');
  await page.waitForSelector('#data-table tbody tr', { timeout: 10000 });

  await page.click('#nav-measure');
  await page.screenshot({ path: resolve(shotArg), fullPage: true });
  console.log(`checked ${base}; screenshot ${resolve(shotArg)}`);
} catch (e) {
  fail(`dashboard check crashed: ${e?.stack ?? e}`);
} finally {
  if (context) await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log('OK');
