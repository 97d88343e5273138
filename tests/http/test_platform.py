"""Black-box tests of the digital platforms' credentials and the signed
platform API (TAP).

usage: PYTHONPATH=tests/http python3 tests/http/test_platform.py PATH-TO-PRAKERJA [TEST...]

`prakerja platform add|rotate|disable|list` (the secret printed once,
sealed in the database, audited as the OS user); a request to
/api/v1/platform/... signed here by a signer of our own (hmac, hashlib)
exactly as docs/PLATFORM-API.md says: HMAC-SHA256 under the secret over
METHOD, PATH, TIMESTAMP, NONCE and the hex SHA-256 of the body.  Refusals
with their codes (401 platform_tidak_dikenal, tanda_tangan_tidak_valid,
waktu_di_luar_batas, nonce_terpakai; 400 kunci_idempotensi_wajib; 422
kunci_idempotensi_bentrok), the nonce window, and a retry with the same
Idempotency-Key answered with the first answer, byte for byte.
"""

import hashlib
import hmac
import json
import os
import pwd
import secrets
import time

import harness as h
from harness import eq, test

ME = "cli:" + pwd.getpwuid(os.geteuid()).pw_name
PING = "/api/v1/platform/ping"


def cli(db, args):
    return h.run_cli(db.args_for(args))


def add(db, code, name="Platform Uji"):
    rc, out, err = cli(db, ["platform", "add", "--code", code, "--name", name])
    eq(rc, 0, "platform add: " + err)
    got = json.loads(out.strip().splitlines()[-1])
    eq(got["code"], code)
    assert len(got["secret"]) == 64 and all(c in "0123456789abcdef" for c in got["secret"])
    return got["secret"]


def sign(secret, method, path, body=b"", ts=None, nonce=None):
    """The headers of a signed request (without the Idempotency-Key)."""
    ts = str(int(time.time()) if ts is None else ts)
    nonce = nonce or secrets.token_hex(16)
    msg = "\n".join([method, path, ts, nonce, hashlib.sha256(body).hexdigest()])
    sig = hmac.new(secret.encode(), msg.encode(), hashlib.sha256).hexdigest()
    return {"X-Prakerja-Timestamp": ts, "X-Prakerja-Nonce": nonce, "X-Prakerja-Signature": sig}


class Client:
    """A platform: signs each request with its secret."""

    def __init__(self, server, code, secret):
        self.server, self.code, self.secret = server, code, secret

    def post(self, path, body=b"{}", key=None, secret=None, ts=None, nonce=None,
             sign_path=None, sign_body=None, code=None, drop=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        hdrs = sign(secret or self.secret, "POST", sign_path or path,
                    body if sign_body is None else sign_body, ts, nonce)
        hdrs["X-Prakerja-Platform"] = code or self.code
        hdrs["Content-Type"] = "application/json"
        hdrs["Idempotency-Key"] = key or secrets.token_hex(8)
        for d in drop:
            hdrs.pop(d, None)
        return self.server.request("POST", path, body, hdrs)


def error_code(data):
    return json.loads(data)["error"]["code"]


def refused(resp, status, code, what):
    st, hdrs, data = resp
    eq(st, status, what + " status (%r)" % data[:200])
    eq(error_code(data), code, what + " code")
    msg = json.loads(data)["error"]["message"]
    assert msg and "secret" not in msg.lower(), msg


srv = h.SharedServer()


@test
def cli_add_list_rotate_disable():
    db = srv().db
    secret = add(db, "tokopedia", "Tokopedia")
    rc, out, err = cli(db, ["platform", "list"])
    eq(rc, 0, err)
    rows = [json.loads(line) for line in out.splitlines()]
    eq([(r["code"], r["name"], r["disabled"]) for r in rows], [("tokopedia", "Tokopedia", False)])
    assert secret not in out, "list shows no secret"
    # sealed: the secret is nowhere in the database in clear
    stored = db.query("SELECT secret FROM pk_platform WHERE code = 'tokopedia'")[0][0]
    stored = bytes.fromhex(stored[2:]) if isinstance(stored, str) else bytes(stored)
    assert secret.encode() not in stored and bytes.fromhex(secret) not in stored
    assert len(stored) > 64, "a box: generation, nonce, ciphertext, tag"
    # refusals change nothing
    for args, why in ((["platform", "add", "--code", "tokopedia", "--name", "Lagi"], "exists"),
                      (["platform", "add", "--code", "Toko Pedia", "--name", "X"], "code"),
                      (["platform", "add", "--code", "x", "--name", "X"], "code"),
                      (["platform", "add", "--code", "ok2", "--name", ""], "name"),
                      (["platform", "rotate", "--code", "nope"], "no platform"),
                      (["platform", "disable", "--code", "nope"], "no platform")):
        rc, out, err = cli(db, args)
        eq(rc, 1, "%s: exit status (stderr %r)" % (args, err))
        assert why in err, err
        eq(out, "", "nothing on stdout")
    rc, out, err = cli(db, ["platform", "add", "--code", "x"])
    eq(rc, 2, "missing --name")
    rc, out, _ = cli(db, ["platform", "list"])
    eq(len(out.splitlines()), 1, "still one platform")
    actions = [(e["action"], e["actor"], e["detail"]) for e in
               map(json.loads, cli(db, ["audit", "--kind", "platform"])[1].splitlines())]
    eq(actions, [("platform.add", ME, "code=tokopedia")], "audited")


@test
def signed_request_is_answered():
    s = srv()
    c = Client(s, "tokopedia", add(s.db, "bukalapak"))
    c.code = "bukalapak"
    st, hdrs, data = c.post(PING)
    eq(st, 200, data)
    got = json.loads(data)
    eq(got["platform"], "bukalapak")
    assert abs(got["unix"] - time.time()) < 60, got
    # the window: 299 s either way is still accepted
    for skew in (-299, 299):
        st, _, data = c.post(PING, ts=int(time.time()) + skew)
        eq(st, 200, "skew %d: %r" % (skew, data))


@test
def refusals_have_codes():
    s = srv()
    secret = add(s.db, "pijarmahir")
    c = Client(s, "pijarmahir", secret)
    body = json.dumps({"x": 1}).encode()
    refused(c.post(PING, code="tidakada"), 401, "platform_tidak_dikenal", "unknown platform")
    refused(c.post(PING, drop=("X-Prakerja-Platform",)), 401, "platform_tidak_dikenal",
            "no platform header")
    refused(c.post(PING, secret="0" * 64), 401, "tanda_tangan_tidak_valid", "another secret")
    refused(c.post(PING, body, sign_body=b'{"x": 2}'), 401, "tanda_tangan_tidak_valid",
            "body changed after signing")
    refused(c.post(PING, sign_path="/api/v1/platform/other"), 401, "tanda_tangan_tidak_valid",
            "another path signed")
    refused(c.post(PING, drop=("X-Prakerja-Signature",)), 401, "tanda_tangan_tidak_valid",
            "no signature")
    for skew in (-301, 301, -100000):
        refused(c.post(PING, ts=int(time.time()) + skew), 401, "waktu_di_luar_batas",
                "skew %d" % skew)
    refused(c.post(PING, ts="12x"), 401, "waktu_di_luar_batas", "malformed timestamp")
    refused(c.post(PING, drop=("Idempotency-Key",)), 400, "kunci_idempotensi_wajib", "no key")
    refused(c.post(PING, key="a b"), 400, "kunci_idempotensi_wajib", "malformed key")
    refused(c.post(PING, key="k" * 65), 400, "kunci_idempotensi_wajib", "long key")
    # a nonce is used once; a refused request does not use it up
    nonce = secrets.token_hex(16)
    refused(c.post(PING, nonce=nonce, secret="1" * 64), 401, "tanda_tangan_tidak_valid",
            "forged, with the nonce")
    st, _, data = c.post(PING, nonce=nonce)
    eq(st, 200, "the nonce still works for the platform: %r" % data)
    refused(c.post(PING, nonce=nonce), 401, "nonce_terpakai", "the same nonce again")
    refused(c.post(PING, nonce="bad nonce"), 401, "nonce_terpakai", "malformed nonce")
    # a rotated secret: the old one stops working
    rc, out, err = cli(s.db, ["platform", "rotate", "--code", "pijarmahir"])
    eq(rc, 0, err)
    new = json.loads(out.strip().splitlines()[-1])["secret"]
    assert new != secret
    refused(c.post(PING), 401, "tanda_tangan_tidak_valid", "the old secret")
    c.secret = new
    eq(c.post(PING)[0], 200, "the new secret")
    # a disabled platform is unknown
    rc, out, err = cli(s.db, ["platform", "disable", "--code", "pijarmahir"])
    eq(rc, 0, err)
    refused(c.post(PING), 401, "platform_tidak_dikenal", "disabled")
    st, hdrs, _ = c.post(PING)
    eq(hdrs.get("www-authenticate"), "Prakerja-HMAC-SHA256")
    actions = [e["action"] for e in
               map(json.loads, cli(s.db, ["audit", "--kind", "platform"])[1].splitlines())
               if e["detail"] == "code=pijarmahir"]
    eq(actions, ["platform.add", "platform.rotate", "platform.disable"], "audited")


@test
def retry_gets_the_first_answer():
    s = srv()
    c = Client(s, "sekolahmu", add(s.db, "sekolahmu"))
    st, hdrs, first = c.post(PING, {"a": 1}, key="beli-0001")
    eq(st, 200, first)
    assert "idempotent-replayed" not in hdrs
    time.sleep(0.01)
    # a new request (new nonce, new timestamp) with the same key and body
    for _ in range(3):
        st2, hdrs2, again = c.post(PING, {"a": 1}, key="beli-0001")
        eq(st2, 200)
        eq(again, first, "byte for byte")
        eq(hdrs2.get("idempotent-replayed"), "true")
    # without the key the answer is new (the ping tells the time)
    st3, _, other = c.post(PING, {"a": 1}, key="beli-0002")
    eq(st3, 200)
    assert other != first, "a new key runs again"
    refused(c.post(PING, {"a": 2}, key="beli-0001"), 422, "kunci_idempotensi_bentrok",
            "same key, another body")
    # keys are per platform
    d = Client(s, "kelas", add(s.db, "kelas"))
    st4, _, theirs = d.post(PING, {"a": 1}, key="beli-0001")
    eq(st4, 200)
    eq(json.loads(theirs)["platform"], "kelas")
    # a refused request is not kept for its key
    refused(c.post(PING, {"a": 1}, key="beli-0003", secret="2" * 64), 401,
            "tanda_tangan_tidak_valid", "forged")
    st5, _, fresh = c.post(PING, {"a": 1}, key="beli-0003")
    eq(st5, 200, fresh)
    kept = s.db.query("SELECT count(*) FROM pk_idempotency i JOIN pk_platform p"
                      " ON p.id = i.platform WHERE p.code IN ('sekolahmu', 'kelas')")[0][0]
    eq(kept, 4, "four answers kept")


@test
def old_nonces_are_forgotten():
    s = srv()
    c = Client(s, "maubelajar", add(s.db, "maubelajar"))
    pid = s.db.query("SELECT id FROM pk_platform WHERE code = 'maubelajar'")[0][0]
    now = int(time.time())
    s.db.execute("INSERT INTO pk_platform_nonce (platform, nonce, seen_at) VALUES"
                 " (%d, 'lama-sekali', %d), (%d, 'masih-baru', %d)" % (pid, now - 601, pid,
                                                                      now - 590))
    eq(c.post(PING)[0], 200)
    left = {r[0] for r in s.db.query("SELECT nonce FROM pk_platform_nonce WHERE platform = %d"
                                     % pid)}
    assert "lama-sekali" not in left and "masih-baru" in left, left
    refused(c.post(PING, nonce="masih-baru"), 401, "nonce_terpakai", "a nonce of 590 s ago")


# ---- the training catalogue -----------------------------------------------------

COURSES = ("platform,kode_pelatihan,judul,lpk,harga,mode\n"
           "tokopedia,TP-001,Dasar Pemrograman Python,LPK Maju Jaya,1500000,webinar\n"
           "tokopedia,TP-002,\"Akuntansi, Dasar\",LPK Maju Jaya,750000,mandiri\n"
           "pijarmahir,PM-9,Barista Profesional,LPK Kopi Nusantara,3500000,luring\n"
           "tokopedia,TP-003,Harga Nol,LPK Maju Jaya,0,webinar\n"
           "tokopedia,TP-004,Mode Salah,LPK Maju Jaya,100000,daring\n"
           "Toko Pedia,TP-005,Platform Salah,LPK Maju Jaya,100000,webinar\n"
           "tokopedia,,Tanpa Kode,LPK Maju Jaya,100000,webinar\n"
           "tokopedia,TP-006,Harga Teks,LPK Maju Jaya,1.500.000,webinar\n")


def import_courses(db, text, extra=()):
    code, out, err = h.run_cli(db.args_for(["import", "courses", "-"] + list(extra)),
                               stdin=text.encode())
    return code, out, err


@test
def import_courses_with_rejects_and_summary():
    db = h.Db()
    try:
        rej = os.path.join(db.dir, "tolak.csv")
        code, out, err = import_courses(db, COURSES, ["--rejects", rej])
        eq(code, 0, err)
        eq(json.loads(out.strip().splitlines()[-1]),
           {"rows": 8, "inserted": 3, "updated": 0, "unchanged": 0, "rejected": 5})
        lines = open(rej).read().splitlines()
        eq(lines[0], "platform,kode_pelatihan,judul,lpk,harga,mode,baris,alasan")
        eq([l.rsplit(",", 2)[1:] for l in lines[1:]],
           [["5", "harga_tidak_valid"], ["6", "mode_tidak_valid"], ["7", "platform_tidak_valid"],
            ["8", "kolom_wajib_kosong"], ["9", "harga_tidak_valid"]])
        eq(oct(os.stat(rej).st_mode & 0o777), "0o600")
        # again: nothing changes; a changed price is an update
        code, out, err = import_courses(db, COURSES)
        eq(json.loads(out.strip().splitlines()[-1])["unchanged"], 3, err)
        code, out, err = import_courses(db, COURSES.replace("1500000", "1600000"))
        got = json.loads(out.strip().splitlines()[-1])
        eq((got["updated"], got["unchanged"]), (1, 2))
        eq(db.query("SELECT count(*) FROM pk_provider")[0][0], 2, "providers made once")
        # a file without a needed column is refused and changes nothing
        code, out, err = import_courses(db, "platform,judul\ntokopedia,X\n")
        eq(code, 1, "missing columns")
        assert "kode_pelatihan" in err, err
        eq(db.query("SELECT count(*) FROM pk_course")[0][0], 3)
        audit = [json.loads(l) for l in cli(db, ["audit", "--kind", "courses"])[1].splitlines()]
        eq(len(audit), 3, "each import audited")
        eq(audit[0]["actor"], ME)
    finally:
        db.drop()


@test
def courses_api_pages_the_catalogue():
    s = srv()
    code, out, err = import_courses(s.db, COURSES)
    eq(code, 0, err)
    st, _, got = s.json("GET", "/api/v1/courses")
    eq(st, 200)
    eq([c["kode_pelatihan"] for c in got["pelatihan"]], ["TP-001", "TP-002", "PM-9"])
    eq(got["pelatihan"][1], {"platform": "tokopedia", "kode_pelatihan": "TP-002",
                             "judul": "Akuntansi, Dasar", "lpk": "LPK Maju Jaya",
                             "harga": 750000, "mode": "mandiri"})
    eq(got["berikutnya"], None)
    seen, after = [], 0
    while True:
        st, _, page = s.json("GET", "/api/v1/courses?limit=2&after=%d" % after)
        eq(st, 200)
        seen += [c["kode_pelatihan"] for c in page["pelatihan"]]
        if page["berikutnya"] is None:
            break
        after = page["berikutnya"]
    eq(seen, ["TP-001", "TP-002", "PM-9"], "pages")
    for q in ("limit=0", "limit=501", "limit=x", "after=-1"):
        st, _, e = s.json("GET", "/api/v1/courses?" + q)
        eq(st, 400, q)
        eq(e["error"]["code"], "parameter_tidak_valid")


@test
def no_secret_in_the_log():
    log = srv.stop()
    for line in log.splitlines():
        assert "X-Prakerja-Signature" not in line, line
    assert "/api/v1/platform/ping" in log, "the access log names the route"


if __name__ == "__main__":
    h.run()
