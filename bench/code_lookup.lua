-- wrk script for `code-lookup`: GET /api/v1/codes/{code} with a random code of the
-- file in $CODES, sent with the device token in $TOKEN. The requests are formatted
-- once in init: wrk shares the machine's cores with the server, and formatting each
-- request in Lua tripled wrk's CPU per request against the hello baseline's.
-- With $TARGET set, the same requests go to that path with the code as a query string
-- (the bench's second hello baseline: the client's cost made equal).
local reqs = {}
local n = 0

function init(args)
  local token = os.getenv("TOKEN")
  local hdr = { ["Authorization"] = "Bearer " .. token }
  local target = os.getenv("TARGET") -- another path, asked with the same requests' cost
  for line in io.lines(os.getenv("CODES")) do
    n = n + 1
    if target then
      reqs[n] = wrk.format("GET", target .. "?code=" .. line, hdr)
    else
      reqs[n] = wrk.format("GET", "/api/v1/codes/" .. line, hdr)
    end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  return reqs[math.random(n)]
end

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.stderr:write(string.format("code-lookup (%s): %d requests, %d non-2xx\n",
                                os.getenv("TARGET") or "/api/v1/codes", summary.requests, non2xx))
end
