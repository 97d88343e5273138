// portal.mjs -- the public portal in a real browser (Debian's chromium,
// driven by playwright-core), on a phone viewport and with JavaScript
// switched OFF in the pages: the portal must work as plain HTML forms.
//
//   cd tests/browser && npm ci --no-audit --no-fund
//   node portal.mjs /path/to/prakerja
//
// Prints TAP.  Exit status 1 if any test failed.  Full-page screenshots
// land in tests/browser/screenshots/ (git-ignored) for a human to look at.
//
// page.evaluate() still works with javaScriptEnabled:false (Playwright runs
// it through the DevTools protocol, not as a page script), so the layout
// measurements below run in the same JS-less context.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const exe = process.argv[2];
if (!exe) {
  console.error('usage: node portal.mjs /path/to/prakerja');
  process.exit(2);
}
const SHOTS = path.resolve('screenshots');
const PHONE = { width: 390, height: 844 };

// ---------------------------------------------------------------- TAP
let n = 0;
let failed = 0;
const results = [];
function ok(name) {
  console.log(`ok ${++n} - ${name}`);
}
function notOk(name, err, todo) {
  console.log(`not ok ${++n} - ${name}${todo ? ` # TODO ${todo}` : ''}`);
  if (!todo) failed++;
  const text = err && err.stack ? err.stack : String(err);
  for (const line of text.split('\n').slice(0, 12)) console.log(`# ${line}`);
}
function check(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(got, want, what) {
  if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// ---------------------------------------------------------------- server
async function startServer(dir) {
  const child = spawn(exe, ['serve', '--db', path.join(dir, 't.db'), '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log = [];
  let buf = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not report its address within 30 s')), 30000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    exited.then((r) => { clearTimeout(timer); reject(new Error(`server exited early: ${JSON.stringify(r)}`)); });
    // Keep draining stderr for the whole run (the access log goes there).
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        log.push(line);
        const m = /^prakerja: listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      }
    });
  });
  return { child, base, log, exited };
}

async function stopServer(srv) {
  srv.child.kill('SIGTERM');
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 15000));
  const r = await Promise.race([srv.exited, timeout]);
  if (r === null) {
    srv.child.kill('SIGKILL');
    throw new Error('server did not stop within 15 s of SIGTERM');
  }
  check(r.code === 0, `server exit after SIGTERM: ${JSON.stringify(r)}`);
}

// ---------------------------------------------------------------- helpers
const problems = [];      // console errors, page errors, CSP reports, failed loads
const favicon404 = [];    // known C-side gap, reported separately (see below)
const expected422 = new Set(); // documents a test expected to come back 422
const doc422 = [];
let context;
let base;

async function newPage() {
  const page = await context.newPage();
  page.on('console', (m) => {
    const loc = m.location();
    const where = loc && loc.url ? loc.url : page.url();
    if (m.type() === 'error' && /favicon\.ico$/.test(where) && /404/.test(m.text())) {
      favicon404.push(where);
      return;
    }
    // A form answered with 422 is the intended reply to invalid input;
    // chromium still logs the document's status as "Failed to load resource".
    // Checked at the end, once the tests have said which 422s they expected.
    if (m.type() === 'error' && where === page.url() && /status of 422\b/.test(m.text())) {
      doc422.push(where);
      return;
    }
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text()))
      problems.push(`${page.url()}: console ${m.type()}: ${m.text()} (${where})`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: pageerror: ${e.message}`));
  // ERR_ABORTED is the browser cancelling a load because the test navigated
  // on (e.g. the icon of a page being left), not a failure of the server.
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`${page.url()}: request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  return page;
}

async function go(page, p, status = 200) {
  const resp = await page.goto(base + p.replace(/^\//, ''));
  eq(resp.status(), status, `status of GET ${p}`);
  return resp;
}

// Horizontal overflow: the page must not scroll sideways, and no element
// may stick out past the right edge of the viewport.
async function noOverflow(page, label) {
  const r = await page.evaluate(() => {
    const vw = window.innerWidth;
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const b = el.getBoundingClientRect();
      if (b.width > 0 && (b.right > vw + 0.5 || b.left < -0.5) && !el.closest('.skip'))
        out.push(`${el.tagName.toLowerCase()}${el.className ? '.' + el.className : ''} [${Math.round(b.left)}..${Math.round(b.right)}]`);
    }
    return { sw: document.documentElement.scrollWidth, vw, out: out.slice(0, 5) };
  });
  check(r.sw <= r.vw && r.out.length === 0,
    `${label}: horizontal overflow at ${r.vw}px: scrollWidth=${r.sw}; ${r.out.join(', ')}`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// Every visible input/select has a <label> the browser associates with it.
async function allLabelled(page) {
  const bad = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || el.type === 'submit') continue;
      const text = [...(el.labels || [])].map((l) => l.textContent.trim()).join(' ');
      if (!text) out.push(el.outerHTML.slice(0, 80));
    }
    return out;
  });
  check(bad.length === 0, `controls without a label: ${bad.join(' | ')}`);
}

async function submit(page, buttonName) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: buttonName }).click()]);
}

// ---------------------------------------------------------------- tests
const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('home: h1, total Rp4.200.000, no horizontal overflow on a 390px phone', async () => {
  const page = await newPage();
  await go(page, '/');
  eq(await page.locator('h1').count(), 1, 'number of h1');
  check((await page.locator('h1').innerText()).trim().length > 0, 'h1 is empty');
  const total = await page.locator('table.money tfoot td.num').innerText();
  eq(total.trim(), 'Rp4.200.000', 'total in the benefits table');
  await noOverflow(page, '/');
  await shot(page, 'home');
  await page.close();
});

test('stylesheet loads under the CSP (header is brand blue, body not Times)', async () => {
  const page = await newPage();
  await go(page, '/');
  const s = await page.evaluate(() => ({
    bg: getComputedStyle(document.querySelector('header.site')).backgroundColor,
    font: getComputedStyle(document.body).fontFamily,
  }));
  eq(s.bg, 'rgb(11, 83, 148)', 'header background');
  check(/system-ui/.test(s.font), `body font-family ${s.font}`);
  await page.close();
});

test('navigation links reach every page and mark the current one', async () => {
  const page = await newPage();
  await go(page, '/');
  const pages = [
    ['Cek Kelayakan', '/cek-kelayakan', 'Cek kelayakan'],
    ['Linimasa Manfaat', '/linimasa', 'Linimasa manfaat'],
    ['Cek NIK', '/cek-nik', 'Cek format NIK'],
    ['Beranda', '/', 'Kartu Prakerja untuk warga Jakarta'],
  ];
  const nav = page.getByRole('navigation', { name: 'Menu utama' });
  for (const [link, p, h1] of pages) {
    await Promise.all([page.waitForNavigation(), nav.getByRole('link', { name: link, exact: true }).click()]);
    eq(new URL(page.url()).pathname, p, `path after clicking "${link}"`);
    eq((await page.locator('h1').innerText()).trim(), h1, `h1 on ${p}`);
    eq(await nav.locator('[aria-current="page"]').innerText(), link, `aria-current on ${p}`);
  }
  await page.close();
});

test('keyboard: first Tab reaches the skip link, which shows and jumps to main', async () => {
  const page = await newPage();
  await go(page, '/cek-kelayakan');
  await page.keyboard.press('Tab');
  const f = await page.evaluate(() => {
    const a = document.activeElement;
    const b = a.getBoundingClientRect();
    return { cls: a.className, href: a.getAttribute('href'), text: a.textContent,
             visible: b.left >= 0 && b.top >= 0 && b.right <= innerWidth && b.width > 0 };
  });
  eq(f.cls, 'skip', 'class of the first focused element');
  eq(f.href, '#isi', 'skip link target');
  check(f.visible, 'skip link is off screen when focused');
  await page.keyboard.press('Enter');
  // A same-document navigation: the URL changes a moment after the key.
  await page.waitForURL((u) => u.hash === '#isi', { timeout: 5000 }).catch(() => {});
  eq(new URL(page.url()).hash, '#isi', 'hash after following the skip link');
  await page.close();
});

test('cek-kelayakan: born 2012-05-01 -> belum memenuhi syarat (usia_kurang), input kept', async () => {
  const page = await newPage();
  await go(page, '/cek-kelayakan');
  await page.getByLabel('Tanggal lahir', { exact: true }).fill('2012-05-01');
  await page.getByLabel('Pekerjaan saat ini').selectOption('karyawan_swasta');
  await submit(page, 'Periksa');
  const result = page.locator('section.result');
  eq(await result.getAttribute('class'), 'result no', 'result class');
  check(/belum memenuhi syarat/.test(await result.locator('h2').innerText()), 'heading lacks "belum memenuhi syarat"');
  const reason = result.locator('li[data-code="usia_kurang"]');
  eq(await reason.count(), 1, 'usia_kurang reasons');
  check(/Usia Anda belum mencapai/.test(await reason.innerText()), 'usia_kurang text');
  eq(await page.locator('#tanggal_lahir').inputValue(), '2012-05-01', 'tanggal_lahir after submit');
  eq(await page.locator('#pekerjaan').inputValue(), 'karyawan_swasta', 'pekerjaan after submit');
  await noOverflow(page, '/cek-kelayakan (result)');
  await shot(page, 'cek-kelayakan-hasil');
  await page.close();
});

test('cek-kelayakan: born 1990-05-01 -> Anda memenuhi syarat', async () => {
  const page = await newPage();
  await go(page, '/cek-kelayakan');
  await page.getByLabel('Tanggal lahir', { exact: true }).fill('1990-05-01');
  await page.getByLabel('Pekerjaan saat ini').selectOption('karyawan_swasta');
  await submit(page, 'Periksa');
  eq((await page.locator('section.result h2').innerText()).trim(), 'Anda memenuhi syarat', 'result heading');
  eq(await page.locator('section.result').getAttribute('class'), 'result ok', 'result class');
  await page.close();
});

test('cek-kelayakan: empty date -> error summary, field error beside it, aria-invalid', async () => {
  const page = await newPage();
  await go(page, '/cek-kelayakan');
  const [resp] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Periksa' }).click(),
  ]);
  eq(resp.status(), 422, 'status of the rejected form');
  expected422.add(resp.url());
  const summary = page.locator('.error-summary[role="alert"]');
  eq(await summary.count(), 1, 'error summaries');
  const link = summary.locator('a[href="#tanggal_lahir"]');
  eq((await link.innerText()).trim(), 'Tanggal lahir wajib diisi.', 'summary link text');
  const input = page.locator('#tanggal_lahir');
  eq(await input.getAttribute('aria-invalid'), 'true', 'aria-invalid');
  check((await input.getAttribute('aria-describedby') || '').split(' ').includes('tanggal_lahir-error'),
    'aria-describedby does not name the error');
  // The error text sits in the same field block, right above the input.
  const beside = await page.evaluate(() => {
    const e = document.getElementById('tanggal_lahir-error');
    const i = document.getElementById('tanggal_lahir');
    return e && e.parentElement === i.parentElement && e.parentElement.classList.contains('invalid')
      ? e.textContent : null;
  });
  eq(beside, 'Tanggal lahir wajib diisi.', 'field error beside the input');
  await Promise.all([page.waitForURL(/#tanggal_lahir$/), link.click()]);
  await noOverflow(page, '/cek-kelayakan (errors)');
  await shot(page, 'cek-kelayakan-galat');
  await page.close();
});

test('every input and select on the three forms has an associated label', async () => {
  const page = await newPage();
  for (const p of ['/cek-kelayakan', '/linimasa', '/cek-nik']) {
    await go(page, p);
    try { await allLabelled(page); } catch (e) { throw new Error(`${p}: ${e.message}`); }
  }
  // And the labels work for lookups by name (what a screen reader announces).
  await go(page, '/linimasa');
  for (const name of ['Skema', 'Tanggal dinyatakan lolos', 'Tanggal pelatihan pertama selesai'])
    eq(await page.getByLabel(name).count(), 1, `controls labelled "${name}"`);
  await page.close();
});

test('linimasa: skema 2023, lolos 2026-11-02 -> beli pelatihan paling lambat 17 November 2026', async () => {
  const page = await newPage();
  await go(page, '/linimasa');
  await page.getByLabel('Skema').selectOption('2023');
  await page.getByLabel('Tanggal dinyatakan lolos').fill('2026-11-02');
  await submit(page, 'Hitung');
  const u = new URL(page.url());
  eq(u.searchParams.get('skema'), '2023', 'skema in the bookmarkable URL');
  eq(u.searchParams.get('tanggal_lolos'), '2026-11-02', 'tanggal_lolos in the URL');
  const deadline = page.locator('ol.timeline li', { hasText: 'Batas akhir membeli pelatihan pertama' });
  eq(await deadline.count(), 1, 'deadline rows');
  eq((await deadline.locator('time').innerText()).trim(), '17 November 2026', 'deadline');
  eq(await deadline.locator('time').getAttribute('datetime'), '2026-11-17', 'deadline datetime');
  eq(await page.locator('#skema').inputValue(), '2023', 'skema kept');
  await noOverflow(page, '/linimasa (result)');
  await shot(page, 'linimasa-hasil');
  await page.close();
});

test('cek-nik: 3174015708900001 -> Format NIK benar, Perempuan, 17 Agustus 1990, Tebet; NIK not in URL', async () => {
  const page = await newPage();
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  await go(page, '/cek-nik');
  await page.getByLabel('NIK', { exact: true }).pressSequentially('3174015708900001');
  const [resp] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Periksa' }).click()]);
  eq(resp.status(), 200, 'status');
  const result = page.locator('section.result');
  eq((await result.locator('h2').innerText()).trim(), 'Format NIK benar', 'result heading');
  const text = await result.innerText();
  for (const want of ['Perempuan', '17 Agustus 1990', 'Tebet'])
    check(text.includes(want), `result lacks "${want}": ${text}`);
  check(!page.url().includes('3174015708900001'), `NIK in the URL: ${page.url()}`);
  check(!urls.some((x) => x.includes('3174015708900001')), 'NIK in a request URL');
  eq(resp.headers()['cache-control'], 'no-store', 'Cache-Control of the NIK answer');
  await noOverflow(page, '/cek-nik (result)');
  await shot(page, 'cek-nik-hasil');
  await page.close();
});

test('cek-nik: 12345 -> Format NIK tidak benar, field marked invalid', async () => {
  const page = await newPage();
  await go(page, '/cek-nik');
  await page.getByLabel('NIK', { exact: true }).pressSequentially('12345');
  await submit(page, 'Periksa');
  eq((await page.locator('section.result h2').innerText()).trim(), 'Format NIK tidak benar', 'result heading');
  check((await page.locator('section.result ul.errors li').count()) >= 1, 'no reasons listed');
  eq(await page.locator('#nik').getAttribute('aria-invalid'), 'true', 'aria-invalid');
  eq(await page.locator('#nik').inputValue(), '12345', 'NIK kept in the field');
  await page.close();
});

test('cek-nik: markup typed into the NIK field comes back as text, not as an element', async () => {
  const page = await newPage();
  const xss = '<img src=x onerror=alert(1)>';
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  let dialog = false;
  page.on('dialog', async (d) => { dialog = true; await d.dismiss(); });
  await go(page, '/cek-nik');
  await page.getByLabel('NIK', { exact: true }).fill(xss);
  await submit(page, 'Periksa');
  eq(await page.locator('img').count(), 0, 'img elements on the page');
  eq(await page.locator('#nik').inputValue(), xss, 'field value round trip');
  check(!urls.some((x) => /\/x$/.test(x)), 'browser fetched the injected image /x');
  check(!dialog, 'a dialog opened');
  eq((await page.locator('section.result h2').innerText()).trim(), 'Format NIK tidak benar', 'result heading');
  await page.close();
});

test('no horizontal overflow at 320px (WCAG reflow) on any page', async () => {
  const page = await newPage();
  await page.setViewportSize({ width: 320, height: 640 });
  for (const p of ['/', '/cek-kelayakan', '/linimasa?skema=2023&tanggal_lolos=2026-11-02', '/cek-nik'])
    await go(page, p).then(() => noOverflow(page, p));
  await page.close();
});

test('page content keeps clear of the footer (form button not flush on its rule)', async () => {
  const page = await newPage();
  for (const p of ['/cek-kelayakan', '/linimasa', '/cek-nik']) {
    await go(page, p);
    const gap = await page.evaluate(() =>
      document.querySelector('footer.site').getBoundingClientRect().top -
      document.querySelector('main button[type="submit"]').getBoundingClientRect().bottom);
    check(gap >= 16, `${p}: only ${gap.toFixed(1)}px between the submit button and the footer`);
  }
  await page.close();
});

test('tap targets: nav links, buttons and form controls are at least 24px high', async () => {
  const page = await newPage();
  const small = [];
  for (const p of ['/', '/cek-kelayakan', '/linimasa', '/cek-nik']) {
    await go(page, p);
    small.push(...await page.evaluate((p) => {
      const out = [];
      for (const el of document.querySelectorAll('nav a, button, .button, input:not([type=hidden]), select')) {
        const b = el.getBoundingClientRect();
        if (b.height < 24 || b.width < 24)
          out.push(`${p} ${el.tagName.toLowerCase()}#${el.id || el.textContent.trim()} ${Math.round(b.width)}x${Math.round(b.height)}`);
      }
      return out;
    }, p));
  }
  check(small.length === 0, `too small: ${small.join(', ')}`);
  await page.close();
});

// ---------------------------------------------------------------- main
const dir = await mkdtemp(path.join(tmpdir(), 'prakerja-browser-'));
let srv;
let browser;
try {
  await mkdir(SHOTS, { recursive: true });
  try {
    srv = await startServer(dir);
    base = srv.base;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30000,
    });
    context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'id-ID',
    });
    context.setDefaultTimeout(10000);
    context.setDefaultNavigationTimeout(15000);
  } catch (e) {
    notOk('start the server and the browser', e);
    if (srv) for (const l of srv.log.slice(-20)) console.log(`# server: ${l}`);
    throw e;
  }
  for (const t of tests) {
    const t0 = Date.now();
    try { await t.fn(); ok(t.name); } catch (e) { notOk(t.name, e); }
    if (process.env.PORTAL_TIMING) console.log(`# ${Date.now() - t0} ms`);
  }
  for (const u of doc422)
    if (!expected422.has(u)) problems.push(`${u}: unexpected 422 document`);
  try {
    check(problems.length === 0, `${problems.length} problem(s):\n${problems.join('\n')}`);
    ok('no console errors, page errors, CSP violations or failed loads on any page');
  } catch (e) { notOk('no console errors, page errors, CSP violations or failed loads on any page', e); }
  // Chromium asks every origin for /favicon.ico; the portal answers 404,
  // which shows as a console error.  Needs a C-side fix (routes/static),
  // so it is tracked here as TODO rather than failing the suite.
  if (favicon404.length === 0) ok('GET /favicon.ico does not 404');
  else notOk('GET /favicon.ico does not 404', `chromium logged "404" for ${favicon404[0]} (${favicon404.length}x)`,
    'portal serves no favicon; chromium logs a 404 console error');
} catch {
  // already reported
} finally {
  if (browser) await browser.close().catch(() => {});
  if (srv) {
    try { await stopServer(srv); ok('server stops cleanly (exit 0) on SIGTERM'); }
    catch (e) {
      notOk('server stops cleanly (exit 0) on SIGTERM', e);
      for (const l of srv.log.slice(-10)) console.log(`# server: ${l}`);
    }
  }
  await rm(dir, { recursive: true, force: true });
  console.log(`1..${n}`);
  process.exitCode = failed || n === 0 ? 1 : 0;
}
