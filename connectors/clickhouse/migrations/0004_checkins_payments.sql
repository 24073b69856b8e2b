-- Tables for the topics that do not exist yet, so that their sinks and models slot in without reshaping the
-- database: check-ins at the gates and the payments saga. Same contract as reservation_events: one row per
-- Kafka record, keyed and deduplicated by (topic, partition, offset). Nothing writes them yet.
CREATE TABLE IF NOT EXISTS checkins
(
    topic String,
    partition UInt16,
    offset UInt64,
    event_id String,
    ticket_id String,
    booking_id String,
    gate_id String,
    -- ADMITTED or a refusal code.
    result String,
    scanned_at DateTime,
    scanned_at_ms UInt64,
    ingested_at DateTime MATERIALIZED now()
)
ENGINE = ReplacingMergeTree
ORDER BY (topic, partition, offset);

-- Check-ins per gate per minute, by result.
CREATE TABLE IF NOT EXISTS checkins_per_gate_minute
(
    event_id String,
    gate_id String,
    minute DateTime,
    result String,
    scans UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (event_id, gate_id, minute, result);

CREATE MATERIALIZED VIEW IF NOT EXISTS checkins_per_gate_minute_mv TO checkins_per_gate_minute AS
SELECT event_id, gate_id, toStartOfMinute(scanned_at) AS minute, result, count() AS scans
FROM checkins
GROUP BY event_id, gate_id, minute, result;

-- Payment requests and results of the payments saga (keyed by hold), for the time from hold to payment
-- authorisation once the saga publishes it.
CREATE TABLE IF NOT EXISTS payment_events
(
    topic String,
    partition UInt16,
    offset UInt64,
    event_id String,
    hold_id String,
    payment_id String,
    -- REQUESTED, AUTHORISED, DECLINED, CAPTURED, REFUNDED, ...
    status String,
    failure_code String,
    amount_minor Int64,
    currency String,
    occurred_at DateTime,
    occurred_at_ms UInt64,
    ingested_at DateTime MATERIALIZED now()
)
ENGINE = ReplacingMergeTree
ORDER BY (topic, partition, offset);
