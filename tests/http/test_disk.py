"""Black-box tests of a full disk (TAP): every write answers 507
`penyimpanan_penuh` with one Indonesian message, /healthz says the service
is degraded, the log says "disk full" once when it starts and "disk space
available again" once when it ends, and the server recovers without a
restart.

On SQLite the database lives on a small tmpfs that the test fills: the
program runs itself again in a private mount namespace (`unshare
--mount`, as root) so that the mount is its own and its server's only;
without root or unshare the test reports itself skipped.  On PostgreSQL a
trigger raises SQLSTATE 53100 (disk_full) on every participant insert,
the error the server gives when it cannot extend a file.

usage: python3 tests/http/test_disk.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

import harness as h
from harness import api_error, eq, test

# Helpers shared with other programs; importing them must not register
# their tests here.
_n0 = len(h._tests)
from test_auth import user_add  # noqa: E402
from test_registry import person  # noqa: E402
del h._tests[_n0:]
ADMIN = ("admin.disk", "Admin-Uji-Disk-Penuh-7")

P = "/api/v1/participants"
JSON_CT = {"Content-Type": "application/json"}
MSG = ("Penyimpanan data layanan sedang penuh, sehingga data belum dapat disimpan. Tidak "
       "ada data yang tersimpan; silakan coba lagi nanti.")
NS_ENV = "PRAKERJA_TEST_DISK_NS"
FULL_LINE = "disk full"
BACK_LINE = "disk space available again"


def in_namespace():
    return os.environ.get(NS_ENV) == "1"


def reexec_in_namespace():
    """SQLite: runs this program again in a private mount namespace, when
    root and unshare allow it (else the test skips)."""
    if h.PG or in_namespace() or os.geteuid() != 0 or shutil.which("unshare") is None:
        return
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                           capture_output=True)
    if probe.returncode != 0:
        return
    os.environ[NS_ENV] = "1"
    os.execvp("unshare", ["unshare", "--mount", "--propagation", "private", sys.executable]
              + sys.argv)


class SqliteDisk:
    """A tmpfs a little larger than the migrated database, holding it."""

    def __init__(self):
        if not in_namespace():
            raise h.Skip("needs root and unshare --mount (a private tmpfs)")
        self.mnt = tempfile.mkdtemp(prefix="prakerja-disk-")
        size = os.path.getsize(h._template()) + 3 * 1024 * 1024
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d,mode=0700" % size, "tmpfs",
                        self.mnt], check=True)
        self.db = h.Db(self.mnt, "test")
        self.filler = os.path.join(self.mnt, "filler")

    def fill(self):
        """Writes a file until the disk is full."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for n in (65536, 4096, 512, 1):
                try:
                    while True:
                        os.write(fd, b"\0" * n)
                except OSError:
                    pass
        finally:
            os.close(fd)

    def free(self):
        os.unlink(self.filler)

    def close(self):
        self.db.drop()
        subprocess.run(["umount", self.mnt], check=False)
        os.rmdir(self.mnt)


class PgDisk:
    """A trigger that fails every participant insert with disk_full."""

    def __init__(self):
        self.db = h.Db()

    def fill(self):
        self.db.execute(
            "CREATE FUNCTION pk_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' "
            "USING ERRCODE = 'disk_full'; END $$; "
            "CREATE TRIGGER pk_test_disk_full BEFORE INSERT ON participant "
            "FOR EACH ROW EXECUTE FUNCTION pk_test_disk_full()")

    def free(self):
        self.db.execute("DROP TRIGGER pk_test_disk_full ON participant; "
                        "DROP FUNCTION pk_test_disk_full()")

    def close(self):
        self.db.drop()


def count_lines(s, text, want=None, timeout=5.0):
    """Lines of the server's log holding text; with want, waited for up to
    timeout seconds (the harness reads the server's stderr on a thread of
    its own, which a loaded machine may run late)."""
    deadline = time.monotonic() + timeout
    while True:
        n = sum(1 for line in s.stderr().splitlines() if text in line)
        if want is None or n >= want or time.monotonic() >= deadline:
            return n
        time.sleep(0.05)


def health(s):
    st, _, body = s.json("GET", "/healthz")
    eq(st, 200, "healthz status")
    return body


@test
def full_disk_answers_507_and_recovers_without_restart():
    disk = PgDisk() if h.PG else SqliteDisk()
    try:
        user_add(disk.db, ADMIN[0], "admin", None, ADMIN[1])
        with h.Server(db=disk.db) as s:
            serial = iter(range(1, 10000))
            ok = person(next(serial))
            st, _, _ = s.json("POST", P, json.dumps(ok), JSON_CT)
            eq(st, 201, "a registration before the disk fills")
            stored = 1
            eq(health(s)["status"], "ok", "healthz before")

            disk.fill()
            # SQLite reuses room its files already have (the WAL restarts
            # after a checkpoint): register until a write needs more.
            sent = []
            for _ in range(400):
                p = person(next(serial))
                r = s.json("POST", P, json.dumps(p), JSON_CT)
                if r[0] != 201:
                    sent.append(p)
                    break
                stored += 1
            h.diag("%d registrations went through after the disk filled" % (stored - 1))
            err = api_error(r, 507, "penyimpanan_penuh", "registration on a full disk")
            eq(err["message"], MSG, "the message")
            for _ in range(3):   # more failed writes: still one log line
                p = person(next(serial))
                sent.append(p)
                api_error(s.json("POST", P, json.dumps(p), JSON_CT), 507, "penyimpanan_penuh",
                          "again")

            body = health(s)
            eq(body["status"], "degraded", "healthz status on a full disk")
            eq(body["database"], "penuh", "healthz database on a full disk")

            # The portal's form: 507, the message, what was typed kept.
            p = person(next(serial))
            sent.append(p)
            st, hdrs, page = h.form_post(s, "/daftar", p)
            eq(st, 507, "the portal form on a full disk")
            text = page.decode("utf-8")
            assert MSG in text, "the form page lacks the message"
            assert 'value="%s"' % p["nama"] in text, "the form lost what was typed"
            if not h.PG:
                # A login writes a session (the trigger of the PostgreSQL
                # run only refuses participants): 507 as a page.
                b = h.Browser(s)
                st, _, text = b.post("/masuk", {"nama_pengguna": ADMIN[0],
                                                "kata_sandi": ADMIN[1]})
                eq(st, 507, "a login on a full disk")
                assert MSG in text, "the login page lacks the message"
            # Reads still work.
            st, _, _ = s.json("GET", "/api/v1/schemes")
            eq(st, 200, "a read on a full disk")

            eq(count_lines(s, FULL_LINE, 1), 1, "'disk full' lines in the log")
            log = s.stderr()
            for p in sent:
                for field in ("nik", "no_kk", "no_hp", "alamat"):
                    assert p[field] not in log, "%s in the log" % field

            disk.free()
            p = person(next(serial))
            st, _, body = s.json("POST", P, json.dumps(p), JSON_CT)
            eq(st, 201, "a registration once space is freed (status; body %r)" % (body,))
            eq(health(s)["status"], "ok", "healthz after recovery")
            eq(count_lines(s, BACK_LINE, 1), 1, "'available again' lines in the log")
            p = person(next(serial))
            st, hdrs, _ = h.form_post(s, "/daftar", p)
            eq((st, hdrs.get("location")), (303, "/daftar/selesai"),
               "the portal form after recovery (redirected to its receipt)")
            st, _, _ = h.Browser(s).post("/masuk", {"nama_pengguna": ADMIN[0],
                                                    "kata_sandi": ADMIN[1]})
            eq(st, 303, "a login after recovery")
            stored += 2
            eq(count_lines(s, FULL_LINE), 1, "'disk full' lines at the end")
            s.stop_clean()
        # Nothing of the refused registrations was stored.
        eq(disk.db.query("SELECT count(*) FROM participant")[0][0], stored, "rows stored")
    finally:
        disk.close()


if __name__ == "__main__":
    reexec_in_namespace()
    h.run()
