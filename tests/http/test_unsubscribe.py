"""Black-box tests of the one-click unsubscribe of reminder e-mails (TAP):
`POST /berhenti/{token}` without a session (RFC 8058, reminders.md
"Opt-out"), the address `prakerja consent link` gives and every reminder
e-mail's List-Unsubscribe carries.  A GET only shows a page; a POST stops
the token's purpose for its participant (kept with its time, channel
email, actor public; audited with the id); a token not ours, altered in
its participant, purpose or signature, is 404 and writes nothing.  The
token names an id, never a NIK, and stays out of the access log.

usage: python3 tests/http/test_unsubscribe.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import json
import re
from urllib.parse import urlparse

import harness as h
from harness import eq, test

_n0 = len(h._tests)
from test_remind import R  # noqa: E402
del h._tests[_n0:]


def link(r, nik, purpose):
    code, out, err = r.cli(["consent", "link", "--nik", nik, "--purpose", purpose])
    eq(code, 0, "consent link (stderr %r)" % err)
    doc = json.loads(out.strip().splitlines()[-1])
    u = urlparse(doc["url"])
    eq((u.scheme, u.netloc), ("https", "prakerja.jakarta.go.id"), "the portal's address")
    assert u.path.startswith("/berhenti/"), u
    assert nik not in doc["url"], "a NIK in the address"
    return doc["participant"], u.path


ONE_CLICK = ("List-Unsubscribe=One-Click",
             {"Content-Type": "application/x-www-form-urlencoded"})


@test
def one_click_stops_the_purpose():
    with R() as r:
        niks = r.people(2)
        a, path = link(r, niks[0], "program")
        b, path_b = link(r, niks[1], "informasi")
        with h.Server(db=r.db) as s:
            st, hdrs, body = s.request("GET", path)
            eq(st, 200, "GET shows the page")
            assert b"<form method=\"post\"" in body, body
            assert "dicabut atau saldo hangus".encode() in body, "what stopping program costs"
            assert "no-store" in hdrs.get("cache-control", ""), hdrs
            eq(r.stops(), [], "a GET changes nothing")
            st, hdrs, body = s.request("POST", path, *ONE_CLICK)
            eq(st, 200, "one-click POST")
            assert b'data-changed="1"' in body, body
            assert "no-store" in hdrs.get("cache-control", ""), hdrs
            eq(r.stops(), [(a, "program")], "stopped")
            hist = r.history()
            eq([x[:5] for x in hist], [(a, "program", 1, "email", "public")], "history")
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", hist[0][5]), hist
            eq(r.audit(), [("consent.stop", a, "purpose=program channel=email")], "audit")
            # again: nothing more kept
            st, _, body = s.request("POST", path, *ONE_CLICK)
            eq(st, 200, "second POST")
            assert b'data-changed="0"' in body, body
            eq(len(r.history()), 1, "history after a repeat")
            # the link opened again says it is stopped, and how to start again
            st, _, body = s.request("GET", path)
            eq(st, 200, "GET after stopping")
            assert b"data-stopped" in body and b"<form method=\"post\"" not in body, body
            assert b'href="/akun"' in body and b"Terima lagi" in body, body
            # the button of the page posts an empty form: the same
            st, _, _ = s.request("POST", path_b, "", {"Content-Type":
                                                      "application/x-www-form-urlencoded"})
            eq(st, 200, "the page's button")
            eq(r.stops(), [(a, "program"), (b, "informasi")], "both")
            for line in s.lines:
                assert path.split("/")[-1] not in line and niks[0] not in line, line


@test
def a_token_not_ours_changes_nothing():
    with R() as r:
        niks = r.people(2)
        a, path = link(r, niks[0], "program")
        b, _ = link(r, niks[1], "program")
        token = path.split("/")[-1]
        pid, purpose, mac = token.split("-", 2)
        eq(int(pid), a, "the token names the id")
        flip = "A" if mac[-1] != "A" else "B"
        bad = ["%d-%s-%s" % (b, purpose, mac),          # another participant
               "%s-i-%s" % (pid, mac),                    # another purpose
               "%s-%s-%s%s" % (pid, purpose, mac[:-1], flip),  # another signature
               "%s-%s-%s" % (pid, purpose, mac[:-1]),     # short
               "%s-%s-" % (pid, purpose), "x", niks[0],
               "0%s-%s-%s" % (pid, purpose, mac)]
        with h.Server(db=r.db) as s:
            for t in bad:
                for method in ("GET", "POST"):
                    st, _, body = s.request(method, "/berhenti/" + t, *ONE_CLICK)
                    eq(st, 404, "%s %s" % (method, t))
                    assert niks[0].encode() not in body
        eq((r.stops(), r.history(), r.audit()), ([], [], []), "nothing written")


@test
def consent_link_refuses_bad_input():
    with R() as r:
        niks = r.people(1)
        unknown = niks[0][:12] + ("0000" if niks[0][12:] != "0000" else "0001")
        for args, code, says in [
                (["--nik", unknown, "--purpose", "program"], 1, "no participant"),
                (["--nik", "12345", "--purpose", "program"], 2, "16 digits"),
                (["--nik", niks[0], "--purpose", "semua"], 2, "program or informasi"),
                (["--nik", niks[0]], 2, "required")]:
            c, out, err = r.cli(["consent", "link"] + args)
            eq(c, code, "exit status of %r (stderr %r)" % (args, err))
            assert says in err, (args, err)
            assert niks[0] not in err and unknown not in err, err
            eq(out, "", "stdout")


if __name__ == "__main__":
    h.run()
