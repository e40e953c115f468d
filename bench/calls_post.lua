-- wrk script for `calls-load`: POST /api/v1/calls at a random household of the file in
-- $HOMES, signed in as the bench's operator ($COOKIE, $CSRF). The requests are formatted
-- once in init, as code_lookup.lua does, so that the client's cost stays small.
local reqs = {}
local n = 0
local cats = { "medicine", "food", "medical", "dialysis", "pregnancy", "transport", "mental", "other" }

function init(args)
  local hdr = {
    ["Cookie"] = os.getenv("COOKIE"),
    ["X-CSRF-Token"] = os.getenv("CSRF"),
    ["Content-Type"] = "application/json",
  }
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  for line in io.lines(os.getenv("HOMES")) do
    n = n + 1
    local body = string.format(
      '{"place":"%s","category":"%s","priority":"%s","text":"bench call","phone":"13800138000"}',
      line, cats[(n % 8) + 1], (n % 3 == 0) and "urgent" or "normal")
    reqs[n] = wrk.format("POST", "/api/v1/calls", hdr, body)
  end
end

function request()
  return reqs[math.random(n)]
end

done = function(summary, latency, requests)
  io.stderr:write(string.format("calls-load POST: %d requests, %d non-2xx\n", summary.requests,
                                summary.errors.status))
end
