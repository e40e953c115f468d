-- wrk script for `coverage-live`: GET /api/v1/rounds/$ROUND/coverage?place=CODE with a
-- random place code of the file in $PLACES (city, districts, streets, communities and
-- grids), sent with the session cookie in $COOKIE. Requests are formatted once in init.
local reqs = {}
local n = 0

function init(args)
  local hdr = { ["Cookie"] = os.getenv("COOKIE") }
  local round = os.getenv("ROUND")
  for line in io.lines(os.getenv("PLACES")) do
    n = n + 1
    reqs[n] = wrk.format("GET", "/api/v1/rounds/" .. round .. "/coverage?place=" .. line, hdr)
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  return reqs[math.random(n)]
end

done = function(summary, latency, requests)
  io.stderr:write(string.format("coverage-live: %d requests, %d non-2xx\n",
                                summary.requests, summary.errors.status))
end
