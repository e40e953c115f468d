-- wrk script for `code-lookup`: GET /api/v1/codes/{code} with a random code of the
-- file in $CODES, sent with the device token in $TOKEN.
local codes = {}
local token = os.getenv("TOKEN")

function init(args)
  for line in io.lines(os.getenv("CODES")) do
    codes[#codes + 1] = line
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  local code = codes[math.random(#codes)]
  return wrk.format("GET", "/api/v1/codes/" .. code,
                    { ["Authorization"] = "Bearer " .. token })
end

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.stderr:write(string.format("code-lookup: %d requests, %d non-2xx\n",
                                summary.requests, non2xx))
end
