-- wrk script for `code-lookup`: GET /api/v1/codes/{code} with a random code of the
-- file in $CODES, sent with the device token in $TOKEN. The requests are formatted
-- once in init: wrk shares the machine's cores with the server, and formatting each
-- request in Lua tripled wrk's CPU per request against the hello baseline's.
local reqs = {}
local n = 0

function init(args)
  local token = os.getenv("TOKEN")
  local hdr = { ["Authorization"] = "Bearer " .. token }
  for line in io.lines(os.getenv("CODES")) do
    n = n + 1
    reqs[n] = wrk.format("GET", "/api/v1/codes/" .. line, hdr)
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  return reqs[math.random(n)]
end

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.stderr:write(string.format("code-lookup: %d requests, %d non-2xx\n",
                                summary.requests, non2xx))
end
