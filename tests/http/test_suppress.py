"""Black-box tests of the viewers' hidden counts across pages (app/cells.h,
docs/PRIVACY.md "viewer"): no count hidden on one page can be worked out
by subtracting the pages a viewer may open.  The reviewer's reproduction
(31.74 minus 31.74.01 gave 31.74.02's hidden count) for the total, a sex,
a segment, a reason and a funnel step; a region's own page hides what its
row of its parent's breakdown hides (API, dashboard, funnel); two viewers
of different scopes see the same hidden cells of a region both may open;
and random small registries in which, for every region a viewer can open,
no equation of the pages' counts (a parent's count and its children's, a
total and its parts, the same count on two pages) has exactly one hidden
count (TAP).

usage: PYTHONPATH=tests/http python3 tests/http/test_suppress.py PATH-TO-PRAKERJA [TEST...]
"""

import random
import re

import harness as h
from harness import eq, test

# Helpers shared with other programs; importing them must not register
# their tests here.
_n0 = len(h._tests)
from test_funnel import Fx, login, t  # noqa: E402
from test_journey import ev  # noqa: E402
from test_registry import csv_text, person  # noqa: E402
del h._tests[_n0:]

S, F = "/api/v1/stats", "/api/v1/funnel"
SEGMENTS = ["pencari_kerja", "korban_phk", "peningkatan_kompetensi"]
STEPS = ["dijangkau", "terdaftar", "memenuhi_syarat", "gabung_gelombang", "lolos",
         "membeli_pelatihan", "selesai_pelatihan", "insentif_dibayar"]
A, B, C = "31.74.01.1001", "31.74.03.1001", "31.74.02.1001"


def get(s, token, path):
    st, _, body = s.json("GET", path, headers={"Authorization": "Bearer " + token})
    eq(st, 200, "%s: %r" % (path, body))
    return body


def page_cells(s, token, region):
    """Every count a viewer sees of `region` on its own pages (the
    statistics and the funnel), by name; None where hidden.  Reasons not
    listed are 0 (the API lists the nonzero ones)."""
    q = "?region=" + region if region else ""
    st = get(s, token, S + q)
    fu = get(s, token, F + q + "&date=2021-03-28" if q else F + "?date=2021-03-28")
    c = {"total": st["total"], "eligible": st["eligible"], "not_eligible": st["not_eligible"],
         "L": st["by_sex"]["L"], "P": st["by_sex"]["P"]}
    for k in SEGMENTS:
        c["seg:" + k] = st["by_segment"][k]
    for k, v in st["by_reason"].items():
        c["reason:" + k] = v
    for x in fu["steps"]:
        if x["step"] != "dijangkau":
            c["step:" + x["step"]] = x["count"]
        if "median_people" in x:
            c["waits:" + x["step"]] = x["median_people"]
    c["at_risk"] = fu["at_risk"]["count"]
    kids = {k["region"]["code"]: {"step:" + n: v for n, v in k["counts"].items()
                                  if n != "dijangkau"} for k in fu["children"]}
    return c, kids


def walk(s, token, top):
    """The pages a viewer whose scope is `top` can open: every region from
    top down that has anyone (a child its parent's breakdown shows as 0
    has no one: every count of it is 0).  {region: cells}, {region: the
    children's rows in its breakdown}."""
    pages, rows = {}, {}
    todo = [top]
    while todo:
        r = todo.pop()
        pages[r], rows[r] = page_cells(s, token, r)
        for kid, v in rows[r].items():
            if v["step:terdaftar"] != 0:
                todo.append(kid)
    return pages, rows


def equations(pages, rows):
    """Each equation a reader of these pages could solve: lists of values
    (None: hidden) of which any one follows from the others, with a name."""
    out = []
    for r, c in pages.items():
        def v(k):
            return c.get(k, 0)
        out.append(("%s total = eligible + not" % r, [v("total"), v("eligible"),
                                                     v("not_eligible")]))
        out.append(("%s total = L + P" % r, [v("total"), v("L"), v("P")]))
        out.append(("%s total = segments" % r, [v("total")] + [v("seg:" + k)
                                                               for k in SEGMENTS]))
        out.append(("%s stats total = funnel registered" % r,
                    [v("total"), v("step:terdaftar")]))
        out.append(("%s stats eligible = funnel eligible" % r,
                    [v("eligible"), v("step:memenuhi_syarat")]))
        kids = rows.get(r, {})
        if not kids:
            continue
        for kid, row in kids.items():
            for k, x in row.items():  # the same count on two pages
                if kid in pages:
                    out.append(("%s's %s in %s's breakdown" % (kid, k, r),
                                [x, pages[kid].get(k, 0)]))
        for k in c:  # each column: the parent's count = its children's
            col = [v(k)]
            for kid in kids:
                col.append(pages[kid].get(k, 0) if kid in pages else 0)
            out.append(("%s: %s = its children's" % (r, k), col))
    return out


def no_leak(pages, rows, what):
    for name, vals in equations(pages, rows):
        assert sum(x is None for x in vals) != 1, \
            "%s: %s: %r gives its one hidden count away" % (what, name, vals)


def dashboard_rows(br, region):
    """{child: [registered, eligible, not eligible]} of the dashboard's
    breakdown (None: hidden)."""
    st, _, text = br.get("/dasbor?wilayah=" + region)
    eq(st, 200, "dashboard " + region)
    out = {}
    for code, body in re.findall(r'<tr data-child="([^"]+)">(.*?)</tr>', text, re.S):
        cells = re.findall(r'<td[^>]*data-cell(="tersembunyi")?>([^<]*)</td>', body)
        out[code] = [None if hid else int(n.replace(".", "")) for hid, n in cells]
    return out


def registry(r, plan):
    """plan: (village, sex, segment, pekerjaan, joined) per person; joined
    people join wave 12 on 1 March 2021, and every third of them is
    selected.  Imported as files."""
    ps = []
    for i, (village, sex, seg, job, _) in enumerate(plan, start=1):
        ps.append(person(i, sex=sex, wilayah=village, segmen=seg, pekerjaan=job,
                         birth="199%d-0%d-1%d" % (i % 10, 1 + i % 9, i % 10)))
    s, _, _, _ = r.imp(csv_text(ps))
    eq(s["inserted"], len(ps), "participants")
    rows = []
    for i, (p, (_, _, _, _, joined)) in enumerate(zip(ps, plan), start=1):
        if joined:
            rows.append(ev("g%d" % i, p["nik"], "gabung_gelombang", t(1), gelombang=12))
            if i % 3 == 0:
                rows.append(ev("l%d" % i, p["nik"], "lolos", t(3), gelombang=12))
    if rows:
        s, _, _ = r.events(rows)
        eq(s["rejected"], 0, "events")


# 31.74.01 (A): 10 people, 5 women, 5 korban_phk, 5 ASN, 5 joined a wave;
# 31.74.03 (B): 10, and 2 of each; 31.74.02 (C): 2 men, nothing else
REVIEW = ([(A, "P" if i < 5 else "L", "korban_phk" if i % 2 else "pencari_kerja",
            "asn" if i in (0, 3, 4, 7, 8) else "karyawan_swasta", i >= 5) for i in range(10)] +
          [(B, "P" if i < 2 else "L", "korban_phk" if i in (3, 6) else "pencari_kerja",
            "asn" if i in (1, 8) else "karyawan_swasta", i in (4, 9)) for i in range(10)] +
          [(C, "L", "pencari_kerja", "karyawan_swasta", False) for _ in range(2)])


@test
def the_reviewers_subtraction_gives_no_hidden_count():
    """31.74 shows 22 registered; 31.74.02 has 2, hidden; 31.74.01 showed 7
    on its own page before, so 31.74 minus 31.74.01 minus 31.74.03 gave
    it.  Now for the total, a sex, a segment, a reason and a funnel step:
    the city's count is shown, a small district's is hidden, and the
    city's count minus its districts' shown ones is a sum of two hidden
    counts or more, never one."""
    with Fx() as r:
        registry(r, REVIEW)
        viewer = r.user("pantau74", "viewer", "31.74")
        with h.Server(db=r.db) as s:
            city, _ = page_cells(s, viewer, "31.74")
            kids = {d: page_cells(s, viewer, d)[0] for d in ("31.74.01", "31.74.02", "31.74.03")}
            for key, small in (("total", "31.74.02"), ("P", "31.74.03"),
                               ("seg:korban_phk", "31.74.03"),
                               ("reason:pekerjaan_dikecualikan", "31.74.03"),
                               ("step:gabung_gelombang", "31.74.03")):
                assert city[key] is not None and city[key] >= 5, (key, city[key])
                eq(kids[small].get(key), None, "%s of %s (small) hidden" % (key, small))
                hidden = [d for d, c in kids.items() if c.get(key, 0) is None]
                assert len(hidden) >= 2, \
                    "%s: only %r hidden: %d minus the others gives it (%r)" % (
                        key, hidden, city[key], {d: c.get(key, 0) for d, c in kids.items()})
            eq(kids["31.74.01"]["total"], None, "31.74.01's 10 hidden with 31.74.02's 2")
            pages, rows = walk(s, viewer, "31.74")
            no_leak(pages, rows, "31.74")


@test
def a_regions_own_page_hides_what_its_parents_breakdown_hides():
    """The row of a district in its city's breakdown (the dashboard, the
    funnel's children) and the district's own pages (statistics, funnel,
    dashboard) show the same counts, hidden alike; an admin sees them all."""
    with Fx() as r:
        registry(r, REVIEW)
        viewer = r.user("pantau74b", "viewer", "31.74")
        admin = r.user("admin74", "admin")
        with h.Server(db=r.db) as s:
            br = login(s, "pantau74b")
            rows = dashboard_rows(br, "31.74")
            _, frows = page_cells(s, viewer, "31.74")
            for d in ("31.74.01", "31.74.02", "31.74.03"):
                own = get(s, viewer, S + "?region=" + d)
                eq(rows[d], [own["total"], own["eligible"], own["not_eligible"]],
                   d + ": dashboard row = own statistics")
                fu, _ = page_cells(s, viewer, d)
                for k, v in frows[d].items():
                    eq(fu[k], v, "%s: %s in the breakdown = on its funnel" % (d, k))
                st, _, text = br.get("/dasbor?wilayah=" + d)
                eq(st, 200)
                tiles = re.findall(r'<p class="tile"><span class="n">([^<]*)</span>', text)
                want = ["&lt; 5" if x is None else str(x) for x in rows[d]]
                eq(tiles, want, d + ": dashboard tiles = its row above")
            eq(rows["31.74.01"][0], None, "31.74.01 hidden in the breakdown")
            ex = get(s, admin, S + "?region=31.74.01")
            eq((ex["total"], ex["by_sex"]["P"]), (10, 5), "an admin sees exact counts")
            assert "hidden_below" not in ex


@test
def two_viewers_of_different_scopes_see_the_same_hidden_cells():
    """Which cells of a region are hidden depends on the data and the
    region, not on who asks: a viewer of everything and one of 31.74 see
    the same counts of every region of 31.74, on the statistics and the
    funnel alike."""
    with Fx() as r:
        plan = REVIEW + [("31.71.01.1001", "L", "pencari_kerja", "karyawan_swasta", True),
                         ("31.71.02.1001", "P", "korban_phk", "asn", False)] * 3
        registry(r, plan)
        wide = r.user("pantau_semua", "viewer")
        narrow = r.user("pantau_jaksel", "viewer", "31.74")
        with h.Server(db=r.db) as s:
            p_wide, r_wide = walk(s, wide, "")
            p_narrow, r_narrow = walk(s, narrow, "31.74")
            assert "31.74" in p_wide and len(p_narrow) >= 4, (sorted(p_wide), sorted(p_narrow))
            for region, cells in p_narrow.items():
                eq(cells, p_wide[region], region + ": same counts for both viewers")
                eq(r_narrow[region], r_wide[region], region + ": same breakdown")
            no_leak(p_wide, r_wide, "everything")
            no_leak(p_narrow, r_narrow, "31.74")


VILLAGES = ["31.74.01.1001", "31.74.01.1002", "31.74.02.1001", "31.74.03.1001",
            "31.71.01.1001", "31.71.02.1001"]


@test
def random_small_registries_leave_no_count_to_subtract():
    """Random small registries (a few dozen people in six villages of two
    cities, random sex, segment, ASN, joined or not): for a viewer of
    everything and one of 31.74, every region they can open, no equation
    of the pages' counts has exactly one hidden count."""
    rnd = random.Random(20261206)
    for round_ in range(3):
        with Fx() as r:
            n = rnd.randint(12, 45)
            plan = [(rnd.choice(VILLAGES), rnd.choice("LP"), rnd.choice(SEGMENTS),
                     "asn" if rnd.random() < 0.2 else "karyawan_swasta", rnd.random() < 0.4)
                    for _ in range(n)]
            registry(r, plan)
            wide = r.user("acak%d" % round_, "viewer")
            narrow = r.user("acak74_%d" % round_, "viewer", "31.74")
            with h.Server(db=r.db) as s:
                pages, rows = walk(s, wide, "")
                no_leak(pages, rows, "round %d, everything (%d people)" % (round_, n))
                p74, r74 = walk(s, narrow, "31.74")
                no_leak(p74, r74, "round %d, 31.74" % round_)
                for region, cells in p74.items():
                    eq(cells, pages[region], "round %d %s: same for both" % (round_, region))


if __name__ == "__main__":
    h.run()
