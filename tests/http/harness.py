"""Shared helpers for the black-box HTTP and CLI tests of `prakerja`.

Standard library only.  Each test program runs as

    python3 tests/http/<file> <path-to-prakerja-binary>

and speaks TAP on stdout.  `Server` runs a real `prakerja serve` on a free
port of 127.0.0.1 with a fresh SQLite database in a temporary directory;
`test` registers a test function and `run` executes them in order.
"""

import atexit
import http.client
import json as jsonlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

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


def base_env(extra=None):
    """The environment for a child prakerja: no PRAKERJA_* leaking in from
    the caller, sanitizers set to report clearly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRAKERJA_")}
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


# ---- a running server -----------------------------------------------------

_template_lock = threading.Lock()
_template_db = None
_template_dir = None


def migrated_db_copy(dest):
    """Copies a database migrated once per test program to dest (the region
    load takes a few seconds under sanitizers)."""
    global _template_db, _template_dir
    with _template_lock:
        if _template_db is None:
            _template_dir = tempfile.mkdtemp(prefix="prakerja-tmpl-")
            db = os.path.join(_template_dir, "template.db")
            code, out, err = run_cli(["migrate", "--db", db], cwd=_template_dir)
            assert code == 0, "migrate for the template failed: %s" % err
            # fold the WAL into the main file so one copy is complete
            import sqlite3
            c = sqlite3.connect(db)
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            c.close()
            _template_db = db
            atexit.register(shutil.rmtree, _template_dir, True)
    shutil.copyfile(_template_db, dest)


class Server:
    """`with Server() as s:` runs `prakerja serve` on 127.0.0.1:<free port>.

    args: extra command-line arguments; env: extra environment (None value
    removes a variable); db: a database path (default: a fresh file in the
    temporary directory); fresh: False copies a pre-migrated database
    instead of migrating from scratch; listen: False leaves --listen out
    (then env or config must give it).
    """

    def __init__(self, args=(), env=None, db=None, fresh=False, listen=True, timeout=30):
        self.args = list(args)
        self.env = env
        self.tmp = tempfile.mkdtemp(prefix="prakerja-test-")
        self.db = db or os.path.join(self.tmp, "test.db")
        if db is None and not fresh:
            migrated_db_copy(self.db)
        self.listen = listen
        self.timeout = timeout
        self.proc = None
        self.port = None
        self.lines = []            # stderr lines, as text, without newline
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._reader = None
        self.returncode = None

    # -- lifecycle --
    def start(self):
        cmd = [binary(), "serve", "--db", self.db]
        if self.listen:
            cmd += ["--listen", "127.0.0.1:0"]
        cmd += self.args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=base_env(self.env),
                                     cwd=self.tmp)
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
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
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

    def connect(self, timeout=10):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
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
        except Exception:  # noqa: BLE001 -- report every failure as TAP
            failed += 1
            print("not ok %d - %s" % (n, name))
            diag(traceback.format_exc().rstrip())
        else:
            print("ok %d - %s" % (n, name))
        dt = time.monotonic() - t0
        if dt > 5:
            diag("%s took %.1fs" % (name, dt))
        sys.stdout.flush()
    print("1..%d" % n)
    sys.stdout.flush()
    if _template_dir:
        shutil.rmtree(_template_dir, ignore_errors=True)
    sys.exit(1 if failed else 0)
