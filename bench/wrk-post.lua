-- wrk script of every HTTP benchmark: POSTs pre-built requests and prints one JSON line.
-- BENCH_REQUESTS: one request per line, "<Authorization header>\t<JSON body>" (pre-signed, so the
-- load generator does no crypto); BENCH_CONTENT_TYPE; BENCH_THREADS (= wrk -t).
-- Thread k takes lines k, k+T, k+2T… so no two threads send the same request while the set lasts.
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  local step = tonumber(os.getenv("BENCH_THREADS"))
  local ctype = os.getenv("BENCH_CONTENT_TYPE")
  requests, next_request = {}, 1
  local n = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if n % step == tid then
      local auth, body = line:match("^([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", nil, { ["Content-Type"] = ctype, ["Authorization"] = auth }, body)
    end
    n = n + 1
  end
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total, mix = {}, {}
  for _, t in ipairs(threads) do
    for status, count in pairs(t:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    mix[#mix + 1] = string.format('"%d":%d', status, count)
  end
  local e = summary.errors
  io.write(string.format('BENCH-RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"socket_errors":%d,"statuses":{%s}}\n', summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.connect + e.read + e.write + e.timeout, table.concat(mix, ",")))
end
