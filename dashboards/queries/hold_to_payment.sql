-- title: Time from hold to payment
-- unit: s
-- For the bookings confirmed in each bucket (a booking is confirmed once its payment is authorised): how long
-- after the hold, as median and p90, in seconds.
SELECT
    t,
    bookings,
    q[1] AS p50_s,
    q[2] AS p90_s
FROM
(
    SELECT
        toUInt32(intDiv(intDiv(booked_at_ms, 1000), {step:UInt32}) * {step:UInt32}) AS t,
        count() AS bookings,
        quantiles(0.5, 0.9)((booked_at_ms - held_at_ms) / 1000) AS q
    FROM
    (
        SELECT
            event_id,
            hold_id,
            maxMerge(held_at_ms) AS held_at_ms,
            maxMerge(booked_at_ms) AS booked_at_ms
        FROM hold_outcomes
        WHERE event_id IN {event_ids:Array(String)}
        GROUP BY event_id, hold_id
    )
    WHERE booked_at_ms >= toUInt64(toUInt32({from:DateTime})) * 1000
      AND booked_at_ms < toUInt64(toUInt32({to:DateTime})) * 1000
      AND held_at_ms > 0
    GROUP BY t
)
ORDER BY t
