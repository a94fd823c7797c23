-- wrk script: one chat completion per request, with the key from AIXCL_KEY (empty for the anchors) and
-- BENCH_STREAM=1 for SSE.
local stream = os.getenv("BENCH_STREAM") == "1"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("AIXCL_KEY")
if key and key ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. key
end
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"Say hello"}],"max_tokens":32,"stream":'
    .. (stream and 'true' or 'false') .. '}'

-- wrk counts answers that are not 2xx/3xx as status errors: a gateway that refuses fast cannot look fast.
done = function(summary, latency, requests)
    io.write(string.format("non2xx=%d\n", summary.errors.status))
end
