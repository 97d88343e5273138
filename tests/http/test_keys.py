"""Black-box tests of `prakerja keys rotate` and `prakerja keys prune` (TAP).

Only the seal key rotates: a rotation adds a generation to the key file
(line 1 stays the master key; `seal <gen> <hex>` lines follow) and re-seals
every participant's personal data and every exclusion note of an older
generation (a box's first byte).  Blind indexes, field hashes and the key
check do not change, so exports stay byte-identical, a key file with
another master key is still refused, and servers already running keep
reading (they reload the key file when it changes).

usage: python3 tests/http/test_keys.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import threading
import time

import harness as h
from harness import eq, test

# Helpers shared with other programs (a platform's signed request among
# them); importing them must not register their tests here.
_n0 = len(h._tests)
from test_operator import Browser  # noqa: E402
from test_platform import PING, Client  # noqa: E402
from test_registry import Reg, csv_text, person  # noqa: E402
del h._tests[_n0:]

NOTES = "nik,keterangan,instansi\n"


def gens_of(db):
    """{generation: boxes} over participant.pii and exclusion.note."""
    if h.PG:
        rows = db.query("SELECT get_byte(pii, 0) AS g, count(*) AS n FROM participant GROUP BY 1"
                        " UNION ALL SELECT get_byte(note, 0) AS g, count(*) AS n FROM exclusion"
                        " WHERE note IS NOT NULL GROUP BY 1")
    else:
        rows = []
        for table, col in (("participant", "pii"), ("exclusion", "note")):
            rows += db.query("SELECT hex(substr(%s, 1, 1)), count(*) FROM %s WHERE %s IS NOT NULL"
                             " GROUP BY 1" % (col, table, col))
        rows = [(int(g, 16), n) for g, n in rows]
    out = {}
    for g, n in rows:
        out[int(g)] = out.get(int(g), 0) + int(n)
    return out


def key_lines(path):
    with open(path) as f:
        return [line for line in f.read().splitlines() if line.strip()]


def rotate(r, *args, expect=0):
    code, out, err = r.cli(["keys", "rotate"] + list(args), timeout=600)
    eq(code, expect, "keys rotate exit status (stderr %r)" % err)
    if code == 0:
        return json.loads(out.strip().splitlines()[-1])
    return err


def populate(r, n=6):
    rows = [person(i) for i in range(1, n + 1)]
    s, _, _, _ = r.imp(csv_text(rows))
    eq(s["inserted"], n, "imported")
    text = NOTES + "".join("%s,catatan rahasia %d,Kemensos\n" % (p["nik"], i)
                           for i, p in enumerate(rows[:3]))
    text += "3174010101990009,bukan peserta,BPS\n"
    summary, _ = r.lst("dtks", text)
    eq(summary["listed"], min(n, 3) + 1, "listed")
    return rows


@test
def rotate_reseals_everything_and_export_is_identical():
    with Reg() as r:
        populate(r)
        before = r.export()
        eq(gens_of(r.db), {1: 10}, "generations before")
        table_before = r.table(exclude=("pii",))
        s = rotate(r)
        eq(s, {"generation": 2, "participants": 6, "notes": 4, "secrets": 0, "resumed": False},
           "summary")
        eq(gens_of(r.db), {2: 10}, "generations after the first rotation")
        lines = key_lines(r.key)
        eq(len(lines), 2, "key file lines")
        assert lines[1].startswith("seal 2 ") and len(lines[1]) == 7 + 64, lines[1]
        eq(stat.S_IMODE(os.stat(r.key).st_mode), 0o600, "key file mode")
        eq(r.export(), before, "export after the rotation")
        # blind indexes, digests and everything else but pii unchanged
        # (not even updated_at: a re-seal is no edit)
        eq(r.table(exclude=("pii",)), table_before, "participant rows other than pii")
        assert not [f for f in os.listdir(r.tmp) if ".tmp." in f], os.listdir(r.tmp)

        s = rotate(r)
        eq((s["generation"], s["participants"], s["notes"]), (3, 6, 4), "second rotation")
        eq(len(key_lines(r.key)), 3, "key file lines after the second rotation")
        eq(gens_of(r.db), {3: 10}, "generations after the second rotation")
        eq(r.export(), before, "export after the second rotation")

        # a registration after the rotation is sealed with the newest generation
        s2, _, _, _ = r.imp(csv_text([person(50)]))
        eq(s2["inserted"], 1)
        eq(gens_of(r.db), {3: 11}, "new data under the newest generation")

        code, out, err = r.cli(["keys", "prune"])
        eq(code, 0, "prune: " + err)
        p = json.loads(out.strip().splitlines()[-1])
        # generation 2, the one before the newest, stays: a running server
        # may seal under it for a second after a rotation
        eq(p, {"removed": 0, "boxes": {"3": 11}}, "prune summary")
        lines = key_lines(r.key)
        eq([x.split()[:2] for x in lines[1:]], [["seal", "2"], ["seal", "3"]],
           "key file after prune")
        rotate(r)
        code, out, err = r.cli(["keys", "prune"])
        p = json.loads(out.strip().splitlines()[-1])
        eq(p, {"removed": 1, "boxes": {"4": 11}}, "prune after a third rotation: 2 goes")
        eq(stat.S_IMODE(os.stat(r.key).st_mode), 0o600, "key file mode after prune")
        after = r.export()
        assert after.startswith(before.rstrip("\n").split("\n")[0]), after[:200]
        eq(len(after.splitlines()), len(before.splitlines()) + 1, "export rows after prune")

        # the audit log says a rotation happened (never a key)
        n = r.sql("SELECT count(*) FROM audit WHERE action = 'keys.rotate'")[0][0]
        eq(n, 3, "audit entries")


@test
def rotate_reseals_the_platforms_secrets_and_is_not_stuck_by_them():
    """A platform's signing secret is sealed like personal data.  An
    outside trial found every rotation after 'platform add' stuck at
    'resumed': the count saw the secret under the old generation, the
    re-seal never touched it.  It is re-sealed now, the next rotation adds
    a generation, prune can drop the old one, and the platform still
    signs its requests."""
    with Reg() as r:
        populate(r, 2)
        code, out, err = r.cli(["platform", "add", "--code", "maubelajar", "--name", "Mau"])
        eq(code, 0, err)
        secret = json.loads(out.strip().splitlines()[-1])["secret"]
        s = rotate(r)
        eq((s["generation"], s["secrets"], s["resumed"]), (2, 1, False), "first rotation")
        s = rotate(r)
        eq((s["generation"], s["secrets"], s["resumed"]), (3, 1, False), "not stuck")
        code, out, err = r.cli(["keys", "prune"])
        eq(code, 0, "prune: " + err)
        p = json.loads(out.strip().splitlines()[-1])
        eq((p["removed"], sorted(p["boxes"])), (0, ["3"]), "2, the one before the newest, kept")
        with h.Server(db=r.db) as srv:
            st, _, data = Client(srv, "maubelajar", secret).post(PING)
            eq(st, 200, "the secret opens after two rotations and a prune: %r" % data)
        eq(r.sql("SELECT detail FROM audit WHERE action = 'keys.rotate' ORDER BY id")[-1][0],
           "generation=3 participants=2 notes=3 secrets=1", "audited")


@test
def old_key_file_format_keeps_working():
    """A key file of one line (the first release) opens, and a rotation
    leaves line 1 as it was."""
    with Reg() as r:
        populate(r, 2)
        first = key_lines(r.key)
        eq(len(first), 1, "a fresh key file has one line")
        rotate(r)
        eq(key_lines(r.key)[0], first[0], "line 1 (the master key) unchanged")


@test
def other_master_key_is_still_refused():
    with Reg() as r:
        populate(r, 2)
        rotate(r)
        lines = key_lines(r.key)
        other = os.path.join(r.tmp, "other.key")
        fd = os.open(other, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(os.urandom(32).hex() + "\n" + "\n".join(lines[1:]) + "\n")
        code, out, err = r.cli(["export", "participants", "--key-file", other])
        assert code != 0 and "does not match" in err, (code, err)
        code, out, err = r.cli(["keys", "rotate", "--key-file", other])
        assert code != 0 and "does not match" in err, (code, err)
        eq(key_lines(r.key), lines, "the real key file is untouched")
        # a key file that lost a generation still in use opens, but cannot
        # read the boxes of that generation: refuse to export garbage
        trimmed = os.path.join(r.tmp, "trimmed.key")
        fd = os.open(trimmed, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(lines[0] + "\n")
        code, out, err = r.cli(["export", "participants", "--key-file", trimmed])
        assert code != 0, (code, out[:300])
        # a malformed seal line is refused
        fd = os.open(trimmed, os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(lines[0] + "\nseal 1 " + "00" * 32 + "\n")
        code, out, err = r.cli(["export", "participants", "--key-file", trimmed])
        assert code != 0 and "key file" in err, (code, err)


@test
def two_rotations_never_run_at_once():
    import fcntl
    with Reg() as r:
        populate(r, 2)
        with open(r.key + ".lock", "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            err = rotate(r, expect=1)
            assert "another" in err, err
            code, out, err = r.cli(["keys", "prune"])
            assert code == 1 and "another" in err, (code, err)
        eq(len(key_lines(r.key)), 1, "no generation added while locked")
        eq(rotate(r)["generation"], 2, "after the lock is released")


def serve(r, *args):
    return h.Server(db=r.db, args=list(args)).start()


@test
def running_server_reads_after_rotation_without_restart():
    with Reg() as r:
        rows = populate(r, 3)
        code, out, err = h.run_cli(r.db.args_for(
            ["user", "add", "--username", "admin1", "--role", "admin", "--password-stdin"]),
            stdin=b"Admin-Prakerja-Kuat-7\n")
        eq(code, 0, err)
        s = serve(r)
        try:
            b = Browser(s)
            st, _, text = b.post("/masuk", {"nama_pengguna": "admin1",
                                            "kata_sandi": "Admin-Prakerja-Kuat-7"})
            eq(st, 303, text[:300])
            pid = r.sql("SELECT min(id) FROM participant")[0][0]
            st, _, text = b.get("/peserta/%d" % pid)
            eq(st, 200, "detail before")
            assert rows[0]["alamat"] in text, text[:500]
            before = r.export()
            rotate(r)
            eq(gens_of(r.db), {2: 7})
            # the server never saw generation 2: it reloads the key file
            st, _, text = b.get("/peserta/%d" % pid)
            eq(st, 200, "detail after the rotation")
            assert rows[0]["alamat"] in text, text[:500]
            # and seals new registrations with the new generation
            p = person(77)
            p["kode_wilayah"] = p["kode_wilayah"].replace(".", "")
            st, _, body = s.json("POST", "/api/v1/participants", p)
            eq(st, 201, "register after the rotation: %r" % (body,))
            g = gens_of(r.db)
            eq(g, {2: 8}, "generations after a registration by the old server")
            rotate(r)
            st, _, text = b.get("/peserta/%d" % body["id"])
            eq(st, 200, "detail of the new one after a second rotation")
            eq(len(r.export().splitlines()), len(before.splitlines()) + 1)
            # rotations each followed by a prune while the server runs: a
            # key file renamed into place may get the inode number of the
            # one it replaced, and a server that took it for unchanged went
            # on sealing under a pruned generation (an outside test lost a
            # registration so): each registration stays readable
            for k in range(4):
                rotate(r)
                code, out, err = r.cli(["keys", "prune"])
                eq(code, 0, "prune %d: %s" % (k, err))
                q = person(80 + k)
                q["kode_wilayah"] = q["kode_wilayah"].replace(".", "")
                st, _, body = s.json("POST", "/api/v1/participants", q)
                eq(st, 201, "register after round %d: %r" % (k, body))
                eq(len(r.export().splitlines()), len(before.splitlines()) + 2 + k,
                   "every record opens after round %d" % k)
        finally:
            s.stop_clean()


@test
def rotation_during_registrations_loses_nothing():
    with Reg() as r:
        populate(r, 300 if not h.PG else 200)
        s = serve(r)
        created, failures = [], []
        stop = threading.Event()

        def register(worker):
            i = 0
            while not stop.is_set() and i < 400:
                p = person(1000 + worker * 1000 + i)
                p["kode_wilayah"] = p["kode_wilayah"].replace(".", "")
                try:
                    st, _, body = s.json("POST", "/api/v1/participants", p)
                except Exception as e:  # noqa: BLE001
                    failures.append(repr(e))
                    break
                if st == 201:
                    created.append(p["nik"])
                else:
                    failures.append((st, body))
                i += 1

        threads = [threading.Thread(target=register, args=(w,)) for w in range(4)]
        try:
            for t in threads:
                t.start()
            time.sleep(0.3)
            summary = rotate(r, "--batch", "50")
            time.sleep(0.3)
            stop.set()
            for t in threads:
                t.join(60)
        finally:
            stop.set()
            s.stop_clean()
        eq(failures, [], "registrations that failed during the rotation")
        assert len(created) > 20, "too few registrations during the rotation: %d" % len(created)
        h.diag("rotation %r; %d registrations alongside" % (summary, len(created)))
        exported = r.by_nik()
        missing = [n for n in created if n not in exported]
        eq(missing, [], "registered (201) but not exported")
        # rows sealed by the server just before it saw the new key file may
        # still be on generation 1: a second run finishes the job without
        # adding a generation
        g = gens_of(r.db)
        if set(g) != {2}:
            s2 = rotate(r)
            assert s2["resumed"] and s2["generation"] == 2, s2
        eq(set(gens_of(r.db)), {2}, "generations at the end")
        eq(r.integrity(), "ok")


@test
def killed_rotation_finishes_when_run_again():
    with Reg() as r:
        n = 5000
        rows = [person(i) for i in range(1, n + 1)]
        s, _, _, _ = r.imp(csv_text(rows))
        eq(s["inserted"], n)
        text = NOTES + "".join("%s,catatan %d,Kemensos\n" % (p["nik"], i)
                               for i, p in enumerate(rows[:1500]))
        r.lst("bsu", text)
        before = r.export()
        poll = h.Poller(r.db)
        kills = []
        try:
            for attempt in range(6):
                g0 = gens_of(r.db)
                p = subprocess.Popen([h.binary(), "keys", "rotate", "--batch", "100"]
                                     + r.db.args(), cwd=r.tmp, env=h.base_env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                t = time.monotonic()
                newest = max(g0)
                while p.poll() is None:
                    # kill once some boxes moved to a newer generation
                    done = poll.value("SELECT count(*) FROM participant WHERE %s"
                                      % ("get_byte(pii, 0) > %d" % newest if h.PG else
                                         "hex(substr(pii, 1, 1)) > '%02X'" % newest))
                    if done > 0 or time.monotonic() - t > 20:
                        p.kill()
                        break
                    time.sleep(0.002)
                p.communicate(timeout=60)
                g1 = gens_of(r.db)
                kills.append((p.returncode, g1))
                if p.returncode == -9 and len(g1) > 1:
                    break
        finally:
            poll.close()
        h.diag("kills (status, generations after): %r" % kills)
        assert any(k[0] == -9 and len(k[1]) > 1 for k in kills), \
            "no kill landed in the middle of a rotation: %r" % kills
        lines = len(key_lines(r.key))
        gen = lines  # generations 1..lines
        eq(max(gens_of(r.db)), gen, "the killed run had started on the newest generation")
        # readers work in between: old and new generations both open
        eq(r.export(), before, "export between the kill and the rerun")
        s = rotate(r)
        assert s["resumed"] and s["generation"] == gen, s
        eq(len(key_lines(r.key)), lines, "no generation added by the rerun")
        eq(gens_of(r.db), {gen: n + 1500}, "everything on the newest generation")
        eq(r.export(), before, "export after the rerun")
        eq(r.integrity(), "ok")


# ---- blind indexes: computed here independently, from the key file ---------

def siphash24(key, data):
    """SipHash-2-4 (Aumasson and Bernstein), 8 bytes little-endian."""
    mask = (1 << 64) - 1
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:16], "little")
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d,
         k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]

    def rotl(x, b):
        return ((x << b) | (x >> (64 - b))) & mask

    def rounds(n):
        for _ in range(n):
            v[0] = (v[0] + v[1]) & mask; v[1] = rotl(v[1], 13) ^ v[0]; v[0] = rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & mask; v[3] = rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & mask; v[3] = rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & mask; v[1] = rotl(v[1], 17) ^ v[2]; v[2] = rotl(v[2], 32)

    end = len(data) - len(data) % 8
    for i in range(0, end, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    b = ((len(data) & 0xff) << 56) | int.from_bytes(data[end:], "little")
    v[3] ^= b
    rounds(2)
    v[0] ^= b
    v[2] ^= 0xff
    rounds(4)
    return ((v[0] ^ v[1] ^ v[2] ^ v[3]) & mask).to_bytes(8, "little")


def index_key(key_file):
    """libsodium's crypto_kdf_derive_from_key(32, 2, "pkindex_", master):
    BLAKE2b-256 keyed by the master key, salt = the subkey id, personal =
    the context."""
    master = bytes.fromhex(key_lines(key_file)[0])
    return hashlib.blake2b(b"", digest_size=32, key=master,
                           salt=(2).to_bytes(8, "little") + bytes(8),
                           person=b"pkindex_" + bytes(8)).digest()


def blind(fn, key, domain, value):
    data = domain.encode() + b"\0" + value.encode()
    if fn == "blake2b":
        return hashlib.blake2b(data, digest_size=16, key=key).digest()
    return siphash24(key[:16], data) + siphash24(key[16:], data)


def stored_indexes(r):
    """{(table, column): set of hex} of every blind index in the database.
    SQLite keeps the participant's as two integers, (hi, lo): the bytes
    big-endian with the top bit flipped."""
    def half(v):
        return ((v & (2**64 - 1)) ^ (1 << 63)).to_bytes(8, "big").hex()

    out = {}
    for table, col in (("participant", "nik_bi"), ("participant", "kk_bi"),
                       ("exclusion", "nik_bi")):
        if h.PG:
            q = "SELECT encode(%s, 'hex') FROM %s" % (col, table)
            out[(table, col)] = {x[0] for x in r.sql(q)}
        elif table == "participant":
            q = "SELECT %s_hi, %s_lo FROM %s" % (col[:-3], col[:-3], table)
            out[(table, col)] = {half(a) + half(b) for a, b in r.sql(q)}
        else:
            q = "SELECT lower(hex(%s)) FROM %s" % (col, table)
            out[(table, col)] = {x[0] for x in r.sql(q)}
    return out


@test
def siphash_of_this_test_matches_the_published_vector():
    # the paper's test vector: key 00..0f, empty message
    eq(siphash24(bytes(range(16)), b"").hex(), "310e0edd47db6f72", "SipHash-2-4 vector")


@test
def blind_indexes_follow_the_function_the_database_was_created_with():
    """A new database records SipHash (migration 6) and its indexes are
    SipHash-2-4 under the two halves of the index key; a database made
    before (no 'blind' in pk_meta) keeps keyed BLAKE2b, and lookups,
    upserts and exclusion lists work on it as before."""
    for fn in ("siphash", "blake2b"):
        with Reg() as r:
            meta = r.sql("SELECT name FROM pk_meta WHERE name = 'blind'")
            eq(len(meta), 1, "a new database names its blind index function")
            if fn == "blake2b":   # as a database from before migration 6
                r.sql("DELETE FROM pk_meta WHERE name = 'blind'")
            rows = [person(i) for i in range(1, 5)]
            rows[1]["no_kk"] = rows[0]["no_kk"]
            s, _, _, _ = r.imp(csv_text(rows))
            eq(s["inserted"], 4, "%s: imported" % fn)
            outsider = "3174010101990009"
            summary, _ = r.lst("daftar_hitam", NOTES + "%s,x,y\n%s,x,y\n"
                               % (rows[2]["nik"], outsider))
            eq(summary["listed"], 2, "%s: listed" % fn)
            key = index_key(r.key)
            want = {("participant", "nik_bi"): {blind(fn, key, "nik", p["nik"]).hex()
                                                for p in rows},
                    ("participant", "kk_bi"): {blind(fn, key, "kk", p["no_kk"]).hex()
                                               for p in rows},
                    ("exclusion", "nik_bi"): {blind(fn, key, "nik", n).hex()
                                              for n in (rows[2]["nik"], outsider)}}
            eq(stored_indexes(r), want, "%s: stored blind indexes" % fn)
            other = "blake2b" if fn == "siphash" else "siphash"
            assert blind(other, key, "nik", rows[0]["nik"]).hex() not in \
                want[("participant", "nik_bi")], "the two functions differ"
            # lookups by NIK find the stored rows: an upsert updates one,
            # the list applies to its participant, nothing is duplicated
            rows[3]["no_hp"] = "081299990000"
            s, _, _, _ = r.imp(csv_text(rows))
            eq((s["inserted"], s["updated"], s["unchanged"]), (0, 1, 3), "%s: upsert" % fn)
            eq(r.count(), 4, "%s: no duplicates" % fn)
            got = r.by_nik()
            assert "daftar_hitam" in got[rows[2]["nik"]]["alasan"], got[rows[2]["nik"]]
            eq(got[rows[3]["nik"]]["no_hp"], "+6281299990000", "%s: updated phone" % fn)
            eq(r.integrity(), "ok")


@test
def migration_7_splits_blind_indexes_and_changes_nothing_else():
    """SQLite: a database of schema 6 (blind indexes as blobs), made here
    from a populated one by undoing migration 7 in SQL, is migrated again
    on its next use: the same indexes as integers, the same rows, the same
    export; lookups, lists, the unique NIK and a rotation work after it."""
    h.sqlite_only("PostgreSQL keeps bytea")
    with Reg() as r:
        rows = populate(r, 6)
        before_export = r.export()
        before = stored_indexes(r)
        latest = r.sql("SELECT max(version) FROM pk_migration")[0][0]
        cols = r.db.columns("participant")
        rest = cols[cols.index("kk_lo") + 1:]
        c = sqlite3.connect(r.db.path)
        try:
            c.create_function("blob_of", 2, lambda a, b: bytes.fromhex(
                "".join(((v & (2**64 - 1)) ^ (1 << 63)).to_bytes(8, "big").hex()
                        for v in (a, b))), deterministic=True)
            sql = c.execute("SELECT sql FROM sqlite_schema WHERE name = 'participant'")
            sql = sql.fetchone()[0]
            old = "CREATE TABLE p6 " + sql[sql.index("("):]
            for a, b in (("nik_hi        INTEGER NOT NULL,", "nik_bi BLOB NOT NULL,"),
                         ("nik_lo        INTEGER NOT NULL,", ""),
                         ("kk_hi         INTEGER NOT NULL,", "kk_bi BLOB NOT NULL,"),
                         ("kk_lo         INTEGER NOT NULL,", "")):
                old = old.replace(a, b)
            assert "nik_hi" not in old and "nik_bi" in old, old
            c.executescript(
                # the journey's counters (migration 20) read participant:
                # their triggers go before it is replaced
                "DROP TRIGGER journey_count_insert; DROP TRIGGER journey_count_update;"
                "DROP TRIGGER journey_count_delete;"
                # and so do the effect of reminders' (migration 27): those on
                # pk_journey and pk_remind_fire, and the reach table's with it
                "DROP TRIGGER remind_effect_journey_insert;"
                "DROP TRIGGER remind_effect_journey_update;"
                "DROP TRIGGER remind_effect_journey_delete;"
                "DROP TRIGGER remind_reach_fire_insert; DROP TRIGGER remind_reach_fire_update;"
                "DROP TABLE remind_reach; DROP TABLE remind_effect_count;" +
                old + ";"
                "INSERT INTO p6 SELECT id, blob_of(nik_hi, nik_lo), blob_of(kk_hi, kk_lo), %s"
                " FROM participant;"
                "DROP TABLE participant; ALTER TABLE p6 RENAME TO participant;"
                "CREATE UNIQUE INDEX participant_nik ON participant(nik_bi);"
                "CREATE INDEX participant_kk ON participant(kk_bi, id);"
                "CREATE INDEX participant_region ON participant(kode_wilayah);"
                # and migrations 11 (waves, draws, cards), 9 and 8 undone, to be
                # applied again after 7
                "DROP TABLE pk_card; DROP TABLE pk_draw_applicant; DROP TABLE pk_draw;"
                "DROP TABLE pk_wave;"
                "DROP TABLE pk_journey; DROP TABLE pk_event;"
                "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
                "DROP INDEX audit_at; DROP INDEX audit_actor; DROP INDEX access_log_actor;"
                "ALTER TABLE audit DROP COLUMN actor;"
                # and migrations 10 and 12 (the platforms' and the catalogue's tables)
                "DROP TABLE pk_idempotency; DROP TABLE pk_platform_nonce;"
                "DROP TABLE pk_platform; DROP TABLE pk_course; DROP TABLE pk_provider;"
                # and migrations 15 (the counters), 16 (the name index; the
                # triggers of both went with the participant table) and 17
                # (consent) and 18 (reminders' fires, outbox, leases)
                "DROP TABLE participant_count; DROP TABLE participant_name;"
                "DROP TABLE participant_count_city;"
                "DROP TABLE pk_consent_change; DROP TABLE pk_consent_stop;"
                "DROP TABLE pk_remind_fire; DROP TABLE pk_remind_message;"
                "DROP TABLE pk_contact_failed; DROP TABLE pk_lease;"
                # and 19 (residents' codes, sessions, contact preferences)
                "DROP TABLE pk_resident_code; DROP TABLE pk_resident_session;"
                "DROP TABLE pk_contact_pref;"
                # and 22 (webhooks: inbound messages; the outbox's columns
                # went with pk_remind_message)
                "DROP TABLE pk_inbound;"
                # and 23 (outreach events)
                "DROP TABLE pk_outreach_attribution; DROP TABLE pk_outreach_event;"
                # and 24 (the journey's counters; their triggers went with
                # their tables)
                "DROP TABLE journey_count;"
                # and 26 (the journey's cells per city)
                "DROP TABLE journey_count_city;"
                "DELETE FROM pk_migration WHERE version >= 7;" % ", ".join(rest))
            c.commit()
        finally:
            c.close()
        eq(r.sql("SELECT max(version) FROM pk_migration")[0][0], 6, "back at schema 6")
        eq(r.export(), before_export, "export after migrating again")
        eq(r.sql("SELECT max(version) FROM pk_migration")[0][0], latest, "migrated")
        eq(stored_indexes(r), before, "blind indexes after migrating again")
        s, _, _, _ = r.imp(csv_text(rows))
        eq((s["inserted"], s["unchanged"]), (0, 6), "the same file finds every row")
        rotate(r)
        eq(r.export(), before_export, "export after a rotation")
        eq(r.integrity(), "ok")


if __name__ == "__main__":
    h.run()
