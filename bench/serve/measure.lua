-- wrk requests for the measure-only run: partner-share over ten focal states and ten years.
local focals = { "RUS", "CHN", "IND", "JPN", "DEU", "USA", "BRA", "TUR", "VNM", "KOR" }
local requests = {}
for _, f in ipairs(focals) do
  for y = 2005, 2014 do
    table.insert(requests, wrk.format("GET", "/v1/measures/partner-share?focal=" .. f .. "&years=" .. y .. "&top=10"))
  end
end
local n = 0
function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end
