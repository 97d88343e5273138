"""Black-box tests of the funnel (issue #15 on #16's counters): GET
/api/v1/funnel, the staff page /corong and its CSV show the same numbers,
which a small registry with known journeys fixes exactly (steps,
conversions, median days, at risk moving with the date, the children one
level down); the scope rule (403 outside it) and small cells hidden from
viewers; the journey's counters equal a recount of the journeys after
every kind of write (event import, bulk load, wave join and draw, the
daily job, journey rebuild) and under writes racing reads on two server
processes; `prakerja stats verify` names a corrupted one and `stats
rebuild` repairs it (TAP).  The funnel of an outreach event: reached its
attendance, registered those who came through its short link (/e/{code}),
their journeys' steps exactly, on API, page and CSV; its scope; a region's
reached, the attendance of its events.

usage: python3 tests/http/test_funnel.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import csv
import datetime
import io
import json
import re
import threading
import time

import harness as h
from harness import eq, run_cli, test

# Helpers shared with other programs; importing them must not register
# their tests here.
_n0 = len(h._tests)
from test_journey import J, ev  # noqa: E402
from test_registry import csv_text, person  # noqa: E402
del h._tests[_n0:]

F = "/api/v1/funnel"
STEPS = ["dijangkau", "terdaftar", "memenuhi_syarat", "gabung_gelombang", "lolos",
         "membeli_pelatihan", "selesai_pelatihan", "insentif_dibayar"]
PASSWORD = "Corong-Program-Kuat-2026"
V1, V2, V3 = "31.74.01.1001", "31.74.02.1001", "31.71.01.1001"


def t(day, hour=10):
    """An instant in March 2021, in WIB."""
    return "2021-03-%02dT%02d:00:00+07:00" % (day, hour)


def bought(p, nik, day_sel, day_buy):
    return [ev(p + "s", nik, "saldo_masuk", t(day_sel, 11), jumlah=1000000),
            ev(p + "b", nik, "pembelian", t(day_buy), jumlah=500000, pelatihan="K-1",
               platform="tokopedia")]


class Fx(J):
    """The registry of the exact funnel: 31.74 has 9 registered (one ASN:
    8 eligible), 6 joined wave 12, 4 selected, 2 bought, 2 finished, 1
    paid; P3 and P7 are recipients without a purchase, whose deadlines
    (30 days, scheme 2021) end 2 and 4 April 2021; P9 lives in 31.71."""

    def build(self, env=None):
        ps = [person(i, wilayah=V1) for i in range(1, 7)]
        ps += [person(7, wilayah=V2), person(8, wilayah=V2)]
        ps += [person(9, wilayah=V1, pekerjaan="asn"), person(10, wilayah=V3)]
        s, _, _, _ = self.imp(csv_text(ps))
        eq(s["inserted"], 10, "participants")
        n = [p["nik"] for p in ps]
        rows = []
        rows += [ev("p1g", n[0], "gabung_gelombang", t(1), gelombang=12),
                 ev("p1l", n[0], "lolos", t(3), gelombang=12)] + bought("p1", n[0], 3, 8)
        rows += [ev("p1f", n[0], "selesai_pelatihan", t(10), pelatihan="K-1",
                    platform="tokopedia"),
                 ev("p1u", n[0], "ulasan", t(11), pelatihan="K-1"),
                 ev("p1r", n[0], "rekening_tertaut", t(11, 12), keterangan="gopay"),
                 ev("p1i", n[0], "insentif_dibayar", t(20), ke=1, jumlah=600000)]
        rows += [ev("p2g", n[1], "gabung_gelombang", t(1), gelombang=12),
                 ev("p2l", n[1], "lolos", t(3), gelombang=12)] + bought("p2", n[1], 3, 13)
        rows += [ev("p2f", n[1], "selesai_pelatihan", t(14), pelatihan="K-1",
                    platform="tokopedia")]
        rows += [ev("p3g", n[2], "gabung_gelombang", t(2), gelombang=12),
                 ev("p3l", n[2], "lolos", t(3), gelombang=12),
                 ev("p3s", n[2], "saldo_masuk", t(3, 11), jumlah=1000000)]
        rows += [ev("p4g", n[3], "gabung_gelombang", t(2), gelombang=12),
                 ev("p4t", n[3], "tidak_lolos", t(3), gelombang=12)]
        rows += [ev("p5g", n[4], "gabung_gelombang", t(1), gelombang=12)]
        rows += [ev("p7g", n[6], "gabung_gelombang", t(1), gelombang=12),
                 ev("p7l", n[6], "lolos", t(5), gelombang=12),
                 ev("p7s", n[6], "saldo_masuk", t(5, 11), jumlah=1000000)]
        rows += [ev("p9g", n[9], "gabung_gelombang", t(1), gelombang=12),
                 ev("p9l", n[9], "lolos", t(3), gelombang=12)]
        s, _, _ = self.events(rows, env=env)
        eq((s["inserted"], s["rejected"]), (len(rows), 0), "events")
        return ps

    def user(self, name, role, region=None):
        args = ["user", "add", "--username", name, "--role", role, "--password-stdin"]
        if region:
            args += ["--region", region]
        code, _, err = run_cli(self.db.args_for(args), cwd=self.tmp,
                               stdin=(PASSWORD + "\n").encode())
        eq(code, 0, "user add: " + err)
        code, out, err = self.cli(["token", "create", "--username", name])
        eq(code, 0, "token create: " + err)
        return json.loads(out.strip().splitlines()[-1])["token"]

    def verify(self):
        code, out, err = self.cli(["stats", "verify"])
        lines = [json.loads(x) for x in out.strip().splitlines()]
        return code, lines[:-1], lines[-1]


def funnel(s, token, region=None, date=None, expect=200, event=None):
    q = []
    if region:
        q.append("region=" + region)
    if date:
        q.append("date=" + date)
    if event:
        q.append("event=%d" % event)
    st, _, b = s.json("GET", F + ("?" + "&".join(q) if q else ""),
                      headers={"Authorization": "Bearer " + token})
    eq(st, expect, "funnel %s %s: %r" % (region, date, b))
    return b


def counts(body):
    return {x["step"]: x["count"] for x in body["steps"]}


def login(s, name):
    b = h.Browser(s)
    st, _, text = b.post("/masuk", {"nama_pengguna": name, "kata_sandi": PASSWORD})
    eq(st, 303, "login: " + text[:300])
    return b


EXPECT_3174 = {"dijangkau": None, "terdaftar": 9, "memenuhi_syarat": 8,
               "gabung_gelombang": 6, "lolos": 4, "membeli_pelatihan": 2,
               "selesai_pelatihan": 2, "insentif_dibayar": 1}


@test
def the_api_page_and_csv_show_the_exact_funnel():
    with Fx() as r:
        r.build()
        token = r.user("admin1", "admin")
        with h.Server(db=r.db) as s:
            b = funnel(s, token, "31.74", "2021-03-28")
            eq(counts(b), EXPECT_3174, "steps of 31.74")
            eq(b["region"]["code"], "31.74", "region")
            eq(b["date"], "2021-03-28", "date")
            steps = {x["step"]: x for x in b["steps"]}
            eq(steps["dijangkau"]["available"], False, "reached: no data yet")
            eq({k: steps[k]["conversion_percent"] for k in STEPS},
               {"dijangkau": None, "terdaftar": None, "memenuhi_syarat": 88.9,
                "gabung_gelombang": 75.0, "lolos": 66.7, "membeli_pelatihan": 50.0,
                "selesai_pelatihan": 100.0, "insentif_dibayar": 50.0}, "conversions")
            # waits in WIB days: selected after 2, 2, 1, 4 (median 2); bought
            # after 5, 10 (the mean of the two middles: 7.5); finished after
            # 2, 1 (1.5); paid after 10; the registration (today) came after
            # joining (2021): no wait counted
            eq({k: (steps[k]["median_days"], steps[k]["median_people"]) for k in STEPS[3:]},
               {"gabung_gelombang": (None, 0), "lolos": (2, 4), "membeli_pelatihan": (7.5, 2),
                "selesai_pelatihan": (1.5, 2), "insentif_dibayar": (10, 1)}, "medians")
            eq([type(steps[k]["median_days"]) for k in ("lolos", "membeli_pelatihan")],
               [int, float], "a whole median is written whole")
            # at risk: P3 due 2 April, P7 due 4 April; within 7 days of the date
            for date, n in (("2021-03-01", 0), ("2021-03-27", 1), ("2021-03-28", 2),
                            ("2021-04-02", 2), ("2021-04-03", 1), ("2021-04-05", 0)):
                eq(funnel(s, token, "31.74", date)["at_risk"], {"count": n, "days": 7},
                   "at risk on " + date)
            kids = {c["region"]["code"]: c["counts"] for c in b["children"]}
            eq(kids["31.74.01"], {"dijangkau": None, "terdaftar": 7, "memenuhi_syarat": 6,
                                  "gabung_gelombang": 5, "lolos": 3, "membeli_pelatihan": 2,
                                  "selesai_pelatihan": 2, "insentif_dibayar": 1}, "31.74.01")
            eq(kids["31.74.02"], {"dijangkau": None, "terdaftar": 2, "memenuhi_syarat": 2,
                                  "gabung_gelombang": 1, "lolos": 1, "membeli_pelatihan": 0,
                                  "selesai_pelatihan": 0, "insentif_dibayar": 0}, "31.74.02")
            eq(sum(1 for c in kids.values() if c["terdaftar"]), 2, "other districts empty")
            # drill down: a village, and the whole area (31.71 too)
            eq(counts(funnel(s, token, V1)), {**EXPECT_3174, "terdaftar": 7,
                                              "memenuhi_syarat": 6, "gabung_gelombang": 5,
                                              "lolos": 3}, "village")
            eq(funnel(s, token, V1)["children"], [], "a village has no children")
            whole = funnel(s, token)
            eq((counts(whole)["terdaftar"], counts(whole)["lolos"]), (10, 5), "everything")
            # bad input: 4xx with a code, nothing read
            for q, status, code in (("region=31.7x", 400, "parameter_tidak_valid"),
                                    ("region=31.99", 404, "tidak_ditemukan"),
                                    ("date=2021-02-30", 400, "tanggal_tidak_valid"),
                                    ("event=abc", 400, "parameter_tidak_valid"),
                                    ("event=7", 404, "acara_tidak_ditemukan")):
                h.api_error(s.json("GET", F + "?" + q,
                                   headers={"Authorization": "Bearer " + token}),
                            status, code, q)
            st, _, _ = s.json("GET", F + "?region=31.74")
            eq(st, 401, "without a token")

            # the page: the same numbers, the chart's scripts, drill-down links
            br = login(s, "admin1")
            st, hdrs, html = br.get("/corong?wilayah=31.74&tanggal=2021-03-28")
            eq(st, 200, html[:500])
            h.security_headers(hdrs, "/corong")
            assert "script-src 'self'" in hdrs["content-security-policy"], hdrs
            for step, n in EXPECT_3174.items():
                m = re.search(r'<tr data-step="%s">.*?data-count="(-?\d+)"' % step, html)
                assert m, "row %s on the page" % step
                eq(int(m.group(1)), -1 if n is None else n, "page count of " + step)
            for text in ("88,9%", "66,7%", ">2 hari<", ">7,5 hari<", ">1,5 hari<", ">10 hari<",
                         "belum ada data"):
                assert text in html, "%r on the page" % text
            assert 'data-at-risk="2"' in html, "at risk on the page"
            assert 'href="/corong?wilayah=31.74.01&amp;tanggal=2021-03-28"' in html, \
                "drill-down link"
            assert '<figure class="chart" hidden>' in html, "no empty box without JavaScript"
            assert '<canvas id="grafik-corong"' in html and "/static/chart.min.js" in html, \
                "the chart"
            assert 'href="/corong?wilayah=31"' in html, "the trail up"
            assert 'href="/corong"' in html, "menu entry"
            st, hdrs, js = br.get("/static/chart.min.js")
            eq((st, hdrs["content-type"]), (200, "text/javascript; charset=utf-8"), "Chart.js")
            assert "Chart.js v3" in js[:200], js[:200]
            st, _, own = br.get("/static/funnel.js")
            eq(st, 200, "funnel.js")
            # the dashboard stays without scripts
            st, hdrs, _ = br.get("/dasbor")
            assert "script-src" not in hdrs["content-security-policy"], hdrs

            # the CSV: the same numbers
            st, hdrs, text = br.get("/corong?wilayah=31.74&tanggal=2021-03-28&format=csv")
            eq(st, 200, text[:300])
            eq(hdrs["content-type"], "text/csv; charset=utf-8", "CSV type")
            assert 'filename="corong-31.74-2021-03-28.csv"' in hdrs["content-disposition"]
            eq(hdrs.get("cache-control"), "no-store", "CSV not cached")
            rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
            mine = {x["langkah"]: x for x in rows if x["kode_wilayah"] == "31.74"}
            eq({k: (int(mine[k]["jumlah"]) if mine[k]["jumlah"] else None) for k in STEPS},
               EXPECT_3174, "CSV counts")
            eq(mine["lolos"]["konversi_persen"], "66.7", "CSV conversion")
            eq((mine["lolos"]["median_hari"], mine["lolos"]["median_atas_jumlah"]), ("2", "4"),
               "CSV median")
            eq((mine["membeli_pelatihan"]["median_hari"], mine["selesai_pelatihan"]["median_hari"]),
               ("7.5", "1.5"), "CSV medians of an even count")
            eq(mine["berisiko_sekarang"]["jumlah"], "2", "CSV at risk")
            eq(mine["terdaftar"]["nama_wilayah"], "Kota Administrasi Jakarta Selatan", "name")
            eq([x["jumlah"] for x in rows if x["kode_wilayah"] == "31.74.02"],
               ["", "2", "2", "1", "1", "0", "0", "0"], "CSV child")
            for path, status in (("/corong?wilayah=31.7x", 400), ("/corong?wilayah=31.99", 404),
                                 ("/corong?tanggal=kemarin", 400),
                                 ("/corong?format=xlsx", 400)):
                st, _, _ = br.get(path)
                eq(st, status, path)


@test
def scope_and_small_cells():
    with Fx() as r:
        r.build()
        op = r.user("op3171", "operator", "31.71")
        op74 = r.user("op3174", "operator", "31.74")
        viewer = r.user("pantau", "viewer", "31.74")
        with h.Server(db=r.db) as s:
            h.api_error(s.json("GET", F + "?region=31.74",
                               headers={"Authorization": "Bearer " + op}),
                        403, "di_luar_wilayah", "an operator of another city")
            eq(counts(funnel(s, op))["lolos"], 1, "their own city by default")
            eq(funnel(s, op)["region"]["code"], "31.71", "scope")
            eq(counts(funnel(s, op74, "31.74")), EXPECT_3174, "operators see exact counts")
            br = login(s, "op3171")
            st, _, html = br.get("/corong?wilayah=31.74")
            eq(st, 403, "the page outside the scope")
            st, _, _ = br.get("/corong?wilayah=31.74&format=csv")
            eq(st, 403, "the CSV outside the scope")
            # a viewer: counts under 5 hidden, and a step 1-4 below the one
            # before (eligible 8 of 9 registered; joined 6 of 9); the 9
            # registered too: the province shows 10, and 10 - 9 would give
            # 31.71's 1 (app/cells.h)
            b = funnel(s, viewer, "31.74", "2021-03-28")
            eq(b["hidden_below"], 5, "hidden below")
            eq(counts(b), {"dijangkau": None, "terdaftar": None, "memenuhi_syarat": None,
                           "gabung_gelombang": None, "lolos": None, "membeli_pelatihan": None,
                           "selesai_pelatihan": None, "insentif_dibayar": None}, "viewer")
            eq([x["hidden"] for x in b["steps"]],
               [False, True, True, True, True, True, True, True], "hidden flags")
            eq(b["at_risk"]["count"], None, "at risk hidden (2)")
            eq([x["conversion_percent"] for x in b["steps"]], [None] * 8, "no conversions")
            eq([x.get("median_days") for x in b["steps"][3:]], [None] * 5, "no medians")
            for c in b["children"]:
                for step, v in c["counts"].items():
                    assert v is None or v == 0 or v >= 5, (c, step)
            br = login(s, "pantau")
            st, _, html = br.get("/corong?wilayah=31.74")
            eq(st, 200, "viewer page")
            assert "&lt; 5" in html and 'data-hidden-below="5"' in html, "hidden on the page"
            assert "data-count=\"8\"" not in html, "the eligible count is not on the page"


@test
def a_viewers_medians_are_the_regions_own():
    """With stats_min_count 2 a viewer sees some waits; where it does, the
    median is the region's own, as an admin sees it, whether the region's
    row is read as the root's or as a child on the path from the province
    (its waits' days read with that row, app/cells.h)."""
    with Fx() as r:
        r.build()
        admin = r.user("admin_m", "admin")
        viewer = r.user("pantau_m", "viewer")
        with h.Server(db=r.db, env={"PRAKERJA_STATS_MIN_COUNT": "2"}) as s:
            shown = set()
            for region in (None, "31", "31.74", "31.74.01", V1, "31.71"):
                mine = funnel(s, viewer, region, "2021-03-28")
                exact = {x["step"]: x for x in funnel(s, admin, region, "2021-03-28")["steps"]}
                eq(mine["hidden_below"], 2, "hidden below")
                for x in mine["steps"][3:]:
                    if x["median_people"] is None:
                        eq(x.get("median_days"), None, "%s %s: no median" % (region, x["step"]))
                        continue
                    eq((x["median_people"], x.get("median_days")),
                       (exact[x["step"]]["median_people"], exact[x["step"]].get("median_days")),
                       "%s %s: the viewer's median" % (region, x["step"]))
                    if x["median_people"]:
                        shown.add(region)
            assert {None, "31.74"} <= shown, shown


WIB = datetime.timezone(datetime.timedelta(hours=7))


def registrant(serial, pekerjaan="wiraswasta"):
    """A person registering on the portal in V1 (31.74.01.1001)."""
    return {"nik": "317401170895%04d" % serial, "no_kk": "317401300000%04d" % serial,
            "nama": "Warga Corong %d" % serial, "tanggal_lahir": "1995-08-17",
            "jenis_kelamin": "L", "no_hp": "0813777%05d" % serial,
            "email": "corong%d@contoh.id" % serial, "kode_wilayah": V1,
            "alamat": "Jl. Corong No. %d" % serial, "pendidikan": "sma",
            "segmen": "pencari_kerja", "pekerjaan": pekerjaan}


def outreach(r, village, title, attendance=None):
    code, out, err = r.cli(["outreach", "create", "--kind", "sosialisasi", "--title", title,
                            "--starts", "2026-11-01T09:00:00+07:00", "--place", "Aula",
                            "--village", village, "--organiser", "Kelurahan"])
    eq(code, 0, "outreach create: " + err)
    e = json.loads(out)
    if attendance is not None:
        code, _, err = r.cli(["outreach", "attendance", "--id", str(e["id"]), "--count",
                              str(attendance)])
        eq(code, 0, "outreach attendance: " + err)
    return e


@test
def the_funnel_of_an_outreach_event():
    """Five people register through an event's short link (one of them an
    ASN: not eligible), one without it; their journeys (the central
    programme's joins and selections, this deployment's purchases) give
    the event's funnel exactly; a region's reached is its events'
    attendance."""
    with Fx() as r:
        token = r.user("admin5", "admin")
        op71 = r.user("op3171e", "operator", "31.71")
        viewer = r.user("pantau5", "viewer", "31.74")
        ev1 = outreach(r, V1, "Sosialisasi Tebet Barat", 40)
        outreach(r, V2, "Sosialisasi Tebet Timur", 12)
        outreach(r, V2, "Kelas tanpa catatan hadir")
        ev3 = outreach(r, V3, "Sosialisasi Gambir", 7)
        with h.Server(db=r.db) as s:
            for i in range(1, 7):
                b = h.Browser(s, "127.0.0.%d" % (40 + i))
                if i <= 5:
                    st, hdrs, _ = b.get("/e/" + ev1["code"])
                    eq((st, hdrs["location"]), (303, "/daftar"), "short link")
                st, _, text = b.post("/daftar", registrant(i, "asn" if i == 5 else "wiraswasta"))
                eq(st, 303, "registration %d: %s" % (i, text[:300]))
            # journeys a month on (waits counted from the registration today)
            today = datetime.datetime.now(WIB).date()
            base = today + datetime.timedelta(days=30)

            def at(day, hour=10):
                d = base + datetime.timedelta(days=day)
                return "%sT%02d:00:00+07:00" % (d.isoformat(), hour)
            n = [registrant(i)["nik"] for i in range(1, 7)]
            pmo = [ev("e1g", n[0], "gabung_gelombang", at(0), gelombang=23),
                   ev("e1l", n[0], "lolos", at(2), gelombang=23),
                   ev("e1s", n[0], "saldo_masuk", at(2, 11), jumlah=1000000),
                   ev("e2g", n[1], "gabung_gelombang", at(0), gelombang=23),
                   ev("e2l", n[1], "lolos", at(3), gelombang=23),
                   ev("e2s", n[1], "saldo_masuk", at(3, 11), jumlah=1000000),
                   ev("e3g", n[2], "gabung_gelombang", at(1), gelombang=23),
                   ev("e3t", n[2], "tidak_lolos", at(3), gelombang=23),
                   ev("e6g", n[5], "gabung_gelombang", at(0), gelombang=23),
                   ev("e6l", n[5], "lolos", at(2), gelombang=23)]
            s1, _, _ = r.events(pmo)
            eq((s1["inserted"], s1["rejected"]), (len(pmo), 0), "the programme's events")
            lokal = [ev("e1b", n[0], "pembelian", at(5), jumlah=500000, pelatihan="K-1",
                        platform="tokopedia"),
                     ev("e1f", n[0], "selesai_pelatihan", at(9), pelatihan="K-1",
                        platform="tokopedia")]
            s2, _, _ = r.events(lokal, "--source", "lokal")
            eq((s2["inserted"], s2["rejected"]), (2, 0), "this deployment's events")

            join_wait = (base - today).days
            expect = {"dijangkau": 40, "terdaftar": 5, "memenuhi_syarat": 4,
                      "gabung_gelombang": 3, "lolos": 2, "membeli_pelatihan": 1,
                      "selesai_pelatihan": 1, "insentif_dibayar": 0}
            b = funnel(s, token, event=ev1["id"], date=at(30)[:10])
            eq(counts(b), expect, "the event's steps")
            eq(b["event"]["id"], ev1["id"], "the event")
            eq(b["event"]["title"], "Sosialisasi Tebet Barat", "its title")
            eq(b["region"]["code"], V1, "its village")
            eq(b["children"], [], "no children")
            steps = {x["step"]: x for x in b["steps"]}
            eq([steps[k]["conversion_percent"] for k in STEPS],
               [None, 12.5, 80.0, 75.0, 66.7, 50.0, 100.0, 0.0], "conversions")
            eq({k: (steps[k]["median_days"], steps[k]["median_people"]) for k in STEPS[3:]},
               {"gabung_gelombang": (join_wait, 3), "lolos": (2.5, 2),
                "membeli_pelatihan": (3, 1), "selesai_pelatihan": (4, 1),
                "insentif_dibayar": (None, 0)}, "medians")
            # at risk: E2 selected on day 3, 30 days to buy (wave 23: scheme 2022,
            # whose balances have no programme cut-off; 2021's ended in 2021)
            eq(b["at_risk"]["count"], 1, "at risk within 7 days of day 33")
            eq(funnel(s, token, event=ev1["id"], date=at(0)[:10])["at_risk"]["count"], 0,
               "not yet at risk")
            # the region's reached: its events' recorded attendance
            eq(counts(funnel(s, token, "31.74"))["dijangkau"], 52, "31.74 reached")
            kids = {c["region"]["code"]: c["counts"]["dijangkau"]
                    for c in funnel(s, token, "31.74")["children"]}
            eq((kids["31.74.01"], kids["31.74.02"], kids["31.74.03"]), (40, 12, None),
               "the districts' reached")
            eq(counts(funnel(s, token))["dijangkau"], 59, "everywhere")
            eq(counts(funnel(s, token, "31.73"))["dijangkau"], None, "no event: no data")
            eq(funnel(s, token, "31.74")["steps"][1]["conversion_percent"], None,
               "no conversion into a region's registrations")
            # scope: an event outside another region's operator's scope is
            # the same 404 as an unknown one (as /acara/{id}: a 403 told
            # the id was taken), their own event 200; an unknown event 404,
            # one outside the region asked for 404
            h.api_error(s.json("GET", F + "?event=%d" % ev1["id"],
                               headers={"Authorization": "Bearer " + op71}),
                        404, "acara_tidak_ditemukan", "an event outside the scope")
            h.api_error(s.json("GET", F + "?event=%d" % (ev3["id"] + 100),
                               headers={"Authorization": "Bearer " + op71}),
                        404, "acara_tidak_ditemukan", "an unknown event, to the same operator")
            eq(counts(funnel(s, op71, event=ev3["id"]))["dijangkau"], 7, "their own event")
            for q in ("event=%d" % (ev3["id"] + 100), "event=%d&region=31.71" % ev1["id"]):
                h.api_error(s.json("GET", F + "?" + q,
                                   headers={"Authorization": "Bearer " + token}),
                            404, "acara_tidak_ditemukan", q)
            # a viewer: counts under 5 hidden, as in a region's funnel
            vb = funnel(s, viewer, event=ev1["id"], date=at(30)[:10])
            eq(counts(vb), {"dijangkau": 40, "terdaftar": 5, "memenuhi_syarat": None,
                            "gabung_gelombang": None, "lolos": None,
                            "membeli_pelatihan": None, "selesai_pelatihan": None,
                            "insentif_dibayar": 0}, "viewer (0 is no one)")
            eq(vb["at_risk"]["count"], None, "at risk hidden")

            # the page and its CSV: the same numbers; the event's page links here
            br = login(s, "admin5")
            st, _, html = br.get("/corong?acara=%d&tanggal=%s" % (ev1["id"], at(30)[:10]))
            eq(st, 200, html[:500])
            for step, k in expect.items():
                m = re.search(r'<tr data-step="%s">.*?data-count="(-?\d+)"' % step, html)
                assert m, "row %s on the page" % step
                eq(int(m.group(1)), k, "page count of " + step)
            assert "<h1>Corong acara</h1>" in html and 'href="/acara/%d"' % ev1["id"] in html
            assert "Sosialisasi Tebet Barat" in html and "12,5%" in html
            assert ">2,5 hari<" in html, "the median of 2 and 3 days"
            assert 'data-at-risk="1"' in html
            assert 'href="/corong?acara=%d&amp;tanggal=%s&amp;format=csv"' % (
                ev1["id"], at(30)[:10]) in html, "the CSV link"
            st, hdrs, text = br.get("/corong?acara=%d&tanggal=%s&format=csv"
                                    % (ev1["id"], at(30)[:10]))
            eq(st, 200, text[:300])
            assert 'filename="corong-acara-%d-' % ev1["id"] in hdrs["content-disposition"]
            rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
            eq({x["langkah"]: int(x["jumlah"]) for x in rows}, {**expect,
               "berisiko_sekarang": 1}, "CSV counts")
            eq({x["acara"] for x in rows}, {str(ev1["id"])}, "CSV: the event")
            eq({x["kode_wilayah"] for x in rows}, {V1}, "CSV: its village")
            mine = {x["langkah"]: x for x in rows}
            eq((mine["terdaftar"]["konversi_persen"], mine["lolos"]["median_hari"]),
               ("12.5", "2.5"), "CSV conversion and median")
            st, _, html = br.get("/corong?wilayah=31.74")
            m = re.search(r'<tr data-child="31.74.01">.*?data-label="Dijangkau acara" '
                          r'data-count="(-?\d+)"', html)
            assert m and m.group(1) == "40", "the district's reached on the page"
            rows = list(csv.DictReader(io.StringIO(br.get(
                "/corong?wilayah=31.74&format=csv")[2].lstrip("\ufeff"))))
            eq([(x["kode_wilayah"], x["jumlah"]) for x in rows if x["langkah"] == "dijangkau"
                and x["kode_wilayah"] in ("31.74", "31.74.01", "31.74.02", "31.74.03")],
               [("31.74", "52"), ("31.74.01", "40"), ("31.74.02", "12"), ("31.74.03", "")],
               "reached in the region's CSV")
            st, _, html = br.get("/acara/%d" % ev1["id"])
            assert 'href="/corong?acara=%d"' % ev1["id"] in html, "the event links its funnel"
            for path, status in (("/corong?acara=%d" % (ev3["id"] + 100), 404),
                                 ("/corong?acara=x", 400)):
                eq(br.get(path)[0], status, path)
            op = login(s, "op3171e")
            st, _, text = op.get("/corong?acara=%d" % ev1["id"])
            eq(st, 404, "the page of an event outside the scope")
            st2, _, text2 = op.get("/corong?acara=%d" % (ev3["id"] + 100))
            eq((st2, re.sub(r'value="[^"]*"', "", text2)), (st, re.sub(r'value="[^"]*"', "", text)),
               "the same page as an unknown event's")


@test
def an_events_registrants_from_elsewhere_are_not_counted_for_a_scoped_reader():
    """Registrants of an event's link may live in other villages.  An
    outside test followed one of them, selection and deadline, through
    the event funnel of a village operator (counts of 1 and 'at risk' by
    date).  A reader scoped to a region now counts only the event's
    registrants who live there, on the API, the funnel page, the event's
    page and the events list; an admin counts everyone."""
    with Fx() as r:
        admin = r.user("admin6", "admin")
        opv = r.user("opdesa6", "operator", V1)
        opd = r.user("opkec6", "operator", "31.74")
        ev1 = outreach(r, V1, "Sosialisasi lintas desa", 20)
        with h.Server(db=r.db) as s:
            people = [registrant(60 + i) for i in range(3)]
            people[2]["kode_wilayah"] = V3  # lives in Gambir, came to Tebet's event
            for i, p in enumerate(people):
                b = h.Browser(s, "127.0.0.%d" % (60 + i))
                eq(b.get("/e/" + ev1["code"])[0], 303, "short link")
                st, _, text = b.post("/daftar", p)
                eq(st, 303, "registration %d: %s" % (i, text[:300]))
            today = datetime.datetime.now(WIB).date()
            sel = "%sT10:00:00+07:00" % (today + datetime.timedelta(days=2)).isoformat()
            join = "%sT10:00:00+07:00" % (today + datetime.timedelta(days=1)).isoformat()
            far = people[2]["nik"]
            s1, _, _ = r.events([ev("xg", far, "gabung_gelombang", join, gelombang=23),
                                 ev("xl", far, "lolos", sel, gelombang=23)])
            eq(s1["rejected"], 0, "the outsider's journey")
            day = (today + datetime.timedelta(days=30)).isoformat()
            full = funnel(s, admin, event=ev1["id"], date=day)
            eq((counts(full)["terdaftar"], counts(full)["lolos"], full["at_risk"]["count"]),
               (3, 1, 1), "an admin counts every registrant")
            eq(full["event"]["counted_within"], None, "an admin: everyone")
            for token, scope in ((opv, V1), (opd, "31.74")):
                mine = funnel(s, token, event=ev1["id"], date=day)
                c = counts(mine)
                eq((c["terdaftar"], c["memenuhi_syarat"], c["gabung_gelombang"], c["lolos"],
                    mine["at_risk"]["count"]), (2, 2, 0, 0, 0), "scope " + scope)
                eq(mine["event"]["counted_within"], scope, "said so")
            op = login(s, "opdesa6")
            st, _, html = op.get("/corong?acara=%d&tanggal=%s" % (ev1["id"], day))
            eq(st, 200, html[:300])
            m = re.search(r'<tr data-step="terdaftar">.*?data-count="(-?\d+)"', html)
            assert m and m.group(1) == "2", "the page counts the scope's registrants"
            assert 'data-counted-within="%s"' % V1 in html, "the page says whose"
            st, _, html = op.get("/acara/%d" % ev1["id"])
            eq(st, 200, html[:300])
            assert re.search(r'data-count="pendaftar">2<', html), "the event's page"
            assert 'data-counted-within="%s"' % V1 in html and "wilayah lain" in html
            st, _, html = op.get("/acara?waktu=semua")
            m = re.search(r'<tr data-event="%d">.*?data-count="pendaftar">(\d+)<' % ev1["id"],
                          html, re.S)
            assert m and m.group(1) == "2", "the list"
            st, _, html = login(s, "admin6").get("/acara/%d" % ev1["id"])
            assert re.search(r'data-count="pendaftar">3<', html), "an admin's event page"
            assert "data-counted-within" not in html, "no note for an admin"


def recount(db, region=""):
    """The funnel's steps of a region counted from the journeys and
    participants themselves (no counter)."""
    rows = db.query("SELECT p.kode_wilayah, j.joined_at, j.selected_at, j.first_purchase_at,"
                    " j.first_completion_at, j.first_incentive_at FROM pk_journey j"
                    " JOIN participant p ON p.id = j.participant_id")
    out = [0] * 5
    for row in rows:
        if region and not (row[0] == region or row[0].startswith(region + ".")):
            continue
        for i, at in enumerate(row[1:]):
            out[i] += at > 0
    return dict(zip(STEPS[3:], out))


def same_as_recount(s, r, token, what):
    for region in ("", "31.74", "31.74.01", V1, "31.71"):
        b = funnel(s, token, region or None)
        eq({k: counts(b)[k] for k in STEPS[3:]}, recount(r.db, region),
           "%s: funnel of %r" % (what, region or "(all)"))
    code, diffs, summary = r.verify()
    eq((code, diffs, summary["journey_differ"], summary["ok"]), (0, [], 0, True),
       what + ": stats verify")
    assert summary["journey_cells"] > 0 or not recount(r.db)["gabung_gelombang"], summary


@test
def every_kind_of_journey_write_keeps_the_counters_equal_to_a_recount():
    with Fx() as r:
        # a bulk load of events into a store without any (SQLite), then rows
        ps = r.build(env={"PRAKERJA_IMPORT_BULK_MB": "0"})
        token = r.user("admin2", "admin")
        with h.Server(db=r.db) as s:
            same_as_recount(s, r, token, "event import")
            # a late file: P5 selected, P3 buys; a purchase cancelled
            n = [p["nik"] for p in ps]
            rows = [ev("p5l", n[4], "lolos", t(4), gelombang=12)] + bought("p3x", n[2], 4, 6)
            rows += [ev("p2c", n[1], "pembatalan", t(15), jumlah=500000, ref_asal="p2b")]
            s2, _, _ = r.events(rows)
            eq(s2["rejected"], 0, "late file")
            same_as_recount(s, r, token, "late events, a cancellation")
            # a wave of this deployment: joined through the CLI, drawn
            more = [person(20 + i, wilayah=V2) for i in range(4)]
            r.imp(csv_text(more))
            code, out, err = r.cli(["wave", "create", "--wave", "30", "--scheme", "2022",
                                    "--opens", "2021-01-01T00:00:00+07:00", "--closes",
                                    "2099-12-31T23:59:59+07:00", "--quota", "3"])
            eq(code, 0, "wave create: " + err)
            code, out, err = r.cli(["wave", "join", "--wave", "30", "--at",
                                    "2021-03-20T10:00:00+07:00"] + [p["nik"] for p in more])
            eq(code, 0, "wave join: " + err)
            same_as_recount(s, r, token, "wave join")
            code, _, err = r.cli(["wave", "close", "--wave", "30"])
            eq(code, 0, err)
            code, out, err = r.cli(["wave", "draw", "--wave", "30", "--seed", "ab" * 32, "--at",
                                    "2021-03-21T10:00:00+07:00"])
            eq(code, 0, "draw: " + err)
            same_as_recount(s, r, token, "draw")
            eq(counts(funnel(s, token, "31.74.02"))["lolos"], 4, "three drawn and P7")
            # the daily job revokes the three drawn here (due 20 April 2021), not
            # the programme office's recipients without a purchase (P2, P5, P7):
            # theirs to revoke
            code, out, err = r.cli(["jobs", "run", "--date", "2021-04-25", "--mode", "engine"])
            eq(code, 0, "jobs run: " + err)
            job = json.loads(out.strip().splitlines()[-1])
            eq(job["revoked"], 3, "the job: " + out)
            eq(funnel(s, token, "31.74", "2021-03-28")["at_risk"]["count"], 3,
               "P3 bought; P2, P5 and P7 not revoked here")
            same_as_recount(s, r, token, "daily job")
            code, out, err = r.cli(["journey", "rebuild"])
            eq(code, 0, "journey rebuild: " + err)
            same_as_recount(s, r, token, "journey rebuild")
            # a corrupted counter: verify names it, rebuild repairs it
            r.db.execute("UPDATE journey_count SET n = n + 3 WHERE kind = 'langkah' AND k1 = 2"
                         " AND kode_wilayah = '%s'" % V2)
            code, diffs, summary = r.verify()
            eq((code, summary["ok"], summary["journey_differ"]), (1, False, 1), "verify")
            eq((diffs[0]["wilayah"], diffs[0]["jenis"], diffs[0]["k1"],
                diffs[0]["tersimpan"] - diffs[0]["dihitung"]), (V2, "langkah", 2, 3), "the cell")
            code, out, err = r.cli(["stats", "rebuild"])
            eq(code, 0, "stats rebuild: " + err)
            assert json.loads(out.strip().splitlines()[-1])["journey_cells"] > 0, out
            same_as_recount(s, r, token, "stats rebuild")


@test
def event_imports_race_funnel_reads_on_two_processes():
    """Two event imports at once (different people) while two server
    processes answer the funnel: each answer's steps never go down, and
    afterwards the counters equal a recount."""
    with Fx() as r:
        ps = [person(100 + i, wilayah=(V1, V2, V3)[i % 3]) for i in range(120)]
        r.imp(csv_text(ps))
        token = r.user("admin3", "admin")
        files = []
        for half in (ps[0::2], ps[1::2]):
            rows = []
            for i, p in enumerate(half):
                k = p["nik"]
                rows += [ev(k + "g", k, "gabung_gelombang", t(1), gelombang=12)]
                if i % 2 == 0:
                    rows += [ev(k + "l", k, "lolos", t(3), gelombang=12)]
                    if i % 4 == 0:
                        rows += bought(k, k, 3, 5 + i % 7)
            files.append(r.write(csv_text(rows, ["ref", "nik", "peristiwa", "waktu",
                                                 "gelombang", "jumlah", "ke", "pelatihan",
                                                 "platform", "ref_asal", "keterangan"])))
        with h.Server(db=r.db) as a, h.Server(db=r.db) as b:
            problems, polls = [], []
            done = threading.Event()

            def poll(server, region):
                last = None
                while not done.is_set():
                    try:
                        c = counts(funnel(server, token, region))
                        now = [c[k] for k in STEPS[3:]]
                        assert last is None or all(x >= y for x, y in zip(now, last)), \
                            (last, now)
                        assert now[0] >= now[1] >= now[2], now
                        last = now
                        polls.append(now)
                    except Exception as e:  # noqa: BLE001
                        problems.append((region, repr(e)))
                        return

            def imp(path):
                code, out, err = r.cli(["import", "events", path], timeout=300)
                if code != 0:
                    problems.append(("import", code, err[-400:]))

            readers = [threading.Thread(target=poll, args=(srv, reg))
                       for srv in (a, b) for reg in ("31", "31.74")]
            writers = [threading.Thread(target=imp, args=(p,)) for p in files]
            t0 = time.monotonic()
            for th in readers + writers:
                th.start()
            for th in writers:
                th.join(300)
            done.set()
            for th in readers:
                th.join(30)
            h.diag("2 event imports of %d people in %.1fs; %d funnel reads"
                   % (len(ps), time.monotonic() - t0, len(polls)))
            assert not problems, problems[:5]
            assert len(polls) >= 4, "the funnel was read only %d times" % len(polls)
            eq(recount(r.db)["gabung_gelombang"], 120, "everyone joined")
            same_as_recount(a, r, token, "after the race")


if __name__ == "__main__":
    h.run()
