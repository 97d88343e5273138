"""Shared helpers for the black-box HTTP and CLI tests of `prakerja`.

Standard library only.  Each test program runs as

    python3 tests/http/<file> <path-to-prakerja-binary>

and speaks TAP on stdout.  `Server` runs a real `prakerja serve` on a free
port of 127.0.0.1 with a fresh database; `test` registers a test function
and `run` executes them in order.

The backend comes from the environment.  Unset (or `sqlite`), a fresh
database is a SQLite file in a temporary directory.  With
PRAKERJA_TEST_BACKEND=pg, it is a new PostgreSQL database on the cluster
whose URL PRAKERJA_TEST_PG holds (`eval "$(scripts/pg.sh start)"`), with a
key file in a temporary directory, dropped at the end; without
PRAKERJA_TEST_PG the program reports itself skipped.  `Db` is a fresh
database of either kind: tests pass `db.args()` where they would pass
`--db PATH`, and inspect it through `db.query`, `db.raw_dump`,
`db.integrity` and friends, so they do not care which backend runs.
"""

import atexit
import http.client
import json as jsonlib
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

LISTEN_RE = re.compile(r"prakerja: listening on http://127\.0\.0\.1:(\d+)/")
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer",
                     "ERROR: ThreadSanitizer", "WARNING: ThreadSanitizer")
# One access-log line: "<UTC timestamp> METHOD ROUTE STATUS DURATIONms".
ACCESS_RE = re.compile(r"^(\S+Z) (\S+) (.+) (\d{3}) (\d+(?:\.\d+)?)ms$")

BINARY = None  # set by run() from argv[1]


def binary():
    if BINARY is None:
        raise RuntimeError("no prakerja binary given")
    return BINARY


SHIPPED_QUIET = "jam_tenang = 21:00-08:00"
_rules_awake = None


def rules_text(quiet="00:00-00:00"):
    """The shipped reminder rules (data/reminders.ini) with their quiet
    hours replaced."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    with open(os.path.join(root, "data", "reminders.ini"), encoding="utf-8") as f:
        text = f.read()
    assert SHIPPED_QUIET in text, "the shipped quiet hours moved"
    return text.replace(SHIPPED_QUIET, "jam_tenang = " + quiet)


def rules_awake():
    """The path of the shipped reminder rules without quiet hours, which
    every child prakerja is given (PRAKERJA_REMINDERS_FILE) unless a test
    gives its own: nothing is handed over in the quiet hours, and the
    tests run at any hour of Jakarta's day.  The tests of the quiet hours
    give rules whose hours hold the moment they run."""
    global _rules_awake
    if _rules_awake is None:
        fd, path = tempfile.mkstemp(prefix="pk-rules-awake-", suffix=".ini")
        os.write(fd, rules_text().encode("utf-8"))
        os.close(fd)
        atexit.register(os.unlink, path)
        _rules_awake = path
    return _rules_awake


def base_env(extra=None):
    """The environment for a child prakerja: no PRAKERJA_* leaking in from
    the caller but the reminder rules without quiet hours (rules_awake),
    sanitizers set to report clearly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRAKERJA_")}
    env["PRAKERJA_REMINDERS_FILE"] = rules_awake()
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
    return env


def sanitizer_report(text):
    """The first sanitizer marker found in text, or None."""
    for m in SANITIZER_MARKERS:
        if m in text:
            return m
    return None


def run_cli(args, env=None, cwd=None, timeout=60, stdin=None):
    """Runs the binary with args; returns (exit code, stdout, stderr) as
    text.  Fails (AssertionError) on any sanitizer report."""
    p = subprocess.run([binary()] + list(args), env=base_env(env), cwd=cwd,
                       capture_output=True, timeout=timeout, input=stdin)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    bad = sanitizer_report(out + err)
    assert bad is None, "sanitizer report (%s) from %r:\n%s" % (bad, args, err)
    return p.returncode, out, err


# ---- databases: SQLite or PostgreSQL ----------------------------------------

BACKEND = os.environ.get("PRAKERJA_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"
if BACKEND not in ("sqlite", "pg"):
    raise SystemExit("PRAKERJA_TEST_BACKEND must be sqlite or pg, not %r" % BACKEND)
PG = BACKEND == "pg"
PG_BASE = os.environ.get("PRAKERJA_TEST_PG", "")


class Skip(Exception):
    """Raised by a test that does not apply: reported as `ok N - name # SKIP reason`."""


def sqlite_only(what="sqlite only"):
    """Skips the calling test on PostgreSQL."""
    if PG:
        raise Skip(what)


def _pg_bin(name):
    """A PostgreSQL client program: the newest /usr/lib/postgresql/*/bin,
    else PATH."""
    best = None
    root = "/usr/lib/postgresql"
    if os.path.isdir(root):
        for v in sorted(os.listdir(root), key=lambda x: [int(p) for p in re.findall(r"\d+", x)]):
            cand = os.path.join(root, v, "bin", name)
            if os.access(cand, os.X_OK):
                best = cand
    return best or shutil.which(name) or name


def pg_url(dbname):
    """PRAKERJA_TEST_PG with its database replaced by dbname."""
    u = urllib.parse.urlsplit(PG_BASE)
    # (urlunsplit would drop the "//" of an empty host: postgresql:///db?host=/dir)
    return "%s://%s/%s%s" % (u.scheme, u.netloc, dbname, "?" + u.query if u.query else "")


def psql(sql, url=None, timeout=120):
    """Runs SQL through psql on url (default: the cluster's maintenance
    database); returns stdout (unaligned, tuples only).  Raises on error."""
    p = subprocess.run([_pg_bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                        "-d", url or PG_BASE, "-c", sql],
                       env=base_env(), capture_output=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("psql failed (%d) on %r:\n%s" % (p.returncode, sql[:300],
                                                              p.stderr.decode("utf-8", "replace")))
    return p.stdout.decode("utf-8")


_dbs_lock = threading.Lock()
_db_serial = 0
_live_pg_dbs = set()
_live_dbs = []


def _pg_name(prefix):
    global _db_serial
    with _dbs_lock:
        _db_serial += 1
        n = _db_serial
    return "%s_%d_%d_%s" % (prefix, os.getpid(), n, os.urandom(3).hex())


def _pg_create(name, template="template0"):
    psql('CREATE DATABASE "%s" TEMPLATE "%s"' % (name, template))
    with _dbs_lock:
        _live_pg_dbs.add(name)


def _pg_drop(name):
    with _dbs_lock:
        if name not in _live_pg_dbs:
            return
        _live_pg_dbs.discard(name)
    try:
        psql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    except Exception as e:  # noqa: BLE001 -- cleanup must not fail a test
        sys.stderr.write("warning: %s\n" % e)


def _drop_all_dbs():
    """Drops every Db not dropped yet (their temporary directories too),
    then on PostgreSQL any database left, the template last."""
    with _dbs_lock:
        dbs = list(_live_dbs)
        del _live_dbs[:]
    for db in dbs:
        db.drop()
    if PG:
        _drop_all_pg()


def _drop_all_pg():
    with _dbs_lock:
        names = sorted(_live_pg_dbs)
    # the template last (nothing is created from it any more)
    for name in sorted(names, key=lambda n: n.startswith("tmpl_")):
        _pg_drop(name)


_template_lock = threading.Lock()
_template_db = None     # SQLite: a file; PostgreSQL: a database name
_template_dir = None


def _template():
    """A database migrated once per test program (the region load takes a
    few seconds under sanitizers).  On PostgreSQL it is made by `prakerja
    migrate` only, which does not open the vault, so no key check is
    recorded in it: each copy is tied to the key of its first user."""
    global _template_db, _template_dir
    with _template_lock:
        if _template_db is None:
            if _template_dir is None:
                _template_dir = tempfile.mkdtemp(prefix="prakerja-tmpl-")
                atexit.register(shutil.rmtree, _template_dir, True)
            if PG:
                name = _pg_name("tmpl")
                _pg_create(name)
                code, out, err = run_cli(["migrate", "--db", pg_url(name)], cwd=_template_dir)
                assert code == 0, "migrate for the template failed: %s" % err
                left = psql("SELECT count(*) FROM pk_meta WHERE name = 'key_check'",
                            pg_url(name)).strip()
                assert left == "0", "the template holds a key check"
                _template_db = name
            else:
                db = os.path.join(_template_dir, "template.db")
                code, out, err = run_cli(["migrate", "--db", db], cwd=_template_dir)
                assert code == 0, "migrate for the template failed: %s" % err
                # fold the WAL into the main file so one copy is complete
                c = sqlite3.connect(db)
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                c.close()
                _template_db = db
        return _template_db


def migrated_db_copy(dest):
    """SQLite: copies the pre-migrated template database to dest."""
    assert not PG, "migrated_db_copy is SQLite only; use Db()"
    shutil.copyfile(_template(), dest)
    os.chmod(dest, 0o600)   # prakerja refuses a database others may read


class Db:
    """A fresh database of the backend under test.

    SQLite: the file DIR/NAME.db (key file DIR/NAME.db.key, the binary's
    default).  PostgreSQL: a new database on the test cluster, key file
    DIR/NAME.key.  migrated: a copy of the template migrated once per
    program (else empty: the binary migrates it).  dir: where files go
    (default: a new temporary directory, removed by drop()).
    """

    def __init__(self, dir=None, name="test", migrated=True):
        self.own_dir = dir is None
        self.dir = dir or tempfile.mkdtemp(prefix="prakerja-db-")
        self.name = name
        self.dropped = False
        with _dbs_lock:
            _live_dbs.append(self)   # dropped at the end of run() if not before
        if PG:
            self.pgname = _pg_name("t")
            _pg_create(self.pgname, _template() if migrated else "template0")
            self.url = pg_url(self.pgname)
            self.path = None
            self.key = os.path.join(self.dir, name + ".key")
        else:
            self.path = os.path.join(self.dir, name + ".db")
            self.url = self.path
            self.key = self.path + ".key"
            if migrated:
                migrated_db_copy(self.path)

    def args(self, key=True):
        """The command-line arguments that select this database (and, on
        PostgreSQL, its key file, which there has no default)."""
        a = ["--db", self.url]
        if PG and key:
            a += ["--key-file", self.key]
        return a

    def args_for(self, args):
        """args plus this database's, leaving out its key file when args
        already names one."""
        args = list(args)
        given = any(x == "--key-file" or x.startswith("--key-file=") for x in args)
        return args + self.args(key=not given)

    def env(self):
        """The same as environment variables (PRAKERJA_DB, PRAKERJA_KEY_FILE)."""
        e = {"PRAKERJA_DB": self.url}
        if PG:
            e["PRAKERJA_KEY_FILE"] = self.key
        return e

    def ini(self):
        """The same as ini-file lines."""
        text = "db = %s\n" % self.url
        if PG:
            text += "key_file = %s\n" % self.key
        return text

    def exists(self):
        """SQLite: the file exists; PostgreSQL: the database has a schema
        (something created pk_migration in it)."""
        if PG:
            return psql("SELECT to_regclass('pk_migration') IS NOT NULL", self.url).strip() == "t"
        return os.path.exists(self.path)

    def query(self, sql, params=()):
        """Rows of a query as a list of tuples.  Integers come back as
        int on both backends; on PostgreSQL bytea comes back as '\\x..'
        text.  params (SQLite '?' placeholders) are inlined as quoted
        literals on PostgreSQL."""
        if not PG:
            c = sqlite3.connect(self.path)
            try:
                rows = c.execute(sql, params).fetchall()
                c.commit()
                return rows
            finally:
                c.close()
        for p in params:
            lit = str(p) if isinstance(p, int) else "'" + str(p).replace("'", "''") + "'"
            sql = sql.replace("?", lit, 1)
        head = sql.lstrip().split(None, 1)[0].upper()
        if head not in ("SELECT", "WITH", "VALUES", "TABLE"):
            psql(sql, self.url)
            return []
        # typed values through JSON (columns need distinct names)
        out = psql("SELECT coalesce(json_agg(q), '[]') FROM (%s) q" % sql, self.url)
        return [tuple(r.values()) for r in jsonlib.loads(out)]

    def execute(self, sql):
        self.query(sql)

    def columns(self, table):
        """The column names of a table, in order."""
        if PG:
            return [r[0] for r in self.query(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = "
                "'public' AND table_name = '%s' ORDER BY ordinal_position" % table)]
        return [r[1] for r in self.query("PRAGMA table_info(%s)" % table)]

    def integrity(self):
        """'ok' when the database is consistent.  SQLite: PRAGMA
        integrity_check.  PostgreSQL: amcheck over every B-tree index of
        the schema, each checked against its table (heapallindexed), so a
        row missing from an index (or an index entry out of order) fails."""
        if not PG:
            return self.query("PRAGMA integrity_check")[0][0]
        psql("CREATE EXTENSION IF NOT EXISTS amcheck", self.url)
        try:
            n = psql("SELECT count(bt_index_check(c.oid, true)) FROM pg_index i "
                     "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                     "WHERE a.amname = 'btree' AND c.relnamespace = 'public'::regnamespace",
                     self.url).strip()
        except AssertionError as e:
            return str(e)
        finally:
            psql("DROP EXTENSION IF EXISTS amcheck", self.url)
        return "ok" if int(n) > 0 else "no indexes checked"

    def raw_dump(self):
        """What is stored, as raw bytes, for searching for personal data
        in clear: SQLite: {"db": the file, "-wal": its WAL, "-shm"} (those
        that exist); PostgreSQL: {"pg_dump": pg_dump --data-only}."""
        if PG:
            p = subprocess.run([_pg_bin("pg_dump"), "--data-only", "--no-owner", "-d", self.url],
                               env=base_env(), capture_output=True, timeout=120)
            assert p.returncode == 0, "pg_dump failed: %s" % p.stderr.decode("utf-8", "replace")
            return {"pg_dump": p.stdout}
        blobs = {}
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                with open(self.path + suffix, "rb") as f:
                    blobs[suffix or "db"] = f.read()
        return blobs

    def drop(self):
        if self.dropped:
            return
        self.dropped = True
        if PG:
            _pg_drop(self.pgname)
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


class DbDir:
    """A temporary directory (tmp) with a fresh migrated database of the
    backend under test in it (db, a Db named `name`); a context manager
    that drops both.  The tests' registries build on it."""

    def __init__(self, prefix="prakerja-", name="test"):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        try:
            self.db = Db(self.tmp, name)
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.db.drop()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return False


class Poller:
    """One open connection for asking a single-value query often (e.g. a
    row count while another process writes): sqlite3 on SQLite, one psql
    process fed through a pipe on PostgreSQL."""

    def __init__(self, db):
        self.db = db
        if PG:
            self.proc = subprocess.Popen([_pg_bin("psql"), "-X", "-q", "-A", "-t", "-v",
                                          "ON_ERROR_STOP=1", "-d", db.url],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=base_env())
        else:
            self.conn = sqlite3.connect(db.path)

    def value(self, sql):
        if not PG:
            return self.conn.execute(sql).fetchone()[0]
        self.proc.stdin.write(sql.rstrip().rstrip(";").encode() + b";\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("psql poller ended: %s" % self.proc.stderr.read().decode())
        v = line.decode().strip()
        return int(v) if re.fullmatch(r"-?\d+", v) else v

    def count(self, table="participant"):
        return self.value("SELECT count(*) FROM %s" % table)

    def close(self):
        if PG:
            self.proc.stdin.close()
            self.proc.wait(30)
            self.proc.stdout.close()
            self.proc.stderr.close()
        else:
            self.conn.close()


class PsqlSession:
    """An interactive psql session (PostgreSQL) that holds a transaction
    open between commands.  run() sends commands and waits for a marker
    echoed after them; the output before it is returned."""

    def __init__(self, url):
        self.q = queue.Queue()
        self.p = subprocess.Popen([_pg_bin("psql"), "-X", "-q", "-A", "-t", "-d", url],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, env=base_env())
        threading.Thread(target=self._read, daemon=True).start()
        self.n = 0

    def _read(self):
        for line in self.p.stdout:
            self.q.put(line)
        self.q.put(None)

    def run(self, sql, timeout=60):
        self.n += 1
        mark = "--done %d--" % self.n
        self.p.stdin.write(sql + "\n\\echo " + mark + "\n")
        self.p.stdin.flush()
        out, end = [], time.monotonic() + timeout
        while True:
            line = self.q.get(timeout=max(0.1, end - time.monotonic()))
            if line is None or line.strip() == mark:
                return "".join(out)
            out.append(line)

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait(timeout=30)


def raw_encodings(secret):
    """The byte strings under which secret could sit in a raw dump: UTF-8
    and UTF-16 text and, as pg_dump prints bytea in hex, the hex of the
    UTF-8 bytes."""
    b = secret.encode("utf-8")
    encs = [b, secret.encode("utf-16-le")]
    if PG:
        encs.append(b.hex().encode())
    return encs


# ---- a running server -----------------------------------------------------

_live_servers = set()      # started, not cleaned up (run() kills leftovers)
_live_lock = threading.Lock()


def _kill_servers(keep_shared):
    """Kills the servers still running that no cleanup() stopped (a test
    that started one outside `with` and failed, say), so none outlives its
    test program; returns their temporary directories' names.  keep_shared
    spares SharedServer's, which live until the program's last test."""
    with _live_lock:
        left = [s for s in _live_servers if not (keep_shared and s.shared)]
    names = []
    for srv in left:
        if srv.proc is not None and srv.proc.poll() is None:
            names.append(os.path.basename(srv.tmp))
        try:
            srv.cleanup()
        except Exception as e:  # noqa: BLE001 -- cleanup must not fail a test
            sys.stderr.write("warning: %s\n" % e)
    return names


class Server:
    """`with Server() as s:` runs `prakerja serve` on 127.0.0.1:<free port>.

    args: extra command-line arguments; env: extra environment (None value
    removes a variable); db: a `Db` to serve (default: a fresh one, with
    its files in the server's temporary directory, dropped by cleanup());
    fresh: True starts from an empty database (the server migrates it)
    instead of a copy of the pre-migrated template; listen: False leaves
    --listen out (then env or config must give it).  `s.db` is the Db.
    """

    def __init__(self, args=(), env=None, db=None, fresh=False, listen=True, timeout=30):
        self.args = list(args)
        self.env = env
        self.tmp = tempfile.mkdtemp(prefix="prakerja-test-")
        self.own_db = db is None
        try:
            self.db = db or Db(self.tmp, "test", migrated=not fresh)
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        self.listen = listen
        self.timeout = timeout
        self.proc = None
        self.port = None
        self.lines = []            # stderr lines, as text, without newline
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._reader = None
        self.returncode = None
        self.shared = False        # SharedServer's: lives across tests

    # -- lifecycle --
    def start(self):
        cmd = [binary(), "serve"] + self.db.args()
        if self.listen:
            cmd += ["--listen", "127.0.0.1:0"]
        # Suites register hundreds of people from 127.0.0.1: rate limits
        # are off unless a test sets them (test_limits.py does).
        if not any(a.startswith("--rate-limits") for a in self.args):
            cmd += ["--rate-limits", "off"]
        cmd += self.args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=base_env(self.env),
                                     cwd=self.tmp)
        with _live_lock:
            _live_servers.add(self)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self._ready.wait(0.05):
                return self
            if self.proc.poll() is not None:
                self._reader.join(5)
                raise AssertionError("server exited with %s before listening:\n%s"
                                     % (self.proc.returncode, self.stderr()))
        self.proc.kill()
        self.proc.wait()
        raise AssertionError("server did not report listening within %ss:\n%s"
                             % (self.timeout, self.stderr()))

    def _drain(self):
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lock:
                self.lines.append(line)
            if self.port is None:
                m = LISTEN_RE.search(line)
                if m:
                    self.port = int(m.group(1))
                    self._ready.set()
        self.proc.stderr.close()

    def stderr(self):
        with self._lock:
            return "\n".join(self.lines)

    def access_lines(self):
        """Parsed access-log lines: list of (method, route, status)."""
        with self._lock:
            lines = list(self.lines)
        out = []
        for line in lines:
            m = ACCESS_RE.match(line)
            if m:
                out.append((m.group(2), m.group(3), int(m.group(4))))
        return out

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Sends sig, waits for exit; returns (exit code, full stderr)."""
        if self.proc is None:
            return None, ""
        if self.returncode is None:
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
            try:
                self.returncode = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._reader.join(5)
                raise AssertionError("server did not exit within %ss after signal %s:\n%s"
                                     % (timeout, sig, self.stderr()[-4000:]))
            self._reader.join(10)
        return self.returncode, self.stderr()

    def stop_clean(self, sig=signal.SIGTERM):
        """stop() and assert a clean exit: status 0, no sanitizer report."""
        code, err = self.stop(sig)
        bad = sanitizer_report(err)
        assert bad is None, "sanitizer report (%s):\n%s" % (bad, err[-8000:])
        assert code == 0, "server exited with status %s:\n%s" % (code, err[-4000:])
        return err

    def cleanup(self):
        with _live_lock:
            _live_servers.discard(self)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.own_db:
            self.db.drop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, et, ev, tb):
        try:
            if et is None:
                self.stop_clean()
            else:
                self.stop()
        finally:
            self.cleanup()
        return False

    # -- clients --
    def request(self, method, path, body=None, headers=None, timeout=15):
        """One request on a new connection; returns (status, headers with
        lower-cased names, body bytes)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if isinstance(body, str):
                body = body.encode("utf-8")
            c.request(method, path, body=body, headers=dict(headers or {}))
            r = c.getresponse()
            data = r.read()
            hdrs = {}
            for k, v in r.getheaders():
                k = k.lower()
                hdrs[k] = hdrs[k] + ", " + v if k in hdrs else v
            return r.status, hdrs, data
        finally:
            c.close()

    def json(self, method, path, body=None, headers=None, timeout=15):
        """Like request(), but a dict/list body is sent as JSON and the
        answer is parsed: returns (status, headers, parsed JSON or None)."""
        headers = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = jsonlib.dumps(body)
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "application/json"
        status, hdrs, data = self.request(method, path, body, headers, timeout)
        try:
            parsed = jsonlib.loads(data.decode("utf-8")) if data else None
        except ValueError:
            raise AssertionError("not JSON (status %d): %r" % (status, data[:500]))
        return status, hdrs, parsed

    def connect(self, timeout=10, source="127.0.0.1"):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout,
                                     source_address=(source, 0))
        return s

    def raw(self, data, timeout=5, shutdown=False):
        """Sends bytes on a new connection and reads until the server
        closes it or `timeout` passes without data; returns bytes read."""
        s = self.connect(timeout)
        try:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            if shutdown:
                try:
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            return read_all(s, timeout)
        finally:
            s.close()

    def healthy(self):
        status, _, body = self.json("GET", "/healthz")
        return status == 200 and body.get("status") == "ok"


def read_all(s, timeout=5):
    """Reads from socket s until EOF, a reset, or `timeout` seconds of
    silence."""
    s.settimeout(timeout)
    chunks = []
    while True:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        except (ConnectionResetError, BrokenPipeError):
            break
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks)


def read_response(s, timeout=10):
    """Reads one HTTP/1.1 response from socket s (needs Content-Length or a
    closed connection); returns (status, headers dict, body bytes)."""
    s.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        b = s.recv(65536)
        if not b:
            break
        buf += b
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/"):
        raise AssertionError("no HTTP response, got %r" % buf[:300])
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    n = int(hdrs.get("content-length", "-1"))
    while n < 0 or len(rest) < n:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        if not b:
            break
        rest += b
    return status, hdrs, rest if n < 0 else rest[:n]


def parse_status(raw):
    """The status code of the first response in raw bytes, or None."""
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(m.group(1)) if m else None


# ---- CSRF tokens of the portal's forms ---------------------------------------

CSRF_RE = re.compile(r'name="_csrf" value="([^"]*)"')


def csrf(server, path):
    """GETs the form page at path; returns (token, headers): the hidden
    _csrf field and a Cookie header with the form cookie it pairs with."""
    st, hdrs, data = server.request("GET", path)
    m = CSRF_RE.search(data.decode("utf-8", "replace"))
    c = re.search(r"pk_csrf=([^;,\s]*)", hdrs.get("set-cookie", ""))
    assert m and c, "no CSRF token and cookie on %s (status %d)" % (path, st)
    return m.group(1), {"Cookie": "pk_csrf=" + c.group(1)}


def form_post(server, path, fields, headers=None):
    """POSTs urlencoded fields (a dict or pairs) to a portal form as a
    browser would: with the form's CSRF token and cookie.  Returns what
    request() returns."""
    token, cookie = csrf(server, path)
    pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
    body = urllib.parse.urlencode(pairs + [("_csrf", token)])
    hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
    hdrs.update(cookie)
    hdrs.update(headers or {})
    return server.request("POST", path, body, hdrs)


class Browser:
    """A small browser: a cookie jar (Max-Age=0 deletes), a source address
    (127.0.0.x gives each test client its own rate-limit and throttling
    bucket), and forms posted with their CSRF field.  Answers are (status,
    headers with lower-case names, text); headers["_set_cookie"] lists the
    Set-Cookie lines."""

    FORM = {"Content-Type": "application/x-www-form-urlencoded"}

    def __init__(self, server, source="127.0.0.1"):
        self.s = server
        self.source = source
        self.jar = {}

    def request(self, method, path, body=None, headers=None):
        hdrs = dict(headers or {})
        if self.jar and not any(k.lower() == "cookie" for k in hdrs):
            hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in self.jar.items())
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=30,
                                       source_address=(self.source, 0))
        try:
            if isinstance(body, str):
                body = body.encode()
            c.request(method, path, body=body, headers=hdrs)
            r = c.getresponse()
            data = r.read()
            out = {}
            cookies = []
            for k, v in r.getheaders():
                k = k.lower()
                if k == "set-cookie":
                    cookies.append(v)
                out[k] = out[k] + ", " + v if k in out else v
            for line in cookies:
                name, _, rest = line.partition("=")
                if re.search(r"Max-Age=0\b", line):
                    self.jar.pop(name, None)
                else:
                    self.jar[name] = rest.split(";", 1)[0]
            out["_set_cookie"] = cookies
            return r.status, out, data.decode("utf-8", "replace")
        finally:
            c.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def token(self, path, headers=None):
        """The CSRF field of the form page at path (its cookie lands in the jar)."""
        st, _, text = self.get(path, headers)
        m = CSRF_RE.search(text)
        assert m, "no CSRF field on %s (%d)" % (path, st)
        return m.group(1)

    def post(self, path, fields, token=True, form_from=None, headers=None):
        """POSTs a form: token True fetches the field from form_from (or
        path), a string is sent as is, None sends none."""
        pairs = list(fields.items())
        if token is True:
            token = self.token(form_from or path, headers)
        if token is not None:
            pairs.append(("_csrf", token))
        hdrs = dict(self.FORM)
        hdrs.update(headers or {})
        return self.request("POST", path, urllib.parse.urlencode(pairs), hdrs)


# ---- assertions -----------------------------------------------------------

def eq(actual, expected, what=""):
    assert actual == expected, "%sexpected %r, got %r" % (what + ": " if what else "",
                                                          expected, actual)


def api_error(status_hdrs_body, status, code, what=""):
    """Checks an API error answer {"error": {"code", "message", "fields"}}."""
    st, hdrs, body = status_hdrs_body
    pre = (what + ": ") if what else ""
    assert st == status, "%sstatus %r, expected %r; body %r" % (pre, st, status, body)
    assert hdrs.get("content-type", "").startswith("application/json"), \
        "%scontent-type %r" % (pre, hdrs.get("content-type"))
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), \
        "%snot an error object: %r" % (pre, body)
    err = body["error"]
    assert err.get("code") == code, "%serror code %r, expected %r (%r)" % (
        pre, err.get("code"), code, body)
    assert isinstance(err.get("message"), str) and err["message"], "%sno message" % pre
    assert isinstance(err.get("fields"), list), "%sfields is not a list: %r" % (pre, err)
    return err


def security_headers(hdrs, what=""):
    pre = (what + ": ") if what else ""
    csp = hdrs.get("content-security-policy", "")
    assert csp, "%sno Content-Security-Policy" % pre
    assert "frame-ancestors 'none'" in csp, "%sCSP lacks frame-ancestors 'none': %r" % (pre, csp)
    assert "'unsafe-inline'" not in csp, "%sCSP allows inline: %r" % (pre, csp)
    m = re.search(r"script-src ([^;]*)", csp)
    if m:
        assert "unsafe" not in m.group(1), "%sscript-src allows unsafe: %r" % (pre, csp)
    else:
        assert "default-src" in csp, "%sCSP has neither script-src nor default-src" % pre
    eq(hdrs.get("x-content-type-options", "").lower(), "nosniff", pre + "X-Content-Type-Options")
    assert hdrs.get("referrer-policy"), "%sno Referrer-Policy" % pre


class SharedServer:
    """One server for a whole test program: srv = SharedServer(make), then
    srv() starts it on first use (make() returns a started Server; by
    default a plain one) and returns it.  The program's last test calls
    srv.stop(), which asserts a clean exit and returns the server's log
    ("" when it never started)."""

    def __init__(self, make=None):
        self._make = make or (lambda: Server().start())
        self.server = None

    def __call__(self):
        if self.server is None:
            self.server = self._make()
            self.server.shared = True
        return self.server

    def stop(self):
        if self.server is None:
            return ""
        try:
            return self.server.stop_clean()
        finally:
            self.server.cleanup()
            self.server = None


# ---- TAP runner -----------------------------------------------------------

_tests = []


def test(arg=None):
    """Registers a test: `@test` or `@test("name")`."""
    def deco(fn, name=None):
        _tests.append((name or fn.__name__, fn))
        return fn
    if callable(arg):
        return deco(arg)
    return lambda fn: deco(fn, arg)


def luhn(body):
    """body (digits) with its Luhn check digit appended (card numbers)."""
    total = 0
    for k, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if k % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def wib_instant(secs):
    """An instant (seconds since 1970) as ISO 8601 in WIB (+07:00)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+07:00", time.gmtime(secs + 7 * 3600))


def wib_day(secs):
    """The WIB calendar day of an instant, YYYY-MM-DD."""
    return time.strftime("%Y-%m-%d", time.gmtime(secs + 7 * 3600))


def diag(msg):
    for line in str(msg).splitlines() or [""]:
        print("# " + line)
    sys.stdout.flush()


def run(argv=None):
    """Runs the registered tests in order; prints TAP; exits 1 on failure."""
    global BINARY
    argv = sys.argv if argv is None else argv
    if len(argv) < 2:
        print("usage: %s PATH-TO-PRAKERJA" % argv[0], file=sys.stderr)
        sys.exit(2)
    BINARY = os.path.abspath(argv[1])
    if PG and not PG_BASE:
        print("1..0 # SKIP no PostgreSQL (PRAKERJA_TEST_PG unset)")
        sys.stdout.flush()
        sys.exit(0)
    atexit.register(_drop_all_dbs)
    atexit.register(_kill_servers, False)
    # meson's timeout sends SIGTERM: exit through atexit, which kills the
    # servers and drops the databases (the default would leave them)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if PG:
        diag("backend: PostgreSQL (%s)" % PG_BASE)
    only = set(argv[2:])
    failed = 0
    n = 0
    for name, fn in _tests:
        if only and name not in only:
            continue
        n += 1
        t0 = time.monotonic()
        try:
            fn()
        except Skip as e:
            print("ok %d - %s # SKIP %s" % (n, name, e))
        except Exception:  # noqa: BLE001 -- report every failure as TAP
            failed += 1
            print("not ok %d - %s" % (n, name))
            diag(traceback.format_exc().rstrip())
        else:
            print("ok %d - %s" % (n, name))
        left = _kill_servers(True)
        if left:
            diag("%s left %d server(s) running (killed): %s" % (name, len(left), " ".join(left)))
        dt = time.monotonic() - t0
        if dt > 5:
            diag("%s took %.1fs" % (name, dt))
        sys.stdout.flush()
    print("1..%d" % n)
    sys.stdout.flush()
    _kill_servers(False)
    _drop_all_dbs()
    if _template_dir:
        shutil.rmtree(_template_dir, ignore_errors=True)
    sys.exit(1 if failed else 0)
