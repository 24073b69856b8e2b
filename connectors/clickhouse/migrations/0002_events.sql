-- The events dimension, from catalog.events.v1 (compacted): the latest definition of each event, for names,
-- currency, capacity and above all organizer_id, which scopes what an organizer may see on the dashboards.
-- ReplacingMergeTree on the catalog's own revision number: a redelivered or older revision never wins; read
-- with FINAL. Tombstones are not recorded: analytics keep the last known definition of a deleted event.
CREATE TABLE IF NOT EXISTS events
(
    topic String,
    partition UInt16,
    offset UInt64,
    event_id String,
    organizer_id String,
    name String,
    venue_name String,
    city String,
    currency String,
    status String,
    starts_at_ms UInt64,
    on_sale_at DateTime,
    off_sale_at DateTime,
    -- Seats of the seated sections plus places of the general-admission sections.
    capacity UInt32,
    max_tickets_per_buyer UInt32,
    hold_duration_ms UInt64,
    price_category_ids Array(String),
    price_category_names Array(String),
    price_category_prices Array(Int64),
    catalog_version UInt64,
    updated_at_ms UInt64,
    ingested_at DateTime MATERIALIZED now()
)
ENGINE = ReplacingMergeTree(catalog_version)
ORDER BY event_id;
