-- wrk script for bench:ingest: POSTs the pre-generated batches in BENCH_BODIES (one JSON body
-- per line) in turn, rotating User-Agent strings, and prints the figures as one JSON line.
local bodies = {}
local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
}
local i = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
end

function request()
  i = i + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Lookout-Key"] = os.getenv("BENCH_KEY"),
    ["User-Agent"] = agents[(i % #agents) + 1],
  }
  return wrk.format("POST", wrk.path, headers, bodies[(i % #bodies) + 1])
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format(
    '{"requests":%d,"non2xx":%d,"socketErrors":%d,"seconds":%f,"p50us":%d,"p99us":%d}\n',
    summary.requests, non2xx, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(99)))
end
