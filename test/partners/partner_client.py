#!/usr/bin/env python3
"""A partner's program, written the way a partner would with Confluent's Python client (confluent-kafka): SASL/SCRAM
to SeatStream's partner listener, consumer groups under the partner's prefix, values decoded with the schema registry
(AvroDeserializer: the writer's schema fetched by the id each record carries).

The connection comes from the environment, the password never on the command line:
  PARTNER_BOOTSTRAP, PARTNER_PROTOCOL (SASL_PLAINTEXT | SASL_SSL), PARTNER_USERNAME, PARTNER_PASSWORD,
  PARTNER_CA (CA file, SASL_SSL only), PARTNER_REGISTRY (schema registry URL).

  read --topic T [--topic T2 ...] --group G [--since MS] [--key K ...] --min N [--timeout S]
      Joins group G, starts every assigned partition at the first record at or after MS (epoch milliseconds; default
      the beginning), prints one JSON line per record whose key is one of the K (all when none):
      {"topic", "partition", "offset", "key", "schemaId", "value"}; stops after N such records, commits the group's
      offsets, exits 0 (2 on a timeout).
  denied-read --topic T --group G [--timeout S]
      Expects the broker to refuse: prints {"denied": "<Kafka error name>"} and exits 0 when it does, 3 when a record
      or nothing comes.
  denied-write --topic T [--timeout S]
      Produces one record; prints {"denied": "<Kafka error name>"} and exits 0 when it is refused, 3 when written.
  watch --topic T --group G [--timeout S]
      Stays connected reading T: prints {"event": "assigned"} once it has its partitions, {"event": "record", ...} per
      record, and {"event": "denied", "error": name, "at": epoch ms} at the first authorisation error, then exits 0.

Bytes are written as {"$bytes": hex}; timestamps (timestamp-millis) come from fastavro as datetimes and are written
as epoch milliseconds.
"""
import argparse
import datetime
import json
import os
import struct
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
AUTH_ERRORS = {
    KafkaError.TOPIC_AUTHORIZATION_FAILED,
    KafkaError.GROUP_AUTHORIZATION_FAILED,
    KafkaError.CLUSTER_AUTHORIZATION_FAILED,
    KafkaError._AUTHENTICATION,
    KafkaError.SASL_AUTHENTICATION_FAILED,
}


def to_json(o):
    if isinstance(o, (bytes, bytearray)):
        return {"$bytes": bytes(o).hex()}
    if isinstance(o, datetime.datetime):
        aware = o if o.tzinfo else o.replace(tzinfo=datetime.timezone.utc)
        return (aware - EPOCH) // datetime.timedelta(milliseconds=1)
    raise TypeError(f"cannot write {type(o).__name__} as JSON")


def emit(obj):
    print(json.dumps(obj, default=to_json, ensure_ascii=False), flush=True)


def connection():
    conf = {
        "bootstrap.servers": os.environ["PARTNER_BOOTSTRAP"],
        "security.protocol": os.environ["PARTNER_PROTOCOL"],
        "sasl.mechanisms": "SCRAM-SHA-512",
        "sasl.username": os.environ["PARTNER_USERNAME"],
        "sasl.password": os.environ["PARTNER_PASSWORD"],
    }
    if os.environ.get("PARTNER_CA"):
        conf["ssl.ca.location"] = os.environ["PARTNER_CA"]
    return conf


class Errors:
    """Errors librdkafka reports outside of messages (error_cb): authentication and authorisation among them."""

    def __init__(self):
        self.seen = []

    def __call__(self, err):
        self.seen.append(err)

    def auth(self):
        return next((e for e in self.seen if e.code() in AUTH_ERRORS), None)


def consumer(group, errors, extra=None):
    conf = {
        **connection(),
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "error_cb": errors,
        **(extra or {}),
    }
    return Consumer(conf)


def read(args):
    registry = SchemaRegistryClient({"url": os.environ["PARTNER_REGISTRY"]})
    deserialize = AvroDeserializer(registry)
    errors = Errors()
    c = consumer(args.group, errors)
    keys = set(args.key or [])

    def on_assign(cons, partitions):
        if args.since is not None:
            wanted = [TopicPartition(p.topic, p.partition, args.since) for p in partitions]
            partitions = cons.offsets_for_times(wanted, timeout=10)
        cons.assign(partitions)

    c.subscribe(args.topic, on_assign=on_assign)
    deadline = time.monotonic() + args.timeout
    seen = 0
    try:
        while seen < args.min:
            if time.monotonic() > deadline:
                print(f"timed out after {seen} of {args.min} records", file=sys.stderr)
                return 2
            if errors.auth():
                print(f"refused: {errors.auth().name()}", file=sys.stderr)
                return 1
            msg = c.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(msg.error())
            key = msg.key().decode("utf-8") if msg.key() is not None else None
            if keys and key not in keys:
                continue
            value = msg.value()
            schema_id = struct.unpack(">bI", value[:5])[1] if value else None
            decoded = (
                deserialize(value, SerializationContext(msg.topic(), MessageField.VALUE)) if value else None
            )
            emit(
                {
                    "topic": msg.topic(),
                    "partition": msg.partition(),
                    "offset": msg.offset(),
                    "key": key,
                    "schemaId": schema_id,
                    "value": decoded,
                }
            )
            seen += 1
        c.commit(asynchronous=False)
        return 0
    finally:
        c.close()


def denied_read(args):
    errors = Errors()
    c = consumer(args.group, errors)
    c.subscribe(args.topic)
    deadline = time.monotonic() + args.timeout
    try:
        while time.monotonic() < deadline:
            msg = c.poll(0.5)
            if errors.auth():
                emit({"denied": errors.auth().name()})
                return 0
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() in AUTH_ERRORS:
                    emit({"denied": msg.error().name()})
                    return 0
                continue
            emit({"unexpected": "record", "topic": msg.topic(), "offset": msg.offset()})
            return 3
        emit({"unexpected": "nothing"})
        return 3
    finally:
        c.close()


def denied_write(args):
    errors = Errors()
    outcome = {}

    def delivered(err, msg):
        outcome["err"] = err

    p = Producer({**connection(), "error_cb": errors, "message.timeout.ms": int(args.timeout * 1000)})
    p.produce(args.topic[0], key=b"x", value=b"not allowed", on_delivery=delivered)
    p.flush(args.timeout + 5)
    err = outcome.get("err") or errors.auth()
    if err is not None and err.code() in AUTH_ERRORS:
        emit({"denied": err.name()})
        return 0
    emit({"unexpected": "written" if "err" in outcome and outcome["err"] is None else str(err)})
    return 3


def watch(args):
    errors = Errors()
    c = consumer(args.group, errors)
    assigned = {"done": False}

    def on_assign(cons, partitions):
        cons.assign(partitions)
        if not assigned["done"]:
            assigned["done"] = True
            emit({"event": "assigned", "partitions": len(partitions)})

    c.subscribe(args.topic, on_assign=on_assign)
    deadline = time.monotonic() + args.timeout
    try:
        while time.monotonic() < deadline:
            msg = c.poll(0.2)
            err = errors.auth()
            if err is None and msg is not None and msg.error() and msg.error().code() in AUTH_ERRORS:
                err = msg.error()
            if err is not None:
                emit({"event": "denied", "error": err.name(), "at": int(time.time() * 1000)})
                return 0
            if msg is not None and not msg.error():
                emit({"event": "record", "topic": msg.topic(), "offset": msg.offset()})
        emit({"event": "timeout"})
        return 2
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["read", "denied-read", "denied-write", "watch"])
    ap.add_argument("--topic", action="append", required=True)
    ap.add_argument("--group")
    ap.add_argument("--since", type=int)
    ap.add_argument("--key", action="append")
    ap.add_argument("--min", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    commands = {"read": read, "denied-read": denied_read, "denied-write": denied_write, "watch": watch}
    try:
        return commands[args.command](args)
    except KafkaException as e:
        print(f"kafka error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
