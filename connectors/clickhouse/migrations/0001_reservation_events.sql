-- Every record of reservation.events.v1, one row per Kafka record, flattened from the Avro decision union.
--
-- Effectively once: the sink drops records at or below the highest offset this table holds for their
-- (topic, partition) before inserting (so the materialized views below never see a record twice), and the
-- table is a ReplacingMergeTree keyed by (topic, partition, offset) as a second line: a duplicate that got
-- through anyway collapses at merge time, and readers that need exact counts read it with FINAL.
-- No PARTITION BY: one INSERT is one part, so an insert lands whole or not at all (the watermark relies on it).
-- Times: *_ms columns keep the milliseconds of the Avro timestamp-millis fields; DateTime columns (seconds,
-- UTC) are for grouping.
CREATE TABLE IF NOT EXISTS reservation_events
(
    topic String,
    partition UInt16,
    offset UInt64,
    -- Kafka record timestamp: when the seat allocator produced the decision.
    record_ts_ms UInt64,
    event_id String,
    request_id String,
    buyer_id String,
    occurred_at DateTime,
    occurred_at_ms UInt64,
    command_issued_at_ms UInt64,
    -- record_ts_ms - command_issued_at_ms, 0 when the clocks disagree the other way.
    decision_latency_ms UInt64,
    channel String,
    partner_id String,
    -- 1: the repetition of an earlier decision for a retried requestId; models skip it.
    replay UInt8,
    -- The branch of the decision union: SeatsHeld, HoldRejected, CommandRejected, HoldReleased, HoldExpired,
    -- BookingConfirmed, BookingCancelled.
    decision String,
    hold_id String,
    booking_id String,
    -- RejectionCode of HoldRejected and CommandRejected.
    rejection_code String,
    -- What was refused: HOLD for HoldRejected, else RELEASE_HOLD, CONFIRM_BOOKING or CANCEL_BOOKING.
    rejected_command String,
    -- Seats or general-admission places held, freed, sold or cancelled (0 for rejections).
    seats UInt32,
    total_minor Int64,
    currency String,
    expires_at_ms UInt64,
    -- Per price category (SeatsHeld and BookingConfirmed): category, seats or places, amount in minor units.
    line_category Array(String),
    line_quantity Array(UInt32),
    line_amount_minor Array(Int64),
    ingested_at DateTime MATERIALIZED now()
)
ENGINE = ReplacingMergeTree
ORDER BY (topic, partition, offset);
