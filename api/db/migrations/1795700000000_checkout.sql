-- Up Migration

-- Checkouts (payment.results.v1, by the checkout read-model sink in processors/tickets): one row per checkout, the
-- saga's latest step for it. `seq` is the step's position in its hold's saga: an older step never overwrites a newer.
CREATE TABLE checkouts (
  checkout_id   text        PRIMARY KEY,
  hold_id       text        NOT NULL,
  event_id      text        NOT NULL,
  buyer_id      text        NOT NULL,
  -- PENDING (authorising...), COMPLETED, FAILED, REFUNDED
  status        text        NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED', 'REFUNDED')),
  code          text,
  message       text,
  hold_released boolean,
  booking_id    text,
  payment_id    text,
  total_minor   bigint,
  currency      text,
  seq           integer     NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX checkouts_hold_idx ON checkouts (hold_id);

-- Tickets: issued when a checkout completes, one per seat or standing place. `qr` is the payload signed by
-- SeatStream (Ed25519); a scanner holding the public key verifies it offline. Check-in is one atomic UPDATE
-- (status VALID and checked_in_at NULL), so a ticket is accepted once.
CREATE TABLE tickets (
  ticket_id      text        PRIMARY KEY,
  booking_id     text        NOT NULL,
  hold_id        text        NOT NULL,
  event_id       text        NOT NULL,
  buyer_id       text        NOT NULL,
  seat_id        text,
  section_id     text        NOT NULL,
  row_label      text,
  seat_label     text,
  price_minor    bigint      NOT NULL,
  currency       text        NOT NULL,
  qr             text        NOT NULL,
  status         text        NOT NULL CHECK (status IN ('VALID', 'CANCELLED')),
  issued_at      timestamptz NOT NULL,
  checked_in_at  timestamptz,
  checked_in_by  text,
  cancelled_at   timestamptz
);
CREATE INDEX tickets_booking_idx ON tickets (booking_id);
CREATE INDEX tickets_buyer_idx ON tickets (buyer_id, issued_at DESC);
CREATE INDEX tickets_event_idx ON tickets (event_id);

-- The in-app inbox of notifications (notifications.v1), one row per notification, deduplicated by its id.
CREATE TABLE notification_inbox (
  notification_id text        PRIMARY KEY,
  user_id         text        NOT NULL,
  kind            text        NOT NULL,
  locale          text        NOT NULL,
  direction       text        NOT NULL,
  title           text        NOT NULL,
  body            text        NOT NULL,
  event_id        text,
  hold_id         text,
  booking_id      text,
  occurred_at     timestamptz NOT NULL,
  read_at         timestamptz
);
CREATE INDEX notification_inbox_user_idx ON notification_inbox (user_id, occurred_at DESC);

-- Channels a user opted out of (absent row: every channel on).
CREATE TABLE notification_preferences (
  user_id    text        PRIMARY KEY,
  websocket  boolean     NOT NULL DEFAULT true,
  email      boolean     NOT NULL DEFAULT true,
  inbox      boolean     NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE notification_preferences;
DROP TABLE notification_inbox;
DROP TABLE tickets;
DROP TABLE checkouts;
