#!/usr/bin/env python3
"""Open-loop, fixed-rate load on POST /api/v1/participants (stdlib only).

    python3 bench/fixed_rate.py --url http://127.0.0.1:PORT/api/v1/participants \\
        --rate 1000 --duration 10 [--connections 64] [--stream 15] [--offset 0]
    python3 bench/fixed_rate.py --get --url 'http://127.0.0.1:PORT/peserta/{id}' \\
        --ids 1:950000 --header 'Cookie: ...' --rate 200 --duration 10

--get: GET the URL instead (a 200 counts as done), with each --header;
{id} in it becomes an id drawn from --ids LO:HI (a fixed seed).

Request i is *scheduled* at start + i/rate, whatever happened to the requests
before it (wrk2's model).  It goes out on a free keep-alive connection; when
every connection is busy it waits for one.  Latency is measured from the
scheduled time to the last byte of the response, so a server that stalls is
charged for the requests it held up (coordinated omission is accounted for).
The time from the actual send is reported too ("service"), and so is how late
the client itself sent (if "client lag" is large, the load generator could not
keep up and the figures are not trustworthy).

Every request is a new valid person, NIKs made as in bench/register.lua with
serial stream --stream (0..15; wrk threads use 0, 1, ...; the default 15 keeps
clear of them), so this can run against a database wrk has already filled.
Only 127.0.0.1 / localhost URLs are accepted.
"""
import argparse
import asyncio
import collections
import json
import random
import sys
import time
from urllib.parse import urlsplit

DISTRICTS = [
    "310101", "310102", "317101", "317102", "317103", "317104", "317105", "317106",
    "317107", "317108", "317201", "317202", "317203", "317204", "317205", "317206",
    "317301", "317302", "317303", "317304", "317305", "317306", "317307", "317308",
    "317401", "317402", "317403", "317404", "317405", "317406", "317407", "317408",
    "317409", "317410", "317501", "317502", "317503", "317504", "317505", "317506",
    "317507", "317508", "317509", "317510",
]
VILLAGES = [
    "31.01.01.1001", "31.71.02.1002", "31.71.04.1002", "31.71.07.1001", "31.72.01.1003",
    "31.72.03.1004", "31.72.06.1001", "31.73.02.1005", "31.73.04.1003", "31.73.05.1005",
    "3173071006", "3174011007", "3174031005", "3174051006", "3174071008", "3174091005",
    "31.75.02.1001", "31.75.03.1007", "31.75.05.1005", "31.75.07.1006", "31.75.10.1002",
]
FIRST_M = ["Budi", "Agus", "Ahmad", "Rizki", "Dedi", "Hendra", "Joko", "Eko", "Fajar", "Yusuf"]
FIRST_F = ["Siti", "Dewi", "Sri", "Rina", "Putri", "Ayu", "Indah", "Fitri", "Nurul", "Maya"]
LAST = ["Santoso", "Wijaya", "Saputra", "Hidayat", "Siregar", "Nasution", "Lubis", "Pratama"]
PENDIDIKAN = ["sma", "sma", "smp", "s1", "d3", "sd", "sma", "s1"]
SEGMEN = ["pencari_kerja", "pencari_kerja", "korban_phk", "peningkatan_kompetensi"]
PEKERJAAN = ["lainnya", "wiraswasta", "karyawan_swasta", "karyawan_swasta"]
STREETS = ["Jl. Kramat Raya", "Jl. Pemuda", "Jl. Daan Mogot", "Gg. Mawar", "Jl. Tebet Barat"]
NDATES = 36 * 12 * 28
MAXT = 16


def person(c, stream):
    """The c-th person of a serial stream: the same walk as register.lua."""
    district = DISTRICTS[c % len(DISTRICTS)]
    k = c // len(DISTRICTS)
    d = k % NDATES
    serial = (k // NDATES) * MAXT + stream + 1
    day, month, year = d % 28 + 1, (d // 28) % 12 + 1, 1970 + d // (28 * 12)
    female = k % 2 == 1
    nik = f"{district}{day + 40 if female else day:02d}{month:02d}{year % 100:02d}{serial:04d}"
    kd = (k * 5) % NDATES
    kk = f"{district}{kd % 28 + 1:02d}{(kd // 28) % 12 + 1:02d}{(1990 + kd // 336) % 100:02d}{serial:04d}"
    first = (FIRST_F if female else FIRST_M)[k % 10]
    last = LAST[(k // 3) % len(LAST)]
    return {
        "nik": nik, "no_kk": kk, "nama": f"{first} {last}",
        "tanggal_lahir": f"{year:04d}-{month:02d}-{day:02d}",
        "jenis_kelamin": "P" if female else "L",
        "no_hp": f"08{12 + k % 8}{(c * 7919) % 100000000:08d}",
        "email": f"{first.lower()}.{last.lower()}{c % 1000}@gmail.com",
        "kode_wilayah": VILLAGES[c % len(VILLAGES)],
        "alamat": f"{STREETS[k % len(STREETS)]} No. {c % 200 + 1}, RT {c % 15 + 1:03d}/RW {c % 12 + 1:03d}",
        "pendidikan": PENDIDIKAN[c % len(PENDIDIKAN)], "segmen": SEGMEN[k % len(SEGMEN)],
        "pekerjaan": PEKERJAAN[c % len(PEKERJAAN)],
    }


class Conn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection with at most one request in flight."""

    def __init__(self, bench):
        self.bench = bench
        self.transport = None
        self.buf = bytearray()
        self.inflight = None  # (scheduled, sent)

    def connection_made(self, transport):
        self.transport = transport

    def send(self, req, scheduled):
        self.inflight = (scheduled, time.perf_counter())
        self.buf.clear()
        self.transport.write(req)

    def data_received(self, data):
        self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
        length = 0
        chunked = False
        close = False
        for h in head[1:]:
            name, _, value = h.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and "close" in value.lower():
                close = True
        if chunked:
            if not self.buf.endswith(b"0\r\n\r\n"):
                return
        elif len(self.buf) < end + 4 + length:
            return
        status = int(head[0].split(" ", 2)[1])
        scheduled, sent = self.inflight
        self.inflight = None
        self.buf.clear()
        self.bench.done(self, status, scheduled, sent, time.perf_counter(), close)

    def connection_lost(self, exc):
        self.transport = None
        self.bench.lost(self)


class Bench:
    def __init__(self, a, host, port, path):
        self.a, self.host, self.port, self.path = a, host, port, path
        self.free = collections.deque()
        self.backlog = collections.deque()  # scheduled times of requests waiting for a connection
        self.lat, self.svc, self.lag = [], [], []
        self.status = collections.Counter()
        self.errors = 0
        self.outstanding = 0
        self.counter = a.offset
        self.loop = None
        self.all_done = None
        self.all_sent = False
        self.stopping = False
        self.queued = 0  # requests that found every connection busy
        self.rng = random.Random(1)
        self.lo, self.hi = (int(x) for x in (a.ids or "1:1").split(":"))

    def request(self):
        if self.a.get:
            path = self.path
            if "{id}" in path:
                path = path.replace("{id}", str(self.rng.randint(self.lo, self.hi)))
            return (f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    + "".join(h + "\r\n" for h in self.a.header) + "\r\n").encode()
        body = json.dumps(person(self.counter, self.a.stream), separators=(",", ":")).encode()
        self.counter += 1
        return (f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode() + body

    def dispatch(self, scheduled):
        self.lag.append(time.perf_counter() - scheduled)
        if self.free:
            self.free.popleft().send(self.request(), scheduled)
        else:
            self.queued += 1
            self.backlog.append(scheduled)

    def done(self, conn, status, scheduled, sent, now, close):
        self.status[status] += 1
        self.lat.append(now - scheduled)
        self.svc.append(now - sent)
        self.finish_one()
        if close:
            conn.transport.close()
            return
        self.release(conn)

    def release(self, conn):
        if self.backlog:
            scheduled = self.backlog.popleft()
            conn.send(self.request(), scheduled)
        else:
            self.free.append(conn)

    def lost(self, conn):
        if conn in self.free:
            self.free.remove(conn)
        if conn.inflight is not None:
            conn.inflight = None
            self.errors += 1
            self.finish_one()
        if not self.stopping:
            self.loop.create_task(self.reconnect())

    async def reconnect(self):
        try:
            _, conn = await self.loop.create_connection(lambda: Conn(self), self.host, self.port)
            self.release(conn)
        except OSError:
            self.errors += 1

    def finish_one(self):
        self.outstanding -= 1
        if self.outstanding == 0 and self.all_sent:
            self.all_done.set()

    async def run(self):
        a = self.a
        self.loop = asyncio.get_running_loop()
        self.all_done = asyncio.Event()
        conns = []
        for _ in range(a.connections):
            _, conn = await self.loop.create_connection(lambda: Conn(self), self.host, self.port)
            conns.append(conn)
            self.free.append(conn)
        total = int(a.rate * a.duration)
        interval = 1.0 / a.rate
        start = time.perf_counter() + 0.05
        i = 0
        while i < total:
            now = time.perf_counter()
            due = start + i * interval
            if due > now:
                await asyncio.sleep(due - now)
                continue
            # Everything due by now goes out (or into the backlog) at once.
            while i < total and start + i * interval <= now:
                self.outstanding += 1
                self.dispatch(start + i * interval)
                i += 1
        self.all_sent = True
        send_end = time.perf_counter()
        if self.outstanding > 0:
            try:
                await asyncio.wait_for(self.all_done.wait(), a.drain)
            except asyncio.TimeoutError:
                pass
        end = time.perf_counter()
        self.stopping = True
        for c in conns:
            if c.transport is not None:
                c.transport.close()
        return total, start, send_end, end


def pct(xs, p):
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser(description="fixed-rate open-loop load on POST /api/v1/participants")
    ap.add_argument("--url", required=True)
    ap.add_argument("--rate", type=float, required=True, help="requests per second")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of sending")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--stream", type=int, default=15, help="NIK serial stream 0..15")
    ap.add_argument("--offset", type=int, default=0, help="first person of the stream")
    ap.add_argument("--drain", type=float, default=30.0, help="seconds to wait for late replies")
    ap.add_argument("--json", action="store_true", help="one JSON line instead of text")
    ap.add_argument("--get", action="store_true", help="GET the URL (200 is done)")
    ap.add_argument("--header", action="append", default=[], help="a header line, for --get")
    ap.add_argument("--ids", help="LO:HI, the ids {id} in a --get URL is drawn from")
    a = ap.parse_args()
    u = urlsplit(a.url)
    if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost"):
        ap.error("only http://127.0.0.1 URLs")
    if not 0 <= a.stream < MAXT:
        ap.error("--stream must be 0..15")
    path = (u.path or "/") + ("?" + u.query if u.query else "")
    b = Bench(a, u.hostname, u.port or 80, path)
    total, start, send_end, end = asyncio.run(b.run())
    lat, svc, lag = sorted(b.lat), sorted(b.svc), sorted(b.lag)
    ok = b.status.get(200 if a.get else 201, 0)
    answered = sum(b.status.values())
    res = {
        "rate": a.rate, "duration": a.duration, "connections": a.connections,
        "scheduled": total, "answered": answered, "created_201": ok, "ok": ok,
        "status": {str(k): v for k, v in sorted(b.status.items())},
        "errors": b.errors, "waited_for_connection": b.queued, "unanswered": total - answered - b.errors,
        "achieved_per_s": round(ok / max(end - start, 1e-9), 1),
        "latency_ms": {k: round(1000 * pct(lat, p), 2) for k, p in
                       (("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9), ("max", 100))},
        "service_ms": {k: round(1000 * pct(svc, p), 2) for k, p in
                       (("p50", 50), ("p99", 99), ("max", 100))},
        "client_lag_ms": {k: round(1000 * pct(lag, p), 2) for k, p in
                          (("p99", 99), ("max", 100))},
    }
    if a.json:
        print(json.dumps(res))
        return
    L, S, G = res["latency_ms"], res["service_ms"], res["client_lag_ms"]
    print(f"fixed_rate: {a.rate:.0f}/s for {a.duration:.0f} s over {a.connections} connections: "
          f"{total} scheduled, {ok} x {200 if a.get else 201}, other statuses "
          f"{ {k: v for k, v in res['status'].items() if k != str(200 if a.get else 201)} }, "
          f"{b.errors} errors, {res['unanswered']} unanswered, "
          f"{b.queued} waited for a free connection")
    print(f"fixed_rate: latency from scheduled send: p50 {L['p50']} ms, p90 {L['p90']} ms, "
          f"p99 {L['p99']} ms, p99.9 {L['p99.9']} ms, max {L['max']} ms")
    print(f"fixed_rate: service time from actual send: p50 {S['p50']} ms, p99 {S['p99']} ms, "
          f"max {S['max']} ms; client send lag p99 {G['p99']} ms, max {G['max']} ms")


if __name__ == "__main__":
    sys.exit(main())
