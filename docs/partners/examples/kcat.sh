#!/bin/sh
# A partner's look at SeatStream with kcat (librdkafka >= 2.6.1: Kafka 4 checks SCRAM nonces strictly).
#   PARTNER_ID=... PARTNER_USERNAME=... PARTNER_PASSWORD=... PARTNER_BOOTSTRAP=... PARTNER_REGISTRY=... \
#   PARTNER_PROTOCOL=SASL_SSL PARTNER_CA=ca.crt sh kcat.sh
set -eu

# The connection in a file only you can read (a password on a command line is visible to every local user).
conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
chmod 600 "$conf"
cat > "$conf" <<CONF
bootstrap.servers=$PARTNER_BOOTSTRAP
security.protocol=${PARTNER_PROTOCOL:-SASL_SSL}
sasl.mechanisms=SCRAM-SHA-512
sasl.username=$PARTNER_USERNAME
sasl.password=$PARTNER_PASSWORD
CONF
if [ -n "${PARTNER_CA:-}" ]; then echo "ssl.ca.location=$PARTNER_CA" >> "$conf"; fi

bookings="partner.$PARTNER_ID.bookings.v1"

# 1. What you may read: the cluster metadata lists your topics only.
kcat -F "$conf" -L

# 2. Your bookings: key (the event id), offset, value size. Values are Avro in Confluent's framing:
#    byte 0 = 0 (magic), bytes 1-4 = the schema id (big-endian), then the Avro body.
kcat -F "$conf" -C -t "$bookings" -o beginning -e -q -f 'eventId=%k offset=%o bytes=%S\n'

# 3. The schema of the first record, from the registry, by the id in its bytes 1-4.
id=$(kcat -F "$conf" -C -t "$bookings" -o beginning -c 1 -e -q -f '%s' |
  od -An -tu1 -j1 -N4 | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
curl -fsS "$PARTNER_REGISTRY/schemas/ids/$id"
echo

# With a kcat built with Avro support (libserdes: e.g. the confluentinc/cp-kcat image), kcat decodes itself:
#   kcat -F "$conf" -C -t "$bookings" -o beginning -e -s value=avro -r "$PARTNER_REGISTRY"
