// staff.mjs -- the staff pages in a real browser (Debian's chromium,
// driven by playwright-core), at 360 px (a phone) and 1280 px (a desk),
// with JavaScript switched off in the pages: each role logs in, moves
// through its menu, and no page scrolls sideways; times are shown in
// Jakarta time, counts with thousands separators, search results as
// cards on the phone.
//
//   cd tests/browser && npm ci --no-audit --no-fund
//   node staff.mjs /path/to/prakerja
//
// Prints TAP.  Exit status 1 if any test failed.  Screenshots land in
// tests/browser/screenshots/ (git-ignored).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const exe = process.argv[2];
if (!exe) {
  console.error('usage: node staff.mjs /path/to/prakerja');
  process.exit(2);
}
const SHOTS = path.resolve('screenshots');
const WIDTHS = [360, 1280];
const USERS = {
  'admin1': { role: 'admin', password: 'Admin-Prakerja-Kuat-7',
    menu: ['Dasbor', 'Corong', 'Cari peserta', 'Pendaftaran dibantu', 'Katalog', 'Pengingat', 'Acara', 'Gelombang', 'Admin'] },
  'op.sel': { role: 'operator', region: '31.74', password: 'Operator-Jaksel-Tebet-1',
    menu: ['Dasbor', 'Corong', 'Cari peserta', 'Pendaftaran dibantu', 'Katalog', 'Pengingat', 'Acara'] },
  'viewer1': { role: 'viewer', password: 'Pemantau-Data-Agregat-3', menu: ['Dasbor', 'Corong', 'Katalog', 'Acara'] },
};
const BULK = 1234; // imported into Tebet Timur: counts need a separator
const JOURNEY_NIK = '3174014104900001';
const LONG_COURSE = 'PEMASARAN-DIGITAL-LANJUTAN-UMKM-JAKARTA-2021-ANGKATAN-12-KLS'; // 60 of 64
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'];

// ---------------------------------------------------------------- TAP
let n = 0;
let failed = 0;
function ok(name) { console.log(`ok ${++n} - ${name}`); }
function notOk(name, err) {
  console.log(`not ok ${++n} - ${name}`);
  failed++;
  const text = err && err.stack ? err.stack : String(err);
  for (const line of text.split('\n').slice(0, 12)) console.log(`# ${line}`);
}
function check(cond, msg) { if (!cond) throw new Error(msg); }
function eq(got, want, what) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}

// ---------------------------------------------------------------- setup
function cli(args, input, env) {
  const r = spawnSync(exe, args, { input, encoding: 'utf8', timeout: 300000,
    env: env ? { ...process.env, ...env } : process.env });
  check(r.status === 0, `prakerja ${args.join(' ')}: ${r.status} ${r.stderr}`);
  return r.stdout;
}

async function seed(dir, db) {
  cli(['migrate', '--db', db]); // only migrate and serve create a database
  for (const [name, u] of Object.entries(USERS)) {
    const args = ['user', 'add', '--db', db, '--username', name, '--role', u.role, '--password-stdin'];
    if (u.region) args.push('--region', u.region);
    cli(args, u.password + '\n');
  }
  const cols = 'nik,no_kk,nama,tanggal_lahir,jenis_kelamin,no_hp,email,kode_wilayah,alamat,pendidikan,segmen,pekerjaan';
  const rows = [cols];
  for (let i = 1; i <= BULK; i++) {
    const s = String(i).padStart(4, '0');
    rows.push(`317401090394${s},31740130${String(i).padStart(8, '0')},Peserta Massal ${i},1994-03-09,L,` +
      `0812${String(44000000 + i)},,31.74.01.1001,Gang ${i},sma,pencari_kerja,lainnya`);
  }
  // a recipient with a long journey from the programme office's file
  rows.push(`${JOURNEY_NIK},3174019000000001,Rahmawati Perjalanan Panjang Sekali Namanya,` +
    '1990-04-01,P,081299990001,,31.74.01.1001,Gang Panjang,sma,pencari_kerja,lainnya');
  const file = path.join(dir, 'peserta.csv');
  await writeFile(file, rows.join('\n') + '\n');
  cli(['import', 'participants', '--db', db, file]);
  const ev = (ref, type, day, extra = {}) => ({ ref, nik: JOURNEY_NIK, peristiwa: type,
    waktu: `2021-03-${String(day).padStart(2, '0')}T10:00:00+07:00`, ...extra });
  const events = [
    ev('p1', 'lolos', 2, { gelombang: 12 }),
    ev('p2', 'saldo_masuk', 3, { jumlah: 3500000 }),
    ev('p3', 'pembelian', 4, { jumlah: 1750000, pelatihan: LONG_COURSE, platform: 'pijarmahir' }),
    ev('p4', 'selesai_pelatihan', 9, { pelatihan: LONG_COURSE, platform: 'pijarmahir' }),
    ev('p5', 'ulasan', 10, { pelatihan: LONG_COURSE }),
    ev('p6', 'rekening_tertaut', 11, { keterangan: 'linkaja' }),
    ev('p7', 'insentif_gagal', 20, { ke: 1, keterangan: 'rekening_tidak_aktif' }),
    ev('p8', 'survei_dibuka', 21, { ke: 1 }),
    ev('p9', 'pembelian', 15, { jumlah: 1750000, pelatihan: 'K-2', platform: 'pijarmahir' }),
  ];
  const ecols = ['ref', 'nik', 'peristiwa', 'waktu', 'gelombang', 'jumlah', 'ke', 'pelatihan',
    'platform', 'keterangan'];
  const efile = path.join(dir, 'peristiwa.csv');
  await writeFile(efile, [ecols.join(',')].concat(events.map((e) =>
    ecols.map((c) => e[c] ?? '').join(','))).join('\n') + '\n');
  cli(['import', 'events', '--db', db, '--source', 'pmo', efile]);
  // the office's late file: an older purchase, after which p9 no longer
  // fits the balance (the journey skips it; the timeline says so)
  const late = path.join(dir, 'peristiwa-susulan.csv');
  await writeFile(late, [ecols.join(',')].concat([{ ...ev('p0', 'pembelian', 3,
    { jumlah: 500000, pelatihan: 'K-0', platform: 'pijarmahir' }),
  waktu: '2021-03-03T12:00:00+07:00' }].map((e) => ecols.map((c) => e[c] ?? '').join(',')))
    .join('\n') + '\n');
  cli(['import', 'events', '--db', db, '--source', 'pmo', late]);
  // a drawn wave with quotas per regency (digests are 64-character words)
  const iso = (d) => new Date(Date.now() + d * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  cli(['wave', 'create', '--db', db, '--wave', '1', '--scheme', '2021', '--opens', iso(-20),
    '--closes', iso(-1), '--quota', '2', '--quota-region', '31.74=2', '--balance-until', '2030-12-15']);
  cli(['wave', 'join', '--db', db, '--wave', '1', '--at', iso(-5), '3174010903940001',
    '3174010903940002', '3174010903940003']);
  cli(['wave', 'draw', '--db', db, '--wave', '1', '--seed', 'c0ffee'.padEnd(64, '0')]);
  // today's reminders for the drawn recipients, so that the reminders page
  // has its effect tables (messages to a file: the berkas channel)
  // (the shipped rules without their quiet hours: nothing is handed over
  // in them, and this test runs at any hour of Jakarta's day)
  const rules = path.join(dir, 'rules.ini');
  const shipped = await readFile(new URL('../../data/reminders.ini', import.meta.url), 'utf8');
  check(shipped.includes('jam_tenang = 21:00-08:00'), 'the shipped quiet hours');
  await writeFile(rules, shipped.replace('jam_tenang = 21:00-08:00', 'jam_tenang = 00:00-00:00'));
  cli(['remind', 'run', '--db', db, '--date', new Date().toISOString().slice(0, 10)], undefined,
    { PRAKERJA_REMIND_FILE: path.join(dir, 'pesan.jsonl'), PRAKERJA_REMINDERS_FILE: rules });
  // the catalogue, one title long enough to wrap
  cli(['import', 'courses', '--db', db, '-'], 'platform,kode_pelatihan,judul,lpk,harga,mode\n' +
    `pijarmahir,${LONG_COURSE},Pemasaran Digital Lanjutan untuk Usaha Mikro Kecil dan Menengah ` +
    'di Wilayah Perkotaan Jakarta,LPK Sangat Panjang Namanya Sekali Nusantara,1750000,webinar\n' +
    'tokopedia,TP-1,Akuntansi Dasar,LPK Maju,500000,mandiri\n');
}

async function startServer(db) {
  const child = spawn(exe, ['serve', '--db', db, '--listen', '127.0.0.1:0',
    // a dozen logins a minute from 127.0.0.1 would meet the login rate limit
    // (test_limits.py tests it); this test is about the pages
    '--rate-limits', 'off'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log = [];
  let buf = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not report its address within 30 s')), 30000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
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
let browser;
let base;
const problems = [];

async function newPage(width, javaScriptEnabled = false) {
  const context = await browser.newContext({
    javaScriptEnabled,
    viewport: { width, height: width < 600 ? 780 : 900 },
    deviceScaleFactor: 1,
    isMobile: width < 600,
    hasTouch: width < 600,
    locale: 'id-ID',
  });
  context.setDefaultTimeout(10000);
  context.setDefaultNavigationTimeout(15000);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/favicon\.ico/.test(m.location()?.url || '')) return; // tracked by portal.mjs
    if (/status of (40[34]|422)\b/.test(m.text())) return; // the refusals asked for below
    problems.push(`${page.url()}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: pageerror: ${e.message}`));
  return page;
}

async function noOverflow(page, width, label) {
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
  eq(r.vw, width, `${label}: viewport width`);
  check(r.sw <= width && r.out.length === 0,
    `${label}: horizontal overflow at ${width}px: scrollWidth=${r.sw}; ${r.out.join(', ')}`);
}

async function submit(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
}

async function login(page, name) {
  await page.goto(base + 'masuk');
  await page.getByLabel('Nama pengguna').fill(name);
  await page.getByLabel('Kata sandi').fill(USERS[name].password);
  await submit(page, 'Masuk');
  eq(new URL(page.url()).pathname, '/dasbor', `${name} lands on the dashboard`);
}

const menuLinks = (page) => page.locator('nav[aria-label="Menu petugas"] a');

function wib(iso) {
  const t = new Date(Date.parse(iso) + 7 * 3600 * 1000);
  const p = (x) => String(x).padStart(2, '0');
  return `${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()} ` +
    `${p(t.getUTCHours())}.${p(t.getUTCMinutes())} WIB`;
}

// ---------------------------------------------------------------- tests
const tests = [];
const test = (name, fn) => tests.push({ name, fn });

for (const width of WIDTHS) {
  for (const name of Object.keys(USERS)) {
    test(`${width}px: ${name} logs in, walks the menu, no page scrolls sideways, signs out`, async () => {
      const page = await newPage(width);
      await login(page, name);
      eq((await menuLinks(page).allInnerTexts()).map((s) => s.trim()), USERS[name].menu, 'menu');
      if (width >= 1024) {
        // on a desk the name stays on one line and the menu is one row (no entry left alone below)
        const rows = await menuLinks(page).evaluateAll((as) => new Set(as.map((a) => a.getBoundingClientRect().top)).size);
        eq(rows, 1, 'menu rows');
        const brand = await page.locator('header .brand').evaluate((e) => e.getBoundingClientRect().height);
        check(brand < 40, `the name on one line: ${brand}px high`);
      }
      check(await page.getByText(`Masuk sebagai ${name}`).isVisible(), 'who is signed in');
      const signOut = page.getByRole('button', { name: 'Keluar', exact: true });
      check(await signOut.isVisible(), 'sign-out visible');
      // the sign-out is not the most prominent thing: smaller than the page title
      const [bh, h1] = await Promise.all([signOut.evaluate((e) => e.getBoundingClientRect().height),
        page.locator('h1').evaluate((e) => parseFloat(getComputedStyle(e).fontSize))]);
      check(bh < 44, `sign-out button ${bh}px high`);
      check(h1 >= 24, `page title ${h1}px`);
      await noOverflow(page, width, `${name} /dasbor`);
      for (const label of USERS[name].menu) {
        await Promise.all([page.waitForNavigation(),
          page.locator('nav[aria-label="Menu petugas"]').getByRole('link', { name: label, exact: true }).click()]);
        eq(await page.locator('nav[aria-label="Menu petugas"] a[aria-current="page"]').innerText(), label,
          `current page after ${label}`);
        await noOverflow(page, width, `${name} ${label}`);
        await page.screenshot({ path: path.join(SHOTS, `staff-${width}-${name}-${label.replace(/\W+/g, '-')}.png`), fullPage: true });
      }
      await submit(page, 'Keluar');
      eq(new URL(page.url()).pathname, '/masuk', 'signed out to the login page');
      await page.context().close();
    });
  }

  test(`${width}px: dashboard counts with separators and a breakdown that links down`, async () => {
    const page = await newPage(width);
    await login(page, 'op.sel');
    const tile = (await page.locator('.tile .n').first().innerText()).trim();
    eq(tile, '1.236', 'registrants of Jakarta Selatan');
    const cells = await page.locator('td[data-count], td[data-cell]').allInnerTexts();
    check(cells.every((c) => !/^\d{4,}$/.test(c.trim())), `a count without separators: ${cells}`);
    // down: district, then village; back up by the trail
    await Promise.all([page.waitForNavigation(), page.locator('tr[data-child="31.74.01"] a').click()]);
    check(page.url().endsWith('/dasbor?wilayah=31.74.01'), page.url());
    await noOverflow(page, width, 'district dashboard');
    await Promise.all([page.waitForNavigation(), page.locator('tr[data-child="31.74.01.1001"] a').click()]);
    eq(await page.locator('[data-region]').first().getAttribute('data-region'), '31.74.01.1001', 'village');
    eq(await page.locator('table[data-group="wilayah"]').count(), 0, 'a village has no breakdown');
    await noOverflow(page, width, 'village dashboard');
    await page.screenshot({ path: path.join(SHOTS, `staff-${width}-village.png`), fullPage: true });
    await Promise.all([page.waitForNavigation(), page.locator('nav.trail a').first().click()]);
    check(page.url().endsWith('/dasbor?wilayah=31.74'), `trail up: ${page.url()}`);
    await page.context().close();
  });

  test(`${width}px: the funnel's chart is drawn (Chart.js), its tables fit, CSV offered`, async () => {
    const page = await newPage(width, true);
    await login(page, 'op.sel');
    await page.goto(base + 'corong?wilayah=31.74');
    await page.locator('.chart-box[data-drawn]').waitFor();
    const box = await page.locator('#grafik-corong').evaluate((c) =>
      ({ w: c.width, h: c.height, cw: c.getBoundingClientRect().width }));
    check(box.w > 0 && box.h > 0, `canvas drawn ${JSON.stringify(box)}`);
    check(box.cw <= width, `canvas within the page ${JSON.stringify(box)}`);
    // every step's name fits beside its bar (none cut off at the left edge)
    const axis = await page.locator('#grafik-corong').evaluate((c) => {
      const ch = Chart.getChart(c), y = ch.scales.y, g = ch.ctx;
      g.save();
      g.font = Chart.helpers.toFont(y.options.ticks.font).string;
      let widest = 0;
      for (const l of ch.data.labels) for (const s of [].concat(l)) widest = Math.max(widest, g.measureText(s).width);
      g.restore();
      return { widest, right: y.right, pad: y.options.ticks.padding };
    });
    check(axis.widest + axis.pad <= axis.right, `the steps' names fit the axis ${JSON.stringify(axis)}`);
    // the journey's recipient and the two drawn of wave 1 are selected
    eq(await page.locator('tr[data-step="lolos"] td[data-count]').getAttribute('data-count'), '3',
      'selected in Jakarta Selatan');
    eq(await page.locator('tr[data-step="dijangkau"] td').first().innerText(), '—', 'reached: no data');
    check(await page.getByRole('link', { name: 'Unduh CSV' }).isVisible(), 'CSV link');
    await noOverflow(page, width, '/corong');
    await page.screenshot({ path: path.join(SHOTS, `staff-${width}-corong.png`), fullPage: true });
    await Promise.all([page.waitForNavigation(), page.locator('tr[data-child="31.74.01"] a').click()]);
    check(page.url().endsWith('/corong?wilayah=31.74.01'), page.url());
    await page.locator('.chart-box[data-drawn]').waitFor();
    await noOverflow(page, width, '/corong of a district');
    await page.context().close();
  });

  test(`${width}px: search results and a record in Jakarta time, no sideways scroll`, async () => {
    const page = await newPage(width);
    await login(page, 'op.sel');
    await page.goto(base + 'peserta');
    await page.getByLabel('Nama atau NIK').fill('tampilan petugas');
    await submit(page, 'Cari');
    const row = page.locator('table.results tbody tr').first();
    eq(await row.evaluate((e) => getComputedStyle(e).display), width < 600 ? 'block' : 'table-row',
      'a card on the phone, a row on the desk');
    await noOverflow(page, width, 'search results');
    await page.screenshot({ path: path.join(SHOTS, `staff-${width}-search.png`), fullPage: true });
    await Promise.all([page.waitForNavigation(), row.getByRole('link').click()]);
    const times = await page.locator('time').evaluateAll((els) =>
      els.map((e) => [e.getAttribute('datetime'), e.textContent]));
    eq(times.length, 2, 'registered and updated');
    for (const [iso, shown] of times) {
      check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/.test(iso), `stored form ${iso}`);
      eq(shown, wib(iso), 'shown in WIB');
    }
    check(await page.getByText('Pekerjaan yang dikecualikan').isVisible(), 'the reason in words');
    check(await page.getByText('Skema Normal 2023').isVisible(), 'the scheme by name');
    await noOverflow(page, width, 'record');
    await page.screenshot({ path: path.join(SHOTS, `staff-${width}-record.png`), fullPage: true });
    await page.context().close();
  });
}

for (const width of WIDTHS) {
  test(`${width}px: a journey's timeline, deadlines and balance fit without sideways scroll`, async () => {
    const page = await newPage(width);
    await login(page, 'op.sel');
    await page.goto(base + 'peserta?q=' + encodeURIComponent('Perjalanan Panjang'));
    await Promise.all([page.waitForNavigation(),
      page.locator('table.results tbody tr').first().getByRole('link').click()]);
    const journey = page.locator('section[data-journey]');
    check(await journey.isVisible(), 'the journey section');
    eq(await page.locator('ol.timeline > li').count(), 10, 'ten events on the timeline');
    const skipped = page.locator('ol.timeline > li[data-skipped]');
    eq(await skipped.count(), 1, 'one of them skipped');
    check(await skipped.getByText('Tidak diterapkan:').isVisible(), 'the skipped one says so');
    check(/Saldo pelatihan pada waktu peristiwa tidak cukup/.test(await skipped.innerText()),
      'and why');
    check(await page.getByText('Sumber: Manajemen Pelaksana', { exact: false }).first().isVisible(),
      'the source of each event');
    check(await page.getByText(`Membeli pelatihan ${LONG_COURSE} di pijarmahir`).isVisible(),
      'a purchase in plain words');
    eq((await page.locator('[data-money="balance"]').innerText()).trim(), 'Rp1.250.000', 'balance left');
    const days = await page.locator('[data-deadline="survei"] [data-missing]').innerText();
    check(/^Survei ke-1 belum diisi — batas 20 Apr 2021, lewat \d+ hari$/.test(days), days);
    await noOverflow(page, width, 'journey');
    await page.screenshot({ path: path.join(SHOTS, `staff-${width}-journey.png`), fullPage: true });
    await page.context().close();
  });

  test(`${width}px: waves, the catalogue and the reminders fit without sideways scroll`, async () => {
    const page = await newPage(width);
    await login(page, 'admin1');
    for (const [p, label] of [['admin/gelombang', 'waves'], ['admin/gelombang/1', 'drawn wave'],
      ['admin/gelombang/baru', 'new wave form'], ['katalog', 'catalogue'],
      ['pengingat?tanggal=2021-03-28', 'reminders']]) {
      await page.goto(base + p);
      await noOverflow(page, width, label);
      await page.screenshot({ path: path.join(SHOTS, `staff-${width}-${label.replace(/\W+/g, '-')}.png`), fullPage: true });
    }
    // the effect of reminders: a table per rule with its three groups
    await page.goto(base + 'pengingat');
    check(await page.locator('table[data-effect]').count() > 0, 'the effect tables of the rules reminded');
    await noOverflow(page, width, 'reminders with their effect');
    await page.screenshot({ path: path.join(SHOTS, `staff-${width}-reminders-effect.png`), fullPage: true });
    await page.goto(base + 'admin/gelombang/1');
    eq(await page.locator('[data-digest] code').count(), 3, 'seed and both digests');
    await page.goto(base + 'admin/gelombang/baru');
    await submit(page, 'Buat gelombang');
    check(await page.locator('#gelombang-error').isVisible(), 'the error beside its field');
    await noOverflow(page, width, 'new wave form with errors');
    // a pasted course file without its header: the error names the columns, which wrap
    await page.goto(base + 'katalog');
    await page.locator('textarea[name="csv"]').fill('a,b\n1,2');
    await submit(page, 'Impor');
    check(await page.locator('.error-summary').getByText('platform,kode_pelatihan,judul,lpk,harga,mode').isVisible(),
      'the columns named in the summary');
    await noOverflow(page, width, 'catalogue paste without a header');
    await page.context().close();
  });
}

// ---------------------------------------------------------------- outreach events
const EVENT_TITLE = 'Sosialisasi dan Kelas Literasi Digital Kartu Prakerja untuk Warga RW 01 ' +
  'sampai RW 12 Kelurahan Tebet Barat';

// The pages of a PDF that Chromium printed.
function pdfPages(buf) {
  return (buf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
}

for (const width of WIDTHS) {
  test(`${width}px: an outreach event created, its page, list, kit and short link fit; the kit prints on one A4 page`, async () => {
    const page = await newPage(width);
    await login(page, 'op.sel');
    await page.goto(base + 'acara/baru');
    await noOverflow(page, width, 'new event form');
    await submit(page, 'Buat acara');
    check(await page.locator('#judul-error').isVisible(), 'the error beside its field');
    await noOverflow(page, width, 'new event form with errors');
    await page.getByLabel('Sosialisasi', { exact: true }).check();
    await page.getByLabel('Nama acara').fill(EVENT_TITLE);
    await page.getByLabel('Mulai').fill('2030-01-15T09:00');
    await page.getByLabel('Tempat').fill('Aula Kantor Kelurahan Tebet Barat, Jl. Tebet Barat Dalam Raya');
    await page.getByLabel('Kelurahan', { exact: true }).selectOption('31.74.01.1001');
    await page.getByLabel('Penyelenggara').fill('Kelurahan Tebet Barat bersama Dinas Tenaga Kerja');
    await submit(page, 'Buat acara');
    const m = /\/acara\/(\d+)$/.exec(new URL(page.url()).pathname);
    check(m, `on the event's page: ${page.url()}`);
    check(await page.locator('img.qr').isVisible(), 'the QR code');
    const url = (await page.locator('[data-short-url] code').innerText()).trim();
    check(/^https:\/\/prakerja\.jakarta\.go\.id\/e\/[2-9a-z]{8}$/.test(url), url);
    check((await page.locator('time, dd').filter({ hasText: '15 Jan 2030 09.00 WIB' }).count()) > 0,
      'the start in WIB');
    await noOverflow(page, width, 'event page');
    await page.screenshot({ path: path.join(SHOTS, `staff-${width}-event.png`), fullPage: true });
    await page.goto(base + 'acara');
    check(await page.locator(`tr[data-event="${m[1]}"]`).isVisible(), 'listed');
    await noOverflow(page, width, 'event list');
    await page.screenshot({ path: path.join(SHOTS, `staff-${width}-events.png`), fullPage: true });
    // the kit: on the screen without sideways scroll, printed on one A4 page
    await page.goto(base + `acara/${m[1]}/kit`);
    eq(await page.locator('nav').count(), 0, 'no menu on the kit');
    check(await page.locator('.kit-qr svg').isVisible(), 'the QR code on the kit');
    eq((await page.locator('[data-short-url]').innerText()).trim(), url, 'the short link on the kit');
    await noOverflow(page, width, 'kit');
    await page.screenshot({ path: path.join(SHOTS, `staff-${width}-kit.png`), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    await writeFile(path.join(SHOTS, `kit-${width}.pdf`), pdf);
    eq(pdfPages(pdf), 1, 'the kit printed');
    // a resident scans the code: the form says which event it goes through
    const phone = await newPage(width);
    await phone.goto(base + new URL(url).pathname.slice(1));
    eq(new URL(phone.url()).pathname, '/daftar', 'the short link leads to the form');
    check(await phone.getByText('Pendaftaran melalui acara:').isVisible(), 'the event named');
    await noOverflow(phone, width, 'registration through an event');
    await phone.screenshot({ path: path.join(SHOTS, `portal-${width}-event-daftar.png`), fullPage: true });
    await phone.context().close();
    await page.context().close();
  });
}

// ---------------------------------------------------------------- main
const dir = await mkdtemp(path.join(tmpdir(), 'prakerja-staff-'));
let srv;
try {
  await mkdir(SHOTS, { recursive: true });
  try {
    const db = path.join(dir, 't.db');
    await seed(dir, db);
    srv = await startServer(db);
    base = srv.base;
    const r = await fetch(base + 'api/v1/participants', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ nik: '3174015708950001', no_kk: '3174012001000001',
        nama: 'Siti Tampilan Petugas', tanggal_lahir: '1995-08-17', jenis_kelamin: 'P',
        no_hp: '0813-7000-0001', kode_wilayah: '3174011001', segmen: 'pencari_kerja',
        pekerjaan: 'asn' }),
    });
    eq(r.status, 201, 'register the ineligible person');
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30000,
    });
    ok('start the server and the browser');
  } catch (e) {
    notOk('start the server and the browser', e);
    if (srv) for (const l of srv.log.slice(-20)) console.log(`# server: ${l}`);
    throw e;
  }
  for (const t of tests) {
    try { await t.fn(); ok(t.name); } catch (e) { notOk(t.name, e); }
  }
  try {
    check(problems.length === 0, `${problems.length} problem(s):\n${problems.join('\n')}`);
    ok('no console errors or page errors on any staff page');
  } catch (e) { notOk('no console errors or page errors on any staff page', e); }
} catch {
  // already reported
} finally {
  if (browser) await browser.close().catch(() => {});
  if (srv) {
    try { await stopServer(srv); ok('server stops cleanly (exit 0) on SIGTERM'); }
    catch (e) { notOk('server stops cleanly (exit 0) on SIGTERM', e); }
  }
  await rm(dir, { recursive: true, force: true });
  console.log(`1..${n}`);
  process.exitCode = failed || n === 0 ? 1 : 0;
}
