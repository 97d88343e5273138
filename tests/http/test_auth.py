"""Black-box tests of accounts, sessions, API tokens, CSRF protection and
the authorisation matrix (TAP).

usage: PYTHONPATH=tests/http python3 tests/http/test_auth.py PATH-TO-PRAKERJA [TEST...]

Covers `prakerja user` and `prakerja token`, login and logout, throttling
per account and per client address (clients bind 127.0.0.x source
addresses), bounded password hashing, session cookie flags, fixation,
idle and absolute expiry, CSRF on every state-changing form, bearer
tokens, and every route of routes.c against every kind of caller.
"""

import http.client
import json
import os
import re
import threading
import time
import urllib.parse

import harness as h
from harness import eq, test

ROUTES_C = os.path.join(h.REPO, "src", "web", "routes.c")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

# name -> (role, region, password)
USERS = {
    "admin1": ("admin", None, "Admin-Prakerja-Kuat-7"),
    "viewer1": ("viewer", None, "Pemantau-Data-Agregat-3"),
    "op.a": ("operator", "31.74", "Operator-Jaksel-Tebet-1"),
    "op.b": ("operator", "31.72", "Operator-Jakut-Koja-22"),
    "op_c": ("operator", "31.71", "Operator-Jakpus-Senen-5"),
}
WRONG = "Salah-Sama-Sekali-99"


def user_add(db, name, role, region, password, expect=0):
    args = ["user", "add", "--username", name, "--role", role, "--password-stdin"]
    if region:
        args += ["--region", region]
    code, out, err = h.run_cli(db.args_for(args), stdin=(password + "\n").encode())
    eq(code, expect, "user add %s: %s" % (name, err))
    return code, out, err


def token_create(db, name):
    code, out, err = h.run_cli(db.args_for(["token", "create", "--username", name]))
    eq(code, 0, "token create: " + err)
    import json
    return json.loads(out.strip().splitlines()[-1])


def staffed_db(names=None):
    """A fresh database with the users of USERS (or those named)."""
    db = h.Db()
    for name, (role, region, pw) in USERS.items():
        if names is None or name in names:
            user_add(db, name, role, region, pw)
    return db


# the webhooks' own credentials, set on the shared server so that the
# matrix reaches their checks (unset, they answer 404 webhook_tidak_aktif)
WEBHOOK_ENV = {"PRAKERJA_WHATSAPP_APP_SECRET": "rahasia-aplikasi-meta",
               "PRAKERJA_WHATSAPP_VERIFY_TOKEN": "token-verifikasi-meta",
               "PRAKERJA_SMS_WEBHOOK_SECRET": "rahasia-gateway-sms"}
WEBHOOK_CODES = {("GET", "/webhook/whatsapp"): (403, "token_verifikasi_salah"),
                 ("POST", "/webhook/whatsapp"): (401, "tanda_tangan_tidak_valid"),
                 ("POST", "/webhook/sms"): (401, "kunci_webhook_tidak_valid")}


def serve(args=(), db=None, env=None):
    """A server with the users of USERS (on a fresh database unless db)."""
    return h.Server(args=list(args), db=db or staffed_db(), env=env)


def _start_shared():
    # failed logins of many tests come from 127.0.0.1: no address throttling here
    db = staffed_db()
    code, _, err = h.run_cli(db.args_for(["user", "disable", "--username", "op_c"]))
    eq(code, 0, "disable op_c: " + err)
    return serve(["--login-max-failures", "1000"], db=db, env=WEBHOOK_ENV).start()


srv = h.SharedServer(_start_shared)


# ---- a small browser: a cookie jar, a source address ------------------------

class Browser(h.Browser):
    def login(self, name, password=None, next_=None):
        f = {"nama_pengguna": name, "kata_sandi": password or USERS[name][2]}
        if next_:
            f["next"] = next_
        return self.post("/masuk", f)


def logged_in(name, server=None):
    b = Browser(server or srv())
    st, hdrs, text = b.login(name)
    eq(st, 303, "login %s: %s" % (name, text[:300]))
    assert "pk_sesi" in b.jar, hdrs
    return b


def session_cookie(hdrs):
    for line in hdrs["_set_cookie"]:
        if line.startswith("pk_sesi="):
            return line
    return None


# ---- user and token commands ------------------------------------------------

@test
def user_cli_add_list_passwd_disable():
    db = h.Db()
    try:
        code, out, err = user_add(db, "kepala.dinas", "admin", None, "Kepala-Dinas-Tenaga-Kerja")
        assert '"username":"kepala.dinas"' in out and '"role":"admin"' in out, out
        user_add(db, "op-tebet", "operator", "3174011001", "Operator-Kelurahan-Tebet")
        code, out, err = h.run_cli(db.args_for(["user", "list"]))
        eq(code, 0, err)
        lines = out.strip().splitlines()
        eq(len(lines), 2, "two users")
        assert '"region":"31.74.01.1001"' in lines[1], lines[1]
        assert "pwhash" not in out and "$argon2" not in out, "no hash printed"
        # the hash is Argon2id, never the password
        rows = db.query("SELECT pwhash FROM app_user ORDER BY id")
        assert all(r[0].startswith("$argon2id$") for r in rows), rows
        code, out, err = h.run_cli(db.args_for(["user", "passwd", "--username", "op-tebet",
                                                "--password-stdin"]),
                                   stdin=b"Sandi-Baru-Yang-Panjang\n")
        eq(code, 0, err)
        eq(db.query("SELECT disabled FROM app_user WHERE username = 'op-tebet'")[0][0], 0)
        code, out, err = h.run_cli(db.args_for(["user", "disable", "--username", "op-tebet"]))
        eq(code, 0, err)
        eq(db.query("SELECT disabled FROM app_user WHERE username = 'op-tebet'")[0][0], 1)
        code, out, err = h.run_cli(db.args_for(["user", "enable", "--username", "op-tebet"]))
        eq(code, 0, err)
        code, out, err = h.run_cli(db.args_for(["user", "disable", "--username", "tidak.ada"]))
        eq(code, 1, "disable an unknown user")
    finally:
        db.drop()


@test
def user_cli_refuses_bad_input():
    db = h.Db()
    try:
        cases = [
            (["--username", "pendek", "--role", "admin"], "Pendek-9", "too short"),
            (["--username", "umum", "--role", "admin"], "password123", "common"),
            (["--username", "umum", "--role", "admin"], "QWERTYUIOP", "common, upper case"),
            (["--username", "umum", "--role", "admin"], "1234567890", "digits"),
            (["--username", "umum", "--role", "admin"], "Indonesia123", "indonesia123"),
            (["--username", "umum", "--role", "admin"], "jakarta2024", "jakarta2024"),
            (["--username", "samasaja12", "--role", "admin"], "samasaja12", "= username"),
            (["--username", "op1", "--role", "operator"], "Operator-Tanpa-Wilayah", "no region"),
            (["--username", "op1", "--role", "operator", "--region", "99.99"],
             "Operator-Wilayah-Salah", "unknown region"),
            (["--username", "op1", "--role", "operator", "--region", "32.73"],
             "Operator-Luar-Jakarta", "outside the service area"),
            (["--username", "op1", "--role", "operator", "--region", "abc"],
             "Operator-Kode-Rusak-1", "malformed region"),
            (["--username", "adm", "--role", "admin", "--region", "31.74"],
             "Admin-Dengan-Wilayah-1", "admin with a region"),
            (["--username", "Besar", "--role", "admin"], "Huruf-Besar-Ditolak", "upper case"),
            (["--username", "ab", "--role", "admin"], "Terlalu-Pendek-Nama", "2 characters"),
            (["--username", "a" * 33, "--role", "admin"], "Terlalu-Panjang-Nama", "33 chars"),
            (["--username", "spasi nama", "--role", "admin"], "Nama-Pakai-Spasi-1", "blank"),
            (["--username", "root1", "--role", "superuser"], "Peran-Tidak-Dikenal", "role"),
        ]
        for args, pw, what in cases:
            code, out, err = h.run_cli(db.args_for(["user", "add", "--password-stdin"] + args),
                                       stdin=(pw + "\n").encode())
            eq(code, 1, "%s: %s" % (what, err))
            assert err.strip(), what
        # a password is never a flag
        code, out, err = h.run_cli(db.args_for(["user", "add", "--username", "x1y", "--role",
                                                "admin", "--password", "Sandi-Di-Baris-Perintah"]))
        eq(code, 2, "--password is not an option")
        # without a terminal and without --password-stdin: refused
        code, out, err = h.run_cli(db.args_for(["user", "add", "--username", "x1y", "--role",
                                                "admin"]), stdin=b"Sandi-Dari-Stdin-Saja\n")
        eq(code, 2, "needs --password-stdin: " + err)
        eq(db.query("SELECT count(*) FROM app_user")[0][0], 0, "nobody was created")
        user_add(db, "dupe", "viewer", None, "Pemantau-Pertama-Satu")
        user_add(db, "dupe", "viewer", None, "Pemantau-Kedua-Dua-2", expect=1)
        code, out, err = h.run_cli(db.args_for(["user", "passwd", "--username", "dupe",
                                                "--password-stdin"]), stdin=b"password\n")
        eq(code, 1, "passwd to a common password")
    finally:
        db.drop()


@test
def token_cli_list():
    db = h.Db()
    try:
        user_add(db, "robot.a", "operator", "31.74", "Robot-Sinkronisasi-Satu")
        user_add(db, "robot.b", "viewer", None, "Robot-Laporan-Kedua-2")
        code, out, err = h.run_cli(db.args_for(["token", "list"]))
        eq((code, out), (0, ""), "no tokens yet: " + err)
        code, out, err = h.run_cli(db.args_for(["token", "create", "--username", "robot.a",
                                                "--label", "sinkron \"harian\""]))
        eq(code, 0, err)
        t1 = json.loads(out)
        t2 = token_create(db, "robot.b")
        t3 = token_create(db, "robot.a")
        code, out, err = h.run_cli(db.args_for(["token", "revoke", "--id", str(t1["id"])]))
        eq(code, 0, err)
        code, out, err = h.run_cli(db.args_for(["token", "list"]))
        eq(code, 0, err)
        rows = [json.loads(line) for line in out.splitlines()]
        eq([(r["id"], r["username"], r["label"]) for r in rows],
           [(t1["id"], "robot.a", 'sinkron "harian"'), (t2["id"], "robot.b", ""),
            (t3["id"], "robot.a", "")], "every token, in id order")
        eq(list(rows[0]), ["id", "username", "label", "created_at", "revoked_at"], "fields")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*", rows[0]["created_at"]), rows[0]
        assert rows[0]["revoked_at"] and rows[0]["revoked_at"] >= rows[0]["created_at"], rows[0]
        eq((rows[1]["revoked_at"], rows[2]["revoked_at"]), (None, None), "active ones")
        # never the token, nor its hash
        hashes = [r[0] for r in db.query("SELECT hash FROM api_token")]
        for t in (t1, t2, t3):
            assert t["token"] not in out and t["token"][4:20] not in out, "a token printed"
        for hsh in hashes:
            hx = hsh.hex() if isinstance(hsh, bytes) else hsh[2:]
            assert hx[:16].lower() not in out.lower(), "a hash printed"
        assert "pkt_" not in out and "hash" not in out, out
        # one user's, as --username or --user
        for opt in ("--username", "--user"):
            code, out, err = h.run_cli(db.args_for(["token", "list", opt, "robot.a"]))
            eq(code, 0, err)
            eq([json.loads(line)["id"] for line in out.splitlines()], [t1["id"], t3["id"]], opt)
        # bad input: a message, a non-zero exit, nothing printed
        code, out, err = h.run_cli(db.args_for(["token", "list", "--username", "tidak.ada"]))
        eq((code, out), (1, ""), "an unknown user")
        assert "no user tidak.ada" in err, err
        code, out, err = h.run_cli(db.args_for(["token", "list", "robot.a"]))
        eq((code, out), (2, ""), "a positional argument: " + err)
    finally:
        db.drop()


# ---- login ------------------------------------------------------------------

@test
def login_page_and_success():
    b = Browser(srv())
    st, hdrs, text = b.get("/masuk")
    eq(st, 200, "GET /masuk")
    assert 'name="nama_pengguna"' in text and 'type="password"' in text, text[:500]
    h.security_headers(hdrs, "/masuk")
    st, hdrs, text = b.login("admin1")
    eq(st, 303, "login")
    eq(hdrs.get("location"), "/dasbor", "default landing page")
    st, hdrs, text = b.get("/dasbor")
    eq(st, 200, "dasbor after login")
    assert "admin1" in text, "the page names the user"


@test
def login_next_is_local_only():
    b = Browser(srv())
    st, hdrs, _ = b.get("/admin")
    eq(st, 303, "anonymous /admin")
    eq(hdrs.get("location"), "/masuk?next=/admin", "redirect to login with next")
    st, hdrs, _ = b.login("admin1", next_="/admin")
    eq(hdrs.get("location"), "/admin", "back to /admin")
    for evil in ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:1"]:
        st, hdrs, _ = Browser(srv()).login("admin1", next_=evil)
        eq(st, 303, evil)
        eq(hdrs.get("location"), "/dasbor", "next %r ignored" % evil)


@test
def login_same_answer_unknown_user_and_wrong_password():
    b = Browser(srv())
    b.get("/masuk")
    answers, times = [], {"unknown": [], "wrong": [], "disabled": []}
    for _ in range(3):
        for kind, name in [("unknown", "tidak.ada.orang"), ("wrong", "op.a"),
                           ("disabled", "op_c")]:
            t0 = time.monotonic()
            st, hdrs, text = b.post("/masuk", {"nama_pengguna": name, "kata_sandi": WRONG},
                                    token=b.token("/masuk"))
            times[kind].append(time.monotonic() - t0)
            answers.append((st, text.replace(name, "NAME"), "pk_sesi" in str(hdrs)))
    eq(len(set(answers)), 1, "one answer for every failure: %r" % [a[0] for a in answers])
    eq(answers[0][0], 401, "status")
    assert "Nama pengguna atau kata sandi salah." in answers[0][1]
    assert not answers[0][2], "no session cookie"
    slow = sorted(times["wrong"])[1]
    fast = sorted(times["unknown"])[1]
    assert fast > slow * 0.4, "unknown user answered much faster (%.3fs vs %.3fs)" % (fast, slow)


@test
def disabled_user_cannot_log_in_and_loses_sessions():
    db = h.Db()
    user_add(db, "akan.mati", "viewer", None, "Pemantau-Yang-Dinonaktifkan")
    tok = token_create(db, "akan.mati")
    with serve(["--login-max-failures", "1000"], db=db) as s:
        b = Browser(s)
        eq(b.login("akan.mati", "Pemantau-Yang-Dinonaktifkan")[0], 303, "login")
        eq(b.get("/dasbor")[0], 200, "session works")
        code, out, err = h.run_cli(db.args_for(["user", "disable", "--username", "akan.mati"]))
        eq(code, 0, err)
        assert "tokens are refused until enabled" in out and "token revoke" in out, out
        eq(b.get("/dasbor")[0], 303, "session ended by disable")
        st, _, text = Browser(s).login("akan.mati", "Pemantau-Yang-Dinonaktifkan")
        eq(st, 401, "a disabled account cannot log in")
        st, hdrs, body = s.json("GET", "/api/v1/me",
                                headers={"Authorization": "Bearer " + tok["token"]})
        eq(st, 401, "a disabled user's token stops working")
        code, out, err = h.run_cli(db.args_for(["user", "enable", "--username", "akan.mati"]))
        eq(code, 0, err)
        eq(Browser(s).login("akan.mati", "Pemantau-Yang-Dinonaktifkan")[0], 303, "enabled")
        # a suspension: the token works again, as the command says
        assert "API tokens not revoked are accepted again" in out, out
        eq(s.json("GET", "/api/v1/me", headers={"Authorization": "Bearer " + tok["token"]})[0],
           200, "the token after enable")
        eq(b.get("/dasbor")[0], 303, "the old session stays ended")


@test
def passwd_ends_sessions():
    db = h.Db()
    user_add(db, "ganti.sandi", "viewer", None, "Sandi-Lama-Masih-Bagus")
    with serve(db=db) as s:
        b = Browser(s)
        eq(b.login("ganti.sandi", "Sandi-Lama-Masih-Bagus")[0], 303, "login")
        code, _, err = h.run_cli(db.args_for(["user", "passwd", "--username", "ganti.sandi",
                                              "--password-stdin"]),
                                 stdin=b"Sandi-Baru-Lebih-Bagus\n")
        eq(code, 0, err)
        eq(b.get("/dasbor")[0], 303, "old session ended")
        eq(Browser(s).login("ganti.sandi", "Sandi-Lama-Masih-Bagus")[0], 401, "old password")
        eq(Browser(s).login("ganti.sandi", "Sandi-Baru-Lebih-Bagus")[0], 303, "new password")


# ---- throttling ---------------------------------------------------------------

def retry_after(hdrs):
    return int(hdrs.get("retry-after", "0"))


# The throttling tests share one server with the default rules, but for an
# address ceiling of 8 failures; each test has accounts and addresses of
# its own.
thr = h.SharedServer(lambda: serve(["--login-max-failures-address", "8"]).start())


@test
def throttle_pair_spares_other_accounts_at_the_address():
    """Five failures of one account from one address refuse that account
    there for the window, not the other accounts of the address: one
    person's typos behind a shared NAT address lock out nobody else."""
    s, src = thr(), "127.0.0.10"
    for i in range(5):
        st, _, _ = Browser(s, src).login("op.a", WRONG)
        eq(st, 401, "failure %d" % (i + 1))
    # the same address, another account: not refused (the address's own
    # limit, login_max_failures_address, is 100 by default, 8 here)
    eq(Browser(s, src).login("op.b")[0], 303, "another account, same address")
    st, hdrs, text = Browser(s, src).login("op.a")
    eq(st, 429, "the account at this address, even with the right password")
    assert 60 < retry_after(hdrs) <= 900, "Retry-After %r" % hdrs.get("retry-after")
    assert "pk_sesi" not in str(hdrs["_set_cookie"])
    assert re.search(r"coba lagi dalam 1[45] menit \(pukul \d\d\.\d\d WIB\)", text), text


@test
def throttle_clean_address_waits_only_the_backoff():
    """After five failures from one address, the right password from an
    address that has not failed is not refused for the window: it waits at
    most the account's back-off (login_backoff, 1 s by default at the
    fifth failure), then gets in."""
    s = thr()
    for i in range(5):
        eq(Browser(s, "127.0.0.12").login("viewer1", WRONG)[0], 401, "failure %d" % (i + 1))
    b = Browser(s, "127.0.0.13")
    st, hdrs, text = b.login("viewer1")
    if st == 429:   # within the second after the fifth failure
        eq(retry_after(hdrs), 1, "the first back-off")
        assert "tunggu 1 detik" in text, text
        time.sleep(retry_after(hdrs))
        st, hdrs, text = b.login("viewer1")
    eq(st, 303, "the right password from a clean address: %s" % text[:300])


@test
def user_unlock_lets_a_locked_user_in_at_once():
    s, src = thr(), "127.0.0.80"
    db = s.db
    for i in range(5):
        eq(Browser(s, src).login("op_c", WRONG)[0], 401, "failure %d" % (i + 1))
    eq(Browser(s, src).login("op_c")[0], 429, "locked at this address")
    code, out, err = h.run_cli(db.args_for(["user", "unlock", "--username", "op_c"]))
    eq(code, 0, err)
    eq(out.strip(), "op_c unlocked: 5 failed logins of the last 15 minutes cleared (the "
       "account's back-off and its lock at every address; other accounts' failures still "
       "count toward an address's limit)")
    eq(Browser(s, src).login("op_c")[0], 303, "in at once")
    uid = db.query("SELECT id FROM app_user WHERE username = 'op_c'")[0][0]
    eq(db.query("SELECT source, action, subject, detail FROM audit"
                " WHERE action = 'user.unlock'"), [("cli", "user.unlock", uid, "failures=5")],
       "audited")
    # nothing to clear; an unknown user; no name
    code, out, err = h.run_cli(db.args_for(["user", "unlock", "op.b"]))
    eq((code, out.strip()), (0, "op.b unlocked: no failed logins in the last 15 minutes"), err)
    code, out, err = h.run_cli(db.args_for(["user", "unlock", "tidak.ada"]))
    eq(code, 1, "an unknown user")
    assert "no user tidak.ada" in err, err
    code, out, err = h.run_cli(db.args_for(["user", "unlock"]))
    eq(code, 2, "no user named: " + err)
    eq(len(db.query("SELECT id FROM audit WHERE action = 'user.unlock'")), 2,
       "each unlock audited, not the refused ones")


@test
def throttle_per_address_ceiling():
    """Spraying: failures from one address over many names refuse the
    address once they reach login_max_failures_address (8 here), even
    with the right password, and no other address."""
    s, src = thr(), "127.0.0.30"
    for i in range(8):
        st, _, _ = Browser(s, src).login("tidak.ada.%d" % i, WRONG)
        eq(st, 401, "failure %d" % (i + 1))
    st, hdrs, text = Browser(s, src).login("admin1")
    eq(st, 429, "the address is throttled, even with the right password")
    assert 60 < retry_after(hdrs) <= 900, hdrs.get("retry-after")
    eq(Browser(s, "127.0.0.31").login("admin1")[0], 303, "another address")


@test
def throttle_backoff_across_addresses_and_unlock():
    """Failures of one account from many addresses (each under the pair's
    limit) slow every address down by the back-off, not the account's
    other users; `prakerja user unlock` ends the back-off at once."""
    db = staffed_db(("op.a", "op.b"))
    with serve(["--login-max-failures", "2", "--login-backoff", "300",
                "--login-backoff-max", "600"], db=db) as s:
        for i in range(2):
            eq(Browser(s, "127.0.0.7%d" % i).login("op.a", WRONG)[0], 401, "failure %d" % i)
        st, hdrs, text = Browser(s, "127.0.0.72").login("op.a")
        eq(st, 429, "the back-off: 300 s after the second failure")
        assert 1 <= retry_after(hdrs) <= 300, hdrs.get("retry-after")
        assert "coba lagi dalam 5 menit" in text or "coba lagi dalam 4 menit" in text, text
        # a refused attempt is not tried, so it is not counted either
        eq(Browser(s, "127.0.0.73").login("op.a", WRONG)[0], 429, "refused, not tried")
        eq(Browser(s, "127.0.0.72").login("op.b")[0], 303, "other accounts are not slowed")
        code, out, err = h.run_cli(db.args_for(["user", "unlock", "op.a"]))
        eq(code, 0, err)
        assert "op.a unlocked: 2 failed logins of the last 15 minutes cleared" in out, out
        eq(Browser(s, "127.0.0.72").login("op.a")[0], 303, "in at once after the unlock")


@test
def throttle_window_and_success_resets_account():
    # a window long enough for four logins (Argon2id each) on a loaded machine
    with serve(["--login-window", "6", "--login-max-failures", "3"],
               db=staffed_db(("admin1",))) as s:
        src = "127.0.0.40"
        for i in range(2):
            Browser(s, src).login("admin1", WRONG)
        eq(Browser(s, src).login("admin1")[0], 303, "success")
        for i in range(2):   # the success cleared the count
            eq(Browser(s, src).login("admin1", WRONG)[0], 401, "failure")
        eq(Browser(s, src).login("admin1")[0], 303, "still under the limit")
        for i in range(3):
            Browser(s, src).login("admin1", WRONG)
        eq(Browser(s, src).login("admin1")[0], 429, "limit reached")
        time.sleep(8.5)   # the window, whole seconds, and a margin for slow hashing
        eq(Browser(s, src).login("admin1")[0], 303, "the window passed")


@test
def hashing_is_bounded():
    with serve(["--hash-concurrency", "1", "--hash-wait-ms", "1",
                "--login-max-failures", "1000"]) as s:
        results = []
        lock = threading.Lock()

        def one(i):
            st, hdrs, _ = Browser(s, "127.0.1.%d" % (i + 1)).login("op.a", WRONG)
            with lock:
                results.append((st, hdrs.get("retry-after")))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(r[0] for r in results)
        assert set(statuses) <= {401, 503}, statuses
        assert 503 in statuses, "no login was turned away: %r" % statuses
        assert 401 in statuses, "no login was served: %r" % statuses
        assert all(ra for st, ra in results if st == 503), "503 without Retry-After"
        assert s.healthy()


# ---- sessions ---------------------------------------------------------------

@test
def session_cookie_flags():
    b = Browser(srv())
    st, hdrs, _ = b.login("viewer1")
    line = session_cookie(hdrs)
    assert line, hdrs
    value = line.split(";")[0].split("=", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value), "32 random bytes, base64url: %r" % value
    attrs = [a.strip().lower() for a in line.split(";")[1:]]
    assert "httponly" in attrs, line
    assert "samesite=lax" in attrs, line
    assert "path=/" in attrs, line
    assert "secure" not in attrs, "no Secure by default (http://127.0.0.1): %r" % line
    # the id is stored hashed, never as sent
    rows = srv().db.query("SELECT id FROM user_session")
    raw = str(rows)
    assert value not in raw, "session id stored in clear"
    with serve(["--cookie-secure", "1"]) as s:
        st, hdrs, _ = Browser(s).login("viewer1")
        attrs = [a.strip().lower() for a in session_cookie(hdrs).split(";")[1:]]
        assert "secure" in attrs, attrs
        st, hdrs, _ = Browser(s).get("/cek-nik")
        assert any("pk_csrf=" in c and "Secure" in c for c in hdrs["_set_cookie"]), hdrs


@test
def session_fixation():
    # an id chosen by an attacker is never adopted
    planted = "A" * 43
    b = Browser(srv())
    b.jar["pk_sesi"] = planted
    st, hdrs, _ = b.login("op.a")
    eq(st, 303, "login")
    assert b.jar["pk_sesi"] != planted, "planted id kept"
    # a real session of someone else, planted in the victim's browser,
    # is ended when the victim logs in
    attacker = logged_in("viewer1")
    stolen = attacker.jar["pk_sesi"]
    victim = Browser(srv())
    victim.jar["pk_sesi"] = stolen
    st, hdrs, _ = victim.login("admin1")
    eq(st, 303, "victim login")
    assert victim.jar["pk_sesi"] != stolen, "new id at login"
    eq(attacker.get("/dasbor")[0], 303, "the planted session ended")
    eq(victim.get("/admin")[0], 200, "the victim's new session works")


@test
def session_idle_and_absolute_expiry():
    # windows of seconds wide enough for a loaded machine, where one request
    # under the sanitizers can take more than a second (2 s idle failed so)
    with serve(["--session-idle", "5", "--session-max", "10"]) as s:
        b = logged_in("viewer1", s)
        eq(b.get("/dasbor")[0], 200, "fresh")
        time.sleep(6.5)
        # a form sent then: the login page says the session ended and the
        # form was not saved (an outside review lost a half-filled one)
        stale = b.jar["pk_sesi"]
        st, hdrs, _ = b.request("POST", "/peserta/baru", "nama=x", Browser.FORM)
        eq((st, hdrs.get("location")), (303, "/masuk?sesi=berakhir-formulir"), "a form, idle")
        st, _, text = Browser(s).get(hdrs["location"])
        assert "data-session-ended" in text and "belum tersimpan" in text, text
        b.jar["pk_sesi"] = stale  # the answer deleted it; a second tab still has it
        st, hdrs, _ = b.get("/dasbor")
        eq(st, 303, "idle for longer than 5 s")
        eq(hdrs.get("location"), "/masuk?sesi=berakhir&next=/dasbor", "said, and back after")
        st, _, text = Browser(s).get(hdrs["location"])
        assert "Sesi Anda sudah berakhir" in text and "belum tersimpan" not in text, text
        # kept busy, a session still ends 10 s after login
        b = logged_in("viewer1", s)
        t0 = time.monotonic()
        seen = []
        while time.monotonic() - t0 < 13:
            time.sleep(0.8)
            seen.append((round(time.monotonic() - t0, 1), b.get("/dasbor")[0]))
        early = [st for t, st in seen if t < 6]
        late = [st for t, st in seen if t > 11.5]
        assert early and all(st == 200 for st in early), seen
        assert late and all(st == 303 for st in late), seen


@test
def logout_deletes_the_session():
    b = logged_in("op.b")
    cookie = b.jar["pk_sesi"]
    st, hdrs, text = b.get("/dasbor")
    eq(st, 200)
    st, hdrs, _ = b.post("/keluar", {}, form_from="/dasbor")
    eq(st, 303, "logout")
    eq(hdrs.get("location"), "/masuk")
    assert any(c.startswith("pk_sesi=;") and "Max-Age=0" in c for c in hdrs["_set_cookie"]), \
        hdrs["_set_cookie"]
    # the old cookie, replayed, no longer works: the row is gone
    replay = Browser(srv())
    replay.jar["pk_sesi"] = cookie
    st, hdrs, _ = replay.get("/dasbor")
    eq(st, 303, "old cookie rejected")
    st, hdrs, body = srv().json("GET", "/api/v1/me", headers={"Cookie": "pk_sesi=" + cookie})
    eq(st, 401, "a cookie is not an API credential")


# ---- CSRF ---------------------------------------------------------------------

PUBLIC_FORMS = {
    "/cek-kelayakan": {"skema": "2023", "tanggal_lahir": "1995-08-17"},
    "/cek-nik": {"nik": "3174015708950001"},
    "/cek-status": {"nik": "3174015708950001", "tanggal_lahir": "1995-08-17"},
    "/daftar": {"nik": "3174011708950001"},
    "/masuk": {"nama_pengguna": "admin1", "kata_sandi": USERS["admin1"][2]},
    # a resident asks for a one-time code (an unregistered NIK: the same answer)
    "/akun/masuk": {"nik": "3174015708950001"},
    "/akun/verifikasi-hp": {"nik": "3174015708950001"},
}


def csrf_refused(st, text, what):
    eq(st, 403, what)
    assert "Formulir kedaluwarsa" in text, "%s: %s" % (what, text[:300])


@test
def csrf_public_forms():
    s = srv()
    other = Browser(s)
    other_token = other.token("/cek-nik")
    for path, fields in PUBLIC_FORMS.items():
        b = Browser(s)
        token = b.token(path)
        assert "pk_csrf" in b.jar, "form cookie set by GET %s" % path
        body = urllib.parse.urlencode(fields)
        # no token, no cookie
        st, _, text = s.request("POST", path, body, FORM)
        csrf_refused(st, text.decode(), path + ": nothing")
        # cookie without token
        st, _, text = b.request("POST", path, body, FORM)
        csrf_refused(st, text, path + ": no token")
        # token without cookie
        st, _, text = Browser(s).post(path, fields, token=token)
        csrf_refused(st, text, path + ": no cookie")
        # a token of another browser
        st, _, text = b.post(path, fields, token=other_token)
        csrf_refused(st, text, path + ": another browser's token")
        # a made-up token, and a token tampered with
        st, _, text = b.post(path, fields, token="x" * 43)
        csrf_refused(st, text, path + ": made-up token")
        st, _, text = b.post(path, fields, token=token[:-1] + ("A" if token[-1] != "A" else "B"))
        csrf_refused(st, text, path + ": tampered token")
        # the pair itself is accepted
        st, _, text = b.post(path, fields, token=token)
        assert st != 403, "%s: the right pair was refused: %s" % (path, text[:300])
        # the same pair serves again (one cookie per browser session)
        st, _, text = b.post(path, fields, token=token)
        assert st != 403, "%s: the pair was refused the second time" % path
    # nothing was registered by the refused /daftar posts
    eq(s.db.query("SELECT count(*) FROM participant")[0][0], 0)


@test
def csrf_session_forms():
    a = logged_in("op.a")
    other = logged_in("op.b")
    other_token = other.token("/dasbor")
    public_token = Browser(srv()).token("/cek-nik")
    for token, what in [(None, "no token"), (other_token, "another session's token"),
                        ("y" * 43, "made-up token"), (public_token, "a public form token")]:
        st, _, text = a.post("/keluar", {}, token=token)
        csrf_refused(st, text, "/keluar: " + what)
        eq(a.get("/dasbor")[0], 200, "still logged in after a refused logout (%s)" % what)
    st, _, _ = a.post("/keluar", {}, form_from="/dasbor")
    eq(st, 303, "the session's own token")
    eq(a.get("/dasbor")[0], 303, "logged out")
    eq(other.get("/dasbor")[0], 200, "the other session lives on")


# ---- API tokens -----------------------------------------------------------------

@test
def bearer_tokens():
    s = srv()
    tok = token_create(s.db, "op.a")
    assert re.fullmatch(r"pkt_[A-Za-z0-9_-]{43}", tok["token"]), tok
    auth = {"Authorization": "Bearer " + tok["token"]}
    st, hdrs, body = s.json("GET", "/api/v1/me", headers=auth)
    eq(st, 200, "valid token: %r" % (body,))
    eq(body["username"], "op.a")
    eq(body["role"], "operator")
    eq(body["region"]["code"], "31.74")
    # stored hashed
    assert tok["token"] not in str(s.db.query("SELECT hash, label FROM api_token"))
    for bad in ["", "Bearer", "Bearer ", "Bearer garbage", "Bearer pkt_" + "A" * 43,
                "Basic " + tok["token"], "Bearer " + tok["token"] + "x",
                "Bearer " + tok["token"][:-1]]:
        hdr = {"Authorization": bad} if bad else {}
        st, hdrs, body = s.json("GET", "/api/v1/me", headers=hdr)
        h.api_error((st, hdrs, body), 401, "perlu_autentikasi", "token %r" % bad)
        assert hdrs.get("www-authenticate", "").startswith("Bearer"), hdrs
    code, out, err = h.run_cli(s.db.args_for(["token", "revoke", "--id", str(tok["id"])]))
    eq(code, 0, err)
    h.api_error(s.json("GET", "/api/v1/me", headers=auth), 401, "perlu_autentikasi", "revoked")
    code, out, err = h.run_cli(s.db.args_for(["token", "revoke", "--id", str(tok["id"])]))
    eq(code, 1, "revoking twice")
    code, out, err = h.run_cli(s.db.args_for(["token", "create", "--username", "tidak.ada"]))
    eq(code, 1, "token for an unknown user")


# ---- region scope of the dashboard -------------------------------------------

@test
def dashboard_region_scope():
    a = logged_in("op.a")
    st, _, text = a.get("/dasbor")
    eq(st, 200)
    assert 'data-region="31.74"' in text, "operator A sees 31.74"
    eq(a.get("/dasbor?wilayah=31.74.01")[0], 200, "inside the subtree")
    eq(a.get("/dasbor?wilayah=31.72")[0], 403, "another city")
    eq(a.get("/dasbor?wilayah=31")[0], 403, "the whole province")
    eq(a.get("/dasbor?wilayah=31.7")[0], 400, "malformed: 400, as the API answers")
    b = logged_in("op.b")
    assert 'data-region="31.72"' in b.get("/dasbor")[2], "operator B sees 31.72"
    eq(b.get("/dasbor?wilayah=31.74")[0], 403, "B may not see A's city")
    v = logged_in("viewer1")
    assert 'data-region="31"' in v.get("/dasbor")[2], "a viewer sees the province"
    eq(v.get("/dasbor?wilayah=31.72")[0], 200, "and any city in it")
    st, _, text = logged_in("admin1").get("/admin")
    eq(st, 200)
    assert "Operator wilayah" in text


# ---- the authorisation matrix ---------------------------------------------------

ACCESS = {  # the access levels of routes.c, as sets of roles
    "PK_ACCESS_PUBLIC": None,
    "PK_ACCESS_ADMIN": {"admin"},
    "PK_ACCESS_STAFF": {"admin", "operator", "viewer"},
    "PK_ACCESS_OPERATOR": {"admin", "operator"},  # personal data: never a viewer
    "PK_ACCESS_PLATFORM": set(),  # a platform's signed request, never an account (test_platform)
    "PK_ACCESS_WEBHOOK": set(),  # a gateway's own credential, never an account (test_webhooks)
    "PK_ACCESS_RESIDENT": set(),  # a resident's own session, never a staff one (test_resident)
}
PARAMS = {"nik": "3174015708950001", "id": "2023", "file": "style.css", "n": "1",
          "ref": "tokopedia-beli-1", "code": "abcd2345"}
CALLERS = [("anonymous", None), ("viewer", "viewer1"), ("operator A (31.74)", "op.a"),
           ("operator B (31.72)", "op.b"), ("admin", "admin1")]


def route_table():
    src = open(ROUTES_C, encoding="utf-8").read()
    rows = re.findall(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*(PK_KIND_\w+)\s*,'
                      r'\s*(PK_ACCESS_\w+)\s*(?:,\s*PK_LIMIT_\w+\s*)?\}', src)
    assert len(rows) >= 20, "could not parse the route table: %r" % rows
    for r in rows:
        assert r[4] in ACCESS, "unknown access level %s: add it to ACCESS" % r[4]
    return rows


def expectation(access, role):
    """'allowed', 'login' (anonymous on a protected route) or 'forbidden'."""
    allowed = ACCESS[access]
    if allowed is None:
        return "allowed"
    if access == "PK_ACCESS_PLATFORM":
        return "platform"
    if access == "PK_ACCESS_WEBHOOK":
        return "webhook"
    if access == "PK_ACCESS_RESIDENT":
        return "resident"
    if role is None:
        return "login"
    return "allowed" if role in allowed else "forbidden"


def call(method, path, kind, caller, tokens, server):
    """One request as `caller`; returns (status, headers, text)."""
    api = kind == "PK_KIND_API"
    if caller is None:
        b = Browser(server)
    elif api:
        b = Browser(server)
        hdrs = {"Authorization": "Bearer " + tokens[caller]}
        body = "{}" if method == "POST" else None
        if body:
            hdrs["Content-Type"] = "application/json"
        return b.request(method, path, body, hdrs)
    else:
        # a session of its own: POST /keluar ends it
        b = logged_in(caller, server)
    if api:
        body = "{}" if method == "POST" else None
        return b.request(method, path, body, {"Content-Type": "application/json"} if body else {})
    if method == "POST":
        # a valid CSRF token, so that only access decides
        src = path if path in PUBLIC_FORMS else "/cek-nik" if caller is None else "/dasbor"
        return b.post(path, PUBLIC_FORMS.get(path, {}), form_from=src)
    return b.request(method, path)


@test
def authorisation_matrix():
    s = srv()
    tokens = {name: token_create(s.db, name)["token"] for _, name in CALLERS if name}
    failures = []
    n = 0
    for method, pattern, handler, kind, access in route_table():
        path = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], pattern)
        for label, name in CALLERS:
            role = USERS[name][0] if name else None
            want = expectation(access, role)
            if (method, pattern) == ("POST", "/api/v1/participants") and role == "viewer":
                # public, but with a token it is that account's registration
                # (test_audit.py): a viewer registers no one
                want = "forbidden"
            st, hdrs, text = call(method, path, kind, name, tokens, s)
            n += 1
            api = kind == "PK_KIND_API"
            if want == "allowed":
                ok = st not in (401, 403) and not (
                    st == 303 and hdrs.get("location", "").startswith("/masuk") and
                    pattern not in ("/masuk", "/keluar"))
            elif want == "platform":  # no signature: 401 whatever the account
                ok = st == 401 and '"platform_tidak_dikenal"' in text
            elif want == "webhook":  # no credential of the gateway: refused whatever the account
                code, name_ = WEBHOOK_CODES[(method, pattern)]
                ok = st == code and '"%s"' % name_ in text
            elif want == "resident":  # no resident session: refused whatever the account
                ok = (st == 401 and '"belum_masuk"' in text) if api else (
                    st == 303 and hdrs.get("location", "") == "/akun/masuk")
            elif want == "login":
                ok = (st == 401 and '"perlu_autentikasi"' in text) if api else (
                    st == 303 and hdrs.get("location", "").startswith("/masuk"))
            else:
                ok = st == 403 and ('"akses_ditolak"' in text if api else "Akses ditolak" in text)
            if not ok:
                failures.append("%s %s as %s: expected %s, got %d" % (method, pattern, label,
                                                                     want, st))
    h.diag("%d route x caller checks" % n)
    assert not failures, "\n".join(failures)


@test
def no_route_is_protected_by_accident():
    # the routes that need a login are exactly these (update with care)
    protected = {(m, p): a for m, p, _, _, a in route_table() if a != "PK_ACCESS_PUBLIC"}
    eq(protected, {("GET", "/api/v1/me"): "PK_ACCESS_STAFF",
                   ("GET", "/api/v1/participants/{id}/journey"): "PK_ACCESS_OPERATOR",
                   ("POST", "/api/v1/platform/ping"): "PK_ACCESS_PLATFORM",
                   ("POST", "/api/v1/platform/purchases"): "PK_ACCESS_PLATFORM",
                   ("POST", "/api/v1/platform/purchases/{ref}/cancel"): "PK_ACCESS_PLATFORM",
                   ("POST", "/api/v1/platform/purchases/{ref}/completion"): "PK_ACCESS_PLATFORM",
                   ("POST", "/api/v1/platform/purchases/{ref}/review"): "PK_ACCESS_PLATFORM",
                   ("GET", "/api/v1/stats"): "PK_ACCESS_STAFF",
                   ("GET", "/webhook/whatsapp"): "PK_ACCESS_WEBHOOK",
                   ("POST", "/webhook/whatsapp"): "PK_ACCESS_WEBHOOK",
                   ("POST", "/webhook/sms"): "PK_ACCESS_WEBHOOK",
                   ("POST", "/api/v1/waves/{n}/applications"): "PK_ACCESS_RESIDENT",
                   ("GET", "/akun"): "PK_ACCESS_RESIDENT",
                   ("POST", "/akun"): "PK_ACCESS_RESIDENT",
                   ("POST", "/akun/keluar"): "PK_ACCESS_RESIDENT",
                   ("GET", "/api/v1/funnel"): "PK_ACCESS_STAFF",
                   ("POST", "/keluar"): "PK_ACCESS_STAFF",
                   ("GET", "/dasbor"): "PK_ACCESS_STAFF",
                   ("GET", "/corong"): "PK_ACCESS_STAFF",
                   ("GET", "/admin"): "PK_ACCESS_ADMIN",
                   ("GET", "/admin/gelombang"): "PK_ACCESS_ADMIN",
                   ("GET", "/admin/gelombang/baru"): "PK_ACCESS_ADMIN",
                   ("POST", "/admin/gelombang/baru"): "PK_ACCESS_ADMIN",
                   ("GET", "/admin/gelombang/{n}"): "PK_ACCESS_ADMIN",
                   ("POST", "/admin/gelombang/{n}"): "PK_ACCESS_ADMIN",
                   ("GET", "/pengingat"): "PK_ACCESS_OPERATOR",
                   ("GET", "/acara"): "PK_ACCESS_STAFF",
                   ("GET", "/acara/baru"): "PK_ACCESS_OPERATOR",
                   ("POST", "/acara/baru"): "PK_ACCESS_OPERATOR",
                   ("GET", "/acara/{id}"): "PK_ACCESS_STAFF",
                   ("POST", "/acara/{id}"): "PK_ACCESS_OPERATOR",
                   ("GET", "/acara/{id}/qr.svg"): "PK_ACCESS_STAFF",
                   ("GET", "/acara/{id}/kit"): "PK_ACCESS_STAFF",
                   ("GET", "/acara/{id}/kit.pdf"): "PK_ACCESS_STAFF",
                   ("GET", "/katalog"): "PK_ACCESS_STAFF",
                   ("POST", "/katalog"): "PK_ACCESS_ADMIN",
                   ("GET", "/peserta"): "PK_ACCESS_OPERATOR",
                   ("POST", "/peserta"): "PK_ACCESS_OPERATOR",
                   ("GET", "/peserta/baru"): "PK_ACCESS_OPERATOR",
                   ("POST", "/peserta/baru"): "PK_ACCESS_OPERATOR",
                   ("GET", "/peserta/{id}"): "PK_ACCESS_OPERATOR",
                   ("POST", "/peserta/{id}"): "PK_ACCESS_OPERATOR"}, "protected routes")


@test
def operator_routes_follow_the_region():
    """The matrix checks roles; inside PK_ACCESS_OPERATOR the region decides
    too: a record of Jakarta Selatan (31.74) is open to operator A and the
    admin, "not found" (never 403: nothing to learn) for operator B."""
    s = srv()
    p = {"nik": "3174015708950077", "no_kk": "3174012001000077", "nama": "Matriks Wilayah",
         "tanggal_lahir": "1995-08-17", "jenis_kelamin": "P", "no_hp": "0813-7000-0077",
         "kode_wilayah": "3174011001", "segmen": "pencari_kerja"}
    st, _, b = s.json("POST", "/api/v1/participants", p)
    eq(st, 201, "register: %r" % (b,))
    path = "/peserta/%d" % b["id"]
    for name, want in (("op.a", 200), ("admin1", 200), ("op.b", 404), ("viewer1", 403)):
        c = logged_in(name)
        eq(c.get(path)[0], want, "GET %s as %s" % (path, name))
        st, _, text = c.post("/peserta", {"q": "matriks wilayah"},
                             form_from="/dasbor" if name == "viewer1" else "/peserta")
        if want == 403:
            eq(st, 403, "search as " + name)
        else:
            eq('data-id="%d"' % b["id"] in text, want == 200, "found by name as " + name)


@test
def shared_server_stops_cleanly():
    for server in (srv, thr):
        err = server.stop()
        assert "kata_sandi" not in err and USERS["admin1"][2] not in err, "secrets in the log"


if __name__ == "__main__":
    h.run()
