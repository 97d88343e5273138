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
        time.sleep(0.3)     # registrations go on after the backup too
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


@test
def port_in_use_gives_one_clear_message():
    db = h.Db()
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
    db = h.Db()
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
    assert "created a new key file %s" % db.key in said, said
    assert "apart from the database" in said, said
    assert os.path.exists(db.key), "no key file"
    sv = Serving(["--listen", "127.0.0.1:0"], db=db)
    try:
        assert sv.port, sv.lines
    finally:
        said = sv.stop()
    assert "created a new key file" not in said, "said again: " + said


if __name__ == "__main__":
    h.run()
