-- wrk script: signed platform purchases (POST /api/v1/platform/purchases),
-- each request a new Idempotency-Key and nonce, signed beforehand.
--
--   wrk -t2 -c64 -d10s --latency -s bench/purchases.lua URL -- REQUESTS-FILE
--
-- REQUESTS-FILE (made by bench/purchases.sh) has one request a line:
-- code|key|timestamp|nonce|signature|body.  Thread t of n takes lines
-- t, t+n, t+2n, ...; when its share runs out it stops.  Status codes are
-- counted and printed at the end: anything but 201 is a failed purchase.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- a global, so that done() can read it with thread:get()
counts = {}

function init(args)
  local file = args[1]
  local nthreads = tonumber(args[2])
  reqs, pos = {}, 1
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == id then
      local code, key, ts, nonce, sig, body = line:match("^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$")
      local headers = {
        ["Content-Type"] = "application/json",
        ["X-Prakerja-Platform"] = code,
        ["X-Prakerja-Timestamp"] = ts,
        ["X-Prakerja-Nonce"] = nonce,
        ["X-Prakerja-Signature"] = sig,
        ["Idempotency-Key"] = key,
      }
      table.insert(reqs, wrk.format("POST", "/api/v1/platform/purchases", headers, body))
    end
    i = i + 1
  end
end

function request()
  local r = reqs[pos]
  if r == nil then
    wrk.thread:stop()
    return reqs[1]
  end
  pos = pos + 1
  return r
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, k .. ": " .. v) end
  table.sort(parts)
  io.write("status counts: " .. table.concat(parts, ", ") .. "\n")
end
