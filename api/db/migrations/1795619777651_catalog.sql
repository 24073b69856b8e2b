-- Up Migration

-- The catalog's write side (api/catalog): organizers' venues and events. An event copies the seat map of its venue
-- when it is created (or re-pointed at a venue), so editing a venue never changes the seat map of an event on sale.
-- A published event is sent to catalog.events.v1 as a full CatalogEvent at every change: `version` counts the
-- changes, `published_version` is the last one on the topic. The API publishes right after its change commits;
-- rows left behind (Kafka unavailable) are published by the relay (transactional outbox: the row is the outbox).
-- Buyers never read these tables: they read the read models (events, availability...) fed from the topic.
-- Seat maps are stored in the seat allocator's domain form (processors/seat-allocation/model.ts VenueDef).
CREATE TABLE catalog_venues (
  venue_id     uuid        PRIMARY KEY,
  organizer_id uuid        NOT NULL,
  name         text        NOT NULL,
  city         text,
  focus        jsonb       NOT NULL,
  sections     jsonb       NOT NULL,
  seat_count   integer     NOT NULL,
  ga_capacity  integer     NOT NULL,
  version      integer     NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalog_venues_organizer_idx ON catalog_venues (organizer_id, created_at, venue_id);

CREATE TABLE catalog_events (
  event_id              uuid        PRIMARY KEY,
  organizer_id          uuid        NOT NULL,
  venue_id              uuid        NOT NULL REFERENCES catalog_venues (venue_id),
  -- the venue's version whose seat map `venue` holds
  venue_version         integer     NOT NULL,
  venue                 jsonb       NOT NULL,
  name                  text        NOT NULL,
  starts_at             timestamptz,
  currency              text        NOT NULL,
  price_categories      jsonb       NOT NULL,
  on_sale_at            timestamptz NOT NULL,
  off_sale_at           timestamptz NOT NULL,
  max_tickets_per_buyer integer     NOT NULL,
  hold_duration_ms      bigint      NOT NULL,
  status                text        NOT NULL CHECK (status IN ('SCHEDULED', 'ON_SALE', 'SALE_PAUSED', 'SALE_ENDED', 'CANCELLED')),
  published             boolean     NOT NULL DEFAULT false,
  version               bigint      NOT NULL DEFAULT 1,
  published_version     bigint      NOT NULL DEFAULT 0,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT catalog_events_published_version CHECK (published_version <= version)
);
CREATE INDEX catalog_events_organizer_idx ON catalog_events (organizer_id, created_at, event_id);
CREATE INDEX catalog_events_venue_idx ON catalog_events (venue_id);
-- What the relay looks for: published events whose latest change is not on the topic yet.
CREATE INDEX catalog_events_unpublished_idx ON catalog_events (updated_at) WHERE published AND published_version < version;

-- Buyers' event list (read model `events`) pages by start time, events without one last.
CREATE INDEX events_listing_idx ON events ((coalesce(starts_at, 'infinity'::timestamptz)), event_id);

-- Down Migration

DROP INDEX events_listing_idx;
DROP TABLE catalog_events;
DROP TABLE catalog_venues;
