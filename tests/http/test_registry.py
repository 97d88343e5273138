"""Black-box tests of the participant registry: `prakerja import participants`,
`prakerja export participants` and `prakerja import exclusions` (TAP).

The contract is shared/spec/participants-csv.md (columns, import semantics,
export, exclusion lists, reason codes) plus issue 3 (summary line, rejects
file, key file, kill-and-resume).

usage: python3 tests/http/test_registry.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import csv
import io
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import time
import zipfile

import harness as h
from harness import eq, run_cli, test

COLUMNS = ["nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "no_hp", "email",
           "kode_wilayah", "alamat", "pendidikan", "segmen", "pekerjaan"]
EXPORT_COLUMNS = COLUMNS + ["eligible", "alasan", "peringatan"]
# Columns of the participant table that legitimately differ between two runs
# that leave the same data (time stamps).
TIME_COLUMNS = ("created_at", "updated_at")


# ---- building records -------------------------------------------------------

def nik_of(birth, sex="L", serial=1, region="317401"):
    """A structurally valid NIK: PPKKCC DDMMYY SSSS (DD + 40 for women)."""
    y, m, d = (int(x) for x in birth.split("-"))
    if sex == "P":
        d += 40
    return "%s%02d%02d%02d%04d" % (region, d, m, y % 100, serial)


def person(serial, birth="1995-08-17", sex="L", kk=None,
           wilayah="31.74.01.1001", nik_region="317401", **kw):
    """One valid record (a dict by column name); kw overrides any column.
    Each serial has its own family card unless kk is given."""
    r = {
        "nik": nik_of(birth, sex, serial, nik_region),
        "no_kk": kk or "3174013001%06d" % serial,
        "nama": "Peserta Nomor %d" % serial,
        "tanggal_lahir": birth,
        "jenis_kelamin": sex,
        "no_hp": "0812%08d" % (33000000 + serial),
        "email": "peserta%d@contoh.co.id" % serial,
        "kode_wilayah": wilayah,
        "alamat": "Gang Kelinci Rahasia %d, RT 0%d" % (serial, serial % 9 + 1),
        "pendidikan": "sma",
        "segmen": "pencari_kerja",
        "pekerjaan": "karyawan_swasta",
    }
    r.update(kw)
    return r


def csv_text(rows, columns=COLUMNS, eol="\n"):
    """rows (dicts or lists) as CSV text with the given header."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=eol)
    w.writerow(columns)
    for r in rows:
        w.writerow([r.get(c, "") for c in columns] if isinstance(r, dict) else r)
    return buf.getvalue()


def parse_csv(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def codes(s):
    return set(filter(None, s.split(";")))


class Reg(h.DbDir):
    """A temporary directory with a migrated database (a h.Db of the
    backend under test) and, once the binary has run, its key file
    (SQLite: DB + ".key", the default; PostgreSQL: passed as --key-file)."""

    def __init__(self, name="reg"):
        super().__init__("prakerja-reg-", name)
        self.key = self.db.key
        self.nfile = 0

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, content, name=None):
        """Writes str (UTF-8) or bytes to a new file; returns its path."""
        self.nfile += 1
        p = self.path(name or "in%d.csv" % self.nfile)
        with open(p, "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
        return p

    def cli(self, args, timeout=120, env=None):
        return run_cli(self.db.args_for(args), cwd=self.tmp, timeout=timeout, env=env)

    def imp(self, content, *args, expect=0, rejects=False, env=None):
        """Imports content (text/bytes, or an existing path); returns
        (summary dict or None, stdout, stderr, rejects rows or None)."""
        path = content if isinstance(content, str) and os.path.isfile(content) \
            else self.write(content)
        extra = list(args)
        rej = None
        if rejects:
            rej = self.path("rejects%d.csv" % self.nfile)
            extra += ["--rejects", rej]
        code, out, err = self.cli(["import", "participants", path] + extra, env=env)
        if expect is not None:
            eq(code, expect, "import exit status (stderr %r, stdout %r)" % (err, out[-500:]))
        summary = None
        lines = out.strip().splitlines()
        if lines:
            try:
                summary = json.loads(lines[-1])
            except ValueError:
                summary = None
        if code == 0:
            assert summary is not None, "no JSON summary as the last stdout line: %r" % out
            for k in ("read", "inserted", "updated", "unchanged", "rejected", "reasons",
                      "warnings"):
                assert k in summary, "summary lacks %r: %r" % (k, summary)
        rows = None
        if rej and os.path.exists(rej):
            with open(rej, "rb") as f:
                rows = parse_csv(f.read().decode("utf-8", "replace"))
        return summary, out, err, rows

    def lst(self, name, content, expect=0):
        path = self.write(content)
        code, out, err = self.cli(["import", "exclusions", "--list", name, path])
        if expect is not None:
            eq(code, expect, "import exclusions exit status (stderr %r)" % err)
        if code == 0:
            return json.loads(out.strip().splitlines()[-1]), err
        return None, err

    def export(self, *args, expect=0):
        code, out, err = self.cli(["export", "participants"] + list(args))
        if expect is not None:
            eq(code, expect, "export exit status (stderr %r)" % err)
        return out

    def rows(self, *args):
        """The export as a list of dicts (and checks the header)."""
        out = self.export(*args)
        t = parse_csv(out)
        assert t, "empty export"
        eq(t[0], EXPORT_COLUMNS, "export header")
        res = []
        for r in t[1:]:
            eq(len(r), len(EXPORT_COLUMNS), "fields in export row %r" % r)
            res.append(dict(zip(EXPORT_COLUMNS, r)))
        return res

    def by_nik(self, *args):
        return {r["nik"]: r for r in self.rows(*args)}

    def sql(self, q, args=()):
        return self.db.query(q, args)

    def count(self):
        return self.sql("SELECT count(*) FROM participant")[0][0]

    def table(self, exclude=TIME_COLUMNS):
        keep = [x for x in self.db.columns("participant") if x not in exclude]
        assert len(keep) > 10, "participant columns: %r" % keep
        return keep, self.sql("SELECT %s FROM participant ORDER BY id" % ", ".join(keep))

    def integrity(self):
        return self.db.integrity()


def status(row):
    """(eligible, set of alasan) of an export row."""
    return row["eligible"], codes(row["alasan"])


# ---- file formats -----------------------------------------------------------

@test
def minimal_import_and_summary():
    with Reg() as r:
        ps = [person(1), person(2, sex="P", birth="1990-01-05")]
        s, out, err, _ = r.imp(csv_text(ps))
        eq({k: s[k] for k in ("read", "inserted", "updated", "unchanged", "rejected")},
           {"read": 2, "inserted": 2, "updated": 0, "unchanged": 0, "rejected": 0}, "summary")
        eq(s["reasons"], {}, "reasons")
        eq(s["warnings"], {}, "warnings")
        eq(r.count(), 2, "participants in the database")
        rows = r.by_nik()
        eq(sorted(rows), sorted(p["nik"] for p in ps), "exported NIKs")
        for p in ps:
            e = rows[p["nik"]]
            for c in COLUMNS:
                if c not in ("no_hp",):
                    eq(e[c], p[c], "exported %s" % c)
            eq(e["no_hp"], "+62" + p["no_hp"][1:], "no_hp in E.164")
            eq(status(e), ("ya", set()), "eligibility of %s" % p["nik"])
            eq(e["peringatan"], "", "no warnings")


@test
def key_file_created_with_mode_0600():
    with Reg() as r:
        assert not os.path.exists(r.key)
        r.imp(csv_text([person(1)]))
        assert os.path.exists(r.key), "no key file at DB path + .key"
        eq(oct(os.stat(r.key).st_mode & 0o777), oct(0o600), "key file mode")


@test
def tricky_file_bom_crlf_shuffled_upper_case_unknown_columns():
    """BOM, CRLF, shuffled and upper-case (and padded) header names, two
    unknown columns (one holding quoted commas, quotes and CRLF line
    breaks), quoted commas and doubled quotes in alamat."""
    with Reg() as r:
        order = ["Catatan", "SEGMEN", " Nama ", "No_HP", "NIK", "kode_wilayah", "Keterangan",
                 "TANGGAL_LAHIR", "Email", "no_kk", "Jenis_Kelamin", "Alamat", "pendidikan",
                 "Pekerjaan"]
        p1 = person(1)
        p2 = person(2, sex="P", birth="1991-03-04")
        p3 = person(3, birth="1988-12-31")
        bad = person(4, no_hp="12345")

        def line(p, catatan, ket, alamat):
            vals = {"Catatan": catatan, "SEGMEN": p["segmen"], " Nama ": p["nama"],
                    "No_HP": p["no_hp"], "NIK": p["nik"], "kode_wilayah": p["kode_wilayah"],
                    "Keterangan": ket, "TANGGAL_LAHIR": p["tanggal_lahir"],
                    "Email": p["email"], "no_kk": p["no_kk"],
                    "Jenis_Kelamin": p["jenis_kelamin"], "Alamat": alamat,
                    "pendidikan": p["pendidikan"], "Pekerjaan": p["pekerjaan"]}
            return ",".join(vals[c] for c in order)

        text = ("\ufeff" + ",".join(order) + "\r\n"
                # line 2: plain
                + line(p1, "biasa", "", "Jl. Mawar 1") + "\r\n"
                # line 3..5: unknown column with a quoted CRLF, comma and quotes
                + line(p2, '"catatan ""panjang"",\r\nbaris dua\r\nbaris tiga"', "x",
                       '"Jl. ""Melati"", No. 5, RT 01/RW 02"') + "\r\n"
                # line 6: rejected (no_hp), after the multi-line record
                + line(bad, "", "", "Jl. Salah") + "\r\n"
                # line 7: last line without a line end
                + line(p3, "", '"a,b"', '"Komplek A, Blok ""C"""'))
        s, out, err, rej = r.imp(text, rejects=True)
        eq((s["read"], s["inserted"], s["rejected"]), (4, 3, 1), "read/inserted/rejected")
        eq(s["reasons"], {"no_hp_invalid": 1}, "reasons")
        # unknown columns reported once, on stderr, both named
        eq(err.lower().count("catatan"), 1, "catatan reported once in %r" % err)
        eq(err.lower().count("keterangan"), 1, "keterangan reported once in %r" % err)
        assert "catatan" not in out.lower(), "unknown columns reported on stdout: %r" % out
        # rejects: header then line 6
        eq(rej[0][:2], ["baris", "alasan"], "rejects header")
        eq([x.strip().lower().lstrip("\ufeff") for x in rej[0][2:]],
           [c.strip().lower() for c in order], "rejects header carries the input header")
        eq([(x[0], x[1]) for x in rej[1:]], [("6", "no_hp_invalid")], "rejected lines")
        eq(rej[1][2 + order.index("NIK")], bad["nik"], "original fields in the rejects file")
        rows = r.by_nik()
        eq(rows[p1["nik"]]["alamat"], "Jl. Mawar 1", "alamat 1")
        eq(rows[p2["nik"]]["alamat"], 'Jl. "Melati", No. 5, RT 01/RW 02', "alamat 2")
        eq(rows[p3["nik"]]["alamat"], 'Komplek A, Blok "C"', "alamat 3 (no line end)")
        eq(rows[p3["nik"]]["pekerjaan"], "karyawan_swasta", "last field of the last line")
        for p in (p1, p2, p3):
            e = rows[p["nik"]]
            eq((e["nama"], e["pekerjaan"], e["jenis_kelamin"]),
               (p["nama"], p["pekerjaan"], p["jenis_kelamin"]), "fields of %s" % p["nik"])
            eq(e["eligible"], "ya", "eligible")


@test
def alamat_with_line_break_in_quotes_is_accepted():
    """The spec allows line breaks in quoted fields, and alamat is free
    text: a two-line address is a valid record, not a damaged one."""
    with Reg() as r:
        p = person(1, alamat="ALAMAT")
        text = csv_text([p]).replace("ALAMAT", '"Jl. Kenanga No. 7\nRT 01 RW 02"')
        text += csv_text([person(2, no_kk="1")])[len(",".join(COLUMNS)) + 1:]
        s, out, err, rej = r.imp(text, rejects=True)
        eq([(x[0], x[1]) for x in rej[1:]], [("4", "kk_format")],
           "rejected lines (the second record starts on physical line 4)")
        eq((s["inserted"], s["rejected"]), (1, 1), "inserted/rejected")
        rows = r.by_nik()
        a = rows[p["nik"]]["alamat"].replace("\r\n", "\n")
        eq(a, "Jl. Kenanga No. 7\nRT 01 RW 02", "two-line alamat kept")


@test
def normal_form_on_export():
    with Reg() as r:
        p1 = person(1, nama="  Budi \u00a0 Santoso\u00a0 ", no_hp="0812-3456 7890",
                    kode_wilayah="3174011001", jenis_kelamin="l", pendidikan="SMA",
                    segmen="Pencari_Kerja", pekerjaan="Wiraswasta", email="  b@contoh.id ")
        p2 = person(2, no_hp="62 812 3456 7891", kode_wilayah=" 31.71.01.1002 ",
                    email="", alamat="", pendidikan="", pekerjaan="")
        p3 = person(3, no_hp="+62-812-3456-7892", nik=" %s " % nik_of("1995-08-17", "L", 3))
        r.imp(csv_text([p1, p2, p3]))
        out = r.export()
        eq(parse_csv(out)[0], EXPORT_COLUMNS, "export header (spec order + 3)")
        assert out.startswith(",".join(EXPORT_COLUMNS) + "\n"), "header line %r" % out[:200]
        rows = r.by_nik()
        e1, e2 = rows[p1["nik"]], rows[p2["nik"]]
        e3 = rows[nik_of("1995-08-17", "L", 3)]
        eq(e1["nama"], "Budi \u00a0 Santoso", "nama trimmed (inner spaces kept)")
        eq(e1["no_hp"], "+6281234567890", "no_hp 08 with separators")
        eq(e2["no_hp"], "+6281234567891", "no_hp 62 with spaces")
        eq(e3["no_hp"], "+6281234567892", "no_hp +62 with dashes")
        eq(e1["kode_wilayah"], "31.74.01.1001", "undotted region code")
        eq(e2["kode_wilayah"], "31.71.01.1002", "padded region code")
        eq((e1["jenis_kelamin"], e1["pendidikan"], e1["segmen"], e1["pekerjaan"]),
           ("L", "sma", "pencari_kerja", "wiraswasta"), "enumerations in normal form")
        eq(e1["email"], "b@contoh.id", "email trimmed")
        eq((e2["email"], e2["alamat"], e2["pendidikan"], e2["pekerjaan"]), ("", "", "", ""),
           "optional fields left empty")


@test
def missing_required_column_refuses_the_file():
    for missing in ("nik", "no_hp", "segmen"):
        with Reg() as r:
            cols = [c for c in COLUMNS if c != missing]
            rej = r.path("rej.csv")
            code, out, err = r.cli(["import", "participants",
                                    r.write(csv_text([person(1), person(2)], cols)),
                                    "--rejects", rej])
            assert code != 0, "a file without %s was accepted: %r" % (missing, out)
            assert "kolom_wajib_hilang" in err, "stderr %r" % err
            assert missing in err, "the missing column is not named: %r" % err
            eq(r.count(), 0, "participants after a refused file")
            if os.path.exists(rej):
                with open(rej) as f:
                    data = parse_csv(f.read())
                assert len(data) <= 1, "rows written to the rejects file: %r" % data


@test
def empty_file_and_duplicate_column_are_refused():
    with Reg() as r:
        code, out, err = r.cli(["import", "participants", r.write("")])
        assert code != 0, "empty file accepted"
        cols = COLUMNS + ["NIK"]
        p = person(1)
        code, out, err = r.cli(["import", "participants",
                                r.write(csv_text([[p[c] for c in COLUMNS] + [p["nik"]]],
                                                 cols))])
        assert code != 0, "a header with nik twice was accepted: %r" % out
        eq(r.count(), 0, "participants")


@test
def duplicate_nik_in_one_file_later_wins():
    with Reg() as r:
        a = person(1)
        b = person(1, nama="Nama Baru", no_hp="081299998888", alamat="Alamat Baru 9",
                   segmen="korban_phk")
        c = dict(b, no_hp="bad", nama="Ditolak")
        s, _, _, _ = r.imp(csv_text([a, person(2), b, c]))
        eq((s["read"], s["inserted"], s["updated"], s["unchanged"], s["rejected"]),
           (4, 2, 1, 0, 1), "summary")
        rows = r.by_nik()
        eq(len(rows), 2, "one row per NIK")
        e = rows[a["nik"]]
        eq((e["nama"], e["no_hp"], e["alamat"], e["segmen"]),
           ("Nama Baru", "+6281299998888", "Alamat Baru 9", "korban_phk"),
           "later data (a later rejected row changes nothing)")


@test
def importing_the_same_file_twice_changes_nothing():
    with Reg() as r:
        ps = [person(i, kk="3174010101200%03d" % (i // 3 + 1)) for i in range(1, 10)]
        ps.append(person(20, no_hp="bad"))
        text = csv_text(ps)
        s1, _, _, _ = r.imp(text, "--scheme", "2021")
        eq((s1["inserted"], s1["rejected"]), (9, 1), "first run")
        exp1, tab1 = r.export(), r.table()
        audit1 = r.sql("SELECT count(*) FROM audit")[0][0]
        s2, _, _, _ = r.imp(text, "--scheme", "2021")
        eq((s2["read"], s2["inserted"], s2["updated"], s2["unchanged"], s2["rejected"]),
           (10, 0, 0, 9, 1), "second run")
        eq(r.export(), exp1, "export after the second run")
        eq(r.table(), tab1, "participant table (all columns but time stamps)")
        eq(r.sql("SELECT count(*) FROM audit")[0][0], audit1,
           "audit rows after an import that changed nothing")


# ---- rejections ---------------------------------------------------------------

# One bad field each, in an otherwise valid row: (column, value, code).
BAD_FIELDS = [
    ("nik", "31740117089500", "nik_format"),
    ("nik", "3174011708950000", "nik_format"),
    ("nik", "317401170895000A", "nik_format"),
    ("nik", "3174013208950011", "nik_tanggal"),
    ("nik", "3174013002000012", "nik_tanggal"),
    ("nik", "9974011708950013", "nik_provinsi"),
    ("no_kk", "31740101012000x1", "kk_format"),
    ("no_kk", "0000000000000000", "kk_format"),
    ("no_kk", "", "kk_format"),
    ("nama", "   ", "nama_kosong"),
    ("nama", "A" * 101, "nama_terlalu_panjang"),
    ("nama", "Budi \u202eosotnaS", "nama_karakter_tersembunyi"),
    ("nama", "=1+2", "nama_awalan_tidak_diizinkan"),
    ("nama", "Budi \x01 Santoso", "baris_rusak"),
    ("nama", b"Budi \xff Santoso", "baris_rusak"),
    ("tanggal_lahir", "1995-02-30", "tanggal_lahir_invalid"),
    ("tanggal_lahir", "17-08-1995", "tanggal_lahir_invalid"),
    ("jenis_kelamin", "X", "jenis_kelamin_invalid"),
    ("jenis_kelamin", "", "jenis_kelamin_invalid"),
    ("no_hp", "0712345678", "no_hp_invalid"),
    ("no_hp", "0812", "no_hp_invalid"),
    ("email", "budi@@contoh.co.id", "email_invalid"),
    ("email", "budi@localhost", "email_invalid"),
    ("kode_wilayah", "31.74.01.9999", "wilayah_tidak_dikenal"),
    ("kode_wilayah", "31.74.01", "wilayah_tidak_dikenal"),
    ("kode_wilayah", "32.73.01.1001", "wilayah_di_luar_layanan"),
    ("alamat", "x" * 201, "alamat_terlalu_panjang"),
    ("pendidikan", "sarjana", "pendidikan_invalid"),
    ("segmen", "pengangguran", "segmen_invalid"),
    ("segmen", "", "segmen_invalid"),
    ("pekerjaan", "astronot", "pekerjaan_invalid"),
]


def _field(v):
    """A CSV field as bytes (quoted when needed)."""
    b = v if isinstance(v, bytes) else v.encode("utf-8")
    if any(ch in b for ch in (b",", b'"', b"\n", b"\r")):
        b = b'"' + b.replace(b'"', b'""') + b'"'
    return b


@test
def every_rejection_code_with_its_line_number():
    with Reg() as r:
        lines = [",".join(COLUMNS).encode()]
        expect = {}   # physical line -> code
        written = {}  # physical line -> the record as written (dict)
        good = []
        serial = [100]

        def record(p):
            return b",".join(_field(p[c]) for c in COLUMNS)

        def next_line():
            return 1 + sum(x.count(b"\n") + 1 for x in lines)

        def add_good():
            serial[0] += 1
            p = person(serial[0])
            good.append(p)
            lines.append(record(p))

        def add_bad(raw_of, code):
            add_good()
            serial[0] += 1
            p = person(serial[0])
            ln = next_line()
            expect[ln] = code
            written[ln] = p
            lines.append(raw_of(p))

        for col, val, code in BAD_FIELDS:
            add_bad(lambda p, col=col, val=val: record(dict(p, **{col: val})), code)
        # a malformed quoted field (text after the closing quote)
        add_bad(lambda p: record(p).replace(_field(p["nama"]), b'"Budi"x'), "baris_rusak")
        # a stray quote inside an unquoted field
        add_bad(lambda p: record(p).replace(_field(p["nama"]), b'Bu"di'), "baris_rusak")
        # one field too many, one too few
        add_bad(lambda p: record(p) + b",extra", "baris_rusak")
        add_bad(lambda p: b",".join(_field(p[c]) for c in COLUMNS[:-1]), "baris_rusak")
        # a record over the size limit (a 70 KB alamat): damaged, not fatal
        add_bad(lambda p: record(dict(p, alamat="y" * 70000)), "baris_rusak")
        # a record over two physical lines (a quoted line break in no_kk), so
        # that line numbers and record numbers part ways
        add_bad(lambda p: record(p).replace(_field(p["no_kk"]),
                                            b'"31740101\n01200001"'), "kk_format")
        add_good()
        add_bad(lambda p: record(dict(p, segmen="salah")), "segmen_invalid")
        add_good()
        data = b"\n".join(lines) + b"\n"
        s, out, err, rej = r.imp(data, rejects=True)

        got = {}
        for row in rej[1:]:
            got[int(row[0])] = row[1]
        eq(rej[0], ["baris", "alasan"] + COLUMNS, "rejects header")
        problems = []
        for ln in sorted(set(expect) | set(got)):
            if expect.get(ln) != got.get(ln):
                problems.append("line %d: expected %r, got %r" % (ln, expect.get(ln),
                                                                  got.get(ln)))
        assert not problems, "rejects file:\n" + "\n".join(problems)
        want = {}
        for c in expect.values():
            want[c] = want.get(c, 0) + 1
        eq(s["reasons"], want, "reasons in the summary")
        eq((s["read"], s["inserted"], s["rejected"]),
           (len(expect) + len(good), len(good), len(expect)), "read/inserted/rejected")
        spec = {"baris_rusak", "nik_format", "nik_tanggal", "nik_provinsi", "kk_format",
                "nama_kosong", "nama_terlalu_panjang", "tanggal_lahir_invalid",
                "jenis_kelamin_invalid", "no_hp_invalid", "email_invalid",
                "wilayah_tidak_dikenal", "wilayah_di_luar_layanan", "pendidikan_invalid",
                "segmen_invalid", "pekerjaan_invalid", "alamat_terlalu_panjang",
                "nama_karakter_tersembunyi", "nama_awalan_tidak_diizinkan"}
        eq(set(want), spec, "codes covered")
        # the rejected rows changed nothing
        eq(sorted(x["nik"] for x in r.rows()), sorted(p["nik"] for p in good), "exported NIKs")
        # a rejected row keeps its original fields
        by_line = {int(x[0]): x for x in rej[1:]}
        ln = sorted(k for k, v in expect.items() if v == "kk_format")[0]
        eq(by_line[ln][2:], [dict(written[ln], no_kk="31740101012000x1")[c] for c in COLUMNS],
           "fields of the rejected row at line %d" % ln)
        # the extra-field record keeps all its fields
        ln = [k for k in sorted(expect) if expect[k] == "baris_rusak"][4]
        eq(by_line[ln][-1], "extra", "the extra field of line %d" % ln)


@test
def several_codes_on_one_row_and_rejects_file_mode():
    with Reg() as r:
        p = person(1, no_hp="123", segmen="x", email="nope")
        s, _, _, rej = r.imp(csv_text([p]), rejects=True)
        eq(codes(rej[1][1]), {"no_hp_invalid", "segmen_invalid", "email_invalid"}, "codes")
        eq(s["reasons"], {"no_hp_invalid": 1, "segmen_invalid": 1, "email_invalid": 1},
           "summary reasons")
        eq(s["rejected"], 1, "one rejected row")
        rejf = [f for f in os.listdir(r.tmp) if f.startswith("rejects")][0]
        eq(oct(os.stat(r.path(rejf)).st_mode & 0o077), oct(0), "rejects file not group/other")


# ---- warnings -------------------------------------------------------------------

@test
def warnings_are_stored_and_exported():
    with Reg() as r:
        w_date = person(1, tanggal_lahir="1995-08-18")                  # NIK says 17th
        w_sex = person(2, jenis_kelamin="P")                             # NIK says male
        w_reg = person(3, nik_region="317901")                           # 31.79 unknown
        w_dist = person(4, nik_region="317499")                          # 31.74.99 unknown
        both = person(5, tanggal_lahir="1996-08-17", jenis_kelamin="P")
        clean = person(6)
        s, _, _, _ = r.imp(csv_text([w_date, w_sex, w_reg, w_dist, both, clean]))
        eq((s["inserted"], s["rejected"]), (6, 0), "warnings do not reject")
        eq(s["warnings"], {"nik_tanggal_berbeda": 2, "nik_kelamin_berbeda": 2,
                           "nik_wilayah_tidak_dikenal": 2}, "warning counts")
        rows = r.by_nik()
        eq(codes(rows[w_date["nik"]]["peringatan"]), {"nik_tanggal_berbeda"}, "date")
        eq(codes(rows[w_sex["nik"]]["peringatan"]), {"nik_kelamin_berbeda"}, "sex")
        eq(codes(rows[w_reg["nik"]]["peringatan"]), {"nik_wilayah_tidak_dikenal"}, "regency")
        eq(codes(rows[w_dist["nik"]]["peringatan"]), {"nik_wilayah_tidak_dikenal"}, "district")
        eq(codes(rows[both["nik"]]["peringatan"]),
           {"nik_tanggal_berbeda", "nik_kelamin_berbeda"}, "two warnings")
        eq(rows[clean["nik"]]["peringatan"], "", "clean")
        for row in rows.values():
            eq(row["eligible"], "ya", "a warning does not make %s ineligible" % row["nik"])
        # the stored record keeps the given date and sex, not the NIK's
        eq((rows[w_date["nik"]]["tanggal_lahir"], rows[w_sex["nik"]]["jenis_kelamin"]),
           ("1995-08-18", "P"), "given values kept")


# ---- export / import round trips ---------------------------------------------------

def varied_people():
    return [
        person(1, alamat='Jl. "Melati", No. 5'),
        person(2, sex="P", birth="1990-02-03", email="", pendidikan="", pekerjaan=""),
        person(3, tanggal_lahir="1995-08-18", jenis_kelamin="P"),          # warnings
        person(4, nik_region="317901", wilayah="31.71.01.1003"),
        person(5, pekerjaan="mahasiswa"),                                   # sedang_sekolah
        person(6, pekerjaan="asn", nama=" Spasi Di Tepi "),                 # dikecualikan
        person(7, birth="2012-01-01"),                                      # usia_kurang
        person(8, kk="3174010101200009"), person(9, kk="3174010101200009"),
        person(10, kk="3174010101200009"),                                  # kuota under 2021+
        person(11, nama="Ny. Ña\u00efve, \"Dewi\"", no_hp="+62 811-2233-4455"),
    ]


@test
def export_then_import_into_same_db_changes_nothing():
    with Reg() as r:
        r.imp(csv_text(varied_people()))
        exp1, tab1 = r.export(), r.table()
        s, _, err, _ = r.imp(exp1)
        n = len(varied_people())
        eq((s["read"], s["inserted"], s["updated"], s["unchanged"], s["rejected"]),
           (n, 0, 0, n, 0), "summary of importing the export")
        eq(r.export(), exp1, "export after the round trip")
        eq(r.table(), tab1, "participant table after the round trip")


@test
def export_guards_cells_a_spreadsheet_would_run():
    """Addresses (and rejected rows' fields) that begin with = + - @ or an
    apostrophe are written with one apostrophe before them, which
    spreadsheets take as text, and import takes it off again: the round
    trip still changes nothing."""
    addresses = ["=HYPERLINK(\"http://contoh.id\",\"Klik\")", "+62 Jalan", "-1+1",
                 "@SUM(1+1)", "'Jl. Melati", "'=x", "Jl. Biasa 1", "-"]
    with Reg() as r:
        people = [dict(person(700 + i), alamat=a) for i, a in enumerate(addresses)]
        s, _, _, _ = r.imp(csv_text(people))
        eq(s["inserted"], len(people), "imported")
        exp1 = r.export()
        cells = [row[COLUMNS.index("alamat")] for row in parse_csv(exp1)[1:]]
        # as stored ("'=x" in a file is the guarded "=x"), then guarded
        written = {"=HYPERLINK(\"http://contoh.id\",\"Klik\")":
                   "'=HYPERLINK(\"http://contoh.id\",\"Klik\")",
                   "+62 Jalan": "'+62 Jalan", "-1+1": "'-1+1", "@SUM(1+1)": "'@SUM(1+1)",
                   "'Jl. Melati": "''Jl. Melati", "'=x": "'=x", "Jl. Biasa 1": "Jl. Biasa 1",
                   "-": "-"}  # a lone "-" (no address) is text to a spreadsheet: bare
        eq(sorted(cells), sorted(written.values()), "address cells")
        phones = [row[COLUMNS.index("no_hp")] for row in parse_csv(exp1)[1:]]
        assert all(p.startswith("+62") for p in phones), "phones stay E.164: %r" % phones
        for c in cells:
            assert c == "-" or c[0] not in "=+-@\t\r", "a cell a spreadsheet would run: %r" % c
        s, _, _, _ = r.imp(exp1)
        eq((s["unchanged"], s["updated"], s["inserted"]), (len(people), 0, 0), "round trip")
        eq(r.export(), exp1, "export after the round trip")
        # a rejected row's fields are guarded in the rejects file too
        bad = dict(person(790), nama="=1+2")
        _, _, _, rej = r.imp(csv_text([bad]), rejects=True)
        eq(rej[1][2 + COLUMNS.index("nama")], "'=1+2", "the rejected name, guarded")
        # an older export's guarded placeholder ("'-") is read as "-"
        old = parse_csv(exp1)
        i = next(k for k, row in enumerate(old) if row[COLUMNS.index("alamat")] == "-")
        old[i][COLUMNS.index("alamat")] = "'-"
        s, _, _, _ = r.imp(csv_text(old[1:], columns=old[0]))
        eq(s["unchanged"], len(people), "'- is the guarded -")


@test
def export_guards_an_email_a_spreadsheet_would_run():
    """An e-mail address may begin with = + - and hold | and ! (a valid
    address, and a formula cell in LibreOffice): written with the guard
    like a name or address, taken off on import."""
    emails = ["=cmd|'/Ccalc'!A0@contoh.id", "+warga@contoh.id", "-warga@contoh.id",
              "warga@contoh.id"]
    with Reg() as r:
        people = [dict(person(760 + i), email=e) for i, e in enumerate(emails)]
        s, _, _, _ = r.imp(csv_text(people))
        eq(s["inserted"], len(people), "imported")
        exp1 = r.export()
        cells = [row[COLUMNS.index("email")] for row in parse_csv(exp1)[1:]]
        eq(sorted(cells), sorted(["'=cmd|'/Ccalc'!A0@contoh.id", "'+warga@contoh.id",
                                  "'-warga@contoh.id", "warga@contoh.id"]), "e-mail cells")
        s, _, _, _ = r.imp(exp1)
        eq((s["unchanged"], s["updated"], s["inserted"]), (len(people), 0, 0), "round trip")
        eq(r.export(), exp1, "export after the round trip")


def sheet_cells(csv_path, tmp):
    """Opens csv_path in LibreOffice (headless, converted to .xlsx) and
    returns the first sheet's XML, where a formula is an <f> element."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing (scripts/deps.sh --test installs it)"
    env = dict(os.environ, HOME=tmp)
    p = subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "xlsx",
                        "--outdir", tmp, csv_path], env=env, capture_output=True, timeout=180)
    out = os.path.join(tmp, os.path.splitext(os.path.basename(csv_path))[0] + ".xlsx")
    assert p.returncode == 0 and os.path.exists(out), p.stderr.decode("utf-8", "replace")
    with zipfile.ZipFile(out) as z:
        return z.read("xl/worksheets/sheet1.xml").decode("utf-8")


@test
def export_opened_in_libreoffice_has_no_formula():
    """The outside test's check: an export holding addresses that begin
    with = + - @ opens in LibreOffice with no formula cell, while the same
    text unguarded does become a formula there."""
    h.sqlite_only("the export file is the same on both backends")
    with Reg() as r:
        evil = ["=1+1", "=HYPERLINK(\"http://contoh.id\",\"Klik\")", "+1+1", "-1+1", "@SUM(1+2)"]
        r.imp(csv_text([dict(person(800 + i), alamat=a) for i, a in enumerate(evil)]))
        path = r.write(r.export(), "ekspor.csv")
        raw = r.write("a,b\n=1+1,x\n", "mentah.csv")
        assert "<f" in sheet_cells(raw, r.tmp), "LibreOffice here does not run formulas at all"
        sheet = sheet_cells(path, r.tmp)
        assert "<f" not in sheet, "a formula cell in the export: %s" % re.findall(r"<f[^>]*>[^<]*", sheet)


@test
def export_of_mixed_schemes_reimports_unchanged():
    """The spec: "Importing an export changes nothing".  The export has no
    scheme column, so re-importing it (without --scheme) must not move
    participants registered under another scheme to the current one."""
    with Reg() as r:
        p21, p23 = person(1), person(2)
        r.imp(csv_text([p21]), "--scheme", "2021")
        r.imp(csv_text([p23]), "--scheme", "2023")
        exp1, tab1 = r.export(), r.table()
        s, _, _, _ = r.imp(exp1)
        eq((s["inserted"], s["updated"], s["unchanged"]), (0, 0, 2),
           "summary of re-importing the export (one participant is under scheme 2021)")
        eq(r.table(), tab1, "participant table")


@test
def export_into_fresh_db_with_same_key_gives_identical_export():
    with Reg("a") as a, Reg("b") as b:
        a.imp(csv_text(varied_people()))
        exp_a = a.export()
        # (1) --key-file pointing at A's key
        s, _, _, _ = b.imp(exp_a, "--key-file", a.key)
        eq(s["inserted"], len(varied_people()), "inserted into the fresh database")
        assert not os.path.exists(b.key), "--key-file ignored: a default key was created"
        eq(b.export("--key-file", a.key), exp_a, "export of the fresh database (--key-file)")
        # (2) a copy of the key file at the default place
    with Reg("a") as a, Reg("c") as c:
        a.imp(csv_text(varied_people()))
        exp_a = a.export()
        shutil.copy2(a.key, c.key)
        c.imp(exp_a)
        eq(c.export(), exp_a, "export of the fresh database (copied key)")
        ta, tc = a.table(exclude=TIME_COLUMNS + ("pii",)), c.table(exclude=TIME_COLUMNS + ("pii",))
        eq(tc, ta, "participant tables (but time stamps and sealed bytes)")


@test
def export_region_filter():
    with Reg() as r:
        sel = [person(1, wilayah="31.74.01.1001"), person(2, wilayah="31.74.02.1001")]
        pus = [person(3, wilayah="31.71.01.1001"), person(4, wilayah="31.71.01.1004")]
        r.imp(csv_text(sel + pus))
        eq(sorted(x["nik"] for x in r.rows("--region", "31.74")),
           sorted(p["nik"] for p in sel), "--region 31.74")
        eq(sorted(x["nik"] for x in r.rows("--region", "31.71")),
           sorted(p["nik"] for p in pus), "--region 31.71")
        eq([x["nik"] for x in r.rows("--region", "31.74.02")], [sel[1]["nik"]], "district")
        eq(sorted(x["nik"] for x in r.rows("--region", "31")),
           sorted(p["nik"] for p in sel + pus), "province")
        eq(r.rows("--region", "31.72"), [], "a region without participants")
        code, out, err = r.cli(["export", "participants", "--region", "31.79"])
        assert code != 0, "unknown region accepted"


# ---- eligibility --------------------------------------------------------------------

KK = "3174010101200077"


def family():
    """Four members of one KK in registration order: adult, child, adult,
    adult."""
    return [person(1, kk=KK), person(2, kk=KK, birth="2015-05-05"),
            person(3, kk=KK, sex="P", birth="1993-04-04"), person(4, kk=KK, birth="1970-01-02")]


@test
def kk_quota_2021_third_eligible_member_is_over():
    with Reg() as r:
        f = family()
        r.imp(csv_text(f), "--scheme", "2021")
        rows = r.by_nik()
        eq(status(rows[f[0]["nik"]]), ("ya", set()), "first adult")
        eq(status(rows[f[1]["nik"]]), ("tidak", {"usia_kurang"}), "child")
        eq(status(rows[f[2]["nik"]]), ("ya", set()),
           "second adult (the under-age member does not count)")
        eq(status(rows[f[3]["nik"]]), ("tidak", {"kuota_kk_penuh"}), "third adult")


@test
def kk_quota_2020_has_no_limit():
    with Reg() as r:
        f = family()
        r.imp(csv_text(f), "--scheme", "2020")
        rows = r.by_nik()
        for p in (f[0], f[2], f[3]):
            eq(status(rows[p["nik"]]), ("ya", set()), "adult %s under 2020" % p["nik"])
        eq(status(rows[f[1]["nik"]]), ("tidak", {"usia_kurang"}), "child")


@test
def blacklist_frees_quota_and_empty_list_restores():
    with Reg() as r:
        f = family()
        r.imp(csv_text(f), "--scheme", "2021")
        j, _ = r.lst("daftar_hitam", "nik,keterangan\n%s,tidak membeli pelatihan\n" % f[0]["nik"])
        eq(j, {"list": "daftar_hitam", "read": 1, "listed": 1, "rejected": 0, "reevaluated": 1,
               "before": 0, "after": 1}, "list summary")
        rows = r.by_nik()
        eq(status(rows[f[0]["nik"]]), ("tidak", {"daftar_hitam"}), "blacklisted member")
        eq(status(rows[f[2]["nik"]]), ("ya", set()), "second adult")
        eq(status(rows[f[3]["nik"]]), ("ya", set()), "third adult freed from the quota")
        j, _ = r.lst("daftar_hitam", "nik\n")
        eq((j["read"], j["listed"], j["reevaluated"], j["before"], j["after"]), (0, 0, 1, 1, 0),
           "empty list summary")
        rows = r.by_nik()
        eq(status(rows[f[0]["nik"]]), ("ya", set()), "first adult restored")
        eq(status(rows[f[3]["nik"]]), ("tidak", {"kuota_kk_penuh"}), "third adult over again")


@test
def data_change_reevaluates_the_family():
    with Reg() as r:
        f = family()
        r.imp(csv_text(f), "--scheme", "2021")
        # the first adult becomes a civil servant: ineligible, so the third fits
        s, _, _, _ = r.imp(csv_text([dict(f[0], pekerjaan="asn")]), "--scheme", "2021")
        eq(s["updated"], 1, "updated")
        rows = r.by_nik()
        eq(status(rows[f[0]["nik"]]), ("tidak", {"pekerjaan_dikecualikan"}), "now an ASN")
        eq(status(rows[f[3]["nik"]]), ("ya", set()), "third adult freed")
        # and back
        r.imp(csv_text([f[0]]), "--scheme", "2021")
        rows = r.by_nik()
        eq(status(rows[f[0]["nik"]]), ("ya", set()), "first adult again")
        eq(status(rows[f[3]["nik"]]), ("tidak", {"kuota_kk_penuh"}), "third adult over again")
        # the second adult moves to another family card: the third fits
        r.imp(csv_text([dict(f[2], no_kk="3174010101200088")]), "--scheme", "2021")
        rows = r.by_nik()
        eq(status(rows[f[2]["nik"]]), ("ya", set()), "moved member")
        eq(status(rows[f[3]["nik"]]), ("ya", set()), "third adult after the move")


@test
def bansos_lists_apply_only_to_2021_and_2022():
    with Reg() as r:
        p21 = person(1, kk="3174010101200101")
        p22 = person(2, kk="3174010101200102")
        p23 = person(3, kk="3174010101200103")
        r.imp(csv_text([p21]), "--scheme", "2021")
        r.imp(csv_text([p22]), "--scheme", "2022")
        r.imp(csv_text([p23]), "--scheme", "2023")
        j, _ = r.lst("dtks", "NIK,nama,program\n%s,A,PKH\n%s,B,BPNT\n%s,C,PKH\n12345,x,y\n"
                     % (p21["nik"], p22["nik"], p23["nik"]))
        eq((j["list"], j["read"], j["listed"], j["rejected"]), ("dtks", 4, 3, 1),
           "dtks summary")
        rows = r.by_nik()
        eq(status(rows[p21["nik"]]), ("tidak", {"penerima_bansos"}), "2021 participant")
        eq(status(rows[p22["nik"]]), ("tidak", {"penerima_bansos"}), "2022 participant")
        eq(status(rows[p23["nik"]]), ("ya", set()), "2023 participant")
        for name in ("bsu", "bpum"):
            j, _ = r.lst(name, "nik\n%s\n" % p23["nik"])
            eq(status(r.by_nik()[p23["nik"]]), ("ya", set()), "2023 on %s" % name)


@test
def previous_recipients_are_excluded_in_every_scheme():
    with Reg() as r:
        ps = {}
        for i, sch in enumerate(("2020", "2021", "2022", "2023")):
            ps[sch] = person(i + 1, kk="31740101012002%02d" % i)
            r.imp(csv_text([ps[sch]]), "--scheme", sch)
        r.lst("penerima_sebelumnya", "nik\n" + "".join(p["nik"] + "\n" for p in ps.values()))
        rows = r.by_nik()
        for sch, p in ps.items():
            eq(status(rows[p["nik"]]), ("tidak", {"pernah_menerima"}), "scheme %s" % sch)


@test
def list_before_registration_applies_on_import():
    with Reg() as r:
        p = person(1)
        j, _ = r.lst("daftar_hitam", "nik\n%s\n" % p["nik"])
        eq((j["listed"], j["reevaluated"]), (1, 0), "nobody registered yet")
        r.imp(csv_text([p]))
        eq(status(r.by_nik()[p["nik"]]), ("tidak", {"daftar_hitam"}), "listed before import")


@test
def list_without_nik_column_is_refused_and_unknown_list_exits_2():
    with Reg() as r:
        p = person(1, kk="3174010101200301")
        r.imp(csv_text([p]), "--scheme", "2021")
        r.lst("dtks", "nik\n%s\n" % p["nik"])
        code, out, err = r.cli(["import", "exclusions", "--list", "dtks",
                                r.write("no_ktp,nama\n%s,x\n" % person(2)["nik"])])
        assert code != 0, "a list without a nik column was accepted: %r" % out
        eq(status(r.by_nik()[p["nik"]]), ("tidak", {"penerima_bansos"}),
           "the old list is kept after a refused one")
        code, out, err = r.cli(["import", "exclusions", "--list", "kartu_merah",
                                r.write("nik\n%s\n" % p["nik"])])
        eq(code, 2, "unknown list exit status (stderr %r)" % err)
        assert "kartu_merah" in err, err


@test
def list_round_trip_restores_state_of_an_as_of_import():
    """Adding someone to a list and removing them again must restore their
    eligibility; it must not re-judge their age on another date than the
    import did."""
    with Reg() as r:
        young = person(1, birth="2020-01-01")      # 20 on 2040-01-01
        old = person(2, birth="1990-01-01")        # 10 on 2000-01-01
        r.imp(csv_text([young]), "--as-of", "2040-01-01")
        r.imp(csv_text([old]), "--as-of", "2000-06-01")
        before = r.by_nik()
        eq(status(before[young["nik"]]), ("ya", set()), "born 2020, as of 2040")
        eq(status(before[old["nik"]]), ("tidak", {"usia_kurang"}), "born 1990, as of 2000")
        r.lst("daftar_hitam", "nik\n%s\n%s\n" % (young["nik"], old["nik"]))
        r.lst("daftar_hitam", "nik\n")
        after = r.by_nik()
        eq(status(after[young["nik"]]), status(before[young["nik"]]),
           "born 2020 after the list round trip")
        eq(status(after[old["nik"]]), status(before[old["nik"]]),
           "born 1990 after the list round trip")


@test
def as_of_changes_age_based_eligibility():
    young = person(1, birth="2008-06-01")
    with Reg() as r:
        r.imp(csv_text([young]), "--as-of", "2026-01-01")
        eq(status(r.by_nik()[young["nik"]]), ("tidak", {"usia_kurang"}), "as of 2026-01-01")
    with Reg() as r:
        r.imp(csv_text([young]), "--as-of", "2026-07-01")
        eq(status(r.by_nik()[young["nik"]]), ("ya", set()), "as of 2026-07-01")
    with Reg() as r:
        code, out, err = r.cli(["import", "participants", r.write(csv_text([young])),
                                "--as-of", "2026-13-01"])
        assert code != 0, "a bad --as-of was accepted"
        eq(r.count(), 0, "participants after a bad --as-of")


@test
def unknown_scheme_exits_non_zero():
    with Reg() as r:
        code, out, err = r.cli(["import", "participants", r.write(csv_text([person(1)])),
                                "--scheme", "2019"])
        assert code != 0, "unknown scheme accepted: %r" % out
        assert "2019" in err, err
        eq(r.count(), 0, "participants")


@test
def scheme_2023_upper_age_limit():
    with Reg() as r:
        old = person(1, birth="1960-06-15")      # 65 on 2026-01-01
        limit = person(2, birth="1961-06-15")    # 64
        r.imp(csv_text([old, limit]), "--scheme", "2023", "--as-of", "2026-01-01")
        rows = r.by_nik()
        eq(status(rows[old["nik"]]), ("tidak", {"usia_lebih"}), "aged 65 under 2023")
        eq(status(rows[limit["nik"]]), ("ya", set()), "aged 64 under 2023")
    with Reg() as r:
        r.imp(csv_text([old]), "--scheme", "2021", "--as-of", "2026-01-01")
        eq(status(r.by_nik()[old["nik"]]), ("ya", set()), "aged 65 under 2021 (no limit)")


@test
def several_reasons_at_once():
    with Reg() as r:
        p = person(1, birth="2012-02-02", pekerjaan="pelajar")
        r.lst("daftar_hitam", "nik\n%s\n" % p["nik"])
        r.imp(csv_text([p]), "--scheme", "2021")
        eq(status(r.by_nik()[p["nik"]]),
           ("tidak", {"usia_kurang", "sedang_sekolah", "daftar_hitam"}), "all reasons")


# ---- personal data at rest ------------------------------------------------------------

def pii_strings(people):
    out = []
    for p in people:
        out += [p["nik"], p["no_kk"], p["no_hp"], "+62" + p["no_hp"][1:],
                p["no_hp"][1:], p["email"], p["alamat"]]
    return [x for x in out if x]


@test
def audit_rows_without_personal_data():
    with Reg() as r:
        ps = [person(i, kk="3174010101200%03d" % (400 + i % 2)) for i in range(1, 5)]
        r.imp(csv_text(ps), "--scheme", "2021")
        r.imp(csv_text([dict(ps[0], no_hp="081377778888", alamat="Alamat Pindah 3")]),
              "--scheme", "2021")
        r.lst("daftar_hitam", "nik,nama\n%s,%s\n" % (ps[1]["nik"], ps[1]["nama"]))
        rows = r.sql("SELECT action, subject, detail FROM audit ORDER BY id")
        acts = [a for a, _, _ in rows]
        eq(acts.count("participant.insert"), 4, "insert audit rows (%r)" % acts)
        assert acts.count("participant.update") >= 1, "no update audit row: %r" % acts
        assert any("list" in a for a in acts), "no list audit row: %r" % acts
        ids = {x[0] for x in r.sql("SELECT id FROM participant")}
        for a, subj, _ in rows:
            if a.startswith("participant.insert") or a.startswith("participant.update"):
                assert subj in ids, "audit subject %r is not a participant id" % subj
        secrets = pii_strings(ps) + ["081377778888", "+6281377778888", "Alamat Pindah 3"]
        secrets += [p["nama"] for p in ps]
        for a, subj, detail in rows:
            for sec in secrets:
                assert sec not in detail, "audit detail %r contains %r" % (detail, sec)
        upd = [d for a, _, d in rows if a == "participant.update"]
        assert any("no_hp" in d and "alamat" in d for d in upd), \
            "update detail does not name the changed fields: %r" % upd


@test
def raw_database_and_wal_hold_no_personal_data():
    with Reg() as r:
        ps = [person(1, email="rahasia.satu@contoh.co.id"),
              person(2, kk="3174019999200002", sex="P", email="rahasia.dua@contoh.co.id",
                     alamat="Jalan Sangat Rahasia No. 99"),
              person(3, nik_region="317901", alamat='Gg. "Sunyi", Blok Z')]

        def work():
            r.imp(csv_text(ps), "--scheme", "2021")
            r.lst("dtks", "nik,nama,no_hp,email\n%s,%s,%s,%s\n"
                  % (ps[0]["nik"], ps[0]["nama"], ps[0]["no_hp"], ps[0]["email"]))
            r.imp(csv_text([dict(ps[1], no_hp="081355554444")]), "--scheme", "2021")
            # SQLite: the file, WAL and shared memory; PostgreSQL: a data dump
            return r.db.raw_dump()

        if h.PG:
            blobs = work()
            assert len(blobs.get("pg_dump", b"")) > 0, "no dump to check"
        else:
            # hold a connection open so the WAL survives the importer's exit
            keep = sqlite3.connect(r.db.path)
            try:
                keep.execute("SELECT count(*) FROM participant").fetchone()
                blobs = work()
            finally:
                keep.close()
            assert "-wal" in blobs and len(blobs["-wal"]) > 0, \
                "no WAL to check: %r" % list(blobs)
        secrets = pii_strings(ps) + ["081355554444", "+6281355554444"]
        found = []
        for name, data in blobs.items():
            for sec in secrets:
                for enc in h.raw_encodings(sec):
                    if enc in data:
                        found.append("%r in %s" % (sec, name))
        assert not found, "personal data in clear: " + ", ".join(sorted(set(found)))
        # names are stored in clear (search): check the test looks at the right bytes
        whole = b"".join(blobs.values())
        assert ps[0]["nama"].encode() in whole, "the clear-text name was not found at all"
        eq(len(r.rows()), 3, "still readable with the key")


@test
def wrong_key_file_export_fails():
    with Reg() as r:
        ps = [person(1), person(2)]
        r.imp(csv_text(ps))
        other = r.path("other.key")
        with open(other, "w") as f:
            f.write("ab" * 32 + "\n")
        os.chmod(other, 0o600)
        code, out, err = r.cli(["export", "participants", "--key-file", other])
        assert code != 0, "export with another key exited 0:\n%s" % out
        data = [x for x in parse_csv(out)[1:] if x]
        eq(data, [], "rows printed with the wrong key")
        for p in ps:
            assert p["nama"] not in out
        # a key file readable by others is refused
        os.chmod(other, 0o644)
        code, out, err = r.cli(["export", "participants", "--key-file", other])
        assert code != 0, "a world-readable key file was accepted"


@test
def import_with_another_key_does_not_duplicate_participants():
    """Upsert is keyed by NIK.  An import run with another key (a wrong
    --key-file, or a lost default key file that gets re-created) cannot
    recognise the stored NIKs: it must fail, not add a second record for
    the same NIK (after which no key can export the registry)."""
    with Reg() as r:
        p = person(1)
        r.imp(csv_text([p]))
        other = r.path("other.key")
        with open(other, "w") as f:
            f.write("cd" * 32 + "\n")
        os.chmod(other, 0o600)
        code, out, err = r.cli(["import", "participants", r.write(csv_text([p])),
                                "--key-file", other])
        n = r.count()
        assert code != 0 and n == 1, \
            "import with another key: exit %d, %d participant rows for one NIK" % (code, n)


@test
def import_after_losing_the_key_file_does_not_duplicate_participants():
    with Reg() as r:
        p = person(1)
        r.imp(csv_text([p]))
        os.unlink(r.key)
        code, out, err = r.cli(["import", "participants", r.write(csv_text([p]))])
        n = r.count()
        assert code != 0 and n == 1, \
            "import after the key file was lost: exit %d, %d participant rows for one NIK" \
            % (code, n)


# ---- kill and resume --------------------------------------------------------------------

def same_export(exp_a, exp_b, what):
    """Two exports are equal, or the first lines that differ are shown."""
    if exp_b != exp_a:
        la, lb = exp_a.splitlines(), exp_b.splitlines()
        diff = [(i, x, y) for i, (x, y) in enumerate(zip(la, lb)) if x != y][:5]
        raise AssertionError("export %s differs (%d vs %d lines); first differences: %r"
                             % (what, len(la), len(lb), diff))


def compare_tables(a, b, what, ids=True):
    """The participant tables of two registries hold the same rows in the
    same id order (ids too unless not `ids`), times and sealed boxes aside."""
    excl = TIME_COLUMNS + ("pii",) + (() if ids else ("id",))
    (ca, ta), (cb, tb) = a.table(exclude=excl), b.table(exclude=excl)
    if (ca, ta) != (cb, tb):
        diff = [(x, y) for x, y in zip(ta, tb) if x != y]
        cols = sorted({c for x, y in diff for c, u, v in zip(ca, x, y) if u != v})
        first = [{c: (u, v) for c, u, v in zip(ca, x, y) if u != v} for x, y in diff[:3]]
        raise AssertionError("%s: participant tables differ (ids, blind indexes, digests, "
                             "reasons): %d vs %d rows, %d rows differ, in columns %r; "
                             "first differences: %r"
                             % (what, len(ta), len(tb), len(diff), cols, first))


def big_file(n=30000, seed=20260101, repeats=True, shuffle=False):
    """Deterministic: families sharing KK numbers, ~5% bad rows, some NIKs
    repeated later in the file with changed data (unless not `repeats`),
    some under-age.  Families sit on consecutive rows unless `shuffle`."""
    rnd = random.Random(seed)
    regions = ["317401", "317402", "317101", "317501", "317301"]
    villages = ["31.74.01.1001", "31.74.02.1001", "31.71.01.1001", "31.75.01.1001",
                "31.73.01.1001"]
    seen = set()
    rows = []
    earlier = []
    kk_no = 0
    family_left = 0
    for i in range(n):
        if family_left == 0:
            kk_no += 1
            family_left = rnd.choice((1, 1, 2, 3, 3, 4))
            kk = "3174%04d%08d" % (rnd.randint(1, 9999), kk_no)
        family_left -= 1
        roll = rnd.random()
        if repeats and earlier and roll < 0.01:
            # a repeat of an earlier NIK, with new data (sometimes a new KK)
            p = dict(rnd.choice(earlier))
            p["nama"] = p["nama"] + " Baru"
            p["no_hp"] = "0813%08d" % i
            if rnd.random() < 0.3:
                p["no_kk"] = "3175%012d" % i
            rows.append(p)
            continue
        while True:
            y = rnd.randint(1955, 2012)
            birth = "%04d-%02d-%02d" % (y, rnd.randint(1, 12), rnd.randint(1, 28))
            sex = rnd.choice("LP")
            reg = rnd.randrange(len(regions))
            nik = nik_of(birth, sex, rnd.randint(1, 9999), regions[reg])
            if nik not in seen:
                seen.add(nik)
                break
        p = person(0, birth=birth, sex=sex, kk=kk, wilayah=villages[reg], nik=nik,
                   nama="Orang %d" % i, no_hp="0812%08d" % i, email="o%d@contoh.id" % i,
                   alamat="Jl. %d, RT %d" % (i, i % 13),
                   pekerjaan=rnd.choice(("", "karyawan_swasta", "wiraswasta", "lainnya",
                                         "mahasiswa", "asn")))
        if roll > 0.95:
            kind = rnd.randrange(4)
            if kind == 0:
                p["no_hp"] = "12345"
            elif kind == 1:
                p["nik"] = p["nik"][:15]
            elif kind == 2:
                p["kode_wilayah"] = "32.73.01.1001"
            else:
                p["segmen"] = "?"
        else:
            earlier.append(p)
        rows.append(p)
    if shuffle:
        rnd.shuffle(rows)
    return csv_text(rows)


@test
def killed_import_resumes_to_the_state_of_one_clean_run():
    text = big_file()
    with Reg("a") as a, Reg("b") as b:
        path = a.write(text, "big.csv")
        t0 = time.monotonic()
        sa, _, _, _ = a.imp(path, "--scheme", "2021")
        clean = time.monotonic() - t0
        exp_a = a.export()
        eq(a.integrity(), "ok", "integrity of the clean run")
        assert sa["rejected"] > 1000 and sa["updated"] > 100, "generator: %r" % sa
        assert "kuota_kk_penuh" in exp_a, "generator: no family over the quota"
        shutil.copy2(a.key, b.key)

        def start():
            return subprocess.Popen([h.binary(), "import", "participants", path, "--scheme",
                                     "2021"] + b.db.args(), cwd=b.tmp, env=h.base_env(),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        total = a.count()
        poll = h.Poller(b.db)

        def count():
            return poll.count()

        def run_until(cond):
            """Starts an import into B and SIGKILLs it once cond(elapsed,
            rows at start) holds; returns (status, participants after)."""
            n0 = count()
            t = time.monotonic()
            p = start()
            while p.poll() is None:
                if cond(time.monotonic() - t, n0):
                    p.kill()
                    break
                time.sleep(0.005)
            p.communicate(timeout=60)
            return p.returncode, count()

        conditions = [
            ("right at start", lambda dt, n0: True),
            ("after 0.3 s", lambda dt, n0: dt >= 0.3),
            ("right after the first commit", lambda dt, n0: count() > n0),
            ("right after the next commit", lambda dt, n0: count() > n0),
            ("half-way by time", lambda dt, n0: dt >= clean * 0.5),
        ]
        kills = []
        try:
            for what, cond in conditions:
                kills.append((what,) + run_until(cond))
        finally:
            poll.close()
        assert sum(1 for k in kills if k[1] == -9 and 0 < k[2] < total) >= 2, \
            "fewer than two kills landed in the middle of the import: %r" % kills
        h.diag("clean run %.1fs, %d participants; kills (when, status, participants): %r"
               % (clean, total, kills))
        eq(b.integrity(), "ok", "integrity after the kills")
        sb, _, _, _ = b.imp(path, "--scheme", "2021")
        eq((sb["read"], sb["rejected"]), (sa["read"], sa["rejected"]), "resumed run read/rejected")
        eq(b.integrity(), "ok", "integrity after the resumed run")
        same_export(exp_a, b.export(), "after kill+resume")
        # (PostgreSQL sequences are not transactional: rows of a killed
        # batch use up ids, so the resumed run's ids have gaps.  The rows
        # are compared in id order, so the order, which decides the
        # family-card limit, must still be the same.)
        compare_tables(a, b, "kill+resume", ids=not h.PG)


@test
def two_imports_of_one_file_at_once_end_as_one_clean_run():
    """Two operators start the same import at the same moment.  On
    PostgreSQL both run at once: a batch that meets the other's new rows
    (a NIK inserted meanwhile) or loses a deadlock is undone and redone.
    On SQLite they take turns, a transaction at a time.  Either way every
    person is inserted once, and the end state is that of one clean run."""
    text = big_file(8000, seed=20261128)
    with Reg("a") as a, Reg("b") as b:
        path = a.write(text, "big.csv")
        sa, _, _, _ = a.imp(path, "--scheme", "2021")
        exp_a = a.export()
        shutil.copy2(a.key, b.key)
        code, _, err = b.cli(["migrate"])
        eq(code, 0, "migrate: " + err)
        procs = [subprocess.Popen([h.binary(), "import", "participants", path, "--scheme",
                                   "2021"] + b.db.args(), cwd=b.tmp, env=h.base_env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(2)]
        outs = [p.communicate(timeout=300) for p in procs]
        sums = []
        for p, (out, err) in zip(procs, outs):
            err = err.decode("utf-8", "replace")
            eq(p.returncode, 0, "concurrent import failed: " + err[-800:])
            assert "Sanitizer" not in err and "runtime error" not in err, err[-2000:]
            sums.append(json.loads(out.decode().strip().splitlines()[-1]))
        h.diag("two imports at once: %r" % [(s["inserted"], s["updated"], s["unchanged"])
                                             for s in sums])
        eq(sum(s["inserted"] for s in sums), sa["inserted"], "each person inserted once")
        eq([s["rejected"] for s in sums], [sa["rejected"]] * 2, "rejected by each run")
        eq(b.integrity(), "ok", "integrity after two imports at once")
        eq(b.count(), a.count(), "participants")
        same_export(exp_a, b.export(), "after two imports at once")


@test
def import_that_loses_a_deadlock_commits_what_came_before():
    """PostgreSQL.  An import's second batch waits for a row another
    session holds, and that session then asks for a row of the import's
    first batch: a deadlock.  The import detects it first and loses.  It
    commits its first batch, whose locks the other session waits for, and
    does the second batch again after the other session commits.  Redone
    in the same transaction, the second batch would meet the same cycle
    again and again, until the import gave up."""
    if not h.PG:
        raise h.Skip("PostgreSQL: SQLite has one writer")
    with Reg() as r:
        rows = [person(i, kk="3174010101%06d" % i) for i in range(1, 3001)]
        s1, _, _, _ = r.imp(csv_text(rows), "--scheme", "2021")
        eq(s1["inserted"], 3000, "first import")
        first, last = r.sql("SELECT min(id), max(id) FROM participant")[0]
        for p in rows:
            p["nama"] = p["nama"] + " Baru"
        path = r.write(csv_text(rows), "changed.csv")
        e = h.PsqlSession(r.db.url)
        try:
            # The import looks for deadlocks after waiting 3 s, this session
            # after 30 s: the import is the one to find it, and this session
            # has 3 s to close the cycle (a backend looks only once per wait).
            e.run("SET deadlock_timeout = '30s'; BEGIN;"
                  " SELECT id FROM participant WHERE id = %d FOR UPDATE;" % last)
            imp = subprocess.Popen([h.binary(), "import", "participants", path, "--scheme",
                                    "2021"] + r.db.args(), cwd=r.tmp,
                                   env=h.base_env({"PGOPTIONS": "-c deadlock_timeout=3s"}),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            # the import's second batch waits for the row this session holds
            waiting = "0"
            for _ in range(400):
                waiting = h.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type ="
                                 " 'Lock' AND datname = current_database()", r.db.url).strip()
                if waiting != "0" or imp.poll() is not None:
                    break
                time.sleep(0.05)
            eq(waiting, "1", "the import waiting for the session's row")
            got = e.run("SELECT id FROM participant WHERE id = %d FOR UPDATE;" % first)
            assert "deadlock" not in got, "the other session lost the deadlock: %r" % got
            eq(got.strip(), str(first), "the session got the first batch's row")
            eq(e.run("COMMIT;").strip(), "", "commit")
            out, err = imp.communicate(timeout=120)
            err = err.decode("utf-8", "replace")
            eq(imp.returncode, 0, "import (stderr %r)" % err[-800:])
            s2 = json.loads(out.decode().strip().splitlines()[-1])
            eq((s2["updated"], s2["inserted"], s2["unchanged"]), (3000, 0, 0), "second import")
        finally:
            e.close()
        eq(r.sql("SELECT count(*) FROM participant")[0][0], 3000, "participants")
        eq(r.integrity(), "ok", "integrity")


BULK = {"PRAKERJA_IMPORT_BULK_MB": "0"}  # every file into an empty registry loads in bulk


def participant_indexes(r):
    if h.PG:
        rows = r.sql("SELECT indexname FROM pg_indexes WHERE tablename = 'participant'")
    else:
        rows = r.sql("SELECT name FROM sqlite_master WHERE type = 'index'"
                     " AND tbl_name = 'participant'")
    return sorted(x[0] for x in rows if not x[0].endswith("_pkey"))


def same_name_index(a, b, what):
    """SQLite: b's name index (FTS5) is whole (its integrity-check reads
    every name of the table and compares) and finds the names a's finds."""
    b.sql("INSERT INTO participant_name(participant_name) VALUES ('integrity-check')")
    # the load's own settings of the index (merges of 16, 8 MiB of
    # postings in memory) are undone: later writes use FTS5's defaults
    config = dict(b.sql("SELECT k, v FROM participant_name_config"
                        " WHERE k IN ('automerge', 'hashsize')"))
    eq((config.get("automerge", 4), config.get("hashsize", 1048576)), (4, 1048576),
       "%s: the name index's settings" % what)
    for q in ('"123"', '"orang 12"', '"baru"', '"ang 7"', '"rang"'):
        found = [r.sql("SELECT p.nama FROM participant_name f JOIN participant p"
                       " ON p.id = f.rowid WHERE participant_name MATCH ? ORDER BY f.rowid",
                       (q,)) for r in (a, b)]
        assert found[0] or q == '"baru"', "%s: nothing found for %s" % (what, q)  # (repeats)
        eq(found[1], found[0], "%s: names found for %s" % (what, q))


@test
def bulk_load_of_an_empty_registry_equals_the_row_by_row_import():
    """A large file into an empty registry loads in one transaction with
    the indexes built at the end and the family-card limit applied after
    them; the result is the row-by-row import's, row for row.  A NIK that
    repeats in the file (with new data, some with a new KK, or the very
    same line again) is folded into its first row after the load, as an
    update or as unchanged: the same rows in the same order, the ids with
    a gap per repeat.  Exclusion lists imported before apply (the second
    run)."""
    for repeats in (False, True):
        # families spread over the file (and so over batches) without
        # repeats: enough of them (over 4,096 of three or more members)
        # that the pass after the load pages through them
        text = big_file(12000 if repeats else 26000, seed=20261128, repeats=repeats,
                        shuffle=not repeats)
        if repeats:  # and some lines twice, word for word, further on
            lines = text.splitlines(keepends=True)
            rnd = random.Random(11)
            for i in sorted(rnd.sample(range(1, len(lines)), 40), reverse=True):
                lines.insert(rnd.randrange(i + 1, len(lines) + 1), lines[i])
            text = "".join(lines)
        with Reg("a") as a, Reg("b") as b:
            path = a.write(text, "big.csv")
            listed = ""
            if repeats:
                niks = [row["nik"] for row in csv.DictReader(io.StringIO(text))][:3000:10]
                listed = "nik\n" + "".join(n + "\n" for n in niks)
                j, _ = a.lst("daftar_hitam", listed)
                assert j["listed"] > 250, j
            sa, _, err_a, _ = a.imp(path, "--scheme", "2021")
            assert "bulk" not in err_a, err_a
            shutil.copy2(a.key, b.key)
            if listed:
                b.lst("daftar_hitam", listed)
                assert "daftar_hitam" in a.export(), "no listed person among the accepted"
            # with repeats, another connection has the database open: the
            # SQLite load keeps the WAL then (no rollback journal)
            other = sqlite3.connect(b.db.path) if repeats and not h.PG else None
            if other is not None:
                eq(other.execute("SELECT count(*) FROM participant").fetchone(), (0,))
            sb, _, err_b, _ = b.imp(path, "--scheme", "2021", env=BULK)
            if other is not None:
                eq(other.execute("SELECT count(*) FROM participant").fetchone()[0], sa["inserted"],
                   "rows seen by the other connection")
                other.close()
            assert "loading in bulk" in err_b, err_b
            assert ("folded into the first row of its NIK" in err_b) == repeats, err_b
            if repeats:
                assert sa["updated"] > 50 and sa["unchanged"] > 10, sa
            eq(sb, sa, "summary of the bulk load (repeats=%r)" % repeats)
            eq(b.integrity(), "ok")
            if not h.PG:  # the name index, rebuilt at the end of the load
                same_name_index(a, b, "bulk load (repeats=%r)" % repeats)
            if not h.PG:  # loaded with a rollback journal, then back to the WAL
                eq(b.sql("PRAGMA journal_mode"), [("wal",)], "journal mode after the bulk load")
                # (and without the per-row region check: every region still exists)
                eq(b.sql("PRAGMA foreign_key_check(participant)"), [], "foreign keys")
            eq(participant_indexes(b), participant_indexes(a), "indexes after the bulk load")
            if h.PG:  # usable by the loading transaction itself: the fold updated no row in place
                eq(b.sql("SELECT count(*) FROM pg_index WHERE indcheckxmin AND"
                         " indrelid = 'participant'::regclass"), [(0,)], "indexes usable at once")
            assert "kuota_kk_penuh" in a.export(), "generator: no family over the quota"
            same_export(a.export(), b.export(), "after the bulk load (repeats=%r)" % repeats)
            compare_tables(a, b, "bulk load (repeats=%r)" % repeats, ids=not repeats)
            # every sealed box has its own nonce (bytes 2-25: after the
            # generation byte), across the two registries too
            q = ("SELECT encode(substring(pii from 2 for 24), 'hex') FROM participant" if h.PG
                 else "SELECT hex(substr(pii, 2, 24)) FROM participant")
            nonces = [x[0].lower() for r in (a, b) for x in r.sql(q)]
            assert len(nonces) > 20000 and all(len(x) == 48 for x in nonces), nonces[:3]
            eq(len(set(nonces)), len(nonces), "distinct nonces")
            # the audit log: one entry per bulk batch (its ids and count, the
            # repeats among them), one per repeat that changed something
            audit = b.sql("SELECT action, detail FROM audit")
            batches = [d for act, d in audit if act == "participants.insert"]
            assert batches and all(re.fullmatch(r"ids=\d+-\d+ count=\d+ fields=all", d)
                                   for d in batches), batches[:3]
            eq(sum(1 for act, _ in audit if act == "participant.insert"), 0, "single inserts")
            eq(sum(int(d.split("count=")[1].split()[0]) for d in batches),
               sb["inserted"] + sb["updated"] + sb["unchanged"], "inserts in the audit log")
            updates = [d for act, d in audit if act == "participant.update"]
            eq(len(updates), sb["updated"], "updates in the audit log")
            assert all(re.fullmatch(r"fields=[a-z_,]+ repeat=\d+", d) for d in updates), updates[:3]
            eq(sorted(d.split()[0] for d in updates),
               sorted(d for act, d in a.sql("SELECT action, detail FROM audit")
                      if act == "participant.update"), "fields named by the updates")
            # and the registry works as ever afterwards: a second import goes
            # row by row, exactly as on the registry loaded row by row
            s2b, _, err2, _ = b.imp(path, "--scheme", "2021", env=BULK)
            assert "bulk" not in err2, err2
            s2a, _, _, _ = a.imp(path, "--scheme", "2021")
            eq(s2b, s2a, "second import after the bulk load")
            if not h.PG:  # the triggers' writes into the index the load rebuilt
                same_name_index(a, b, "second import after the bulk load")
            if not repeats:
                eq((s2b["inserted"], s2b["updated"]), (0, 0), "second import changes nothing")
            eq(b.export(), a.export(), "export after the second import")


@test
def killed_bulk_load_leaves_the_registry_empty_and_runs_again():
    """A bulk load is one transaction: killed while loading or while
    building the indexes, it leaves the registry empty (with its indexes),
    and running it again gives the clean run's registry."""
    text = big_file(12000, seed=7, repeats=False)
    with Reg("a") as a, Reg("b") as b:
        path = a.write(text, "big.csv")
        a.imp(path, "--scheme", "2021")
        total = a.count()
        shutil.copy2(a.key, b.key)
        code, _, err = b.cli(["migrate"])
        eq(code, 0, err)
        empty_kills = 0
        for marker in ("loading in bulk", "building the indexes"):
            p = subprocess.Popen([h.binary(), "import", "participants", path, "--scheme",
                                  "2021"] + b.db.args(), cwd=b.tmp, env=h.base_env(BULK),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for line in p.stderr:
                if marker.encode() in line:
                    break
            p.kill()
            err = p.stderr.read().decode("utf-8", "replace")
            p.wait(timeout=60)
            assert h.sanitizer_report(err) is None, err[-2000:]
            if not h.PG:  # nobody else had it open: the load ran with a rollback journal
                assert os.path.exists(b.db.path + "-journal"), "no hot journal after the kill"
            n = b.count()
            assert n in (0, total), "a killed bulk load left %d of %d rows" % (n, total)
            empty_kills += n == 0
            eq(b.integrity(), "ok", "integrity after a kill at %r" % marker)
            eq(participant_indexes(b), participant_indexes(a), "indexes after a kill")
        assert empty_kills >= 1, "no kill landed inside the bulk load"
        b.imp(path, "--scheme", "2021", env=BULK)
        if not h.PG:
            eq(b.sql("PRAGMA journal_mode"), [("wal",)], "journal mode after the rerun")
        same_export(a.export(), b.export(), "after a killed bulk load and a rerun")
        # (PostgreSQL: the killed run used up ids, so the rerun's have a gap;
        # the rows are compared in id order, so their order must still match)
        compare_tables(a, b, "bulk load killed and run again", ids=not h.PG)


if __name__ == "__main__":
    h.run()
