// account.mjs -- "Akun saya" in a real browser (Debian's chromium driven by
// playwright-core, JavaScript off in the pages) at 360 px, a phone: a
// resident registers on /daftar, the receipt offers to verify the phone,
// the code (read from the berkas channel's file) signs them in, Akun saya
// shows the status, next step and the phone verified, the resident joins
// the open wave, the channel is changed, and logout ends it; no page scrolls sideways and every control
// has a label.  Issue #15 "Residents sign in".
//
//   node account.mjs /path/to/prakerja
//
// Prints TAP.  Exit status 1 if any test failed.  Screenshots land in
// tests/browser/screenshots/ (git-ignored).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const exe = process.argv[2];
if (!exe) {
  console.error('usage: node account.mjs /path/to/prakerja');
  process.exit(2);
}
const SHOTS = path.resolve('screenshots');
const WIDTH = 360;

let n = 0;
let failed = 0;
const ok = (name) => console.log(`ok ${++n} - ${name}`);
function notOk(name, err) {
  console.log(`not ok ${++n} - ${name}`);
  failed++;
  for (const line of String(err && err.stack ? err.stack : err).split('\n').slice(0, 12))
    console.log(`# ${line}`);
}
function check(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(got, want, what) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}

async function startServer(db, box) {
  const child = spawn(exe, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--rate-limits', 'off'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PRAKERJA_REMIND_FILE: box },
  });
  const log = [];
  let buf = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not report its address within 30 s')), 30000);
    exited.then((r) => { clearTimeout(timer); reject(new Error(`server exited early: ${JSON.stringify(r)}`)); });
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

async function noOverflow(page, label) {
  const width = page.viewportSize().width;
  const r = await page.evaluate((vw) => {
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const b = el.getBoundingClientRect();
      if (b.width > 0 && (b.right > vw + 0.5 || b.left < -0.5) && !el.closest('.skip'))
        out.push(`${el.tagName.toLowerCase()}${el.className ? '.' + el.className : ''} [${Math.round(b.left)}..${Math.round(b.right)}]`);
    }
    return { sw: document.documentElement.scrollWidth, out: out.slice(0, 5) };
  }, width);
  check(r.sw <= width && r.out.length === 0,
    `${label}: horizontal overflow at ${width}px: scrollWidth=${r.sw}; ${r.out.join(', ')}`);
}

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

async function submit(page, name) {
  const [resp] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name }).click()]);
  return resp;
}

async function lastCode(box) {
  // the server hands a code over from a thread of its own, after answering
  let m;
  for (let i = 0; i < 300 && !m; i++) {
    const text = await readFile(box, 'utf8').catch(() => '');
    const lines = text.trim() ? text.trim().split('\n').map((l) => JSON.parse(l)) : [];
    m = lines.filter((x) => x.rule.startsWith('kode_')).pop();
    if (!m) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  check(m, 'no code in the berkas file');
  return { m, code: /\b(\d{6})\b/.exec(m.text)[1] };
}

const dir = await mkdtemp(path.join(tmpdir(), 'prakerja-account-'));
let srv;
let browser;
try {
  await mkdir(SHOTS, { recursive: true });
  const db = path.join(dir, 'akun.db');
  const box = path.join(dir, 'pesan.jsonl');
  // a wave of this deployment open for joining: from yesterday to in ten days
  const wib = (t) => new Date(t + 7 * 3600e3).toISOString().slice(0, 19) + '+07:00';
  execFileSync(exe, ['migrate', '--db', db], { stdio: 'ignore' });
  execFileSync(exe, ['wave', 'create', '--db', db, '--wave', '3', '--scheme', '2021',
    '--opens', wib(Date.now() - 86400e3), '--closes', wib(Date.now() + 10 * 86400e3),
    '--quota', '100'], { stdio: 'ignore' });
  // and a second one, the same days: one open wave at a time (selection.md)
  execFileSync(exe, ['wave', 'create', '--db', db, '--wave', '4', '--scheme', '2021',
    '--opens', wib(Date.now() - 86400e3), '--closes', wib(Date.now() + 10 * 86400e3),
    '--quota', '100'], { stdio: 'ignore' });
  srv = await startServer(db, box);
  const base = srv.base;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30000,
  });
  const ctx = await browser.newContext({
    javaScriptEnabled: false, viewport: { width: WIDTH, height: 780 }, deviceScaleFactor: 1,
    isMobile: true, hasTouch: true, locale: 'id-ID',
  });
  ctx.setDefaultTimeout(10000);
  ctx.setDefaultNavigationTimeout(15000);
  const page = await ctx.newPage();
  const nik = '3174011708950042';
  const steps = [
    ['register on /daftar; the receipt offers to verify the phone', async () => {
      await page.goto(base + 'daftar');
      await page.getByLabel('NIK', { exact: true }).fill(nik);
      await page.getByLabel('Nomor Kartu Keluarga').fill('3174012000000042');
      await page.getByLabel('Nama lengkap').fill('Warga Akun 42');
      await page.getByLabel('Tanggal lahir', { exact: true }).fill('1995-08-17');
      await page.getByLabel('Jenis kelamin').selectOption('L');
      await page.getByLabel('Nomor HP').fill('0812 7042 0042');
      await page.getByLabel('Kelurahan domisili').selectOption({ label: 'Tebet Timur' });
      await page.getByLabel('Pendidikan terakhir').selectOption('sma');
      await page.getByLabel('Status kerja').selectOption('pencari_kerja');
      await page.getByLabel('Pekerjaan saat ini').selectOption('wiraswasta');
      await submit(page, 'Daftar');
      eq(new URL(page.url()).pathname, '/daftar/selesai', 'the receipt');
      eq(await page.locator('[data-phone-verified="tidak"]').count(), 1, 'not verified yet');
      await noOverflow(page, 'receipt');
    }],
    ['verify the phone with a code at 360 px: the same answer, then Akun saya', async () => {
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Verifikasi nomor HP' }).click()]);
      eq(new URL(page.url()).pathname, '/akun/verifikasi-hp', 'the verification page');
      await allLabelled(page);
      await noOverflow(page, '/akun/verifikasi-hp');
      await page.screenshot({ path: path.join(SHOTS, 'akun-verifikasi-360.png'), fullPage: true });
      await page.getByLabel('NIK', { exact: true }).fill(nik);
      const r = await submit(page, 'Kirim kode');
      eq(r.status(), 200, 'code asked');
      check(/Jika NIK terdaftar, kode 6 angka dikirim/.test(await page.locator('[data-kode-dikirim]').innerText()), 'the neutral answer');
      check(!page.url().includes(nik), 'the NIK in the URL');
      await allLabelled(page);
      await noOverflow(page, 'the code form');
      const { m, code } = await lastCode(box);
      eq([m.rule, m.to], ['kode_telepon', '+6281270420042'], 'to the phone');
      await page.getByLabel('Kode 6 angka').fill(code);
      await submit(page, 'Verifikasi');
      eq(new URL(page.url()).pathname, '/akun', 'Akun saya');
      eq(await page.locator('[data-phone-verified="ya"]').count(), 1, 'phone verified');
      check(/Langkah berikutnya/.test(await page.content()), 'next step');
      await allLabelled(page);
      await noOverflow(page, '/akun');
      await page.screenshot({ path: path.join(SHOTS, 'akun-360.png'), fullPage: true });
    }],
    ['the resident joins the open wave from Akun saya', async () => {
      eq(await page.locator('[data-wave="3"]').count(), 1, 'wave 3 offered');
      // one who may join sees the open waves first, before their status
      check(await page.evaluate(() => Boolean(document.querySelector('[data-waves]')
        .compareDocumentPosition(document.querySelector('[data-journey]')) & Node.DOCUMENT_POSITION_FOLLOWING)),
        'the open waves above the status');
      await submit(page, 'Ikut Gelombang 3');
      eq(new URL(page.url()).pathname + new URL(page.url()).search, '/akun?gabung=3', 'the answer');
      eq(await page.locator('[data-joined="3"]').count(), 1, 'joined');
      eq(await page.locator('[data-in-wave]').count(), 1, 'in the wave');
      eq(await page.locator('[data-status="pendaftar"]').count(), 1, 'status');
      eq(await page.getByRole('button', { name: 'Ikut Gelombang 3' }).count(), 0, 'no second button');
      await allLabelled(page);
      await noOverflow(page, '/akun after joining');
      await page.screenshot({ path: path.join(SHOTS, 'akun-gelombang-360.png'), fullPage: true });
      // while wave 3 is open, wave 4 is not offered
      eq(await page.locator('[data-in-other="3"]').count(), 1, 'wave 4: in another open wave');
      eq(await page.getByRole('button', { name: 'Ikut Gelombang 4' }).count(), 0, 'no button for 4');
    }],
    ['once wave 3 has closed (not drawn), wave 4 is offered, and waiting is said', async () => {
      execFileSync(exe, ['wave', 'close', '--db', db, '--wave', '3'], { stdio: 'ignore' });
      await page.goto(base + 'akun');
      eq(await page.locator('[data-waiting="3"]').count(), 1, 'waiting for wave 3\'s draw, said');
      eq(await page.getByRole('button', { name: 'Ikut Gelombang 4' }).count(), 1, 'wave 4 offered');
      eq(await page.locator('[data-wave="3"]').count(), 0, 'wave 3 no longer listed');
      // the next step does not say the resident may join no other wave
      check(!/Sampai saat itu Anda tidak dapat ikut gelombang lain/.test(await page.content()),
        'the next step says no more than is so');
      await allLabelled(page);
      await noOverflow(page, '/akun waiting for a draw');
      await page.screenshot({ path: path.join(SHOTS, 'akun-menunggu-360.png'), fullPage: true });
    }],
    ['the channel is changed and kept; logout ends the session', async () => {
      await page.getByLabel('Kirim pesan lewat').selectOption('sms');
      await submit(page, 'Simpan');
      eq(await page.locator('[data-saved]').count(), 1, 'saved');
      eq(await page.getByLabel('Kirim pesan lewat').inputValue(), 'sms', 'kept');
      await noOverflow(page, '/akun after saving');
      await submit(page, 'Keluar');
      const r = await page.goto(base + 'akun');
      eq(new URL(page.url()).pathname, '/akun/masuk', 'signed out');
      eq(r.status(), 200, 'the sign-in page');
      await allLabelled(page);
      await noOverflow(page, '/akun/masuk');
      await page.screenshot({ path: path.join(SHOTS, 'akun-masuk-360.png'), fullPage: true });
    }],
  ];
  for (const [name, fn] of steps) {
    try { await fn(); ok(name); } catch (e) { notOk(name, e); break; }
  }
} catch (e) {
  notOk('start the server and the browser', e);
  if (srv) for (const l of srv.log.slice(-20)) console.log(`# server: ${l}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (srv) {
    srv.child.kill('SIGTERM');
    const r = await Promise.race([srv.exited, new Promise((res) => setTimeout(() => res(null), 15000))]);
    if (r && r.code === 0) ok('server stops cleanly (exit 0) on SIGTERM');
    else { if (!r) srv.child.kill('SIGKILL'); notOk('server stops cleanly', JSON.stringify(r)); }
  }
  await rm(dir, { recursive: true, force: true });
  console.log(`1..${n}`);
  process.exitCode = failed || n === 0 ? 1 : 0;
}
