-- Up Migration

-- Read models: PostgreSQL tables fed from Kafka by the read-model sink (connectors/postgres). Only the sink writes them;
-- the API reads them. Each batch of records is applied in one transaction together with the consumed offsets
-- (sink_offsets), so the tables are always exactly as far as the offsets say: no record applied twice, none lost.
-- Ids coming from the topics (event ids, hold ids, buyer ids) are text: the topics define them, not this database.

-- unaccent (a trusted extension since PostgreSQL 13) for accent-insensitive search.
CREATE EXTENSION IF NOT EXISTS unaccent;

-- The position of the next record to apply, per sink (`consumer`) and source partition. The sink seeks there on
-- every partition assignment; the Kafka consumer group's own offsets are only informational.
CREATE TABLE sink_offsets (
  consumer    text        NOT NULL,
  topic       text        NOT NULL,
  partition   integer     NOT NULL CHECK (partition >= 0),
  next_offset bigint      NOT NULL CHECK (next_offset >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, topic, partition)
);

-- Records the sink refused (they also went to the topic's .dlq): what an operator looks at. Written in the batch's
-- transaction, so exactly one row per refused record.
CREATE TABLE sink_dead_letters (
  consumer      text        NOT NULL,
  topic         text        NOT NULL,
  partition     integer     NOT NULL,
  "offset"      bigint      NOT NULL,
  code          text        NOT NULL,
  message       text        NOT NULL,
  dead_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, topic, partition, "offset")
);

-- Search text normalisation, applied alike to documents and queries (see search_document / search_query):
-- accents off (théâtre = theatre), lower case, Arabic diacritics (tashkeel) and tatweel off, alef forms (أ إ آ ٱ) as
-- bare alef, alef maqsura (ى) as yeh, and Unicode punctuation (Arabic comma, guillemets, dashes...) as spaces: with
-- a C-locale database the text-search parser counts every non-ASCII character as a letter, so 'موسيقى،' would
-- otherwise be one word with its comma.
CREATE FUNCTION search_normalize(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(
    regexp_replace(
      regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, coalesce(t, ''))), '[\u064B-\u065F\u0670\u0640]', '', 'g'),
      '[\u060C\u061B\u061F\u066A-\u066D\u06D4\u00A0\u00AB\u00BB\u2010-\u2027\u2030-\u205E\u200B-\u200F\u3000]', ' ', 'g'),
    'أإآٱى', 'ااااي')
$$;

-- The Arabic stemmer's input: the conjunction wa- before the article (والموسيقى → الموسيقى), which the Snowball
-- Arabic stemmer leaves in place.
CREATE FUNCTION search_arabic(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(search_normalize(t), '(^|[[:space:]])وال', '\1ال', 'g')
$$;

-- One text under the four readings a query may need: English and French stemming, Arabic stemming, and 'simple'
-- (exact words: names, places, any other language).
CREATE FUNCTION search_vector(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('english', search_normalize(t)) || to_tsvector('french', search_normalize(t))
      || to_tsvector('arabic', search_arabic(t)) || to_tsvector('simple', search_normalize(t))
$$;

-- An event's search document: its name weighs most (A), the venue and city next (B).
CREATE FUNCTION search_document(name text, venue_name text, city text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(search_vector(name), 'A') || setweight(search_vector(coalesce(venue_name, '') || ' ' || coalesce(city, '')), 'B')
$$;

-- A buyer's query (websearch syntax: words, "phrases", -excluded) under the same four readings: a document matches
-- when it matches the query read in any one language.
CREATE FUNCTION search_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT websearch_to_tsquery('english', search_normalize(q)) || websearch_to_tsquery('french', search_normalize(q))
      || websearch_to_tsquery('arabic', search_arabic(q)) || websearch_to_tsquery('simple', search_normalize(q))
$$;

-- The latest catalog definition of each event (catalog.events.v1, version-guarded: an older revision never
-- replaces a newer one). The seat map is kept as the catalog carries it, runs of seats (venue.sections[].rows[].runs),
-- not one row per seat: a 60,000-seat stadium is one row of a few hundred kilobytes instead of 60,000 rows rewritten
-- on every revision, and no query selects seats in SQL (the API expands the runs, in the seat allocator's order).
CREATE TABLE events (
  event_id              text        PRIMARY KEY,
  organizer_id          text        NOT NULL,
  name                  text        NOT NULL,
  starts_at             timestamptz,
  venue_id              text        NOT NULL,
  venue_name            text        NOT NULL,
  city                  text,
  -- { focus: {x, y}, sections: [...] } as in the catalog record, unions unwrapped
  venue                 jsonb       NOT NULL,
  currency              text        NOT NULL,
  price_categories      jsonb       NOT NULL,
  seat_count            integer     NOT NULL,
  ga_capacity           integer     NOT NULL,
  on_sale_at            timestamptz NOT NULL,
  off_sale_at           timestamptz NOT NULL,
  max_tickets_per_buyer integer     NOT NULL,
  hold_duration_ms      bigint      NOT NULL,
  status                text        NOT NULL CHECK (status IN ('SCHEDULED', 'ON_SALE', 'SALE_PAUSED', 'SALE_ENDED', 'CANCELLED')),
  version               bigint      NOT NULL,
  updated_at            timestamptz NOT NULL,
  search                tsvector    GENERATED ALWAYS AS (search_document(name, venue_name, city)) STORED
);
CREATE INDEX events_search_idx ON events USING gin (search);
CREATE INDEX events_starts_at_idx ON events (starts_at, event_id);
CREATE INDEX events_city_idx ON events (search_normalize(city));
CREATE INDEX events_organizer_idx ON events (organizer_id);

-- Seat maps of the catalog revisions an availability snapshot may still refer to (its catalogVersion orders its
-- per-seat states). Revisions older than both the event's and its snapshot's are pruned by the sink.
CREATE TABLE event_seat_maps (
  event_id         text   NOT NULL,
  version          bigint NOT NULL,
  venue            jsonb  NOT NULL,
  price_categories jsonb  NOT NULL,
  PRIMARY KEY (event_id, version)
);

-- Holds (reservation.events.v1): created by SeatsHeld, ended by HoldReleased, HoldExpired or BookingConfirmed.
CREATE TABLE holds (
  hold_id           text        PRIMARY KEY,
  event_id          text        NOT NULL,
  buyer_id          text        NOT NULL,
  request_id        text        NOT NULL,
  -- [{seatId, sectionId, rowLabel, seatLabel, priceCategoryId, priceMinor}], empty for general admission
  seats             jsonb       NOT NULL,
  -- {sectionId, quantity, priceCategoryId, unitPriceMinor} or null
  general_admission jsonb,
  tickets           integer     NOT NULL,
  total_minor       bigint      NOT NULL,
  currency          text        NOT NULL,
  held_at           timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL,
  status            text        NOT NULL CHECK (status IN ('HELD', 'RELEASED', 'EXPIRED', 'CONFIRMED')),
  ended_at          timestamptz,
  booking_id        text
);
CREATE INDEX holds_buyer_idx ON holds (buyer_id, held_at DESC, hold_id DESC);
CREATE INDEX holds_event_idx ON holds (event_id);

-- Bookings: created by BookingConfirmed, cancelled by BookingCancelled.
CREATE TABLE bookings (
  booking_id            text        PRIMARY KEY,
  hold_id               text        NOT NULL,
  event_id              text        NOT NULL,
  buyer_id              text        NOT NULL,
  request_id            text        NOT NULL,
  seats                 jsonb       NOT NULL,
  general_admission     jsonb,
  tickets               integer     NOT NULL,
  total_minor           bigint      NOT NULL,
  currency              text        NOT NULL,
  payment_reference     text        NOT NULL,
  status                text        NOT NULL CHECK (status IN ('CONFIRMED', 'CANCELLED')),
  confirmed_at          timestamptz NOT NULL,
  cancelled_at          timestamptz,
  cancel_reason         text,
  cancelled_by_operator boolean
);
CREATE INDEX bookings_buyer_idx ON bookings (buyer_id, confirmed_at DESC, booking_id DESC);
CREATE INDEX bookings_event_idx ON bookings (event_id);

-- The latest availability snapshot per event (event.availability.v1), version-guarded: never goes backwards.
-- sections: [{sectionId, generalAdmission, counts: {free, held, sold, total}, seatStatus: base64 of the packed
-- 2-bit states}], priceCategories: [{priceCategoryId, counts}].
CREATE TABLE availability (
  event_id         text        PRIMARY KEY,
  version          bigint      NOT NULL,
  as_of            timestamptz NOT NULL,
  catalog_version  bigint      NOT NULL,
  totals           jsonb       NOT NULL,
  sections         jsonb       NOT NULL,
  price_categories jsonb       NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The decision answering each client request (every decision but HoldExpired, whose request id is the
-- punctuator's), by request id: what the API answers on a request's status URL.
CREATE TABLE decisions (
  request_id  text        PRIMARY KEY,
  event_id    text        NOT NULL,
  buyer_id    text        NOT NULL,
  -- SeatsHeld, HoldRejected, CommandRejected, HoldReleased, BookingConfirmed, BookingCancelled
  kind        text        NOT NULL,
  outcome     text        NOT NULL CHECK (outcome IN ('ACCEPTED', 'REJECTED')),
  -- RSV_* rejection code, null when accepted
  code        text,
  message     text,
  -- RELEASE_HOLD, CONFIRM_BOOKING, CANCEL_BOOKING for CommandRejected
  command     text,
  hold_id     text,
  booking_id  text,
  seat_ids    text[]      NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL,
  issued_at   timestamptz NOT NULL
);
CREATE INDEX decisions_buyer_idx ON decisions (buyer_id, occurred_at DESC);

-- Sales counters per event, summed from the decisions (not idempotent by nature: correct because each decision is
-- applied exactly once).
CREATE TABLE event_sales (
  event_id       text   PRIMARY KEY,
  decisions      bigint NOT NULL DEFAULT 0,
  holds          bigint NOT NULL DEFAULT 0,
  rejections     bigint NOT NULL DEFAULT 0,
  releases       bigint NOT NULL DEFAULT 0,
  expiries       bigint NOT NULL DEFAULT 0,
  bookings       bigint NOT NULL DEFAULT 0,
  cancellations  bigint NOT NULL DEFAULT 0,
  tickets_held   bigint NOT NULL DEFAULT 0,
  tickets_sold   bigint NOT NULL DEFAULT 0,
  revenue_minor  bigint NOT NULL DEFAULT 0
);

-- Down Migration

DROP TABLE event_sales;
DROP TABLE decisions;
DROP TABLE availability;
DROP TABLE bookings;
DROP TABLE holds;
DROP TABLE event_seat_maps;
DROP TABLE events;
DROP FUNCTION search_query(text);
DROP FUNCTION search_document(text, text, text);
DROP FUNCTION search_vector(text);
DROP FUNCTION search_arabic(text);
DROP FUNCTION search_normalize(text);
DROP TABLE sink_dead_letters;
DROP TABLE sink_offsets;
