"""Black-box tests of running prakerja as a service (TAP): backups and
their restore, GET /metrics, the listening address, the messages at start,
and the installed files (meson install, man page, example ini, systemd
unit, nginx in front of a real server).

usage: python3 tests/http/test_service.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time

import harness as h
from harness import eq, test

CONFIG_C = os.path.join(h.REPO, "src", "app", "config.c")


def make_nik(serial, district="317401", year=1995, month=8, day=17):
    return "%s%02d%02d%02d%04d" % (district, day, month, year % 100, serial % 10000 or 1)


def person(n):
    """A valid Jakarta registrant; serials 1..9999 give distinct NIKs."""
    day, month = 1 + n % 28, 1 + (n // 28) % 12
    return {
        "nik": make_nik(n, month=month, day=day),
        "no_kk": "31740120%08d" % n,
        "nama": "Peserta Cadangan %d" % n,
        "tanggal_lahir": "1995-%02d-%02d" % (month, day),
        "jenis_kelamin": "L",
        "no_hp": "0813-%04d-%04d" % (7000 + n // 10000, n % 10000),
        "email": "cadangan%d@contoh.co.id" % n,
        "kode_wilayah": "3174011001",
        "alamat": "Jl. Cadangan Nomor %d RT 001/RW 009" % n,
        "pendidikan": "sma",
        "segmen": "pencari_kerja",
        "pekerjaan": "lainnya",
    }


def register(s, p):
    st, _, b = s.json("POST", "/api/v1/participants", p)
    return st, b


def staff_token(db, name="pemantau", role="viewer"):
    code, _, err = h.run_cli(db.args_for(["user", "add", "--username", name, "--role", role,
                                          "--password-stdin"]),
                             stdin=b"kata-sandi-yang-panjang-sekali-42\n")
    eq(code, 0, "user add: " + err)
    code, out, err = h.run_cli(db.args_for(["token", "create", "--username", name]))
    eq(code, 0, "token create: " + err)
    return json.loads(out.strip().splitlines()[-1])["token"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def export_niks(db_args, expect=0):
    code, out, err = h.run_cli(["export", "participants"] + db_args, timeout=300)
    eq(code, expect, "export: " + err)
    if code != 0:
        return None, err
    lines = out.splitlines()
    head = lines[0].split(",")
    i = head.index("nik")
    return [ln.split(",")[i] for ln in lines[1:] if ln], err


# ---- backup and restore ----------------------------------------------------

@test
def backup_under_load_restores_every_participant():
    h.sqlite_only("PostgreSQL is backed up with pg_dump (backup_refused_on_postgresql)")
    with h.Server() as s:
        acked = []          # (time sent, time acknowledged, nik)
        lock = threading.Lock()
        stop = threading.Event()
        errors = []

        def writer(first):
            n = first
            while not stop.is_set() and n < first + 2000:
                p = person(n)
                sent = time.monotonic()
                st, b = register(s, p)
                if st != 201:
                    errors.append((st, b))
                    return
                with lock:
                    acked.append((sent, time.monotonic(), p["nik"]))
                n += 1

        threads = [threading.Thread(target=writer, args=(1 + 2000 * k,)) for k in range(3)]
        for t in threads:
            t.start()
        while True:  # let some registrations land first
            with lock:
                if len(acked) >= 60 or errors:
                    break
            time.sleep(0.05)
        out = os.path.join(s.tmp, "cadangan.db")
        t_start = time.monotonic()
        code, stdout, err = h.run_cli(["backup", "--db", s.db.path, "--output", out])
        t_end = time.monotonic()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not errors:  # registrations go on after it
            with lock:
                if sum(1 for t, _, _ in acked if t > t_end) >= 3:
                    break
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join(60)
        assert not errors, "registrations failed under the backup: %r" % errors[:3]
        eq(code, 0, "backup exit status: " + err)
        summary = json.loads(stdout.strip())
        eq(summary["output"], out, "summary names the output")
        eq(summary["bytes"], os.path.getsize(out), "summary's size")
        eq(summary["key_file"], s.db.key, "summary names the key file")
        assert "NOT in it" in err and s.db.key in err, "reminder of the key file: %r" % err
        eq(stat.S_IMODE(os.stat(out).st_mode), 0o600, "backup file mode")
        before = {nik for _, t, nik in acked if t < t_start}
        after = {nik for t, _, nik in acked if t > t_end}
        h.diag("%d registrations acknowledged before the backup began, %d in all"
               % (len(before), len(acked)))

        con = sqlite3.connect("file:%s?mode=ro" % out, uri=True)
        try:
            eq(con.execute("PRAGMA integrity_check").fetchone()[0], "ok", "integrity")
            rows = con.execute("SELECT count(*) FROM participant").fetchone()[0]
        finally:
            con.close()
        # Without the key file nothing personal can be read from it.
        _, err = export_niks(["--db", out], expect=1)
        assert "key file" in err and "restore the key file" in err, err
        # With it, every participant of the copy reads back.
        niks, _ = export_niks(["--db", out, "--key-file", s.db.key])
        eq(len(niks), rows, "every row of the backup decrypts and exports")
        missing = before - set(niks)
        assert not missing, "%d acknowledged before the backup are missing" % len(missing)
        assert len(set(niks)) == len(niks), "a NIK twice"
        assert after, "no registration was sent after the backup ended"
        assert not after & set(niks), "the backup holds registrations sent after it ended"

        # The copy serves, with the key file.
        with h.Server(args=["--key-file", s.db.key], db=_file_db(out)) as r:
            st, _, body = r.json("GET", "/healthz")
            eq(st, 200, "healthz on the restored copy")


def _file_db(path):
    """A harness Db over an existing SQLite file (not dropped)."""
    d = h.Db.__new__(h.Db)
    d.own_dir = False
    d.dir = os.path.dirname(path)
    d.name = os.path.basename(path)
    d.dropped = True
    d.path = d.url = path
    d.key = path + ".key"
    return d


@test
def backup_refuses_existing_output_and_missing_database():
    h.sqlite_only()
    db = h.Db()
    out = os.path.join(db.dir, "ada.db")
    with open(out, "w") as f:
        f.write("jangan ditimpa")
    code, stdout, err = h.run_cli(["backup", "--db", db.path, "--output", out])
    eq(code, 1, "existing output: " + err)
    assert "never overwrites" in err, err
    eq(open(out).read(), "jangan ditimpa", "existing file untouched")
    missing = os.path.join(db.dir, "tidak-ada.db")
    code, _, err = h.run_cli(["backup", "--db", missing, "--output",
                              os.path.join(db.dir, "b.db")])
    eq(code, 1, "missing database")
    assert not os.path.exists(missing), "the missing database was created"
    assert not os.path.exists(os.path.join(db.dir, "b.db")), "an output was left"
    code, _, err = h.run_cli(["backup", "--db", db.path])
    eq(code, 2, "no --output: usage error")
    assert "--output" in err, err


@test
def backup_refused_on_postgresql():
    if not h.PG:
        raise h.Skip("PostgreSQL only")
    db = h.Db()
    out = os.path.join(db.dir, "cadangan.db")
    code, stdout, err = h.run_cli(db.args_for(["backup", "--output", out]))
    eq(code, 1, "exit status")
    assert "pg_dump" in err, err
    assert not os.path.exists(out), "an output file was left"
    eq(stdout, "", "nothing on stdout")


# ---- GET /metrics ------------------------------------------------------------

METRIC_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)'
                         r'(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?'
                         r' (-?[0-9.e+-]+|\+Inf|NaN)$')


def parse_metrics(text):
    """{(name, labels-text): value}; asserts the format on the way."""
    out = {}
    typed = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("#") or not line:
            continue
        m = METRIC_LINE.match(line)
        assert m, "not a Prometheus line: %r" % line
        base = re.sub(r"_(bucket|sum|count)$", "", m.group(1))
        assert m.group(1) in typed or base in typed, "no # TYPE for %s" % m.group(1)
        out[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return out


def scrape(s, headers=None):
    st, hdrs, body = s.request("GET", "/metrics", headers=headers)
    return st, hdrs, body.decode("utf-8")


@test
def metrics_count_routes_statuses_latency_batches_and_pool():
    with h.Server() as s:
        nik = make_nik(4242)
        eq(s.request("GET", "/api/v1/nik/" + nik)[0], 200, "nik")
        eq(s.request("GET", "/tidak-ada-halaman-ini")[0], 404, "404")
        st, b = register(s, person(77))
        eq(st, 201, "register: %r" % (b,))
        st, hdrs, text = scrape(s)
        eq(st, 200, "loopback scraper")
        assert hdrs["content-type"].startswith("text/plain; version=0.0.4"), hdrs
        m = parse_metrics(text)
        k = ("prakerja_http_requests_total",
             '{method="GET",route="/api/v1/nik/{nik}",status="200"}')
        eq(m.get(k), 1.0, "the NIK check counted under its pattern")
        assert ("prakerja_http_requests_total",
                '{method="GET",route="(not found)",status="404"}') in m, "404 counted"
        assert ("prakerja_http_requests_total",
                '{method="POST",route="/api/v1/participants",status="201"}') in m
        # never a path, never personal data
        assert nik not in text and "tidak-ada-halaman" not in text, "a raw path in metrics"
        assert person(77)["nik"] not in text and "Cadangan" not in text
        # the latency histogram is cumulative and ends at the count
        lab = 'method="GET",route="/api/v1/nik/{nik}"'
        buckets = [(k2[1], v) for k2, v in m.items()
                   if k2[0] == "prakerja_http_request_duration_seconds_bucket" and lab in k2[1]]
        assert len(buckets) >= 5, buckets
        values = [v for _, v in buckets]
        eq(values, sorted(values), "cumulative buckets")
        inf = m[("prakerja_http_request_duration_seconds_bucket", "{%s,le=\"+Inf\"}" % lab)]
        eq(inf, m[("prakerja_http_request_duration_seconds_count", "{%s}" % lab)], "+Inf")
        # one registration: one batch of one
        eq(m[("prakerja_commit_batch_size_count", "")], 1.0, "batches")
        eq(m[("prakerja_commit_batch_size_bucket", '{le="1"}')], 1.0, "a batch of one")
        assert m[("prakerja_db_connections_acquired_total", "")] >= 1
        assert ("prakerja_db_pool_waits_total", "") in m
        assert ("prakerja_db_pool_wait_seconds_total", "") in m
        for cls in ("lookup", "check", "register", "login"):
            assert ("prakerja_rate_limit_refusals_total", '{class="%s"}' % cls) in m, cls
        # the scrape itself is counted for the next one
        m2 = parse_metrics(scrape(s)[2])
        assert m2.get(("prakerja_http_requests_total",
                       '{method="GET",route="/metrics",status="200"}')) == 1.0


@test
def metrics_count_group_commit_batches_under_load():
    with h.Server() as s:
        def burst(first):
            for n in range(first, first + 15):
                eq(register(s, person(n))[0], 201, "register")
        threads = [threading.Thread(target=burst, args=(100 + 20 * k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        m = parse_metrics(scrape(s)[2])
        eq(m[("prakerja_commit_batch_size_sum", "")], 120.0, "every registration in a batch")
        count = m[("prakerja_commit_batch_size_count", "")]
        assert 1 <= count <= 120, count
        h.diag("120 registrations from 8 threads in %d batches" % count)


@test
def metrics_count_rate_limit_refusals():
    with h.Server(args=["--rate-limits", "on", "--rate-lookup", "1", "--burst-lookup", "1"]) as s:
        codes = [s.request("GET", "/api/v1/nik/" + make_nik(5))[0] for _ in range(3)]
        eq(codes, [200, 429, 429], "the limit")
        m = parse_metrics(scrape(s)[2])
        eq(m[("prakerja_rate_limit_refusals_total", '{class="lookup"}')], 2.0, "refusals")
        eq(m[("prakerja_rate_limit_refusals_total", '{class="register"}')], 0.0, "others")
        assert m[("prakerja_http_requests_total",
                  '{method="GET",route="/api/v1/nik/{nik}",status="429"}')] == 2.0


@test
def metrics_only_for_local_scrapers_and_staff():
    with h.Server() as s:
        for hdr in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
            st, hdrs, text = scrape(s, {hdr: "203.0.113.9"})
            eq(st, 401, "relayed request (%s)" % hdr)
            err = json.loads(text)["error"]
            eq(err["code"], "perlu_autentikasi", "code")
            assert "petugas" in err["message"], err
            assert "prakerja_" not in text
        st, _, _ = scrape(s, {"X-Forwarded-For": "203.0.113.9", "Authorization": "Bearer salah"})
        eq(st, 401, "an unknown token")
        token = staff_token(s.db)
        st, _, text = scrape(s, {"X-Forwarded-For": "203.0.113.9",
                                 "Authorization": "Bearer " + token})
        eq(st, 200, "a staff token")
        assert "prakerja_http_requests_total" in text


# ---- listening, and what serve says at start ----------------------------------

class Serving:
    """`prakerja serve` with args on db, its stderr read by a thread."""

    def __init__(self, args, db=None, timeout=30):
        self.db = db or h.Db()
        self.p = subprocess.Popen([h.binary(), "serve", "--rate-limits", "off"] + self.db.args()
                                  + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  env=h.base_env(), cwd=self.db.dir)
        self.lines = []
        self.port = None
        self.host = None
        ready = threading.Event()

        def drain():
            for raw in iter(self.p.stderr.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.lines.append(line)
                m = re.search(r"listening on http://(\S+):(\d+)/", line)
                if m:
                    self.host, self.port = m.group(1), int(m.group(2))
                    ready.set()
            ready.set()

        self.reader = threading.Thread(target=drain, daemon=True)
        self.reader.start()
        ready.wait(timeout)
        time.sleep(0.2)  # what it says right after

    def text(self):
        return "\n".join(self.lines)

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.reader.join(10)
        assert h.sanitizer_report(self.text()) is None, self.text()
        eq(self.p.returncode, 0, "serve exit status: " + self.text())
        return self.text()


@test
def listen_on_a_host_name():
    sv = Serving(["--listen", "localhost:0"])
    try:
        assert sv.port, "did not listen: %r" % sv.lines
        eq(sv.host, "localhost", "the address it reports")
        c = http.client.HTTPConnection("localhost", sv.port, timeout=10)
        c.request("GET", "/healthz")
        eq(c.getresponse().status, 200, "healthz via localhost")
        c.close()
    finally:
        sv.stop()


@test
def listen_on_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as t:
            t.bind(("::1", 0))
    except OSError:
        raise h.Skip("no IPv6 loopback here")
    sv = Serving(["--listen", "[::1]:0"])
    try:
        assert sv.port, "did not listen: %r" % sv.lines
        c = http.client.HTTPConnection("::1", sv.port, timeout=10)
        c.request("GET", "/healthz")
        eq(c.getresponse().status, 200, "healthz via ::1")
        c.close()
    finally:
        sv.stop()


def keyed_db():
    """A database whose key file exists already (so serve says nothing of it)."""
    db = h.Db()
    code, _, err = h.run_cli(db.args_for(["user", "list"]))
    eq(code, 0, "user list: " + err)
    assert os.path.exists(db.key), "no key file made"
    return db


@test
def port_in_use_gives_one_clear_message():
    db = keyed_db()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, out, err = h.run_cli(["serve", "--listen", "127.0.0.1:%d" % port] + db.args(),
                                   timeout=60)
    assert code != 0, "serve started on a port in use"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    eq(len(lines), 1, "one message: %r" % lines)
    assert "already in use" in lines[0] and str(port) in lines[0], lines[0]


@test
def bad_listen_address_is_refused():
    db = keyed_db()
    for bad in ("8080", "127.0.0.1", "127.0.0.1:99999", "::1:8080", "tidak.ada.invalid:8080"):
        code, out, err = h.run_cli(["serve", "--listen", bad] + db.args(), timeout=60)
        assert code != 0, "serve accepted --listen %s" % bad
        assert "listen" in err, "%s: %r" % (bad, err)
        eq(len([ln for ln in err.splitlines() if ln.strip()]), 1, "one line for %s" % bad)


@test
def new_key_file_is_announced_once():
    db = h.Db()
    if os.path.exists(db.key):
        os.remove(db.key)
    sv = Serving(["--listen", "127.0.0.1:0"], db=db)
    try:
        assert sv.port, sv.lines
    finally:
        said = sv.stop()
    assert "created the key file %s" % db.key in said, said
    assert "back it up apart from the database" in said, said
    assert os.path.exists(db.key), "no key file"
    sv = Serving(["--listen", "127.0.0.1:0"], db=db)
    try:
        assert sv.port, sv.lines
    finally:
        said = sv.stop()
    assert "created the key file" not in said, "said again: " + said



# ---- installed files: meson install, man page, example ini, unit, nginx -------

DIST = os.path.join(h.REPO, "dist")


def build_root():
    """The meson build directory of the binary under test."""
    d = os.path.dirname(h.binary())
    while d != "/":
        if os.path.isdir(os.path.join(d, "meson-private")):
            return d
        d = os.path.dirname(d)
    raise h.Skip("the binary is not in a meson build directory")


def settings_of_config_c():
    """The keys of the settings table of src/app/config.c."""
    src = open(CONFIG_C, encoding="utf-8").read()
    table = src[src.index("static const setting settings[]"):]
    table = table[:table.index("};")]
    keys = re.findall(r'^\s*(?:[SIL]\(|\{)"(\w+)"', table, re.M)
    assert len(keys) >= 30, "could not parse the settings table: %r" % keys
    return keys


@test
def meson_install_runs_without_data_dir():
    meson = shutil.which("meson")
    if meson is None:
        raise h.Skip("no meson")
    root = build_root()
    dest = tempfile.mkdtemp(prefix="prakerja-install-")
    try:
        p = subprocess.run([meson, "install", "-C", root, "--destdir", dest, "--no-rebuild",
                            "--quiet"], capture_output=True, timeout=300)
        eq(p.returncode, 0, "meson install: %s" % p.stderr.decode(errors="replace"))
        info = json.load(open(os.path.join(root, "meson-info", "intro-buildoptions.json")))
        opt = {o["name"]: o["value"] for o in info}
        prefix = dest + opt["prefix"]
        exe = os.path.join(prefix, opt["bindir"], "prakerja")
        data = os.path.join(prefix, opt["datadir"], "prakerja")
        for f in ("schemes.ini", "common-passwords.txt", "wilayah/LICENSE.md",
                  "wilayah/villages.csv", "wilayah/provinces.csv"):
            assert os.path.isfile(os.path.join(data, f)), "not installed: %s" % f
        man = os.path.join(prefix, opt["mandir"], "man1", "prakerja.1")
        assert os.path.isfile(man), "man page not installed"
        doc = os.path.join(prefix, opt["datadir"], "doc", "prakerja")
        for f in ("prakerja.ini", "nginx-prakerja.conf", "DEPLOYMENT.md"):
            assert os.path.isfile(os.path.join(doc, f)), "not installed: %s" % f
        unit = open(os.path.join(prefix, "lib", "systemd", "system", "prakerja.service")).read()
        assert "ExecStart=%s/prakerja serve" % os.path.join(opt["prefix"], opt["bindir"]) \
            in unit, unit
        for want in ("DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=prakerja",
                     "NoNewPrivileges=yes", "PrivateTmp=yes"):
            assert re.search("^%s$" % re.escape(want), unit, re.M), "unit lacks " + want
        assert "@" not in re.sub(r"@system-service|@privileged|@resources", "", unit), \
            "an unconfigured @variable@ in the unit"
        # The installed binary, run from elsewhere with no data setting,
        # finds the installed data: migrate loads the region table from it,
        # and opening the app reads the schemes.
        work = tempfile.mkdtemp(prefix="prakerja-run-", dir=dest)
        env = h.base_env({"PRAKERJA_DATA_DIR": None})
        db = os.path.join(work, "x.db")
        if h.PG:
            d = h.Db(migrated=False)
            args = d.args()
        else:
            args = ["--db", db]
        r = subprocess.run([exe, "migrate"] + args, cwd=work, env=env, capture_output=True,
                           timeout=300)
        eq(r.returncode, 0, "installed migrate: %s" % r.stderr.decode(errors="replace"))
        r = subprocess.run([exe, "user", "list"] + args, cwd=work, env=env,
                           capture_output=True, timeout=120)
        eq(r.returncode, 0, "installed binary opens the app: %s"
           % r.stderr.decode(errors="replace"))
        # ... and moved away from them, it says where it looked.
        moved = os.path.join(work, "prakerja")
        shutil.copy(exe, moved)
        r = subprocess.run([moved, "user", "list"] + args, cwd=work, env=env,
                           capture_output=True, timeout=120)
        assert r.returncode != 0, "found data it should not have"
        assert "schemes.ini" in r.stderr.decode(errors="replace"), r.stderr
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def render_man():
    groff = shutil.which("groff")
    if groff is None:
        raise h.Skip("no groff")
    p = subprocess.run([groff, "-man", "-Tascii", "-P-cbu", "-ww",
                        os.path.join(DIST, "prakerja.1")], capture_output=True, timeout=60)
    eq(p.returncode, 0, "groff")
    warn = p.stderr.decode(errors="replace").strip()
    assert not warn, "groff warnings: " + warn
    return p.stdout.decode("ascii", "replace")


OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]")


def help_options(args):
    """(help text, its own options, the settings it lists) of `prakerja ARGS --help`."""
    code, out, err = h.run_cli(args + ["--help"])
    eq(code, 0, "%s --help: %s" % (" ".join(args), err))
    i = out.find("\nsettings (")
    own, settings = (out, "") if i < 0 else (out[:i], out[i:])
    return out, set(OPTION.findall(own)), set(OPTION.findall(settings))


def man_sections(text):
    """{SECTION: its text} of a rendered man page."""
    parts = re.split(r"^([A-Z][A-Z ]+)$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def man_entry(commands_text, head):
    """The entry of COMMANDS whose tag starts with head ("user add"): from its
    tag (indented 7) to the next tag; None when there is none."""
    m = re.search(r"^ {7}%s(?:\s|$)" % re.escape(head), commands_text, re.M)
    if m is None:
        return None
    nxt = re.search(r"^ {7}\S", commands_text[m.end():], re.M)
    return commands_text[m.start():m.end() + (nxt.start() if nxt else len(commands_text))]


@test
def man_page_names_every_command_and_option():
    text = render_man()
    sections = man_sections(text)
    for sec in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "SETTINGS", "FILES"):
        assert sec in sections, "no section %s" % sec
    code, top, _ = h.run_cli(["--help"])
    eq(code, 0, "prakerja --help")
    commands = re.findall(r"^  ([a-z]+)\s", top[top.index("commands:"):], re.M)
    assert "backup" in commands and "serve" in commands, commands
    missing = []
    checked = 0
    for c in commands:
        out, own, settings = help_options([c])
        subs = sorted(set(re.findall(r"^\s+prakerja %s ([a-z]+) " % c, out, re.M)))
        heads = [([c, sub], "%s %s" % (c, sub)) for sub in subs] or [([c], c)]
        for args, head in heads:
            if subs:
                _, own, more = help_options(args)
                settings |= more
            entry = man_entry(sections["COMMANDS"], head)
            if entry is None:
                missing.append("command " + head)
                continue
            for o in sorted(own - {"--help"}):
                checked += 1
                if o not in entry:
                    missing.append("option %s in the entry of %s" % (o, head))
        for o in sorted(settings):
            checked += 1
            if o not in sections["SETTINGS"]:
                missing.append("setting %s (of %s) in SETTINGS" % (o, c))
    assert not missing, "the man page lacks: %s" % ", ".join(missing)
    assert checked > 40, "too few options found in the help: %d" % checked
    for top_opt in ("--help", "--version"):
        assert top_opt in sections["SYNOPSIS"]


@test
def example_ini_lists_every_setting_and_loads():
    ini = open(os.path.join(DIST, "prakerja.ini"), encoding="utf-8").read()
    missing = [k for k in settings_of_config_c()
               if not re.search(r"^;?%s = " % k, ini, re.M) and
               not re.search(r"^;?%s =$" % k, ini, re.M)]
    assert not missing, "dist/prakerja.ini lacks: %s" % missing
    work = tempfile.mkdtemp(prefix="prakerja-ini-")
    try:
        # as shipped (everything commented out): it loads
        code, _, err = h.run_cli(["migrate", "--config", os.path.join(DIST, "prakerja.ini"),
                                  "--db", os.path.join(work, "a.db")], cwd=work, timeout=300)
        eq(code, 0, "the example as shipped: " + err)
        # every default it shows, uncommented, is a value prakerja accepts
        active = re.sub(r"^;(\w+ = \S.*)$", r"\1", ini, flags=re.M)
        path = os.path.join(work, "all.ini")
        with open(path, "w") as f:
            f.write(active)
        code, out, err = h.run_cli(["migrate", "--config", path], cwd=work, timeout=300)
        eq(code, 0, "the defaults it shows, uncommented: " + err)
        assert os.path.exists(os.path.join(work, "prakerja.db")), "db = prakerja.db not used"
    finally:
        shutil.rmtree(work, ignore_errors=True)


@test
def systemd_unit_verifies():
    tool = shutil.which("systemd-analyze")
    if tool is None:
        raise h.Skip("no systemd-analyze")
    work = tempfile.mkdtemp(prefix="prakerja-unit-")
    try:
        unit = open(os.path.join(DIST, "prakerja.service.in")).read()
        unit = unit.replace("@bindir@", os.path.dirname(h.binary()))
        unit = unit.replace("@datadir@", os.path.join(h.REPO, "data"))
        path = os.path.join(work, "prakerja.service")
        with open(path, "w") as f:
            f.write(unit)
        # (--man=no: the page need not be installed on this machine)
        p = subprocess.run([tool, "verify", "--man=no", path], capture_output=True,
                           timeout=120)
        out = (p.stdout + p.stderr).decode(errors="replace")
        problems = [ln for ln in out.splitlines() if "prakerja.service" in ln]
        assert not problems, "systemd-analyze verify: " + out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def curl(args):
    p = subprocess.run(["curl", "-sk", "--max-time", "20"] + args, capture_output=True,
                       timeout=60)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


@test
def nginx_example_serves_prakerja():
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx")
                                      else None)
    for tool in ("openssl", "curl"):
        if shutil.which(tool) is None:
            raise h.Skip("no " + tool)
    if nginx is None:
        raise h.Skip("no nginx (scripts/deps.sh --test installs it)")
    work = tempfile.mkdtemp(prefix="prakerja-nginx-")
    proc = None
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-keyout", os.path.join(work, "key.pem"),
                        "-out", os.path.join(work, "cert.pem")],
                       check=True, capture_output=True, timeout=120)
        with h.Server(args=["--trusted-proxy", "127.0.0.1", "--cookie-secure", "1",
                            "--rate-limits", "on", "--rate-lookup", "1",
                            "--burst-lookup", "1"]) as s:
            http_port, https_port = free_port(), free_port()
            conf = open(os.path.join(DIST, "nginx-prakerja.conf")).read()
            subs = [("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % s.port),
                    ("    listen 80;\n", "    listen 127.0.0.1:%d;\n" % http_port),
                    ("    listen [::]:80;\n", ""),
                    ("    listen 443 ssl http2;\n",
                     "    listen 127.0.0.1:%d ssl http2;\n" % https_port),
                    ("    listen [::]:443 ssl http2;\n", ""),
                    ("/etc/ssl/prakerja/fullchain.pem", os.path.join(work, "cert.pem")),
                    ("/etc/ssl/prakerja/privkey.pem", os.path.join(work, "key.pem")),
                    ("/var/cache/nginx/prakerja", os.path.join(work, "cache")),
                    ("/var/log/nginx/prakerja.log", os.path.join(work, "access.log"))]
            for old, new in subs:
                assert old in conf, "the example no longer has %r" % old
                conf = conf.replace(old, new)
            with open(os.path.join(work, "prakerja.conf"), "w") as f:
                f.write(conf)
            main = ("%sdaemon off;\nworker_processes 1;\npid %s/nginx.pid;\n"
                    "error_log %s/error.log;\nevents { worker_connections 256; }\n"
                    "http {\n  access_log off;\n  client_body_temp_path %s/body;\n"
                    "  proxy_temp_path %s/proxy;\n  fastcgi_temp_path %s/fcgi;\n"
                    "  uwsgi_temp_path %s/uwsgi;\n  scgi_temp_path %s/scgi;\n"
                    "  include %s/prakerja.conf;\n}\n"
                    % ((("user root;\n" if os.geteuid() == 0 else ""),) + (work,) * 8))
            with open(os.path.join(work, "nginx.conf"), "w") as f:
                f.write(main)
            cmd = [nginx, "-p", work, "-e", os.path.join(work, "error.log"), "-c",
                   os.path.join(work, "nginx.conf")]
            t = subprocess.run(cmd + ["-t"], capture_output=True, timeout=60)
            eq(t.returncode, 0, "nginx -t: %s" % t.stderr.decode(errors="replace"))
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            base = "https://127.0.0.1:%d" % https_port
            for _ in range(100):
                if curl([base + "/healthz"])[0] == 0:
                    break
                time.sleep(0.1)
            code, out, err = curl(["--http2", "-o", "/dev/null", "-w",
                                   "%{http_version} %{http_code}", base + "/healthz"])
            eq(out, "2 200", "healthz over HTTP/2 through nginx (%s)" % err)
            code, out, _ = curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                                 "http://127.0.0.1:%d/cek-nik" % http_port])
            eq(out, "301 https://127.0.0.1/cek-nik", "HTTP goes to HTTPS")
            # The client's address reaches prakerja: each client has its
            # own bucket (one lookup a minute), though all come from nginx.
            nik_url = base + "/api/v1/nik/" + make_nik(9)

            def status_from(addr):
                return curl(["--interface", addr, "-o", "/dev/null", "-w", "%{http_code}",
                             nik_url])[1]
            eq([status_from("127.0.0.2"), status_from("127.0.0.2"), status_from("127.0.0.3")],
               ["200", "429", "200"], "rate limits per client behind nginx")
            # Metrics are not reachable through the proxy.
            eq(curl(["-o", "/dev/null", "-w", "%{http_code}", base + "/metrics"])[1], "404",
               "/metrics through nginx")
            # Static files are cached by nginx.
            seen = []
            for _ in range(2):
                _, out, _ = curl(["-D", "-", "-o", "/dev/null", base + "/static/style.css"])
                m = re.search(r"^x-cache-status: (\w+)", out, re.M | re.I)
                seen.append(m.group(1) if m else None)
            eq(seen, ["MISS", "HIT"], "static caching")
            log = open(os.path.join(work, "access.log")).read()
            assert make_nik(9) not in log, "a NIK in nginx's log"
            proc.terminate()
            proc.wait(30)
            proc = None
            routes = [r for _, r, _ in s.access_lines()]
            assert "/api/v1/nik/{nik}" in routes, routes
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    h.run()
