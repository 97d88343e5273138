"""Black-box tests of `prakerja cards reissue` (TAP).

usage: PYTHONPATH=tests/http python3 tests/http/test_cards.py PATH-TO-PRAKERJA [TEST...]

The first release gave cards numbers anyone could compute from the
public source (an affine spread of the serial).  `cards reissue` gives
each such card a keyed number in one transaction and keeps the old one
retired: a platform naming it is refused with kartu_diganti (not counted
as a try at unknown numbers), its holder reads the new number and the
date of the change on Akun saya, and no number is issued twice.
"""

import json
import time

import harness as h
from harness import eq, test

_n0 = len(h._tests)
from test_journey import ev  # noqa: E402
from test_platform import Client, add, error_code  # noqa: E402
from test_remind_run import R  # noqa: E402
from test_resident import load, sign_in, start  # noqa: E402
from test_waves import card_v1 as card_v1_number  # noqa: E402
del h._tests[_n0:]

PURCHASES = "/api/v1/platform/purchases"
COURSES = ("platform,kode_pelatihan,judul,lpk,harga,mode\n"
           "belanjaku,TP-100,Excel Dasar,LPK Maju Jaya,100000,mandiri\n")


def cards(r):
    return {row[0]: (row[1], row[2]) for row in r.sql(
        "SELECT participant_id, serial, number FROM pk_card ORDER BY participant_id")}


def reissue(r, *args):
    code, out, err = r.cli(["cards", "reissue"] + list(args))
    eq(code, 0, "cards reissue %s: %s" % (args, err))
    return json.loads(out.strip().splitlines()[-1]), err


@test
def first_release_cards_get_keyed_numbers_and_the_old_ones_are_refused():
    with R() as r:
        ps = load(r, serials=(1, 2, 3), journey=False)
        now = int(time.time())
        code, _, err = r.cli(["wave", "create", "--wave", "9", "--scheme", "2023", "--opens",
                              h.wib_instant(now - 5 * 86400), "--closes",
                              h.wib_instant(now - 3600), "--quota", "5"])
        eq(code, 0, err)
        # ps[0] and ps[1] hold cards of the first release (serials 0, 1),
        # selected in wave 9 and credited by the programme office's file
        pids = [r.pid(i) for i in range(3)]
        for serial in (0, 1):
            r.sql("INSERT INTO pk_card (participant_id, serial, number, wave, issued_at)"
                  " VALUES (%d, %d, '%s', 9, %d)"
                  % (pids[serial], serial, card_v1_number(serial), now - 86400))
        rows = []
        for i in (0, 1):
            nik = ps[i]["nik"]
            rows += [ev("l%d" % i, nik, "lolos", h.wib_instant(now - 86400), gelombang=9),
                     ev("s%d" % i, nik, "saldo_masuk", h.wib_instant(now - 86000),
                        jumlah=3500000)]
        r.events(rows)
        # ps[2] drawn by this deployment afterwards: a keyed number
        for args in (["wave", "join", "--wave", "9", "--at", h.wib_instant(now - 4 * 86400),
                      ps[2]["nik"]],
                     ["wave", "draw", "--wave", "9", "--seed", "5e" * 32]):
            code, _, err = r.cli(args)
            eq(code, 0, "%s: %s" % (args[:2], err))
        before = cards(r)
        eq(sorted(s for s, _ in before.values()), [0, 1, 2], "serials")
        assert before[pids[2]][1] != card_v1_number(2), "the draw's number is keyed"
        audits = r.sql("SELECT count(*) FROM audit")[0][0]

        got, _ = reissue(r, "--dry-run")
        eq(got, {"cards": 3, "legacy": 2, "reissued": 0, "dry_run": True}, "dry run")
        eq(cards(r), before, "a dry run changes nothing")
        eq(r.sql("SELECT count(*) FROM audit")[0][0], audits, "nor audits")

        got, err = reissue(r)
        eq(got, {"cards": 3, "legacy": 2, "reissued": 2, "dry_run": False}, "reissued")
        assert "kartu_diganti" in err, err
        after = cards(r)
        eq(after[pids[2]], before[pids[2]], "a keyed card stays")
        for i in (0, 1):
            serial, number = after[pids[i]]
            assert serial > 2, "a new serial: %d" % serial
            assert number != before[pids[i]][1] and number != card_v1_number(serial), number
            assert number.startswith("990031") and h.luhn(number[:15]) == number, number
        eq(len({n for _, n in after.values()} | {n for _, n in before.values()}), 5,
           "no number twice")
        eq(sorted(tuple(x) for x in r.sql(
            "SELECT participant_id, serial, number FROM pk_card_retired")),
            sorted((pids[i],) + before[pids[i]] for i in (0, 1)), "the old numbers kept")
        eq(r.sql("SELECT action, detail FROM audit WHERE action = 'cards.reissue'"),
           [("cards.reissue", "cards=3 legacy=2 reissued=2")], "audited")
        got, _ = reissue(r)
        eq(got, {"cards": 3, "legacy": 0, "reissued": 0, "dry_run": False}, "nothing left")
        eq(cards(r), after, "again: nothing changed")

        # a platform: the old number is refused as replaced, and is no
        # try at unknown numbers (burst-card 1 would have stopped it)
        code, _, err = h.run_cli(r.db.args_for(["user", "add", "--username", "admin.kartu",
                                                "--role", "admin", "--password-stdin"]),
                                 stdin=b"kata-sandi-panjang-sekali\n")
        eq(code, 0, err)
        courses = r.write(COURSES)
        code, _, err = r.cli(["import", "courses", courses])
        eq(code, 0, err)
        s = start(r, ["--burst-card", "1", "--rate-card", "1"])
        try:
            toko = Client(s, "belanjaku", add(r.db, "belanjaku"))
            old = before[pids[0]][1]
            for _ in range(3):
                st, _, data = toko.post(PURCHASES, {"nomor_kartu": old,
                                                    "kode_pelatihan": "TP-100"})
                eq((st, error_code(data)), (422, "kartu_diganti"), "the old number")
                assert old not in data.decode(), "the number is not echoed"
            st, _, data = toko.post(PURCHASES, {"nomor_kartu": after[pids[0]][1],
                                                "kode_pelatihan": "TP-100"})
            eq(st, 201, "the new number buys: %r" % data[:300])
            eq(json.loads(data)["sisa_saldo"], 3400000)
            # the holder reads the new number and when it changed
            b = sign_in(r, s, ps[1])
            st, _, text = b.get("/akun")
            eq(st, 200, "Akun saya")
            new = after[pids[1]][1]
            assert "<dd data-card>**** **** **** %s " % new[-4:] in text, text
            assert "data-card-replaced>Demi keamanan, nomor kartu Anda diganti pada" in text
            assert before[pids[1]][1] not in text, "the old number is not shown"
            b = sign_in(r, s, ps[2])
            _, _, text = b.get("/akun")
            assert "data-card>" in text and "data-card-replaced" not in text, "never replaced"
            # staff see the last 4 digits and when the number changed
            code, out, err = r.cli(["token", "create", "--username", "admin.kartu"])
            eq(code, 0, err)
            tok = json.loads(out.strip().splitlines()[-1])["token"]
            auth = {"Authorization": "Bearer " + tok}
            st, _, got = s.json("GET", "/api/v1/participants/%d/journey" % pids[1], headers=auth)
            eq(st, 200, "the staff journey")
            card = got["card"]
            eq(card["masked"], "**** **** **** " + new[-4:], "masked")
            assert card["replaced_at"] and card["replaced_at"].endswith("+07:00"), card
            _, _, got = s.json("GET", "/api/v1/participants/%d/journey" % pids[2], headers=auth)
            eq(got["card"]["replaced_at"], None, "never replaced")
            b = h.Browser(s)
            st, _, _ = b.post("/masuk", {"nama_pengguna": "admin.kartu",
                                         "kata_sandi": "kata-sandi-panjang-sekali"})
            eq(st, 303, "staff login")
            st, _, text = b.get("/peserta/%d" % pids[1])
            eq(st, 200, "the participant's page")
            assert ("<dd data-card>**** **** **** %s <span class=\"small\" data-card-replaced>"
                    "(nomor baru sejak" % new[-4:]) in text, text
            assert new not in text and before[pids[1]][1] not in text, "no whole number"
        finally:
            s.cleanup()


@test
def a_store_without_first_release_cards_has_nothing_to_reissue():
    with R() as r:
        got, err = reissue(r)
        eq(got, {"cards": 0, "legacy": 0, "reissued": 0, "dry_run": False}, "empty")
        assert "reissue" not in err, err
        code, out, err = r.cli(["cards", "reissue", "extra"])
        assert code == 2 and out == "" and "usage" in err, (code, err)
        code, out, err = r.cli(["cards", "reissue", "--card-issuer", "12"])
        assert code != 0 and out == "" and "6 digits" in err, (code, err)


if __name__ == "__main__":
    h.run()
