-- title: Events
-- unit: per event
-- Per event in scope, over the range: holds, bookings, tickets sold, revenue, rejections, and the share of the
-- capacity sold (from the events dimension).
SELECT
    event_id,
    name,
    currency,
    capacity,
    holds,
    bookings,
    tickets_sold,
    revenue_minor,
    rejections
FROM
(
    SELECT event_id, any(name) AS name, any(currency) AS currency, any(capacity) AS capacity
    FROM events FINAL
    WHERE event_id IN {event_ids:Array(String)}
    GROUP BY event_id
)
ANY LEFT JOIN
(
    SELECT
        event_id,
        sum(holds) AS holds,
        sum(bookings) AS bookings,
        sum(booked_seats) - sum(cancelled_seats) AS tickets_sold,
        sum(revenue_minor) - sum(refunded_minor) AS revenue_minor,
        sum(rejections) AS rejections
    FROM sales_per_minute
    WHERE event_id IN {event_ids:Array(String)}
      AND minute >= {from:DateTime} AND minute < {to:DateTime}
    GROUP BY event_id
) USING event_id
ORDER BY event_id
