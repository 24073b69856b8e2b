-- title: Sales per minute
-- unit: per bucket
-- Holds, bookings (and the tickets they sold), cancellations, releases, expiries and rejections per time bucket,
-- from the sales_per_minute model. Revenue is in minor units of the events' currency.
SELECT
    toUInt32(intDiv(toUInt32(minute), {step:UInt32}) * {step:UInt32}) AS t,
    sum(holds) AS holds,
    sum(held_seats) AS held_seats,
    sum(bookings) AS bookings,
    sum(booked_seats) AS tickets_sold,
    sum(revenue_minor) AS revenue_minor,
    sum(cancellations) AS cancellations,
    sum(releases) AS releases,
    sum(expiries) AS expiries,
    sum(rejections) AS rejections
FROM sales_per_minute
WHERE event_id IN {event_ids:Array(String)}
  AND minute >= {from:DateTime} AND minute < {to:DateTime}
GROUP BY t
ORDER BY t
