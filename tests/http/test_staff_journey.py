"""Black-box tests of what staff see of a participant's journey (TAP):
GET /api/v1/participants/{id}/journey and the journey section of the
staff page /peserta/{id}, and what the public status look-up does not
show (issue #14, "People see it").

One shared server and database: a wave drawn in engine mode (a card, a
credited balance), a purchase as a lokal event, a recipient without a
purchase, a recipient from the programme office's file (pmo) whose
first-purchase deadline has passed, a registered person with no events,
and one person in another region.  Deadlines are checked against the
spec's rule computed here: the WIB day of lolos plus the scheme's days,
counted from today in Jakarta.

usage: PYTHONPATH=tests/http python3 tests/http/test_staff_journey.py PATH-TO-PRAKERJA [TEST...]
"""

import csv
import datetime
import io
import json
import re
import time

import harness as h
from harness import eq, test

USERS = {
    "admin1": ("admin", None, "Admin-Prakerja-Kuat-7"),
    "viewer1": ("viewer", None, "Pemantau-Data-Agregat-3"),
    "op.sel": ("operator", "31.74", "Operator-Jaksel-Tebet-1"),
}
COLUMNS = ["nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "no_hp", "email",
           "kode_wilayah", "alamat", "pendidikan", "segmen", "pekerjaan"]
EVENT_COLUMNS = ["ref", "nik", "peristiwa", "waktu", "gelombang", "jumlah", "ke", "pelatihan",
                 "platform", "ref_asal", "keterangan"]
SEED = "5eed" * 16
WIB = datetime.timezone(datetime.timedelta(hours=7))
NOW = datetime.datetime.now(WIB).replace(microsecond=0)


def person(serial, region="31.74.01.1001", birth="1995-08-17"):
    y, m, d = (int(x) for x in birth.split("-"))
    nik = "%s%02d%02d%02d%04d" % (region[:2] + region[3:5] + region[6:8], d, m, y % 100, serial)
    return {
        "nik": nik, "no_kk": "3174013001%06d" % serial, "nama": "Peserta Jalan %d" % serial,
        "tanggal_lahir": birth, "jenis_kelamin": "L", "no_hp": "0812%08d" % (44000000 + serial),
        "email": "jalan%d@contoh.co.id" % serial, "kode_wilayah": region,
        "alamat": "Jalan Perjalanan %d" % serial, "pendidikan": "sma",
        "segmen": "pencari_kerja", "pekerjaan": "karyawan_swasta"}


BUYER = person(1)      # engine: joined, selected, bought a course
IDLE = person(2)       # engine: joined, selected, no purchase yet
PMO = person(3)        # programme office's file: selected in March 2021, no purchase
BARE = person(4)       # registered, nothing else
NORTH = person(5, region="31.72.01.1001")  # Jakarta Utara: outside op.sel's region
NOTSEL = person(6)     # programme office's file: not selected, a long note of free text
NOTE = ("Data tidak lengkap — menurut verifikasi Manajemen Pelaksana, dokumen "
        "pendukung belum diunggah; keputusan ini final untuk gelombang ini. ") * 2
NOTE = NOTE[:199] + "é"   # 200 characters, the last of two bytes
REVOKED = person(7)    # programme office's file: selected, revoked, the balance lapsed
IDS = {}
CARDS = {}


def iso(t):
    return t.isoformat()


def csv_of(rows, columns):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([r.get(c, "") for c in columns])
    return buf.getvalue()


def cli(db, *args, stdin=None):
    code, out, err = h.run_cli(db.args_for(list(args)), stdin=stdin, timeout=300)
    eq(code, 0, "prakerja %s: %s" % (" ".join(args[:2]), err))
    return out


def cli_file(db, text, *args):
    import os
    import tempfile
    fd, path = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    try:
        return cli(db, *(list(args) + [path]))
    finally:
        os.unlink(path)


def engine_wave(db, wave, niks, *extra):
    """A wave of this deployment that closed six days ago, its people
    joined ten days ago and drawn five days ago (everyone selected)."""
    cli(db, "wave", "create", "--wave", str(wave), "--scheme", "2021",
        "--opens", iso(NOW - datetime.timedelta(days=20)),
        "--closes", iso(NOW - datetime.timedelta(days=6)), "--quota", "10", *extra)
    cli(db, "wave", "join", "--wave", str(wave), "--at",
        iso(NOW - datetime.timedelta(days=10)), *niks)
    cli(db, "wave", "draw", "--wave", str(wave), "--seed", SEED,
        "--at", iso(NOW - datetime.timedelta(days=5)))


def _start_shared():
    db = h.Db()
    for name, (role, region, pw) in USERS.items():
        args = ["user", "add", "--username", name, "--role", role, "--password-stdin"]
        if region:
            args += ["--region", region]
        cli(db, *args, stdin=(pw + "\n").encode())
    cli_file(db, csv_of([BUYER, IDLE, PMO, BARE, NORTH, NOTSEL, REVOKED], COLUMNS), "import",
             "participants")
    # engine mode: a wave that closed six days ago, drawn five days ago
    engine_wave(db, 1, [BUYER["nik"], IDLE["nik"]])
    cli_file(db, csv_of([
        {"ref": "beli-1", "nik": BUYER["nik"], "peristiwa": "pembelian",
         "waktu": iso(NOW - datetime.timedelta(days=4)), "jumlah": "400000",
         "pelatihan": "DM-101", "platform": "tokopedia"},
    ], EVENT_COLUMNS), "import", "events", "--source", "lokal")
    # the programme office's file: selected in wave 12, March 2021
    cli_file(db, csv_of([
        {"ref": "pmo-1", "nik": PMO["nik"], "peristiwa": "lolos",
         "waktu": "2021-03-02T10:00:00+07:00", "gelombang": "12"},
        {"ref": "pmo-2", "nik": PMO["nik"], "peristiwa": "saldo_masuk",
         "waktu": "2021-03-03T10:00:00+07:00", "jumlah": "3500000"},
        {"ref": "pmo-3", "nik": NOTSEL["nik"], "peristiwa": "tidak_lolos",
         "waktu": "2021-03-02T10:00:00+07:00", "gelombang": "12", "keterangan": NOTE},
        {"ref": "pmo-4", "nik": REVOKED["nik"], "peristiwa": "lolos",
         "waktu": "2021-03-02T10:00:00+07:00", "gelombang": "12"},
        {"ref": "pmo-5", "nik": REVOKED["nik"], "peristiwa": "saldo_masuk",
         "waktu": "2021-03-03T10:00:00+07:00", "jumlah": "1000000"},
        {"ref": "pmo-6", "nik": REVOKED["nik"], "peristiwa": "dicabut",
         "waktu": "2021-04-02T00:00:00+07:00", "keterangan": "tidak_membeli_pelatihan"},
        {"ref": "pmo-7", "nik": REVOKED["nik"], "peristiwa": "saldo_hangus",
         "waktu": "2021-04-02T00:00:00+07:00", "jumlah": "1000000"},
    ], EVENT_COLUMNS), "import", "events", "--source", "pmo")
    for key, p in (("buyer", BUYER), ("idle", IDLE), ("pmo", PMO), ("bare", BARE),
                   ("north", NORTH), ("notsel", NOTSEL), ("revoked", REVOKED)):
        IDS[key] = db.query("SELECT id FROM participant WHERE nama = '%s'" % p["nama"])[0][0]
    for key in ("buyer", "idle"):
        CARDS[key] = db.query("SELECT number FROM pk_card WHERE participant_id = %d"
                              % IDS[key])[0][0]
    return h.Server(db=db).start()


srv = h.SharedServer(_start_shared)
TOKENS = {}


def token(name):
    if name not in TOKENS:
        out = cli(srv().db, "token", "create", "--username", name)
        TOKENS[name] = json.loads(out.strip().splitlines()[-1])["token"]
    return {"Authorization": "Bearer " + TOKENS[name]}


def journey(key_or_id, name="op.sel", query=""):
    s = srv()   # starts the shared server and fills IDS
    pid = IDS[key_or_id] if isinstance(key_or_id, str) else key_or_id
    return s.json("GET", "/api/v1/participants/%d/journey%s" % (pid, query),
                      headers=token(name))


def login(name):
    b = h.Browser(srv())
    st, _, text = b.post("/masuk", {"nama_pengguna": name, "kata_sandi": USERS[name][2]})
    eq(st, 303, "login %s: %s" % (name, text[:300]))
    return b


def access(action, subject):
    return [r for r in srv().db.query(
        "SELECT actor, route, detail FROM access_log WHERE action = '%s' AND subject = %d"
        " ORDER BY id" % (action, subject))]


def scheme_days(scheme):
    st, _, b = srv().json("GET", "/api/v1/schemes/%s" % scheme)
    eq(st, 200, "scheme %s" % scheme)
    return b


def deadline_text(start, days):
    """The spec's rule: the WIB day of start + days; then the phrase of
    journey_view.c counted from today in Jakarta."""
    day = start.astimezone(WIB).date() + datetime.timedelta(days=days)
    months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov",
              "Des"]
    left = (day - datetime.datetime.now(WIB).date()).days
    when = ("%d hari lagi" % left if left > 0 else "hari ini" if left == 0
            else "lewat %d hari" % -left)
    return "batas %d %s %d, %s" % (day.day, months[day.month - 1], day.year, when), left


def own_registry(db, admin, password, people):
    """A database of a test's own: an admin account and the people."""
    cli(db, "user", "add", "--username", admin, "--role", "admin", "--password-stdin",
        stdin=(password + "\n").encode())
    cli_file(db, csv_of(people, COLUMNS), "import", "participants")


def admin_token(db, admin):
    return json.loads(cli(db, "token", "create", "--username", admin)
                      .strip().splitlines()[-1])["token"]


def by_kind(body):
    return {d["kind"]: d for d in body["deadlines"]}


# ---- the API ----------------------------------------------------------------

@test
def api_buyer_state_balance_card_events():
    st, hdrs, b = journey("buyer")
    eq(st, 200, b)
    eq(hdrs.get("cache-control"), "no-store")
    eq(b["participant_id"], IDS["buyer"])
    eq(b["scheme"], "2021", "the wave's scheme")
    eq(b["state"]["status"], "penerima")
    eq(b["state"]["wave"], 1)
    eq(b["state"]["purchases"], 1)
    eq((b["state"]["survey"], b["state"]["incentive_total"], b["state"]["survey_incentives"]),
       (None, 0, 0))
    bal = b["balance"]
    eq(bal["credited"], scheme_days("2021")["training_balance"]["amount"], "credited by the draw")
    eq(bal["spent"], 400000)
    eq(bal["remaining"], bal["credited"] - 400000)
    eq((bal["refunded"], bal["lapsed"]), (0, 0))
    # the card: masked but the last 4
    full = CARDS["buyer"]
    eq(b["card"], {"masked": "**** **** **** " + full[-4:], "wave": 1, "replaced_at": None})
    assert full not in json.dumps(b), "the full card number is never in the answer"
    # the events in time order, with their source and when received
    eq([e["type"] for e in b["events"]], ["gabung_gelombang", "lolos", "saldo_masuk",
                                          "pembelian"])
    eq({e["source"] for e in b["events"]}, {"lokal"})
    eq(b["events"][0]["source_label"], "Sistem Prakerja DKI Jakarta")
    buy = b["events"][3]
    eq((buy["amount"], buy["course"], buy["platform"], buy["ref"]),
       (400000, "DM-101", "tokopedia", "beli-1"))
    eq(buy["description"], "Membeli pelatihan DM-101 di tokopedia")
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$", buy["received_at"]), buy
    eq(b["events_total"], 4)
    eq(b["next_offset"], None)
    # the first purchase was made in time: nothing missing there
    dl = by_kind(b)
    eq(dl["pembelian_pertama"]["met"], True)
    eq(dl["pembelian_pertama"]["missing"], None)
    assert dl["pembelian_pertama"]["reason"], "each deadline says why it exists"
    eq(dl["rekening"]["met"], False, "no payout account yet")
    eq(dl["rekening"]["missing"], "Belum menautkan rekening pembayaran insentif")
    for key in ("nik", "no_kk", "no_hp", "alamat", "email"):
        assert BUYER[key] not in json.dumps(b), "no %s in the journey answer" % key


@test
def api_deadline_missing_in_days_from_today():
    st, _, b = journey("idle")
    eq(st, 200, b)
    days = scheme_days("2021")["purchase_deadline_days"]
    lolos = [e for e in b["events"] if e["type"] == "lolos"][0]
    start = datetime.datetime.fromisoformat(lolos["at"])
    phrase, left = deadline_text(start, days)
    d = by_kind(b)["pembelian_pertama"]
    eq(d["met"], False)
    eq(d["days_left"], left)
    eq(d["missing"], "Belum membeli pelatihan — " + phrase)
    eq(d["ends"][10:], "T23:59:59+07:00", "a deadline ends 23:59:59 WIB")
    eq(b["balance"]["spent"], 0)


@test
def api_reason_codes_read_as_their_labels():
    """A tidak_lolos whose keterangan is the draw's reason codes
    ("usia_kurang;pekerjaan_dikecualikan") reads as their labels; a code
    whose text is a sentence, or free text, reads as words."""
    db = h.Db()
    try:
        ps = [person(10), person(11)]
        own_registry(db, "admin3", "Admin-Prakerja-Kuat-8", ps)
        cli_file(db, csv_of([
            {"ref": "t1", "nik": ps[0]["nik"], "peristiwa": "tidak_lolos",
             "waktu": "2021-03-02T10:00:00+07:00", "gelombang": "12",
             "keterangan": "usia_kurang;pekerjaan_dikecualikan"},
            {"ref": "t2", "nik": ps[1]["nik"], "peristiwa": "tidak_lolos",
             "waktu": "2021-03-02T10:00:00+07:00", "gelombang": "12",
             "keterangan": "usia_kurang;bukan_kode"},
        ], EVENT_COLUMNS), "import", "events")
        tok = admin_token(db, "admin3")
        ids = [r[0] for r in db.query("SELECT id FROM participant ORDER BY id")]
        with h.Server(db=db) as s:
            got = []
            for pid in ids:
                st, _, b = s.json("GET", "/api/v1/participants/%d/journey" % pid,
                                  headers={"Authorization": "Bearer " + tok})
                eq(st, 200, b)
                got.append(b["events"][0]["description"])
            eq(got, ["Tidak lolos seleksi gelombang 12 (Usia di bawah batas minimal peserta; "
                     "Pekerjaan yang dikecualikan (ASN, TNI, Polri, pejabat, perangkat desa, "
                     "direksi BUMN/BUMD))",
                     "Tidak lolos seleksi gelombang 12 (usia_kurang;bukan_kode)"], "descriptions")
    finally:
        db.drop()


@test
def an_event_the_journey_skips_is_marked():
    """The programme office's purchase stored, then an older one in a late
    file that leaves it without balance: the journey skips the newer one
    (journey-events-csv.md: a late file gives the same result); the API
    says applied false and why, the staff page strikes it through and
    says so, the balance counts only the older one."""
    db = h.Db()
    try:
        p = person(12)
        own_registry(db, "admin4", "Admin-Prakerja-Kuat-9", [p])
        buy = {"nik": p["nik"], "peristiwa": "pembelian", "pelatihan": "K", "platform": "x"}
        cli_file(db, csv_of([
            {"ref": "l", "nik": p["nik"], "peristiwa": "lolos",
             "waktu": "2021-03-02T10:00:00+07:00", "gelombang": "12"},
            {"ref": "s", "nik": p["nik"], "peristiwa": "saldo_masuk",
             "waktu": "2021-03-03T10:00:00+07:00", "jumlah": "1000"},
            dict(buy, ref="b2", waktu="2021-03-10T10:00:00+07:00", jumlah="800"),
        ], EVENT_COLUMNS), "import", "events")
        cli_file(db, csv_of([dict(buy, ref="b1", waktu="2021-03-05T10:00:00+07:00",
                                  jumlah="300")], EVENT_COLUMNS), "import", "events")
        tok = admin_token(db, "admin4")
        pid = db.query("SELECT id FROM participant")[0][0]
        with h.Server(db=db) as s:
            st, _, b = s.json("GET", "/api/v1/participants/%d/journey" % pid,
                              headers={"Authorization": "Bearer " + tok})
            eq(st, 200, b)
            eq([(e["ref"], e["applied"], e["skipped_reason"]) for e in b["events"]],
               [("l", True, None), ("s", True, None), ("b1", True, None),
                ("b2", False, "saldo_tidak_cukup")], "applied")
            eq((b["balance"]["remaining"], b["balance"]["spent"]), (700, 300), "the balance")
            br = h.Browser(s)
            st, _, text = br.post("/masuk", {"nama_pengguna": "admin4",
                                             "kata_sandi": "Admin-Prakerja-Kuat-9"})
            eq(st, 303, text[:300])
            st, _, text = br.get("/peserta/%d" % pid)
            eq(st, 200, text[:300])
            eq(text.count(" data-skipped>"), 1, "one event marked")
            assert 'data-skipped-reason="saldo_tidak_cukup"' in text, text
            assert "Tidak diterapkan:" in text and "datang belakangan" in text, text
    finally:
        db.drop()


@test
def api_balance_cut_off_and_the_review_before_the_incentive():
    """The balance cut-off of the wave (with what is left) and the review
    of the finished training that the incentive waits for, then met."""
    db = h.Db()
    try:
        p = person(9)
        own_registry(db, "admin2", "Admin-Prakerja-Kuat-8", [p])
        until = (NOW + datetime.timedelta(days=40)).date()
        engine_wave(db, 2, [p["nik"]], "--balance-until", until.isoformat())
        cli_file(db, csv_of([
            {"ref": "b9", "nik": p["nik"], "peristiwa": "pembelian",
             "waktu": iso(NOW - datetime.timedelta(days=4)), "jumlah": "400000",
             "pelatihan": "DM-101", "platform": "tokopedia"},
            {"ref": "f9", "nik": p["nik"], "peristiwa": "selesai_pelatihan",
             "waktu": iso(NOW - datetime.timedelta(days=2)), "pelatihan": "DM-101",
             "platform": "tokopedia"},
            {"ref": "g9", "nik": p["nik"], "peristiwa": "selesai_pelatihan",
             "waktu": iso(NOW - datetime.timedelta(days=2) + datetime.timedelta(hours=1)),
             "pelatihan": "DM-202", "platform": "tokopedia"},
            # a review of the second training is not the one the incentive waits for
            {"ref": "v9", "nik": p["nik"], "peristiwa": "ulasan",
             "waktu": iso(NOW - datetime.timedelta(days=2) + datetime.timedelta(hours=2)),
             "pelatihan": "DM-202"},
        ], EVENT_COLUMNS), "import", "events", "--source", "lokal")
        tok = admin_token(db, "admin2")
        pid = db.query("SELECT id FROM participant")[0][0]
        with h.Server(db=db) as s:
            def get():
                st, _, b = s.json("GET", "/api/v1/participants/%d/journey" % pid,
                                  headers={"Authorization": "Bearer " + tok})
                eq(st, 200, b)
                return by_kind(b)
            d = get()
            cut = d["batas_saldo"]
            eq((cut["met"], cut["days_left"], cut["ends"]),
               (False, 40, until.isoformat() + "T23:59:59+07:00"), "the wave's cut-off")
            months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt",
                      "Nov", "Des"]
            eq(cut["missing"], "Sisa saldo Rp600.000 belum digunakan — batas %d %s %d, 40 hari "
               "lagi" % (until.day, months[until.month - 1], until.year), "what is left")
            eq(d["pembelian_pertama"]["met"], True, "bought in time")
            eq((d["ulasan"]["met"], d["ulasan"]["missing"]),
               (False, "Belum memberi ulasan atas pelatihan pertama yang diselesaikan — "
                       "insentif belum dijadwalkan"),
               "the review the incentive waits for: of the first finished training")
            cli_file(db, csv_of([
                {"ref": "u9", "nik": p["nik"], "peristiwa": "ulasan",
                 "waktu": iso(NOW - datetime.timedelta(days=1)), "pelatihan": "DM-101"},
            ], EVENT_COLUMNS), "import", "events", "--source", "lokal")
            d = get()
            eq((d["ulasan"]["met"], d["ulasan"]["missing"]), (True, None), "reviewed")
    finally:
        db.drop()


@test
def api_pmo_deadline_passed():
    st, _, b = journey("pmo")
    eq(st, 200, b)
    eq(b["state"]["status"], "penerima")
    eq(b["card"], None, "the programme office's recipients have no local card")
    eq(b["scheme"], "2021", "wave 12 is not a local wave: the scheme of its number")
    eq({e["source"] for e in b["events"]}, {"pmo"})
    eq(b["events"][0]["source_label"], "Manajemen Pelaksana")
    eq(b["events"][1]["amount"], 3500000)
    days = scheme_days(b["scheme"])["purchase_deadline_days"]
    phrase, left = deadline_text(datetime.datetime(2021, 3, 2, 10, tzinfo=WIB), days)
    assert left < 0
    d = by_kind(b)["pembelian_pertama"]
    eq(d["missing"], "Belum membeli pelatihan — " + phrase)
    assert "lewat" in d["missing"]


@test
def api_free_text_note_whole():
    st, _, b = journey("notsel")
    eq(st, 200, b)
    eq(b["state"]["status"], "tidak_lolos")
    e = b["events"][0]
    eq(e["note"], NOTE, "a keterangan of 200 characters comes back whole")
    eq(e["description"], "Tidak lolos seleksi gelombang 12 (%s)" % NOTE)
    eq(b["deadlines"], [], "no deadlines for someone not selected")
    br = login("op.sel")
    st, _, text = br.get("/peserta/%d" % IDS["notsel"])
    eq(st, 200)
    assert NOTE.replace("'", "&#39;") in text, "the note on the page, whole"
    assert "\ufffd" not in text


@test
def api_and_page_revoked():
    st, _, b = journey("revoked")
    eq(st, 200, b)
    eq(b["state"]["status"], "dicabut")
    eq(b["balance"], {"credited": 1000000, "spent": 0, "refunded": 0, "lapsed": 1000000,
                      "remaining": 0})
    eq(b["deadlines"], [], "nothing more is asked of someone revoked")
    eq([e["description"] for e in b["events"][2:]],
       ["Kepesertaan dicabut (tidak membeli pelatihan)",
        "Sisa saldo dikembalikan ke program (hangus)"])
    st, _, text = login("op.sel").get("/peserta/%d" % IDS["revoked"])
    eq(st, 200)
    assert 'data-status="dicabut"' in text and "Kepesertaan dicabut" in text
    assert re.search(r'data-money="lapsed" data-value="1000000">Rp1\.000\.000<', text)
    assert "&minus;Rp1.000.000" in text and "Batas waktu dan syarat" not in text


@test
def api_bare_person():
    st, _, b = journey("bare")
    eq(st, 200, b)
    eq(b["state"]["status"], "terdaftar")
    eq((b["events"], b["events_total"], b["deadlines"], b["card"]), ([], 0, [], None))
    eq(b["balance"], {"credited": 0, "spent": 0, "refunded": 0, "lapsed": 0, "remaining": 0})


@test
def api_pages_of_events():
    st, _, b = journey("buyer", query="?limit=3")
    eq(st, 200, b)
    eq([e["type"] for e in b["events"]], ["gabung_gelombang", "lolos", "saldo_masuk"])
    eq((b["offset"], b["limit"], b["next_offset"], b["events_total"]), (0, 3, 3, 4))
    st, _, b = journey("buyer", query="?offset=3&limit=3")
    eq([e["type"] for e in b["events"]], ["pembelian"])
    eq(b["next_offset"], None)
    st, _, b = journey("buyer", query="?offset=9")
    eq((st, b["events"], b["next_offset"]), (200, [], None))
    for q in ("?limit=0", "?limit=501", "?offset=-1", "?offset=x", "?limit=1.5"):
        h.api_error(journey("buyer", query=q), 400, "parameter_tidak_valid", q)


@test
def api_scope_and_roles():
    # outside the region: the same 404 as an id that does not exist
    out = journey("north")
    unknown = journey(99999999)
    h.api_error(out, 404, "tidak_ditemukan", "another region")
    h.api_error(unknown, 404, "tidak_ditemukan", "unknown id")
    eq(out[2], unknown[2], "outside the region looks like not existing")
    h.api_error(srv().json("GET", "/api/v1/participants/abc/journey",
                           headers=token("op.sel")), 404, "tidak_ditemukan", "not an id")
    # an admin sees every region
    st, _, b = journey("north", name="admin1")
    eq((st, b["state"]["status"]), (200, "terdaftar"))
    # a viewer reads no personal data; nobody without a token
    h.api_error(journey("buyer", name="viewer1"), 403, "akses_ditolak", "viewer")
    st, _, _ = srv().json("GET", "/api/v1/participants/%d/journey" % IDS["buyer"])
    eq(st, 401, "no token")


@test
def api_reads_are_in_the_access_log():
    before = len(access("journey.view", IDS["idle"]))
    st, _, _ = journey("idle", query="?offset=1&limit=2")
    eq(st, 200)
    rows = access("journey.view", IDS["idle"])
    eq(len(rows), before + 1, "one entry per read")
    eq(tuple(rows[-1]), ("user:op.sel", "/api/v1/participants/{id}/journey",
                         "offset=1;limit=2"))
    refused = len(access("participant.notfound", IDS["north"]))
    journey("north")
    eq(len(access("participant.notfound", IDS["north"])), refused + 1,
       "a read outside the region is recorded as refused")


@test
def api_and_page_busy_while_a_load_holds_the_events():
    """PostgreSQL.  A first event file's bulk load holds the events table
    alone to its end (ACCESS EXCLUSIVE; a registry's load, the
    participants).  A request that needs it waits `lock_wait` seconds,
    then answers 503 layanan_sibuk (the staff page shows the record and
    says its journey cannot be read yet) instead of hanging for the whole
    load; the server's log says why, without
    personal data.  Once the lock is gone the same requests answer."""
    if not h.PG:
        raise h.Skip("PostgreSQL: SQLite's readers never wait for a writer")
    db = h.Db()
    own_registry(db, "admin.kunci", "Admin-Kunci-Tabel-9", [BUYER, IDLE])
    pid = db.query("SELECT id FROM participant WHERE nama = '%s'" % BUYER["nama"])[0][0]
    auth = {"Authorization": "Bearer " + admin_token(db, "admin.kunci")}
    with h.Server(db=db, args=["--lock-wait", "1"]) as s:
        b = h.Browser(s)
        st, _, text = b.post("/masuk", {"nama_pengguna": "admin.kunci",
                                        "kata_sandi": "Admin-Kunci-Tabel-9"})
        eq(st, 303, text[:300])
        holder = h.PsqlSession(db.url)
        try:
            holder.run("BEGIN; LOCK TABLE pk_event IN ACCESS EXCLUSIVE MODE;")
            t0 = time.monotonic()
            err = h.api_error(s.json("GET", "/api/v1/participants/%d/journey" % pid,
                                     headers=auth), 503, "layanan_sibuk", "while locked")
            waited = time.monotonic() - t0
            assert 0.9 <= waited < 8, "answered after %.1f s, lock_wait is 1 s" % waited
            assert "Coba lagi" in err["message"], err
            # the page shows the person's record, and says the journey
            # cannot be read yet
            t0 = time.monotonic()
            st, _, text = b.get("/peserta/%d" % pid)
            eq(st, 200, "the staff page while locked")
            assert time.monotonic() - t0 < 8, "the page waited for the lock"
            assert "data-journey-error" in text and "belum dapat dibaca" in text, text[:3000]
            assert BUYER["nama"] in text, "the record is shown"
            log = s.stderr()
            assert "waited 1000 ms for a lock" in log, log[-2000:]
            for secret in (BUYER["nik"], BUYER["nama"], BUYER["no_hp"]):
                assert secret not in log, "personal data in the log"
            holder.run("ROLLBACK;")
            # a registration while a registry's bulk load holds the
            # participants: 503 after lock_wait once, not redone
            holder.run("BEGIN; LOCK TABLE participant IN ACCESS EXCLUSIVE MODE;")
            t0 = time.monotonic()
            h.api_error(s.json("POST", "/api/v1/participants", BARE), 503, "layanan_sibuk",
                        "registration while locked")
            waited = time.monotonic() - t0
            assert 0.9 <= waited < 4, "answered after %.1f s, lock_wait is 1 s" % waited
        finally:
            holder.run("ROLLBACK;")
            holder.close()
        st, _, body = s.json("POST", "/api/v1/participants", BARE)
        eq(st, 201, "the registration after the lock: %r" % (body,))
        st, _, body = s.json("GET", "/api/v1/participants/%d/journey" % pid, headers=auth)
        eq(st, 200, "after the lock: %r" % (body,))
        st, _, text = b.get("/peserta/%d" % pid)
        eq(st, 200, "the page after the lock")
        assert "data-journey-error" not in text and "data-status=" in text, text[:3000]


# ---- the staff page ---------------------------------------------------------

@test
def page_timeline_balance_card_deadlines():
    b = login("op.sel")
    st, _, text = b.get("/peserta/%d" % IDS["buyer"])
    eq(st, 200, text[:300])
    assert "data-journey" in text and "Perjalanan peserta" in text
    assert 'data-status="penerima"' in text
    card = CARDS["buyer"]
    assert "**** **** **** " + card[-4:] in text and card not in text, "card masked"
    assert re.search(r'data-money="spent" data-value="400000">Rp400\.000<', text), text
    assert 'data-money="balance"' in text
    assert text.count("<li data-event=") == 4, "four events on the timeline"
    assert "Membeli pelatihan DM-101 di tokopedia" in text
    assert "&minus;Rp400.000" in text, "a purchase takes from the balance"
    assert "Sumber: Sistem Prakerja DKI Jakarta · diterima" in text
    assert re.search(r'<time datetime="[0-9T:+-]+">\d+ \w+ \d{4} \d\d\.\d\d WIB</time>', text)
    # the page's read of the journey is in the access log too
    rows = access("journey.view", IDS["buyer"])
    assert rows and rows[-1][0] == "user:op.sel" and rows[-1][1] == "/peserta/{id}", rows


@test
def page_says_what_is_missing():
    b = login("op.sel")
    st, _, text = b.get("/peserta/%d" % IDS["idle"])
    eq(st, 200)
    phrase, _ = deadline_text(
        NOW - datetime.timedelta(days=5), scheme_days("2021")["purchase_deadline_days"])
    assert ("<p class=\"missing\" data-missing>Belum membeli pelatihan — %s</p>" % phrase) \
        in text, text[text.find("data-journey"):][:3000]
    st, _, text = b.get("/peserta/%d" % IDS["pmo"])
    assert "Sumber: Manajemen Pelaksana" in text
    assert re.search(r"Belum membeli pelatihan — batas \d+ \w+ 2021, lewat \d+ hari", text)
    st, _, text = b.get("/peserta/%d" % IDS["bare"])
    assert 'data-events="0"' in text and "Belum ada peristiwa" in text


@test
def page_outside_region_shows_no_journey():
    b = login("op.sel")
    st, _, text = b.get("/peserta/%d" % IDS["north"])
    eq(st, 404)
    assert "data-journey" not in text


# ---- the public status look-up stays coarse -----------------------------------

@test
def public_status_shows_no_journey():
    def ask(p):
        return srv().json("POST", "/api/v1/status",
                          {"nik": p["nik"], "tanggal_lahir": p["tanggal_lahir"]})
    st, _, buyer = ask(BUYER)
    eq(st, 200)
    st, _, bare = ask(BARE)
    eq(buyer, bare, "a person with a balance and purchases gets the same answer as one "
                    "with nothing but a registration")
    eq(sorted(buyer), ["found", "message", "next_step"])
    text = json.dumps(buyer)
    for word in ("Rp", "saldo", "DM-101", "tokopedia", "pelatihan", CARDS["buyer"][-4:],
                 "lolos", "penerima"):
        assert word.lower() not in text.lower(), "%r in the public answer: %s" % (word, text)
    # the page likewise
    br = h.Browser(srv())
    st, _, page_buyer = br.post("/cek-status", {"nik": BUYER["nik"],
                                                "tanggal_lahir": BUYER["tanggal_lahir"]})
    st2, _, page_bare = br.post("/cek-status", {"nik": BARE["nik"],
                                                "tanggal_lahir": BARE["tanggal_lahir"]})
    eq((st, st2), (200, 200))
    strip = lambda t: re.sub(r'value="[^"]*"', "", t)  # noqa: E731
    eq(strip(page_buyer), strip(page_bare), "the same page for both")
    # the form's values (the NIK typed, a random CSRF token that may hold
    # "Rp" by chance) are left out of the look
    for word in ("Rp", "DM-101", "tokopedia", CARDS["buyer"][-4:]):
        assert word not in strip(page_buyer), word


@test
def shared_server_stops_cleanly():
    err = srv.stop()
    for p in (BUYER, IDLE, PMO, BARE, NORTH):
        assert p["nik"] not in err, "a NIK in the server log"
    assert CARDS["buyer"] not in err, "a card number in the server log"


if __name__ == "__main__":
    h.run()
