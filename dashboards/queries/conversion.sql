-- title: Holds → bookings conversion
-- unit: holds by the time they were taken
-- For the holds taken in each bucket: how many became bookings, expired, were released, or are still held, and
-- the conversion rate (booked / holds). Holds of the last minutes are still open: their rate rises as buyers pay.
SELECT
    toUInt32(intDiv(intDiv(held_at_ms, 1000), {step:UInt32}) * {step:UInt32}) AS t,
    count() AS holds,
    countIf(booked_at_ms > 0) AS booked,
    countIf(booked_at_ms = 0 AND expired_at_ms > 0) AS expired,
    countIf(booked_at_ms = 0 AND released_at_ms > 0) AS released,
    countIf(booked_at_ms = 0 AND expired_at_ms = 0 AND released_at_ms = 0) AS open,
    round(booked / holds, 4) AS conversion
FROM
(
    SELECT
        event_id,
        hold_id,
        maxMerge(held_at_ms) AS held_at_ms,
        maxMerge(booked_at_ms) AS booked_at_ms,
        maxMerge(expired_at_ms) AS expired_at_ms,
        maxMerge(released_at_ms) AS released_at_ms
    FROM hold_outcomes
    WHERE event_id IN {event_ids:Array(String)}
    GROUP BY event_id, hold_id
)
WHERE held_at_ms >= toUInt64(toUInt32({from:DateTime})) * 1000
  AND held_at_ms < toUInt64(toUInt32({to:DateTime})) * 1000
GROUP BY t
ORDER BY t
