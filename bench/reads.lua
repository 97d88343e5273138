-- wrk script of bench/reads.sh: GET READS_PATH, "{id}" in it replaced by
-- an id drawn from READS_IDS ("LO:HI"), each thread seeded apart.
local path = os.getenv("READS_PATH") or "/"
local lo, hi = 1, 1
local ids = os.getenv("READS_IDS")
local a, b = (ids or ""):match("^(%d+):(%d+)$")
if a then
  lo, hi = tonumber(a), tonumber(b)
end
local n = 0

function setup(thread)
  n = n + 1
  thread:set("seed", n)
end

function init(args)
  math.randomseed(seed or 1)
end

function request()
  if path:find("{id}", 1, true) then
    return wrk.format("GET", (path:gsub("{id}", tostring(math.random(lo, hi)))))
  end
  return wrk.format("GET", path)
end
