-- wrk script: POST /api/v1/participants, every request a new valid person.
--
--   wrk -t2 -c64 -d10s --latency -s bench/register.lua \
--       http://127.0.0.1:PORT/api/v1/participants [-- OFFSET]
--
-- NIKs are PPKKCC DDMMYY SSSS with a Jakarta district code, the birth date
-- (day + 40 for women) and a serial.  A per-thread counter walks through the
-- 44 districts, then every birth date (1970-2005, days 1-28), then raises the
-- serial; thread t (of at most 16) only uses serials = t + 1 (mod 16), so
-- threads never collide and every request has a NIK of its own (about 330
-- million per thread).  OFFSET (default 0) starts the counters further on,
-- for a second run against the same database.  The KK number is made from
-- the same counter (region + registration date + the same serial): unique per
-- request too.
--
-- Status codes are counted in response() and printed at the end: anything
-- but 201 is a failed registration.

local districts = {
  "310101", "310102", "317101", "317102", "317103", "317104", "317105", "317106",
  "317107", "317108", "317201", "317202", "317203", "317204", "317205", "317206",
  "317301", "317302", "317303", "317304", "317305", "317306", "317307", "317308",
  "317401", "317402", "317403", "317404", "317405", "317406", "317407", "317408",
  "317409", "317410", "317501", "317502", "317503", "317504", "317505", "317506",
  "317507", "317508", "317509", "317510",
}
local villages = {
  "31.01.01.1001", "31.71.02.1002", "31.71.04.1002", "31.71.07.1001", "31.72.01.1003",
  "31.72.03.1004", "31.72.06.1001", "31.73.02.1005", "31.73.04.1003", "31.73.05.1005",
  "3173071006", "3174011007", "3174031005", "3174051006", "3174071008", "3174091005",
  "31.75.02.1001", "31.75.03.1007", "31.75.05.1005", "31.75.07.1006", "31.75.10.1002",
}
local first_m = { "Budi", "Agus", "Ahmad", "Rizki", "Dedi", "Hendra", "Joko", "Eko", "Fajar", "Yusuf" }
local first_f = { "Siti", "Dewi", "Sri", "Rina", "Putri", "Ayu", "Indah", "Fitri", "Nurul", "Maya" }
local last = { "Santoso", "Wijaya", "Saputra", "Hidayat", "Siregar", "Nasution", "Lubis", "Pratama" }
local pendidikan = { "sma", "sma", "smp", "s1", "d3", "sd", "sma", "s1" }
local segmen = { "pencari_kerja", "pencari_kerja", "korban_phk", "peningkatan_kompetensi" }
local pekerjaan = { "lainnya", "wiraswasta", "karyawan_swasta", "karyawan_swasta" }
local streets = { "Jl. Kramat Raya", "Jl. Pemuda", "Jl. Daan Mogot", "Gg. Mawar", "Jl. Tebet Barat" }

local NDATES = 36 * 12 * 28 -- years 1970..2005, days 1..28 of every month

local MAXT = 16 -- threads at most: the serial's last digits tell them apart

local threads = {}
local counter = 0
local t = 0 -- this thread's index
-- status code -> count, per thread; a global, so that the main thread can
-- read it with thread:get() in done()
statuses = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = tonumber(args[1] or "0") or 0
  t = tonumber(tid) or 0
  if t >= MAXT then error("register.lua: at most " .. MAXT .. " threads") end
end

local function pick(list, n)
  return list[n % #list + 1]
end

function request()
  local c = counter
  counter = counter + 1
  local district = districts[c % #districts + 1]
  local k = math.floor(c / #districts)
  local d = k % NDATES
  local serial = math.floor(k / NDATES) * MAXT + t + 1
  local day = d % 28 + 1
  local month = math.floor(d / 28) % 12 + 1
  local year = 1970 + math.floor(d / (28 * 12))
  local female = (k % 2) == 1
  local nikday = female and day + 40 or day
  local nik = string.format("%s%02d%02d%02d%04d", district, nikday, month, year % 100, serial)
  -- KK: district of issue, a registration date, a serial: same counter walk
  -- (5 is coprime to NDATES: a permutation of the dates, years 1990-2025)
  local kd = (k * 5) % NDATES
  local kk = string.format("%s%02d%02d%02d%04d", district, kd % 28 + 1, math.floor(kd / 28) % 12 + 1,
                           (1990 + math.floor(kd / (28 * 12))) % 100, serial)
  local first = female and pick(first_f, k) or pick(first_m, k)
  local lname = pick(last, math.floor(k / 3))
  local phone = string.format("08%d%08d", 12 + (k % 8), (c * 7919) % 100000000)
  local body = string.format(
    '{"nik":"%s","no_kk":"%s","nama":"%s %s","tanggal_lahir":"%04d-%02d-%02d",' ..
    '"jenis_kelamin":"%s","no_hp":"%s","email":"%s.%s%d@gmail.com","kode_wilayah":"%s",' ..
    '"alamat":"%s No. %d, RT %03d/RW %03d","pendidikan":"%s","segmen":"%s","pekerjaan":"%s"}',
    nik, kk, first, lname, year, month, day, female and "P" or "L", phone,
    string.lower(first), string.lower(lname), c % 1000, pick(villages, c),
    pick(streets, k), c % 200 + 1, c % 15 + 1, c % 12 + 1,
    pick(pendidikan, c), pick(segmen, k), pick(pekerjaan, c))
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

function response(code, headers, body)
  statuses[code] = (statuses[code] or 0) + 1
end

function done(summary, latency, requests)
  local total, by = 0, {}
  for _, t in ipairs(threads) do
    local st = t:get("statuses")
    if st then
      for code, n in pairs(st) do
        by[code] = (by[code] or 0) + n
        total = total + n
      end
    end
  end
  local ok = by[201] or 0
  local secs = summary.duration / 1e6
  io.write(string.format("register.lua: %d responses, %d x 201 (%.0f acknowledged registrations/s),"
                         .. " %d non-201", total, ok, ok / secs, total - ok))
  local codes = {}
  for code, _ in pairs(by) do codes[#codes + 1] = code end
  table.sort(codes)
  for _, code in ipairs(codes) do
    if code ~= 201 then io.write(string.format(" [%d: %d]", code, by[code])) end
  end
  io.write(string.format("; socket errors: connect %d, read %d, write %d, timeout %d, status>399 %d\n",
                         summary.errors.connect, summary.errors.read, summary.errors.write,
                         summary.errors.timeout, summary.errors.status))
  io.write(string.format("register.lua: latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                         latency:percentile(50) / 1000, latency:percentile(90) / 1000,
                         latency:percentile(99) / 1000, latency.max / 1000))
end
