-- wrk request mix for `pivot serve`: half measures (several measures, focal states and years),
-- a fifth country look-ups (type-ahead and resolve), a tenth the bundled claims, a fifth SQL.
-- Every response must be 2xx: anything else is counted and printed at the end.
local focals = { "RUS", "CHN", "IND", "JPN", "DEU", "USA", "BRA", "TUR", "VNM", "KOR" }
local json = { ["Content-Type"] = "application/json" }
local requests = {}
local kinds = {}

local function add(kind, method, path, body, headers)
  table.insert(requests, wrk.format(method, path, headers, body))
  table.insert(kinds, kind)
end

for i, f in ipairs(focals) do
  for y = 2005, 2014 do
    add("measure", "GET", "/v1/measures/partner-share?focal=" .. f .. "&years=" .. y .. "&top=10")
  end
  local other = (f == "USA") and "CHN" or "USA"
  add("measure", "GET", "/v1/measures/un-alignment?focal=" .. f .. "&partners=" .. other .. "&years=2000-2019")
  add("measure", "GET", "/v1/measures/power-ratio?focal=" .. f .. "&partners=" .. other .. "&indicator=cinc")
  add("measure", "POST", "/v1/measures/partner-share", '{"focal":"' .. f .. '","years":"1995-2014","top":5}', json)
  add("country", "GET", "/v1/countries?q=" .. string.sub(f, 1, 2) .. "&limit=8")
  add("country", "GET", "/v1/countries/resolve?q=" .. f)
  add("country", "GET", "/v1/countries?q=viet")
  add("country", "GET", "/v1/countries/resolve?q=cow:365")
  add("sql", "POST", "/v1/sql", '{"query":"SELECT importer, SUM(value_usd_m) AS v FROM trade_flows WHERE source = \'cow_trade\' AND year = 2014 AND exporter = \'' .. f .. '\' GROUP BY importer ORDER BY v DESC LIMIT 10"}', json)
  add("sql", "POST", "/v1/sql", '{"query":"SELECT year, value_usd_m FROM trade_flows WHERE source = \'cow_trade\' AND exporter = \'CHN\' AND importer = \'' .. f .. '\' ORDER BY year"}', json)
  add("sql", "POST", "/v1/sql", '{"query":"SELECT COUNT(*) AS n FROM un_votes"}', json)
  add("claims", "GET", "/v1/claims")
end

local n = 0
local non2xx = 0
function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if non2xx <= 3 then io.stderr:write("non-2xx " .. status .. ": " .. string.sub(body or "", 1, 200) .. "\n") end
  end
end

function done(summary, latency, requests_)
  local counts = {}
  for _, k in ipairs(kinds) do counts[k] = (counts[k] or 0) + 1 end
  local parts = {}
  for k, c in pairs(counts) do table.insert(parts, k .. "=" .. c) end
  table.sort(parts)
  io.write(string.format("MIX %d distinct requests: %s\n", #requests, table.concat(parts, " ")))
end
