-- Up Migration

-- Which channels a notification was delivered to (claimed before sending): a notification delivered again by Kafka
-- is not sent twice on a channel.
CREATE TABLE notification_deliveries (
  notification_id text        NOT NULL,
  channel         text        NOT NULL CHECK (channel IN ('inbox', 'websocket', 'email')),
  delivered_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, channel)
);

-- Down Migration

DROP TABLE notification_deliveries;
