-- The analytics models: materialized views over reservation_events.
--
-- A materialized view runs on every block inserted into reservation_events, so it counts whatever it is
-- given: the sink's dedupe before the insert (see 0001) is what keeps the counters below exact. The
-- per-hold models (hold_outcomes, booking_lines) are idempotent by construction (max, or replacing by key),
-- so even a duplicate that slipped through leaves them right.
-- Replays (a decision repeated for a retried requestId) change nothing and are left out of every model.
-- Summing and aggregating tables are read with sum() / -Merge() and GROUP BY: their rows merge in the
-- background, at any time.

-- Sales per minute per event: holds, bookings, cancellations, releases, expiries, rejections.
CREATE TABLE IF NOT EXISTS sales_per_minute
(
    event_id String,
    minute DateTime,
    decisions UInt64,
    replays UInt64,
    holds UInt64,
    held_seats UInt64,
    bookings UInt64,
    booked_seats UInt64,
    revenue_minor Int64,
    cancellations UInt64,
    cancelled_seats UInt64,
    refunded_minor Int64,
    releases UInt64,
    released_seats UInt64,
    expiries UInt64,
    expired_seats UInt64,
    rejections UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (event_id, minute);

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_per_minute_mv TO sales_per_minute AS
SELECT
    event_id,
    toStartOfMinute(occurred_at) AS minute,
    countIf(replay = 0) AS decisions,
    countIf(replay = 1) AS replays,
    countIf(replay = 0 AND decision = 'SeatsHeld') AS holds,
    sumIf(seats, replay = 0 AND decision = 'SeatsHeld') AS held_seats,
    countIf(replay = 0 AND decision = 'BookingConfirmed') AS bookings,
    sumIf(seats, replay = 0 AND decision = 'BookingConfirmed') AS booked_seats,
    sumIf(total_minor, replay = 0 AND decision = 'BookingConfirmed') AS revenue_minor,
    countIf(replay = 0 AND decision = 'BookingCancelled') AS cancellations,
    sumIf(seats, replay = 0 AND decision = 'BookingCancelled') AS cancelled_seats,
    sumIf(total_minor, replay = 0 AND decision = 'BookingCancelled') AS refunded_minor,
    countIf(replay = 0 AND decision = 'HoldReleased') AS releases,
    sumIf(seats, replay = 0 AND decision = 'HoldReleased') AS released_seats,
    countIf(replay = 0 AND decision = 'HoldExpired') AS expiries,
    sumIf(seats, replay = 0 AND decision = 'HoldExpired') AS expired_seats,
    countIf(replay = 0 AND decision IN ('HoldRejected', 'CommandRejected')) AS rejections
FROM reservation_events
GROUP BY event_id, minute;

-- Rejections per minute by command and reason code.
CREATE TABLE IF NOT EXISTS rejections_per_minute
(
    event_id String,
    minute DateTime,
    rejected_command String,
    rejection_code String,
    rejections UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (event_id, minute, rejected_command, rejection_code);

CREATE MATERIALIZED VIEW IF NOT EXISTS rejections_per_minute_mv TO rejections_per_minute AS
SELECT
    event_id,
    toStartOfMinute(occurred_at) AS minute,
    rejected_command,
    rejection_code,
    count() AS rejections
FROM reservation_events
WHERE replay = 0 AND decision IN ('HoldRejected', 'CommandRejected')
GROUP BY event_id, minute, rejected_command, rejection_code;

-- Decision latency (Kafka record timestamp of the decision minus the command's issuedAt) per minute per
-- decision type, as mergeable quantile states: any time range merges its minutes into p50/p90/p99.
-- quantilesTiming is exact to the millisecond below 1024 ms and keeps a fixed-size state.
CREATE TABLE IF NOT EXISTS decision_latency_per_minute
(
    event_id String,
    minute DateTime,
    decision String,
    decisions AggregateFunction(count),
    latency_ms AggregateFunction(quantilesTiming(0.5, 0.9, 0.99), UInt64),
    latency_sum_ms AggregateFunction(sum, UInt64),
    latency_max_ms AggregateFunction(max, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (event_id, minute, decision);

CREATE MATERIALIZED VIEW IF NOT EXISTS decision_latency_per_minute_mv TO decision_latency_per_minute AS
SELECT
    event_id,
    toStartOfMinute(occurred_at) AS minute,
    decision,
    countState() AS decisions,
    quantilesTimingState(0.5, 0.9, 0.99)(decision_latency_ms) AS latency_ms,
    sumState(decision_latency_ms) AS latency_sum_ms,
    maxState(decision_latency_ms) AS latency_max_ms
FROM reservation_events
WHERE replay = 0
GROUP BY event_id, minute, decision;

-- One row per hold (after merging): when it was held, booked, released, expired, cancelled (ms, 0 = never).
-- Holds -> bookings conversion and the time from hold to payment (the booking is confirmed once the payment
-- is authorised) come from it. max() of each column: a redelivered event changes nothing.
CREATE TABLE IF NOT EXISTS hold_outcomes
(
    event_id String,
    hold_id String,
    held_at_ms AggregateFunction(max, UInt64),
    buyer_id AggregateFunction(max, String),
    seats AggregateFunction(max, UInt32),
    total_minor AggregateFunction(max, Int64),
    currency AggregateFunction(max, String),
    booking_id AggregateFunction(max, String),
    booked_at_ms AggregateFunction(max, UInt64),
    released_at_ms AggregateFunction(max, UInt64),
    expired_at_ms AggregateFunction(max, UInt64),
    cancelled_at_ms AggregateFunction(max, UInt64)
)
ENGINE = AggregatingMergeTree
ORDER BY (event_id, hold_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS hold_outcomes_mv TO hold_outcomes AS
SELECT
    event_id,
    hold_id,
    maxState(if(decision = 'SeatsHeld', occurred_at_ms, toUInt64(0))) AS held_at_ms,
    maxState(if(decision = 'SeatsHeld', buyer_id, '')) AS buyer_id,
    maxState(if(decision = 'SeatsHeld', seats, toUInt32(0))) AS seats,
    maxState(if(decision = 'SeatsHeld', total_minor, toInt64(0))) AS total_minor,
    maxState(if(decision = 'SeatsHeld', currency, '')) AS currency,
    maxState(if(decision = 'BookingConfirmed', booking_id, '')) AS booking_id,
    maxState(if(decision = 'BookingConfirmed', occurred_at_ms, toUInt64(0))) AS booked_at_ms,
    maxState(if(decision = 'HoldReleased', occurred_at_ms, toUInt64(0))) AS released_at_ms,
    maxState(if(decision = 'HoldExpired', occurred_at_ms, toUInt64(0))) AS expired_at_ms,
    maxState(if(decision = 'BookingCancelled', occurred_at_ms, toUInt64(0))) AS cancelled_at_ms
FROM reservation_events
WHERE replay = 0
  AND decision IN ('SeatsHeld', 'HoldReleased', 'HoldExpired', 'BookingConfirmed', 'BookingCancelled')
GROUP BY event_id, hold_id;

-- Sold tickets and revenue per price category: one row per (booking, category). Revenue net of cancellations
-- is these lines minus the holds whose booking was cancelled (hold_outcomes).
CREATE TABLE IF NOT EXISTS booking_lines
(
    event_id String,
    hold_id String,
    booking_id String,
    price_category_id String,
    currency String,
    quantity UInt32,
    amount_minor Int64,
    booked_at DateTime
)
ENGINE = ReplacingMergeTree
ORDER BY (event_id, hold_id, price_category_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS booking_lines_mv TO booking_lines AS
SELECT
    event_id,
    hold_id,
    booking_id,
    price_category_id,
    currency,
    quantity,
    amount_minor,
    occurred_at AS booked_at
FROM reservation_events
ARRAY JOIN
    line_category AS price_category_id,
    line_quantity AS quantity,
    line_amount_minor AS amount_minor
WHERE replay = 0 AND decision = 'BookingConfirmed';
