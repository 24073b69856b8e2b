-- Up Migration

-- Partners (api/partners): resellers, venues, media, aggregators reading Kafka topics with their own clients.
-- Their Kafka side (SCRAM credential, ACLs, own topics) is made from these rows (connectors/partners/kafka); the
-- password is never stored here (Kafka keeps a salted SCRAM verifier; the API shows the password once).
-- buyer_salt: the secret HMAC key of the partner's pseudonymous buyer references (connectors/partners/pseudonyms.ts),
-- read by the partner projector; erased when the partner is deleted. Rows are never deleted: ids are never reused.
CREATE TABLE partners (
  partner_id      text PRIMARY KEY CHECK (partner_id ~ '^[a-z][a-z0-9-]{2,31}$' AND partner_id !~ '(--|-$)'),
  -- the partner organisation's trading name (a company, not a person)
  display_name    text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  kind            text NOT NULL CHECK (kind IN ('reseller', 'venue', 'media', 'aggregator')),
  entitlements    text[] NOT NULL CHECK (entitlements <@ ARRAY['catalog', 'availability', 'sales', 'bookings']),
  status          text NOT NULL CHECK (status IN ('provisioning', 'active', 'suspended', 'deleted')),
  buyer_salt      bytea CHECK (buyer_salt IS NULL OR length(buyer_salt) = 32),
  -- bumped at every credential rotation (the password itself is not kept)
  credential_version integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  suspended_at    timestamptz,
  deleted_at      timestamptz,
  CONSTRAINT partners_deleted_has_no_salt CHECK ((status = 'deleted') = (buyer_salt IS NULL))
);
CREATE INDEX partners_live_idx ON partners (partner_id) WHERE status IN ('active', 'suspended');

-- Who did what to which partner, when: every administrative action, kept when the partner is deleted.
CREATE TABLE partner_audit (
  id          bigserial PRIMARY KEY,
  partner_id  text NOT NULL REFERENCES partners (partner_id),
  action      text NOT NULL CHECK (action IN ('created', 'credentials-rotated', 'suspended', 'resumed', 'deleted')),
  -- the admin's user id (a pseudonym: the users row stays after a GDPR erasure); null for operator commands
  actor_id    uuid REFERENCES users (id),
  request_id  text,
  at          timestamptz NOT NULL DEFAULT now(),
  details     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX partner_audit_partner_idx ON partner_audit (partner_id, at, id);
CREATE INDEX partner_audit_actor_idx ON partner_audit (actor_id) WHERE actor_id IS NOT NULL;

-- Down Migration

DROP TABLE partner_audit;
DROP TABLE partners;
