#!/bin/sh
# Generates the compose stack's secrets under deploy/secrets/ (git-ignored), once: a random PostgreSQL password and
# the DATABASE_URL holding it, the JWT and personal-data key sets, the ticket signing key, the payment sandbox's
# key and webhook secret, Grafana's admin password and a self-signed TLS certificate for the gateway. Existing files
# are kept (rotating a key is a deliberate act: docs/deployment.md).
set -eu
cd "$(dirname "$0")/../.."
dir=deploy/secrets
mkdir -p "$dir/tls" && chmod 700 "$dir"
# The directory keeps other users of the host out; the files themselves must be readable by the containers' own
# users (Compose bind-mounts file secrets with their host mode: uid 10001 in SeatStream's image, nginx, postgres).
umask 022
rand() { node -e "process.stdout.write(require('crypto').randomBytes($1).toString('hex'))"; }
keep() { [ -s "$1" ] && echo "kept $1" ; }
keep "$dir/postgres-password" || rand 24 > "$dir/postgres-password"
keep "$dir/database.env" || echo "DATABASE_URL=postgres://seatstream:$(cat "$dir/postgres-password")@postgres:5432/seatstream" > "$dir/database.env"
keep "$dir/jwt-keys.json" || SEATSTREAM_JWT_KEYS_FILE="$dir/jwt-keys.json" node --import tsx api/keys/rotate.ts
keep "$dir/pii-keys.json" || node --import tsx -e "import('./api/accounts/pii.ts').then(m => process.stdout.write(JSON.stringify(m.generatePiiKeyFile())))" > "$dir/pii-keys.json"
keep "$dir/ticket-signing-key" || node -e "const {generateKeyPairSync}=require('crypto');process.stdout.write(generateKeyPairSync('ed25519').privateKey.export({type:'pkcs8',format:'pem'}))" > "$dir/ticket-signing-key"
if ! keep "$dir/payment-sandbox.env"; then
  key="sk_sandbox_$(rand 16)"; hook="whsec_$(rand 24)"
  printf 'PAYMENT_SANDBOX_API_KEY=%s\nPAYMENT_SANDBOX_WEBHOOK_SECRET=%s\n' "$key" "$hook" > "$dir/payment-sandbox.env"
  printf 'PAYMENTS_SANDBOX_API_KEY=%s\nPAYMENTS_SANDBOX_WEBHOOK_SECRET=%s\n' "$key" "$hook" > "$dir/payments.env"
fi
keep "$dir/grafana.env" || echo "GF_SECURITY_ADMIN_PASSWORD=$(rand 16)" > "$dir/grafana.env"
keep "$dir/tls/tls.crt" || openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=seatstream.local" \
  -keyout "$dir/tls/tls.key" -out "$dir/tls/tls.crt" 2>/dev/null
echo "secrets in $dir"
