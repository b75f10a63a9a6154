-- wrk script for peers.sh: the same 1,024 users (PeerUsers.java: country, plan and app version
-- rotate with coprime periods) asked of one target, chosen by PEERS_TARGET:
--   unleash  GET  /api/frontend?userId=...&country=...   (Unleash's frontend API, every enabled flag)
--   bulk     POST /ofrep/v1/evaluate/flags                (Rollgate's OFREP bulk, every flag)
--   single   POST /ofrep/v1/evaluate/flags/{key}          (Rollgate's OFREP single, the three flags in turn)
-- PEERS_TOKEN is the frontend token (Unleash) or the sdk token (Rollgate).
local target = os.getenv("PEERS_TARGET") or "single"
local token = os.getenv("PEERS_TOKEN") or ""
local countries = {"DE", "FR", "US", "NL", "GB"}
local plans = {"pro", "free", "team"}
local versions = {"1.9.0", "2.0.9", "2.1.0", "2.1.1", "2.10.0", "10.0.0", "2.0.10"}
local flags = {"static-flag", "rule-flag", "fractional-flag"}
local count = 1024

-- Requests are built once per thread, in init (wrk sets the Host header just before it), so that
-- wrk's own cost is the same for every target. The single target asks each user about each flag
-- (3,072 requests), so that no flag is tied to one plan.
local requests = {}
init = function()
  for i = 0, count - 1 do
    local key = "user-" .. i
    local country = countries[i % #countries + 1]
    local plan = plans[i % #plans + 1]
    local version = versions[i % #versions + 1]
    if target == "unleash" then
      local path = "/api/frontend?appName=peers&userId=" .. key .. "&country=" .. country
        .. "&plan=" .. plan .. "&appVersion=" .. version
      requests[#requests + 1] = wrk.format("GET", path, {["Authorization"] = token})
    else
      local body = '{"context":{"targetingKey":"' .. key .. '","country":"' .. country
        .. '","plan":"' .. plan .. '","appVersion":"' .. version .. '"}}'
      local headers = {["Content-Type"] = "application/json", ["X-API-Key"] = token}
      if target == "bulk" then
        requests[#requests + 1] = wrk.format("POST", "/ofrep/v1/evaluate/flags", headers, body)
      elseif target == "single" then
        for _, flag in ipairs(flags) do
          requests[#requests + 1] =
            wrk.format("POST", "/ofrep/v1/evaluate/flags/" .. flag, headers, body)
        end
      else
        error("PEERS_TARGET must be unleash, bulk or single, not " .. target)
      end
    end
  end
end

local n = 0
request = function()
  n = n % #requests + 1
  return requests[n]
end
