"""Black-box tests of the `prakerja` command line (TAP).

usage: python3 tests/http/test_cli.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

import harness as h
from harness import eq, run_cli, test

COMMANDS = ("serve", "migrate", "nik", "backup", "version")
NIK_MALE = "3174011708950001"
NIK_FEMALE = "3174015708950002"
# One valid record as an exchange file.
PERSON_CSV = ("nik,no_kk,nama,tanggal_lahir,jenis_kelamin,no_hp,email,kode_wilayah,alamat,"
              "pendidikan,segmen,pekerjaan\n"
              "3174011708950001,3174013001000001,Peserta Satu,1995-08-17,L,081233000001,"
              "satu@contoh.co.id,31.74.01.1001,Gang Kelinci 1,sma,pencari_kerja,"
              "karyawan_swasta\n")


class TmpDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="prakerja-cli-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
        return False


def cli(args, env=None, cwd=None, timeout=60, stdin=None):
    """run_cli in a scratch directory (so a default prakerja.db never lands
    in the source tree)."""
    if cwd is None:
        with TmpDir() as d:
            return run_cli(args, env=env, cwd=d, timeout=timeout, stdin=stdin)
    return run_cli(args, env=env, cwd=cwd, timeout=timeout, stdin=stdin)


def schema_version(db):
    """The schema version of a h.Db."""
    return db.query("SELECT max(version) FROM pk_migration")[0][0]


# ---- version, help --------------------------------------------------------

@test
def version_prints_version():
    code, out, err = cli(["version"])
    eq(code, 0, "exit status")
    assert re.fullmatch(r"prakerja \d+\.\d+\.\d+\S*\n", out), repr(out)
    code2, out2, _ = cli(["--version"])
    eq((code2, out2), (0, out), "--version")


@test
def top_level_help():
    for flag in ("--help", "-h", "help"):
        code, out, err = cli([flag])
        eq(code, 0, flag + " exit status")
        assert "usage: prakerja" in out, out
        for c in COMMANDS:
            assert re.search(r"^\s+%s\s" % c, out, re.M), "%s not listed by %s" % (c, flag)


@test
def every_command_has_help():
    for c in COMMANDS:
        for flag in ("--help", "-h"):
            code, out, err = cli([c, flag])
            eq(code, 0, "%s %s exit status (stderr %r)" % (c, flag, err))
            assert "prakerja %s" % c in out, "%s %s: %r" % (c, flag, out)
    code, out, _ = cli(["serve", "--help"])
    for opt in ("--listen", "--db", "--config", "--max-body"):
        assert opt in out, "serve --help lacks %s" % opt
    assert "PRAKERJA_DB" in out and "PRAKERJA_LISTEN" in out, "env vars documented"
    # --help wins over anything else on the line, even a bad option
    code, out, _ = cli(["migrate", "--db", "x.db", "--help"])
    eq(code, 0, "migrate --db x --help")


# What each command's and subcommand's --help must list: its own options
# (a subcommand's also appear in its command's help), then the settings.
SETTINGS = ("--db", "--key-file", "--config", "--db-private", "--data-dir", "--schemes-file",
            "--service-province", "--import-bulk-mb", "--mode")
SERVER_SETTINGS = ("--listen", "--threads", "--max-connections", "--per-ip-connections",
                   "--timeout", "--request-timeout", "--max-body", "--session-idle",
                   "--session-max", "--cookie-secure", "--login-max-failures", "--login-window",
                   "--login-max-failures-address", "--login-backoff", "--login-backoff-max",
                   "--hash-concurrency", "--hash-wait-ms", "--rate-limits", "--rate-lookup",
                   "--burst-lookup", "--rate-check", "--burst-check", "--rate-register",
                   "--burst-register", "--rate-login", "--burst-login", "--trusted-proxy",
                   "--stats-min-count")
HELP = {
    ("serve",): SERVER_SETTINGS,
    ("migrate",): (),
    ("nik",): (),
    ("audit",): ("--writes", "--reads", "--user", "--kind", "--since", "--until", "--limit",
                 "--sweeps", "--threshold"),
    ("import", "participants"): ("--scheme", "--as-of", "--rejects"),
    ("import", "exclusions"): ("--list",),
    ("import", "courses"): ("--rejects",),
    ("export", "participants"): ("--region", "--output"),
    ("user", "add"): ("--username", "--role", "--region", "--password-stdin"),
    ("user", "passwd"): ("--username", "--password-stdin"),
    ("user", "disable"): ("--username",),
    ("user", "enable"): ("--username",),
    ("user", "list"): (),
    ("user", "unlock"): ("--username",),
    ("token", "create"): ("--username", "--label"),
    ("token", "revoke"): ("--id",),
    ("token", "list"): ("--username", "--user"),
    ("platform", "add"): ("--code", "--name"),
    ("platform", "rotate"): ("--code",),
    ("platform", "disable"): ("--code",),
    ("platform", "list"): (),
    ("keys", "rotate"): ("--batch",),
    ("keys", "prune"): (),
    ("ledger", "verify"): (),
    ("stats", "verify"): (),
    ("stats", "rebuild"): (),
    ("backup",): ("--output",),
    ("jobs", "run"): ("--date",),
    ("consent", "stop"): ("--nik", "--purpose"),
    ("consent", "start"): ("--nik", "--purpose"),
    ("outreach", "create"): ("--kind", "--title", "--starts", "--place", "--village",
                             "--organiser", "--segment"),
    ("outreach", "list"): ("--region", "--upcoming", "--past"),
    ("outreach", "show"): ("--id",),
    ("outreach", "attendance"): ("--id", "--count"),
}


def listed(out, opt):
    """Is --opt listed as an option (at the start of a line of the help)?"""
    return re.search(r"^\s+%s(\s|$)" % re.escape(opt), out, re.M) is not None


@test
def every_command_and_subcommand_help_lists_its_options():
    fails = []
    subs = {}
    for cmd, opts in HELP.items():
        subs.setdefault(cmd[0], []).append((cmd[1:], opts))
        code, out, err = cli(list(cmd) + ["--help"])
        if code != 0 or ("prakerja %s" % " ".join(cmd)) not in out:
            fails.append("%s --help: exit %d, %r" % (cmd, code, out[:200]))
            continue
        for opt in opts + SETTINGS:
            if not listed(out, opt):
                fails.append("%s --help does not list %s" % (" ".join(cmd), opt))
        if cmd != ("serve",) and listed(out, "--listen"):
            fails.append("%s --help lists the server's --listen" % (cmd,))
    # a command's help lists every subcommand with its options
    for c, entries in subs.items():
        code, out, err = cli([c, "--help"])
        eq(code, 0, "%s --help" % c)
        for sub, opts in entries:
            if sub and "prakerja %s %s" % (c, sub[0]) not in out:
                fails.append("%s --help does not show %s" % (c, sub[0]))
            for opt in opts:
                if not listed(out, opt):
                    fails.append("%s --help does not list %s" % (c, opt))
    # the subcommand's help is its own, not the command's
    code, out, _ = cli(["import", "participants", "--help"])
    if listed(out, "--list"):
        fails.append("import participants --help lists exclusions' --list")
    assert not fails, "\n".join(fails)


@test
def help_with_options_before_the_subcommand():
    code, out, err = cli(["import", "--db", "x.db", "participants", "--help"])
    eq(code, 0, "exit status (stderr %r)" % err)
    assert listed(out, "--rejects") and not listed(out, "--list"), out
    code, out, err = cli(["user", "--help", "unlock"])
    eq(code, 0, "exit status")
    assert "prakerja user unlock" in out and "prakerja user add" not in out, out


@test
def options_in_any_order():
    with TmpDir() as d:
        db = h.Db(d, "o")
        try:
            csv_path = os.path.join(d, "in.csv")
            write(csv_path, PERSON_CSV)
            runs = [["import"] + db.args() + ["participants", csv_path],
                    ["import", "participants"] + db.args() + [csv_path],
                    ["import", "participants", csv_path] + db.args(),
                    ["import", "--as-of", "2024-01-01"] + db.args() + ["participants", csv_path]]
            for i, args in enumerate(runs):
                code, out, err = cli(args, cwd=d)
                eq(code, 0, "%s (stderr %r)" % (args, err))
                r = json.loads(out)
                eq((r["read"], r["inserted"]), (1, 1 if i == 0 else 0), "%s: %r" % (args, r))
            code, out, err = cli(["user"] + db.args() + ["list"], cwd=d)
            eq(code, 0, "user --db X list (stderr %r)" % err)
            code, out, err = cli(["user", "--password-stdin", "add", "--role", "admin"] + db.args()
                                 + ["--username", "ordered"], cwd=d, stdin=b"rahasia-sekali-123\n")
            eq(code, 0, "user --password-stdin add ... (stderr %r)" % err)
            code, out, err = cli(["user", "list"] + db.args(), cwd=d)
            assert "ordered" in out, out
        finally:
            db.drop()


@test
def unknown_options_of_subcommands_exit_2():
    for args in (["import", "participants", "--list", "dtks", "f.csv"],
                 ["import", "--nope", "participants", "f.csv"],
                 ["user", "list", "--username", "x"], ["keys", "prune", "--batch", "5"],
                 ["token", "revoke", "--label", "x", "--id", "1"]):
        code, out, err = cli(args)
        eq(code, 2, "%s exit status (stderr %r)" % (args, err))
        assert "unknown option" in err and "--help" in err, "%s: %r" % (args, err)


@test
def no_command_is_usage_error():
    code, out, err = cli([])
    eq(code, 2, "exit status")
    assert "usage" in err, err


@test
def unknown_command_exits_2():
    code, out, err = cli(["frobnicate"])
    eq(code, 2, "exit status")
    assert "frobnicate" in err and "unknown" in err.lower(), err
    eq(out, "", "stdout")
    # an option before the command: say that the command comes first
    code, out, err = cli(["--db", "x.db", "user", "list"])
    eq((code, out), (2, ""), "an option first")
    assert "command first" in err and "prakerja COMMAND --db" in err, err


@test
def bad_flags_exit_2():
    cases = [["serve", "--nope", "1"], ["serve", "--nope=1"], ["serve", "--nope"],
             ["nik", "--listen", "x", NIK_MALE], ["nik", "--listen=x", NIK_MALE],
             ["migrate", "--max-body", "100000"], ["migrate", "--threads=2"],
             ["serve", "--threads", "abc"], ["serve", "--max-body", "-5"],
             ["serve", "--timeout", "0"], ["serve", "extra-arg"], ["migrate", "extra"],
             ["version", "extra"], ["nik"], ["serve", "--db"]]
    fails = []
    for args in cases:
        code, out, err = cli(args)
        if code != 2 or not err.strip():
            fails.append("%s: exit %s, stderr %r" % (args, code, err))
    assert not fails, "\n".join(fails)


@test
def bad_flag_messages_name_the_flag():
    for args, word in ((["serve", "--nope", "1"], "--nope"), (["nik", "--listen", "x", "1"],
                                                                "--listen"),
                       (["serve", "--threads", "abc"], "threads"),
                       (["serve", "--max-body", "5"], "max_body")):
        code, out, err = cli(args)
        assert word in err, "%s: %r does not name %s" % (args, err, word)


@test
def unknown_flag_without_value_is_reported_as_unknown():
    # `serve --nope` must say the option is unknown, not that it needs a value
    for args in (["serve", "--nope"], ["migrate", "--nope"]):
        code, out, err = cli(args)
        eq(code, 2, "%s exit status" % args)
        assert "unknown" in err.lower() and "--nope" in err, "%s: %r" % (args, err)


# ---- migrate --------------------------------------------------------------

@test
def migrate_into_a_missing_directory_says_so():
    """SQLite says only 'unable to open database file' (an outside trial
    found no next step in it)."""
    h.sqlite_only("a database file's directory")
    with TmpDir() as d:
        path = os.path.join(d, "tidak-ada", "x.db")
        code, out, err = cli(["migrate", "--db", path], cwd=d)
        eq(code, 1, "exit status")
        assert "the directory %s does not exist" % os.path.dirname(path) in err, err
        assert "create it first" in err, err
        assert not os.path.exists(os.path.dirname(path)), "nothing created"


@test
def migrate_twice_is_idempotent():
    with TmpDir() as d:
        db = h.Db(d, "m", migrated=False)
        try:
            code, out, err = cli(["migrate"] + db.args(key=False), cwd=d)
            eq(code, 0, "first migrate (stderr %r)" % err)
            m = re.search(r"migrated database from schema version 0 to (\d+)", out)
            assert m, out
            n = int(m.group(1))
            assert n >= 1
            code, out, err = cli(["migrate"] + db.args(key=False), cwd=d)
            eq(code, 0, "second migrate")
            assert "up to date" in out and str(n) in out, out

            def one(q):
                return db.query(q)[0][0]
            eq(one("SELECT count(*) FROM region"), 91592, "regions")
            eq(one("SELECT count(*) FROM region WHERE level = 1"), 38, "provinces")
            eq(one("SELECT count(*) FROM region WHERE parent = '31'"), 6, "regencies of 31")
            eq(one("SELECT count(*) FROM region WHERE code LIKE '31.%' AND level = 3"), 44,
               "districts of Jakarta")
            eq(one("SELECT count(*) FROM region WHERE code LIKE '31.%' AND level = 4"), 267,
               "villages of Jakarta")
            rows = db.query("SELECT version, name, applied_at FROM pk_migration "
                            "ORDER BY version")
            eq([r[0] for r in rows], list(range(1, n + 1)), "versions")
            for v, name, at in rows:
                assert name, "migration %d without a name" % v
                assert re.match(r"\d{4}-\d\d-\d\d", at), at
            eq(one("SELECT count(*) FROM region c LEFT JOIN region p ON p.code = c.parent"
                   " WHERE c.parent IS NOT NULL AND p.code IS NULL"), 0, "every parent exists")
            if h.PG:
                eq(one("SELECT count(*) FROM pk_meta WHERE name = 'key_check'"), 0,
                   "migrate records no key check")
                # the parent constraint is added after the rows: it must
                # exist, be validated, and be enforced
                eq(db.query("SELECT conname::text, convalidated, pg_get_constraintdef(oid)"
                            " FROM pg_constraint WHERE conrelid = 'region'::regclass"
                            " AND contype = 'f'"),
                   [("region_parent_fkey", True, "FOREIGN KEY (parent) REFERENCES region(code)")],
                   "region parent foreign key")
                eq(one("SELECT indexdef FROM pg_indexes WHERE indexname = 'region_parent'"),
                   "CREATE INDEX region_parent ON public.region USING btree (parent, code)",
                   "region parent index")
                try:
                    db.execute("INSERT INTO region VALUES ('99.99', '99', 2, 'x')")
                except AssertionError as e:
                    assert "region_parent_fkey" in str(e), e
                else:
                    raise AssertionError("a region with an unknown parent was accepted")
            else:
                eq(one("PRAGMA journal_mode").lower(), "wal", "journal mode")
        finally:
            db.drop()


def region_table_exists(db):
    if h.PG:
        return db.query("SELECT to_regclass('region') IS NOT NULL")[0][0]
    return db.query("SELECT count(*) FROM sqlite_master WHERE name = 'region'")[0][0] == 1


@test
def failed_migration_changes_nothing_and_names_itself():
    """A migration that fails part way (here the region data: a village
    whose district does not exist, found by the parent constraint; then a
    malformed line at the end of the last file, after 91,000 rows) is
    rolled back whole, says which migration failed, and a later migrate
    with good data starts from where the database really is."""
    src = os.path.join(h.HERE, "..", "..", "data", "wilayah")
    cases = [("96.71.10.9999,96.71.99,Desa Tanpa Kecamatan\n",
              r"migration 1: .*(FOREIGN KEY|foreign key)"),
             ("bukan-kode,96.71.10,Desa\n",
              r"migration 1: .*villages\.csv line 83765: expected code,parent,name")]
    for extra, message in cases:
        with TmpDir() as d:
            data = os.path.join(d, "data")
            shutil.copytree(src, os.path.join(data, "wilayah"))
            with open(os.path.join(data, "wilayah", "villages.csv"), "a") as f:
                f.write(extra)
            db = h.Db(d, "f", migrated=False)
            try:
                code, out, err = cli(["migrate", "--data-dir", data] + db.args(key=False), cwd=d)
                eq(code, 1, "exit status (stdout %r)" % out)
                assert re.search(r"^prakerja: " + message, err, re.M), err
                assert not err.endswith("\n\n"), "a blank line after the message: %r" % err
                eq(db.query("SELECT count(*) FROM pk_migration")[0][0], 0, "migrations recorded")
                eq(region_table_exists(db), False, "region table after the failure")
                code, out, err = cli(["migrate"] + db.args(key=False), cwd=d)
                eq(code, 0, "migrate with good data (stderr %r)" % err)
                assert re.search(r"from schema version 0 to \d+", out), out
                eq(db.query("SELECT count(*) FROM region")[0][0], 91592, "regions")
            finally:
                db.drop()


@test
def concurrent_migrations_apply_each_once():
    """Six processes migrate one new database at once: each waits for
    the migration lock, and one applies each migration (the others find it
    applied).  On SQLite they also race to turn the new file to WAL, which
    SQLite answers with "database is locked" at once, without waiting (seen
    once in CI with three processes): opening waits and tries again."""
    with TmpDir() as d:
        db = h.Db(d, "c", migrated=False)
        try:
            env = h.base_env()
            procs = [subprocess.Popen([h.binary(), "migrate"] + db.args(key=False), cwd=d,
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for _ in range(6)]
            for p in procs:
                out, err = p.communicate(timeout=120)
                eq(p.returncode, 0, "exit status (stderr %r)" % err)
                assert h.sanitizer_report((out + err).decode()) is None, err
            rows = db.query("SELECT version FROM pk_migration ORDER BY version")
            n = rows[-1][0]
            eq([r[0] for r in rows], list(range(1, n + 1)), "each migration once")
            eq(db.query("SELECT count(*) FROM region")[0][0], 91592, "regions")
            code, out, _ = cli(["migrate"] + db.args(key=False), cwd=d)
            eq(code, 0, "migrate after")
            assert "up to date" in out, out
        finally:
            db.drop()


@test
def newer_schema_is_refused():
    with TmpDir() as d:
        db = h.Db(d, "n", migrated=False)
        try:
            code, out, err = cli(["migrate"] + db.args(key=False), cwd=d)
            eq(code, 0, "migrate")
            db.execute("INSERT INTO pk_migration(version, name, applied_at) "
                       "VALUES (999, 'from the future', '2099-01-01T00:00:00Z')")
            code, out, err = cli(["migrate"] + db.args(key=False), cwd=d)
            eq(code, 1, "migrate exit status (stderr %r)" % err)
            assert "newer" in err, err
            assert "999" in err, err
            code, out, err = cli(["nik"] + db.args() + [NIK_MALE], cwd=d)
            assert code != 0 and "newer" in err, (code, err)
            # serve refuses too, before listening
            p = subprocess.run([h.binary(), "serve"] + db.args() + ["--listen", "127.0.0.1:0"],
                               env=h.base_env(), cwd=d, capture_output=True, timeout=30)
            err = p.stderr.decode()
            assert p.returncode != 0, "serve on a newer database exited %d" % p.returncode
            assert "newer" in err, err
            assert "listening" not in err, err
            assert h.sanitizer_report(err) is None, err
            eq(schema_version(db), 999, "the newer database is left alone")
        finally:
            db.drop()


@test
def migrate_bad_db_path():
    if h.PG:
        # a database that does not exist, a socket directory without a server
        missing = h.pg_url("no_such_database_%s" % os.urandom(3).hex())
        with TmpDir() as d:
            nohost = re.sub(r"host=[^&]*", "host=" + d, h.PG_BASE)
            assert nohost != h.PG_BASE, h.PG_BASE
            for url in (missing, nohost):
                code, out, err = cli(["migrate", "--db", url], cwd=d)
                assert code != 0 and err.strip(), (url, code, err)
                assert "password" not in err.lower(), err
                code, out, err = cli(["nik", "--db", url, "--key-file",
                                      os.path.join(d, "k.key"), NIK_MALE], cwd=d)
                assert code != 0 and err.strip(), (url, code, err)
                assert not os.path.exists(os.path.join(d, "k.key")), \
                    "a key file was made for a database that could not be opened"
    with TmpDir() as d:
        code, out, err = cli(["migrate", "--db", os.path.join(d, "no", "such", "dir", "x.db")],
                             cwd=d)
        assert code != 0 and err.strip(), (code, err)
        junk = os.path.join(d, "junk.db")
        with open(junk, "wb") as f:
            f.write(b"this is not a database" * 100)
        os.chmod(junk, 0o600)
        code, out, err = cli(["migrate", "--db", junk], cwd=d)
        assert code != 0 and err.strip(), (code, err)
        assert "other users" not in err, err


@test
def database_files_are_private():
    """A new SQLite database and its -wal and -shm files are created 0600
    (names, birth dates and verdicts are in clear there); a database file
    others may read is refused with the fix in the message, unless
    db_private is off."""
    h.sqlite_only("file modes of a SQLite database")
    with TmpDir() as d:
        db = os.path.join(d, "p.db")
        old = os.umask(0o022)
        try:
            code, out, err = cli(["migrate", "--db", db], cwd=d)
        finally:
            os.umask(old)
        eq(code, 0, err)
        eq(oct(os.stat(db).st_mode & 0o777), oct(0o600), "database file mode")
        with h.Server(db=h.Db(d, "s", migrated=False)) as s:
            eq(s.json("GET", "/healthz")[0], 200)
            for suffix in ("", "-wal", "-shm"):
                path = os.path.join(d, "s.db" + suffix)
                if os.path.exists(path):
                    eq(oct(os.stat(path).st_mode & 0o777), oct(0o600), "mode of s.db" + suffix)
        os.chmod(db, 0o644)
        code, out, err = cli(["migrate", "--db", db], cwd=d)
        eq(code, 1, "a database others may read")
        assert "can be read by other users (mode 0644)" in err and "chmod 600" in err, err
        code, out, err = cli(["nik", "--db", db, NIK_MALE], cwd=d)
        eq(code, 1, "every command refuses it")
        code, out, err = cli(["migrate", "--db", db, "--db-private", "off"], cwd=d)
        eq(code, 0, "allowed with db_private off: " + err)
        os.chmod(db, 0o600)
        open(db + "-wal", "a").close()
        os.chmod(db + "-wal", 0o640)
        code, out, err = cli(["migrate", "--db", db], cwd=d)
        eq(code, 1, "a group-readable WAL")
        assert "p.db-wal" in err, err


# ---- a missing database ---------------------------------------------------

# Every command that needs a database, with what it needs besides (stdin).
NEEDS_DB = [
    (["nik", NIK_MALE], None),
    (["import", "participants", "-"], PERSON_CSV.encode()),
    (["import", "exclusions", "--list", "dtks", "-"], b"nik\n3174011708950001\n"),
    (["export", "participants"], None),
    (["user", "add", "--username", "u", "--role", "admin", "--password-stdin"],
     b"rahasia-sekali-123\n"),
    (["user", "passwd", "--username", "u", "--password-stdin"], b"rahasia-sekali-123\n"),
    (["user", "disable", "--username", "u"], None),
    (["user", "enable", "--username", "u"], None),
    (["user", "unlock", "u"], None),
    (["user", "list"], None),
    (["token", "create", "--username", "u"], None),
    (["token", "revoke", "--id", "1"], None),
    (["token", "list"], None),
    (["platform", "add", "--code", "tokopedia", "--name", "Tokopedia"], None),
    (["platform", "rotate", "--code", "tokopedia"], None),
    (["platform", "disable", "--code", "tokopedia"], None),
    (["platform", "list"], None),
    (["import", "courses", "-"], b"platform,kode_pelatihan,judul,lpk,harga,mode\n"),
    (["audit"], None),
    (["audit", "--sweeps"], None),
    (["keys", "rotate"], None),
    (["keys", "prune"], None),
]


@test
def missing_database_is_refused_and_nothing_created():
    fails = []
    for args, stdin in NEEDS_DB:
        for where in ("flag", "default"):
            with TmpDir() as d:
                extra = ["--db", os.path.join(d, "typo.db")] if where == "flag" else []
                code, out, err = cli(args + extra, cwd=d, stdin=stdin)
                name = "typo.db" if where == "flag" else "prakerja.db"
                if code != 1 or "does not exist" not in err or name not in err or \
                        "prakerja migrate --db" not in err or out != "":
                    fails.append("%s (%s): exit %d, stdout %r, stderr %r"
                                 % (args, where, code, out, err))
                left = os.listdir(d)
                if left:
                    fails.append("%s (%s) left %s" % (args, where, left))
    assert not fails, "\n".join(fails)


@test
def first_use_of_a_database_says_it_creates_the_key_file():
    with TmpDir() as d:
        db = h.Db(d, "fresh")
        try:
            assert not os.path.exists(db.key), "the template comes without a key"
            code, out, err = cli(["nik"] + db.args() + [NIK_MALE], cwd=d)
            eq(code, 0, "nik (stderr %r)" % err)
            assert "created the key file" in err and db.key in err, err
            eq(os.stat(db.key).st_mode & 0o777, 0o600, "key file mode")
            code, out, err = cli(["nik"] + db.args() + [NIK_MALE], cwd=d)
            assert "key file" not in err, "said again: %r" % err
        finally:
            db.drop()


# ---- import: progress, summary, a ';' file -----------------------------------

def people_csv(n, bad=0):
    """n valid records (each its own family card), then `bad` with a
    malformed NIK."""
    lines = [PERSON_CSV.splitlines()[0]]
    for i in range(1, n + bad + 1):
        nik = "317401170895%04d" % i if i <= n else "12345"
        lines.append("%s,3174013001%06d,Peserta %d,1995-08-17,L,0812%08d,p%d@contoh.co.id,"
                     "31.74.01.1001,Gang %d,sma,pencari_kerja,karyawan_swasta"
                     % (nik, i, i, 33000000 + i, i, i))
    return "\n".join(lines) + "\n"


@test
def import_progress_lines_and_summary_when_not_a_terminal():
    with TmpDir() as d:
        db = h.Db(d, "p")
        try:
            src = os.path.join(d, "people.csv")
            write(src, people_csv(1500, bad=2))
            code, out, err = cli(["import", "participants", src] + db.args(), cwd=d,
                                 timeout=300)
            eq(code, 0, "import (stderr %r)" % err)
            j = json.loads(out)
            eq((j["read"], j["inserted"], j["rejected"]), (1502, 1500, 2), "JSON summary")
            assert "\r" not in err, "no carriage returns when not a terminal: %r" % err
            pcts = [int(m) for m in re.findall(r"^prakerja: import: (\d+)% read \(\d+ rows",
                                                err, re.M)]
            assert len(pcts) >= 3, "progress lines: %r" % err
            eq(pcts, sorted(pcts), "percentages rise")
            eq(pcts[-1], 100, "the last progress line")
            assert re.search(r"^prakerja: import: 1502 rows read in .*: 1500 new, 0 updated, "
                             r"0 unchanged, 2 rejected \(nik_format: 2\)$", err, re.M), err
            assert "--rejects" in err, "a hint to use --rejects: %r" % err
            assert "317401170895" not in err, "no NIK in messages"
            # with --rejects, no hint; the second run changes nothing
            rej = os.path.join(d, "rej.csv")
            code, out, err = cli(["import", "participants", "--rejects", rej, src] + db.args(),
                                 cwd=d, timeout=300)
            eq(code, 0, "second import (stderr %r)" % err)
            assert "1500 unchanged, 2 rejected" in err, err
            assert "--rejects FILE" not in err, err
        finally:
            db.drop()


@test
def import_progress_on_a_terminal_is_one_line_with_time_left():
    import pty
    with TmpDir() as d:
        db = h.Db(d, "t")
        try:
            src = os.path.join(d, "people.csv")
            write(src, people_csv(800))
            master, slave = pty.openpty()
            p = subprocess.Popen([h.binary(), "import", "participants", src] + db.args(),
                                 env=h.base_env(), cwd=d, stdout=subprocess.PIPE, stderr=slave)
            os.close(slave)
            chunks = []
            while True:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
            out = p.stdout.read().decode()
            p.stdout.close()
            code = p.wait(60)
            os.close(master)
            err = b"".join(chunks).decode("utf-8", "replace")
            eq(code, 0, "import on a terminal (stderr %r)" % err)
            eq(json.loads(out)["inserted"], 800, "imported")
            assert "\r" in err and "100% read" in err, "a line redrawn in place: %r" % err
            # after the redrawn line, the summary starts on a line of its own
            assert re.search(r"100% read[^\r\n]*\r?\n(.*\n)*prakerja: import: 800 rows read",
                             err), err
            assert h.sanitizer_report(err) is None, err
        finally:
            db.drop()


@test
def semicolon_separated_file_is_refused_and_said_so():
    with TmpDir() as d:
        db = h.Db(d, "s")
        try:
            src = os.path.join(d, "semi.csv")
            write(src, people_csv(3).replace(",", ";"))
            code, out, err = cli(["import", "participants", src] + db.args(), cwd=d)
            eq(code, 1, "exit status (stderr %r)" % err)
            assert "';'" in err and "comma" in err, err
            code, out, err = cli(["export", "participants"] + db.args(), cwd=d)
            eq(len(out.splitlines()), 1, "nothing imported: the export has its header only")
            lst = os.path.join(d, "list.csv")
            write(lst, "nik;keterangan\n3174011708950001;x\n")
            code, out, err = cli(["import", "exclusions", "--list", "bsu", lst] + db.args(),
                                 cwd=d)
            eq(code, 1, "exclusions: exit status (stderr %r)" % err)
            assert "';'" in err and "comma" in err, err
        finally:
            db.drop()


@test
def import_of_a_directory_is_refused_as_such():
    with TmpDir() as d:
        db = h.Db(d, "dir")
        try:
            code, _, err = cli(["migrate"] + db.args(), cwd=d)
            eq(code, 0, "migrate: %s" % err)
            for kind in (["participants"], ["events"], ["courses"],
                         ["exclusions", "--list", "dtks"]):
                code, out, err = cli(["import"] + kind + [d] + db.args(), cwd=d)
                eq((code, out), (1, ""), "%s: stderr %r" % (kind, err))
                assert "is a directory; give a file" in err and "read error" not in err, err
            # a file that does not exist: said first, and nothing made or emptied (no key
            # file, the rejects file of an earlier run kept)
            rejects = os.path.join(d, "ditolak.csv")
            write(rejects, "baris,alasan\n2,nik_format\n")
            if os.path.exists(db.key):
                os.unlink(db.key)  # none yet: nothing was sealed in this database
            for kind in (["participants"], ["events"], ["courses"]):
                code, out, err = cli(["import"] + kind + ["tidak-ada.csv", "--rejects", rejects]
                                     + db.args(), cwd=d)
                eq((code, out), (1, ""), "%s: stderr %r" % (kind, err))
                assert "cannot open tidak-ada.csv" in err and "key file" not in err, err
            code, _, err = cli(["import", "exclusions", "--list", "dtks", "tidak-ada.csv"]
                               + db.args(), cwd=d)
            assert code == 1 and "cannot open tidak-ada.csv" in err, err
            assert not os.path.exists(db.key), "a key file made for a failed import"
            with open(rejects) as f:
                eq(f.read(), "baris,alasan\n2,nik_format\n", "the earlier rejects")
        finally:
            db.drop()


# ---- export --output, exclusion lists ----------------------------------------

@test
def export_output_is_private_and_never_overwrites():
    with TmpDir() as d:
        db = h.Db(d, "x")
        try:
            src = os.path.join(d, "in.csv")
            write(src, PERSON_CSV)
            code, out, err = cli(["import", "participants", src] + db.args(), cwd=d)
            eq(code, 0, "import (stderr %r)" % err)
            code, to_stdout, err = cli(["export", "participants"] + db.args(), cwd=d)
            eq(code, 0, "export to stdout (stderr %r)" % err)
            dest = os.path.join(d, "out.csv")
            os.umask(0o022)
            code, out, err = cli(["export", "participants", "--output", dest] + db.args(), cwd=d)
            eq((code, out), (0, ""), "export --output (stderr %r)" % err)
            assert "exported 1 participants to %s (mode 0600)" % dest in err, err
            eq(os.stat(dest).st_mode & 0o777, 0o600, "mode of the --output file")
            with open(dest) as f:
                eq(f.read(), to_stdout, "the file holds what stdout got")
            assert "3174011708950001" in to_stdout, "the export holds the NIK"
            # an existing file is refused and left as it was
            write(dest, "keep me\n")
            code, out, err = cli(["export", "participants", "--output=" + dest] + db.args(),
                                 cwd=d)
            eq(code, 1, "existing --output (stderr %r)" % err)
            assert "already exists" in err, err
            with open(dest) as f:
                eq(f.read(), "keep me\n", "the existing file is untouched")
            # a redirection the shell made 0644 is warned about
            public = os.path.join(d, "public.csv")
            with open(public, "w") as f:
                os.chmod(public, 0o644)
                p = subprocess.run([h.binary(), "export", "participants"] + db.args(),
                                   env=h.base_env(), cwd=d, stdout=f, stderr=subprocess.PIPE,
                                   timeout=60)
            err = p.stderr.decode()
            eq(p.returncode, 0, "export > public.csv")
            assert "0644" in err and "--output" in err, err
            assert "3174011708950001" not in err, "no NIK in messages"
            # an output that cannot be written (a full disk): said, exit 1,
            # for each of the three exports (one way: cmd_export.c)
            for args in (["participants"], ["events"], ["participants", "--region", "31.74"]):
                with open("/dev/full", "w") as f:
                    p = subprocess.run([h.binary(), "export"] + args + db.args(),
                                       env=h.base_env(), cwd=d, stdout=f,
                                       stderr=subprocess.PIPE, timeout=60)
                err = p.stderr.decode()
                eq(p.returncode, 1, "export %s > /dev/full (stderr %r)" % (args, err))
                assert "cannot write" in err, err
                assert "exported" not in err, err
        finally:
            db.drop()


@test
def exclusion_import_shows_counts_before_and_after():
    with TmpDir() as d:
        db = h.Db(d, "e")
        try:
            two = "nik,keterangan\n3174011708950001,satu\n3174015708950002,dua\n"
            one = "nik\n3174011708950001\nbukan-nik\n"
            code, out, err = cli(["import", "exclusions", "--list", "bsu", "-"] + db.args(),
                                 cwd=d, stdin=two.encode())
            eq(code, 0, "first list (stderr %r)" % err)
            j = json.loads(out)
            eq((j["before"], j["after"]), (0, 2), "first replacement")
            assert "0 entries before, 2 after" in err, err
            code, out, err = cli(["import", "exclusions", "-", "--list", "bsu"] + db.args(),
                                 cwd=d, stdin=one.encode())
            eq(code, 0, "second list (stderr %r)" % err)
            j = json.loads(out)
            eq((j["before"], j["after"], j["read"], j["rejected"]), (2, 1, 2, 1),
               "second replacement")
            assert "2 entries before, 1 after" in err and "1 rejected" in err, err
            assert "3174011708950001" not in err, "no NIK in messages"
        finally:
            db.drop()


# ---- nik ------------------------------------------------------------------

@test
def nik_matches_api():
    with h.Server() as s:
        for nik in (NIK_MALE, NIK_FEMALE, "3199011708950004"):
            code, out, err = cli(["nik"] + s.db.args() + [nik])
            eq(code, 0, "exit status for %s (stderr %r)" % (nik, err))
            lines = out.splitlines()
            eq(len(lines), 1, "lines")
            st, _, api = s.json("GET", "/api/v1/nik/" + nik)
            eq(st, 200, "API status")
            eq(json.loads(lines[0]), api, "CLI and API answers for %s" % nik)
        code, out, err = cli(["nik"] + s.db.args() + ["9901011708950005"])
        st, _, api = s.json("GET", "/api/v1/nik/9901011708950005")
        eq(json.loads(out), api, "invalid NIK: CLI and API answers")


@test
def nik_mixed_valid_and_invalid():
    with TmpDir() as d:
        db = h.Db(d, "k")
        code, out, err = cli(["nik"] + db.args() + [NIK_FEMALE, "12345"], cwd=d)
        eq(code, 1, "exit status")
        lines = out.splitlines()
        eq(len(lines), 2, "one line per NIK")
        a, b = json.loads(lines[0]), json.loads(lines[1])
        eq((a["valid"], a["sex"], a["birth_date"]), (True, "P", "1995-08-17"), "first")
        eq(b["valid"], False, "second")
        eq([e["code"] for e in b["errors"]], ["nik_format"], "second errors")
        code, out, err = cli(["nik"] + db.args() + [NIK_MALE, NIK_FEMALE], cwd=d)
        eq(code, 0, "all valid")
        eq(len(out.splitlines()), 2, "lines")
        code, out, err = cli(["nik"] + db.args() + ["--", "-3174011708950001"], cwd=d)
        eq(code, 1, "after --, a dash-argument is a NIK")
        eq(json.loads(out)["valid"], False, "dash NIK invalid")
        db.drop()


# ---- configuration --------------------------------------------------------

def write(path, text):
    with open(path, "w") as f:
        f.write(text)


@test
def config_file_sets_db_via_flag_and_env():
    with TmpDir() as d:
        from_ini = h.Db(d, "from-ini", migrated=False)
        from_env = h.Db(d, "from-env-config", migrated=False)
        try:
            ini = os.path.join(d, "p.ini")
            write(ini, "; comment\n" + from_ini.ini())
            code, out, err = cli(["migrate", "--config", ini], cwd=d)
            eq(code, 0, "migrate --config (stderr %r)" % err)
            assert from_ini.exists(), "the ini file's database was not migrated: %s" \
                % os.listdir(d)
            assert not from_env.exists(), "the other database was touched"
            assert not os.path.exists(os.path.join(d, "prakerja.db")), os.listdir(d)
            ini2 = os.path.join(d, "q.ini")
            write(ini2, "[prakerja]\n" + from_env.ini())
            code, out, err = cli(["migrate"], env={"PRAKERJA_CONFIG": ini2}, cwd=d)
            eq(code, 0, "migrate with PRAKERJA_CONFIG (stderr %r)" % err)
            assert from_env.exists(), "PRAKERJA_CONFIG's database was not used: %s" \
                % os.listdir(d)
            # --config wins over PRAKERJA_CONFIG
            code, out, err = cli(["migrate", "--config=" + ini],
                                 env={"PRAKERJA_CONFIG": ini2}, cwd=d)
            eq(code, 0, "migrate")
            assert "up to date" in out, "--config=%s should pick from-ini: %r" % (ini, out)
        finally:
            from_ini.drop()
            from_env.drop()


@test
def env_overrides_ini_and_flag_overrides_env():
    with TmpDir() as d:
        ini_db, env_db, flag_db = (h.Db(d, n, migrated=False) for n in ("ini", "env", "flag"))
        try:
            ini = os.path.join(d, "p.ini")
            write(ini, ini_db.ini())
            code, out, err = cli(["migrate", "--config", ini], env=env_db.env(), cwd=d)
            eq(code, 0, "migrate (stderr %r)" % err)
            assert env_db.exists(), "PRAKERJA_DB beats the ini file: %s" % os.listdir(d)
            assert not ini_db.exists(), os.listdir(d)
            code, out, err = cli(["migrate", "--config", ini, "--db", flag_db.url],
                                 env=env_db.env(), cwd=d)
            eq(code, 0, "migrate")
            assert flag_db.exists(), "--db beats PRAKERJA_DB: %s" % os.listdir(d)
            assert "migrated" in out, out
            assert not ini_db.exists(), os.listdir(d)
        finally:
            for db in (ini_db, env_db, flag_db):
                db.drop()


@test
def default_db_is_in_working_directory():
    if h.PG:
        # PostgreSQL is never the default: it is chosen by a URL, here in
        # PRAKERJA_DB, and then needs a key file; no SQLite file appears.
        with TmpDir() as d:
            db = h.Db(d, "envdb", migrated=False)
            try:
                code, out, err = cli(["migrate"], env={"PRAKERJA_DB": db.url}, cwd=d)
                eq(code, 0, "migrate with PRAKERJA_DB (stderr %r)" % err)
                assert db.exists(), "PRAKERJA_DB's database was not migrated"
                code, out, err = cli(["nik", NIK_MALE], env={"PRAKERJA_DB": db.url}, cwd=d)
                assert code != 0 and "key_file" in err, \
                    "PostgreSQL without a key file: exit %d, %r" % (code, err)
                code, out, err = cli(["nik", NIK_MALE], env=db.env(), cwd=d)
                eq(code, 0, "nik with PRAKERJA_DB and PRAKERJA_KEY_FILE (stderr %r)" % err)
                assert os.path.exists(db.key), "no key file at PRAKERJA_KEY_FILE"
                eq(os.listdir(d), [os.path.basename(db.key)], "files in the working directory")
            finally:
                db.drop()
        return
    with TmpDir() as d:
        code, out, err = cli(["migrate"], cwd=d)
        eq(code, 0, "migrate (stderr %r)" % err)
        assert os.path.exists(os.path.join(d, "prakerja.db")), os.listdir(d)


@test
def listen_from_env_and_ini():
    with h.Server(listen=False, env={"PRAKERJA_LISTEN": "127.0.0.1:0"}) as s:
        assert s.healthy(), "PRAKERJA_LISTEN=127.0.0.1:0"
    with TmpDir() as d:
        ini = os.path.join(d, "l.ini")
        write(ini, "listen = 127.0.0.1:0\n")
        with h.Server(listen=False, args=["--config", ini]) as s:
            assert s.healthy(), "listen from the ini file"
    # the flag wins over a bad environment value
    with h.Server(env={"PRAKERJA_LISTEN": "not-an-address"}) as s:
        assert s.healthy(), "--listen beats PRAKERJA_LISTEN"


@test
def bad_ini_is_refused_with_the_key_named():
    with TmpDir() as d:
        ini = os.path.join(d, "bad.ini")
        write(ini, "db = x.db\nfrobnicate = 1\n")
        code, out, err = cli(["migrate", "--config", ini], cwd=d)
        assert code in (1, 2), "exit status %d" % code
        assert "frobnicate" in err, err
        assert not os.path.exists(os.path.join(d, "x.db")), "nothing done on a bad config"
        write(ini, "[elsewhere]\ndb = x.db\n")
        code, out, err = cli(["migrate", "--config", ini], cwd=d)
        assert code in (1, 2) and "elsewhere" in err, (code, err)
        write(ini, "timeout = soon\n")
        code, out, err = cli(["serve", "--config", ini, "--listen", "127.0.0.1:0"], cwd=d)
        assert code in (1, 2) and "timeout" in err, (code, err)
        code, out, err = cli(["migrate", "--config", os.path.join(d, "missing.ini")], cwd=d)
        assert code in (1, 2) and "missing.ini" in err, (code, err)
        code, out, err = cli(["migrate"], env={"PRAKERJA_MAX_BODY": "lots"}, cwd=d)
        assert code in (1, 2) and "max_body" in err.lower(), (code, err)


@test
def bad_listen_values():
    with TmpDir() as d:
        db = h.Db(d, "l")
        for bad in ("bogus", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:-1",
                    "999.0.0.1:8080", ":8080", "127.0.0.1:80x"):
            p = subprocess.run([h.binary(), "serve"] + db.args() + ["--listen", bad],
                               env=h.base_env(), cwd=d, capture_output=True, timeout=30)
            err = p.stderr.decode()
            assert p.returncode != 0, "--listen %r exited %d" % (bad, p.returncode)
            assert "listen" in err.lower(), "--listen %r: %r" % (bad, err)
            assert "listening on" not in err, err
            assert h.sanitizer_report(err) is None, err
        db.drop()


@test
def port_in_use_is_refused():
    with h.Server() as s:
        with TmpDir() as d:
            db = h.Db(d, "p")
            p = subprocess.Popen([h.binary(), "serve"] + db.args() + ["--listen",
                                  "127.0.0.1:%d" % s.port], env=h.base_env(), cwd=d,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                code = p.wait(8)
            except subprocess.TimeoutExpired:
                p.terminate()
                p.wait(15)
                code = None
            err = p.stderr.read().decode()
            p.stderr.close()
            assert code is not None and code != 0, \
                "a second server on the same port kept running (SO_REUSEPORT?): %r" % err
            assert "127.0.0.1:%d" % s.port in err, err
            db.drop()
        assert s.healthy()


if __name__ == "__main__":
    h.run()
