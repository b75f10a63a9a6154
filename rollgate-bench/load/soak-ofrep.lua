-- wrk script for soak.sh: OFREP single-flag evaluations with a rotating targeting key, each
-- connection waiting SOAK_DELAY_MS between requests (a fixed rate, not as fast as possible).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("ROLLGATE_SDK_TOKEN")
local pause = tonumber(os.getenv("SOAK_DELAY_MS") or "20")
local n = 0
request = function()
  n = n + 1
  local body = '{"context":{"targetingKey":"user-' .. (n % 10000) .. '","plan":"' .. ((n % 3 == 0) and "pro" or "free") .. '"}}'
  return wrk.format(nil, "/ofrep/v1/evaluate/flags/new-checkout", nil, body)
end
delay = function()
  return pause
end
