-- title: Decision latency
-- unit: ms
-- Time from a command's issuedAt to the allocator's decision record, per bucket: median, p90, p99 and maximum,
-- over the buyers' decisions (hold expiries, decided by the clock, are left out).
SELECT
    t,
    decisions,
    q[1] AS p50_ms,
    q[2] AS p90_ms,
    q[3] AS p99_ms,
    max_ms
FROM
(
    SELECT
        toUInt32(intDiv(toUInt32(minute), {step:UInt32}) * {step:UInt32}) AS t,
        countMerge(decisions) AS decisions,
        quantilesTimingMerge(0.5, 0.9, 0.99)(latency_ms) AS q,
        maxMerge(latency_max_ms) AS max_ms
    FROM decision_latency_per_minute
    WHERE event_id IN {event_ids:Array(String)}
      AND minute >= {from:DateTime} AND minute < {to:DateTime}
      AND decision != 'HoldExpired'
    GROUP BY t
)
ORDER BY t
