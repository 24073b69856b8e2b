#!/bin/sh
# One-shot job before the services start (compose: platform-init; Kubernetes: the seatstream-init Job): the topics of
# topics/catalog.ts, the Avro schemas, the PostgreSQL and ClickHouse migrations. Each step is idempotent.
set -eu
step() { echo "platform-init: $*"; }
step "topics";            node --import tsx topics/apply.ts
step "schemas";           node --import tsx schemas/check.ts
step "postgres migrate";  node --import tsx api/db/migrate.ts
step "clickhouse migrate"; node --import tsx connectors/clickhouse/migrate.ts
step "done"
