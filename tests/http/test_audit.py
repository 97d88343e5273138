"""Black-box tests of who did what: every staff write attributable, and
`prakerja audit` showing writes as well as reads (TAP).

usage: PYTHONPATH=tests/http python3 tests/http/test_audit.py PATH-TO-PRAKERJA [TEST...]

Each write by staff is recorded in the audit log with its actor: an
assisted registration (/peserta/baru) and a registration with a staff API
token (POST /api/v1/participants) as the account ("user:NAME"), a resident's
as "public"; user add/passwd/disable/enable/unlock, token create/revoke,
imports of participants and exclusion lists and key rotation as the OS user
who ran the command ("cli:UNIXUSER").  `prakerja audit` shows both logs,
each line with "log": "write" or "read", filtered by log, user, kind of
action and days; never personal data.  A registration with a token is
limited to the token's region (403 di_luar_wilayah_kerja) and refused with
a token that does not work (401), never taken as public.
"""

import json
import os
import pwd

import harness as h
from harness import eq, test

# Helpers shared with other programs; importing them must not register
# their tests here.
_n0 = len(h._tests)
from test_operator import Browser, assisted  # noqa: E402
from test_registry import Reg, csv_text, person  # noqa: E402
del h._tests[_n0:]

ME = "cli:" + pwd.getpwuid(os.geteuid()).pw_name

USERS = {
    "adm.audit": ("admin", None, "Admin-Audit-Prakerja-7"),
    "op.sel": ("operator", "31.74", "Operator-Jaksel-Audit-1"),
    "view.audit": ("viewer", None, "Pemantau-Audit-Data-3"),
}


def cli(db, args, stdin=None):
    return h.run_cli(db.args_for(args), stdin=stdin)


def add_user(db, name):
    role, region, pw = USERS[name]
    args = ["user", "add", "--username", name, "--role", role, "--password-stdin"]
    if region:
        args += ["--region", region]
    code, out, err = cli(db, args, stdin=(pw + "\n").encode())
    eq(code, 0, "user add %s: %s" % (name, err))
    return json.loads(out.strip().splitlines()[-1])["id"]


def new_token(db, name):
    code, out, err = cli(db, ["token", "create", "--username", name, "--label", "uji"])
    eq(code, 0, "token create: " + err)
    t = json.loads(out.strip().splitlines()[-1])
    return t["id"], t["token"]


def _start_shared():
    db = h.Db()
    for name in USERS:
        add_user(db, name)
    return h.Server(db=db).start()


srv = h.SharedServer(_start_shared)


def audit(db, *args, expect=0):
    code, out, err = cli(db, ["audit"] + list(args))
    eq(code, expect, "prakerja audit %s: %s" % (" ".join(args), err))
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def writes(db, *args):
    out = audit(db, "--writes", *args)
    for e in out:
        eq(e["log"], "write", "only writes")
        eq(set(e), {"log", "id", "at", "actor", "action", "source", "subject", "detail"},
           "a write's keys")
    return out


def login(name):
    b = Browser(srv())
    st, _, text = b.post("/masuk", {"nama_pengguna": name, "kata_sandi": USERS[name][2]})
    eq(st, 303, "login %s: %s" % (name, text[:300]))
    return b


# ---- registrations --------------------------------------------------------------

@test
def assisted_registration_recorded_as_the_operator():
    """Was: actor 'operator' (the channel), not the person."""
    db = srv().db
    b = login("op.sel")
    st, _, text = b.post("/peserta/baru", assisted(401, "31.74.02.1001"))
    eq(st, 201, text[:800])
    pid = int(text.split('data-id="', 1)[1].split('"', 1)[0])
    mine = [e for e in writes(db, "--user", "op.sel") if e["subject"] == pid]
    eq(len(mine), 1, "one entry for the registration: %r" % mine)
    e = mine[0]
    eq((e["actor"], e["source"], e["action"]), ("user:op.sel", "operator", "participant.insert"))
    assert "3174015708950401" not in json.dumps(audit(db)), "never a NIK in the logs"
    # the same with the actor written out, and by kind
    assert [x for x in writes(db, "--user", "user:op.sel", "--kind", "participant")
            if x["subject"] == pid]
    eq([x for x in writes(db, "--user", "adm.audit") if x["subject"] == pid], [],
       "not another account's")


@test
def api_registration_with_a_staff_token():
    """POST /api/v1/participants with a staff API token: attributed to the
    account, limited to its region; a bad token is refused, not taken as
    public; without one it is a resident's ("public")."""
    db = srv().db
    tid, token = new_token(db, "op.sel")
    auth = {"Authorization": "Bearer " + token}
    body = assisted(402, "31.74.01.1001")
    st, _, b = srv().json("POST", "/api/v1/participants", body, headers=auth)
    eq(st, 201, "inside the region: %r" % b)
    e = [x for x in writes(db, "--kind", "participant.insert") if x["subject"] == b["id"]]
    eq([(x["actor"], x["source"]) for x in e], [("user:op.sel", "api")], "by the token's account")
    n = db.query("SELECT count(*) FROM participant")[0][0]
    h.api_error(srv().json("POST", "/api/v1/participants", assisted(403, "31.72.01.1001"),
                           headers=auth), 403, "di_luar_wilayah_kerja", "outside the region")
    h.api_error(srv().json("POST", "/api/v1/participants", assisted(404, " 31.72.01.1001"),
                           headers=auth), 403, "di_luar_wilayah_kerja", "a code with a space")
    bad = {"Authorization": "Bearer pk_" + "A" * 43}
    h.api_error(srv().json("POST", "/api/v1/participants", assisted(405, "31.74.01.1001"),
                           headers=bad), 401, "perlu_autentikasi", "a bad token")
    h.api_error(srv().json("POST", "/api/v1/participants", assisted(406, "31.74.01.1001"),
                           headers={"Authorization": "Basic eDp5"}), 401, "perlu_autentikasi",
                "not a bearer token")
    _, vtoken = new_token(db, "view.audit")
    h.api_error(srv().json("POST", "/api/v1/participants", assisted(407, "31.74.01.1001"),
                           headers={"Authorization": "Bearer " + vtoken}), 403, "akses_ditolak",
                "a viewer registers no one")
    eq(db.query("SELECT count(*) FROM participant")[0][0], n, "nothing stored")
    code, _, err = cli(db, ["token", "revoke", "--id", str(tid)])
    eq(code, 0, err)
    h.api_error(srv().json("POST", "/api/v1/participants", assisted(408, "31.74.01.1001"),
                           headers=auth), 401, "perlu_autentikasi", "a revoked token")
    # a resident's own registration
    st, _, b = srv().json("POST", "/api/v1/participants", assisted(409, "31.72.01.1001"))
    eq(st, 201, "public: %r" % b)
    e = [x for x in writes(db, "--user", "public") if x["subject"] == b["id"]]
    eq(len(e), 0, "'public' is not a staff account (--user public means user:public)")
    e = [x for x in writes(db, "--kind", "participant.insert") if x["subject"] == b["id"]]
    eq([(x["actor"], x["source"]) for x in e], [("public", "api")])


# ---- accounts and tokens -----------------------------------------------------

@test
def account_management_recorded_with_the_os_user():
    db = h.Db()
    try:
        uid = add_user(db, "op.sel")
        pw = "Sandi-Baru-Yang-Kuat-42\n".encode()
        for args, stdin in ((["user", "passwd", "--username", "op.sel", "--password-stdin"], pw),
                            (["user", "disable", "--username", "op.sel"], None),
                            (["user", "enable", "--username", "op.sel"], None),
                            (["user", "unlock", "--username", "op.sel"], None)):
            code, _, err = cli(db, args, stdin=stdin)
            eq(code, 0, "%s: %s" % (args, err))
        tid, _ = new_token(db, "op.sel")
        code, _, err = cli(db, ["token", "revoke", "--id", str(tid)])
        eq(code, 0, err)
        # refused changes are not recorded
        code, _, _ = cli(db, ["token", "revoke", "--id", str(tid)])
        eq(code, 1, "revoking twice")
        code, _, _ = cli(db, ["user", "disable", "--username", "siapa"])
        assert code != 0, "an unknown user"
        log = writes(db)
        eq([(e["action"], e["subject"]) for e in log],
           [("user.add", uid), ("user.passwd", uid), ("user.disable", uid),
            ("user.enable", uid), ("user.unlock", uid), ("token.create", tid),
            ("token.revoke", tid)], "every change, in order")
        assert all(e["actor"] == ME and e["source"] == "cli" for e in log), log
        assert "role=operator" in log[0]["detail"] and "region=31.74" in log[0]["detail"], log[0]
        assert "Sandi" not in json.dumps(log) and "argon2" not in json.dumps(log), "no secrets"
        eq(len(writes(db, "--kind", "user")), 5)
        eq(len(writes(db, "--kind", "token")), 2)
        eq(len(writes(db, "--kind", "user.unlock")), 1)
        eq(len(writes(db, "--kind", "use")), 0, "a kind is a whole word")
        eq(len(writes(db, "--user", ME)), 7)
        eq(writes(db, "--user", "cli:orang-lain"), [])
    finally:
        db.drop()


# ---- imports and keys ---------------------------------------------------------

@test
def imports_and_key_rotation_recorded_with_the_os_user():
    with Reg("audit") as r:
        r.imp(csv_text([person(1), person(2)]))
        r.imp(csv_text([person(1, nama="Nama Baru Sekali")]))
        s, _ = r.lst("daftar_hitam", "nik\n" + person(2)["nik"] + "\n")
        eq(s["listed"], 1)
        code, out, err = r.cli(["keys", "rotate"], timeout=300)
        eq(code, 0, err)
        log = writes(r.db)
        acts = [e["action"] for e in log]
        eq(acts.count("participant.insert"), 2, "inserts: %r" % acts)
        eq(acts.count("participant.update"), 1, "the update: %r" % acts)
        assert "list.replace" in acts, acts
        eq(acts[-1], "keys.rotate")
        assert all(e["actor"] == ME for e in log), [e["actor"] for e in log]
        imp = [e for e in log if e["action"].startswith("participant.")]
        assert all(e["source"] in ("import", "exclusion") for e in imp), imp
        upd = [e for e in log if e["action"] == "participant.update"][0]
        eq(upd["detail"], "fields=nama")
        text = json.dumps(log)
        for secret in (person(1)["nik"], person(2)["nik"], person(1)["no_hp"], "Nama Baru"):
            assert secret not in text, "personal data in the audit log: %r" % secret


# ---- the command -------------------------------------------------------------

@test
def audit_shows_both_logs_and_filters():
    db = srv().db
    b = login("adm.audit")
    st, _, text = b.post("/peserta/baru", assisted(420, "31.72.01.1001"))
    eq(st, 201, text[:500])
    pid = int(text.split('data-id="', 1)[1].split('"', 1)[0])
    st, _, _ = b.get("/peserta/%d" % pid)
    eq(st, 200)
    both = audit(db)
    kinds = {e["log"] for e in both}
    eq(kinds, {"write", "read"}, "both logs by default")
    ats = [e["at"] for e in both]
    eq(ats, sorted(ats), "oldest first")
    for e in both:
        eq(set(e) - {"source", "route"}, {"log", "id", "at", "actor", "action", "subject",
                                          "detail"})
        assert ("source" in e) == (e["log"] == "write"), e
    mine = audit(db, "--user", "adm.audit")
    eq([(e["log"], e["action"]) for e in mine if e["subject"] == pid],
       [("write", "participant.insert"), ("read", "participant.view"), ("read", "journey.view")],
       "the write, then the reads (the record, its journey)")
    eq({e["log"] for e in audit(db, "--reads")}, {"read"})
    eq(len(audit(db, "--reads", "--writes")), len(both), "both flags: both logs")
    last = audit(db, "--limit", "2")
    eq(last, both[-2:], "the newest two, oldest first")
    today = both[-1]["at"][:10]
    eq(len(audit(db, "--since", today, "--until", today)), len(both), "today, inclusive")
    eq(audit(db, "--until", "2000-01-01"), [], "nothing that old")
    eq(audit(db, "--since", "2999-01-01"), [], "nothing in the future")
    eq(audit(db, "--user", "adm.audit", "--kind", "participant.view", "--reads"),
       [e for e in mine if e["action"] == "participant.view"])
    # each refusal says what is wrong, then the usage
    for bad, why in ((["--until", "kemarin"], "--until are days"),
                     (["--since", "2026-13-01"], "--since and --until are days"),
                     (["--user", ""], "need a value"), (["--kind", ""], "need a value"),
                     (["--sweeps", "--writes"], "--sweeps takes only"),
                     (["--sweeps", "--user", "x"], "--sweeps takes only"),
                     (["--limit", "0"], "--limit must be"), (["--limit", "x"], "--limit must be"),
                     (["--sweeps", "--threshold", "-1"], "--threshold must be"),
                     (["sisa"], "unexpected argument")):
        code, _, err = cli(db, ["audit"] + bad)
        eq(code, 2, "%r: %s" % (bad, err))
        assert err.startswith("prakerja audit: ") and why in err and "usage" in err, err


if __name__ == "__main__":
    h.run()
