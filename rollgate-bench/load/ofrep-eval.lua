-- wrk script: OFREP single-flag evaluation with a rotating targeting key.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("ROLLGATE_SDK_TOKEN")
local n = 0
request = function()
  n = n + 1
  local body = '{"context":{"targetingKey":"user-' .. (n % 10000) .. '","plan":"' .. ((n % 3 == 0) and "pro" or "free") .. '"}}'
  return wrk.format(nil, "/ofrep/v1/evaluate/flags/new-checkout", nil, body)
end
