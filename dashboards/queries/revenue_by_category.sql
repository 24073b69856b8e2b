-- title: Revenue per price category
-- unit: minor units
-- Tickets sold and revenue per price category for the bookings confirmed in the range and not cancelled since,
-- with the cancelled ones apart.
SELECT
    price_category_id AS category,
    currency,
    sumIf(quantity, cancelled = 0) AS tickets_sold,
    sumIf(amount_minor, cancelled = 0) AS revenue_minor,
    sumIf(quantity, cancelled = 1) AS tickets_cancelled,
    sumIf(amount_minor, cancelled = 1) AS refunded_minor
FROM
(
    SELECT
        price_category_id,
        currency,
        quantity,
        amount_minor,
        (event_id, hold_id) IN
        (
            SELECT event_id, hold_id
            FROM hold_outcomes
            WHERE event_id IN {event_ids:Array(String)}
            GROUP BY event_id, hold_id
            HAVING maxMerge(cancelled_at_ms) > 0
        ) AS cancelled
    FROM booking_lines FINAL
    WHERE event_id IN {event_ids:Array(String)}
      AND booked_at >= {from:DateTime} AND booked_at < {to:DateTime}
)
GROUP BY category, currency
ORDER BY revenue_minor DESC, category
