-- Up Migration

-- Accounts. Personal fields are sealed with AES-256-GCM by the API (api/accounts/pii.ts): *_enc columns
-- hold `v1.<keyId>.<iv>.<ciphertext>.<tag>`, never plaintext; email_bidx is a keyed HMAC of the
-- normalised e-mail for lookup. Erasure (GDPR art. 17) clears every personal column and keeps the row:
-- its id is the pseudonym that bookings and the event log refer to.
CREATE TABLE users (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email_enc       text,
  email_bidx      bytea,
  name_enc        text,
  password_hash   text,
  role            text NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'organizer', 'admin', 'partner')),
  locale          text NOT NULL CHECK (locale IN ('en', 'fr', 'ar')),
  -- bumped to revoke every access token issued before (role change, erasure)
  session_epoch   integer NOT NULL DEFAULT 0,
  totp_secret_enc text,
  totp_enabled_at timestamptz,
  -- the last TOTP time step accepted: a code is never accepted twice
  totp_last_step  bigint,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  erased_at       timestamptz,
  CONSTRAINT users_active_has_credentials CHECK (erased_at IS NOT NULL OR (email_enc IS NOT NULL AND email_bidx IS NOT NULL AND name_enc IS NOT NULL AND password_hash IS NOT NULL)),
  CONSTRAINT users_erased_has_no_personal_data CHECK (erased_at IS NULL OR (email_enc IS NULL AND email_bidx IS NULL AND name_enc IS NULL AND password_hash IS NULL AND totp_secret_enc IS NULL))
);
CREATE UNIQUE INDEX users_email_bidx_key ON users (email_bidx);

-- TOTP recovery codes: SHA-256 of 80-bit random codes, each usable once.
CREATE TABLE recovery_codes (
  user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash bytea NOT NULL,
  used_at   timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- Refresh tokens: SHA-256 of 256-bit random tokens. Each refresh rotates the token inside its family;
-- presenting a rotated token again revokes the whole family (OAuth 2.0 Security BCP §4.14.2).
CREATE TABLE refresh_tokens (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id      uuid NOT NULL,
  token_hash     bytea NOT NULL UNIQUE,
  amr            text[] NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('rotated', 'reused', 'logout', 'mfa-enrolled', 'role-changed', 'erased'))
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_live_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- Who changed whose role, for the audit trail and the GDPR export.
CREATE TABLE role_changes (
  id         bigserial PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  old_role   text NOT NULL,
  new_role   text NOT NULL,
  changed_by uuid REFERENCES users (id),
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX role_changes_user_idx ON role_changes (user_id);

-- Down Migration

DROP TABLE role_changes;
DROP TABLE refresh_tokens;
DROP TABLE recovery_codes;
DROP TABLE users;
