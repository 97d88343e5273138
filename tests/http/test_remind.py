"""Black-box tests of the reminders (TAP), so far consent:
`prakerja consent stop|start --nik NIK --purpose program|informasi`, the
staff action of shared/spec/reminders.md ("Each change is kept with its
time"): the current stops, the append-only history with time, channel and
actor, the audit entry (the participant's id, never the NIK), idempotence,
two processes at once, and bad input refused with nothing written.

usage: python3 tests/http/test_remind.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import json
import re
import threading

import harness as h
from harness import eq, test

_n0 = len(h._tests)
from test_journey import J  # noqa: E402
del h._tests[_n0:]


class R(J):
    def consent(self, what, nik, purpose, expect=0):
        code, out, err = self.cli(["consent", what, "--nik", nik, "--purpose", purpose])
        eq(code, expect, "consent %s exit status (stderr %r)" % (what, err))
        return (json.loads(out.strip().splitlines()[-1]) if code == 0 else None), err

    def stops(self):
        return sorted(tuple(r) for r in self.sql(
            "SELECT participant_id, purpose FROM pk_consent_stop"))

    def history(self):
        return [tuple(r) for r in self.sql(
            "SELECT participant_id, purpose, stopped, channel, actor, changed_at"
            " FROM pk_consent_change ORDER BY id")]

    def audit(self):
        return [tuple(r) for r in self.sql(
            "SELECT action, subject, detail FROM audit WHERE action LIKE 'consent.%'"
            " ORDER BY id")]

    def pid(self, nik_index):
        return self.sql("SELECT id FROM participant ORDER BY id")[nik_index][0]


@test
def stop_and_start_are_kept_with_their_time():
    with R() as r:
        niks = r.people(2)
        a = r.pid(0)
        out, _ = r.consent("stop", niks[0], "program")
        eq(out, {"participant": a, "purpose": "program", "stopped": True, "changed": True},
           "first stop")
        eq(r.stops(), [(a, "program")], "stopped")
        # stopping again changes nothing and keeps nothing
        out, _ = r.consent("stop", niks[0], "program")
        eq(out["changed"], False, "second stop")
        eq(len(r.history()), 1, "history after a repeated stop")
        # the other purpose is its own
        r.consent("stop", niks[0], "informasi")
        eq(r.stops(), [(a, "informasi"), (a, "program")], "both stopped")
        out, _ = r.consent("start", niks[0], "program")
        eq((out["stopped"], out["changed"]), (False, True), "start")
        eq(r.stops(), [(a, "informasi")], "program started again")
        out, _ = r.consent("start", niks[1], "program")
        eq(out["changed"], False, "start of a purpose never stopped")
        hist = r.history()
        eq([x[:4] for x in hist],
           [(a, "program", 1, "staff"), (a, "informasi", 1, "staff"),
            (a, "program", 0, "staff")], "history: participant, purpose, stopped, channel")
        for x in hist:
            assert x[4].startswith("cli:"), x
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", x[5]), x
        eq(r.audit(), [("consent.stop", a, "purpose=program channel=staff"),
                       ("consent.stop", a, "purpose=informasi channel=staff"),
                       ("consent.start", a, "purpose=program channel=staff")], "audit")


@test
def history_is_append_only():
    with R() as r:
        niks = r.people(1)
        r.consent("stop", niks[0], "program")
        for sql in ("UPDATE pk_consent_change SET stopped = 0",
                    "DELETE FROM pk_consent_change"):
            try:
                r.sql(sql)
            except Exception as e:  # noqa: BLE001 -- either backend's error
                assert "append-only" in str(e), e
            else:
                raise AssertionError("%s was allowed" % sql)
        eq(len(r.history()), 1, "history unchanged")


@test
def bad_input_is_refused_and_changes_nothing():
    with R() as r:
        niks = r.people(1)
        unknown = niks[0][:12] + ("0000" if niks[0][12:] != "0000" else "0001")
        for args, code, says in [
                (["stop", "--nik", unknown, "--purpose", "program"], 1, "no participant"),
                (["stop", "--nik", "12345", "--purpose", "program"], 2, "16 digits"),
                (["stop", "--nik", niks[0], "--purpose", "semua"], 2, "program or informasi"),
                (["stop", "--nik", niks[0]], 2, "required"),
                (["pause", "--nik", niks[0], "--purpose", "program"], 2, "pause"),
                (["stop", "--nik", niks[0], "--purpose", "program", "extra"], 2,
                 "unexpected")]:
            c, out, err = r.cli(["consent"] + args)
            eq(c, code, "exit status of %r (stderr %r)" % (args, err))
            assert says in err, (args, err)
            assert niks[0] not in err and unknown not in err, "a NIK in %r" % err
            eq(out, "", "stdout of %r" % args)
        eq((r.stops(), r.history(), r.audit()), ([], [], []), "nothing written")


@test
def the_nik_from_stdin_keeps_it_out_of_the_process_list():
    """`--nik -` reads the NIK from the first line of stdin (argv is
    readable by every user of the machine); no line is refused as a
    missing --nik, and stop, start and link all take it."""
    with R() as r:
        niks = r.people(1)

        def consent(args, stdin):
            return h.run_cli(r.db.args_for(["consent"] + args), cwd=r.tmp,
                             stdin=stdin.encode())
        c, out, err = consent(["stop", "--nik", "-", "--purpose", "program"], niks[0] + "\r\n")
        eq(c, 0, "stop from stdin (stderr %r)" % err)
        eq(json.loads(out.strip().splitlines()[-1])["changed"], True, "stopped")
        eq(len(r.stops()), 1, "one stop kept")
        c, out, err = consent(["link", "--nik", "-", "--purpose", "program"], niks[0] + "\n")
        eq(c, 0, "link from stdin (stderr %r)" % err)
        assert "/berhenti/" in out or "url" in json.loads(out), out
        c, out, err = consent(["start", "--nik", "-", "--purpose", "program"], "")
        eq(c, 2, "no line on stdin (stderr %r)" % err)
        assert "required" in err, err
        c, out, err = consent(["start", "--nik", "-", "--purpose", "program"], "9" * 200 + "\n")
        eq(c, 2, "a line too long (stderr %r)" % err)
        eq(len(r.stops()), 1, "still stopped")
        c, out, err = consent(["start", "--nik", "-", "--purpose", "program"], niks[0])
        eq(c, 0, "start from stdin without a line end (stderr %r)" % err)
        eq(r.stops(), [], "started again")


@test
def two_processes_stopping_at_once_change_it_once():
    with R() as r:
        niks = r.people(1)
        outs, lock = [], threading.Lock()

        def stop():
            c, out, err = r.cli(["consent", "stop", "--nik", niks[0], "--purpose", "program"])
            with lock:
                outs.append((c, out, err))

        ts = [threading.Thread(target=stop) for _ in range(6)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        eq(sorted(c for c, _, _ in outs), [0] * 6, "exit statuses (%r)" % outs)
        changed = [json.loads(o.strip().splitlines()[-1])["changed"] for _, o, _ in outs]
        eq(sorted(changed), [False] * 5 + [True], "exactly one changed it")
        eq(len(r.history()), 1, "one change kept")
        eq(len(r.audit()), 1, "one audit entry")


if __name__ == "__main__":
    h.run()
