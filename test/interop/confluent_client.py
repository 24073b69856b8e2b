#!/usr/bin/env python3
"""Confluent's own Python client (confluent-kafka) on SeatStream topics: the other side of the wire-format proof.

  consume --bootstrap B --registry URL --topic T [--topic T2 ...] --group G --count N [--timeout S]
      Reads N records from the start of the topics with Consumer + SchemaRegistryClient + AvroDeserializer (the
      writer's schema, found by the id in each record; return_record_name: a record in a union comes as
      [full name, record]) and prints one JSON line per record: {"topic", "partition", "offset", "key", "schemaId",
      "value"}.
  produce --bootstrap B --registry URL --topic T --schema FILE [--timeout S]
      Reads JSON lines {"key", "value"} from stdin and produces each value with AvroSerializer (registering FILE under
      T-value, as Confluent's serializers do by default), then prints {"produced": N, "schemaId": ID}.

JSON has no bytes, and fastavro decodes logical types to Python objects, so values are written and read as JSON with
tagged objects: {"$bytes": hex} for bytes and fixed, {"$epoch_us": n} for timestamps (microseconds since the epoch),
{"$date": days}, {"$time_us": n}, {"$decimal": "1.50"}; on input, {"$union": [branch, value]} selects a union
branch by name (fastavro's tuple notation). Exit status 0 on success, 2 on a timeout, 1 on an error.
"""
import argparse
import datetime
import decimal
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def to_json(o):
    if isinstance(o, (bytes, bytearray)):
        return {"$bytes": bytes(o).hex()}
    if isinstance(o, datetime.datetime):
        aware = o if o.tzinfo else o.replace(tzinfo=datetime.timezone.utc)
        return {"$epoch_us": (aware - EPOCH) // datetime.timedelta(microseconds=1)}
    if isinstance(o, datetime.date):
        return {"$date": (o - EPOCH.date()).days}
    if isinstance(o, datetime.time):
        return {"$time_us": ((o.hour * 60 + o.minute) * 60 + o.second) * 1_000_000 + o.microsecond}
    if isinstance(o, decimal.Decimal):
        return {"$decimal": str(o)}
    if isinstance(o, uuid.UUID):
        return str(o)
    raise TypeError(f"cannot write {type(o).__name__} as JSON")


def from_json(d):
    if len(d) == 1 and "$bytes" in d:
        return bytes.fromhex(d["$bytes"])
    if len(d) == 1 and "$union" in d:
        branch, value = d["$union"]
        return (branch, value)
    return d


def consume(args):
    registry = SchemaRegistryClient({"url": args.registry})
    deserialize = AvroDeserializer(registry, return_record_name=True)
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": args.group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
        }
    )
    consumer.subscribe(args.topic)
    deadline = time.monotonic() + args.timeout
    seen = 0
    try:
        while seen < args.count:
            if time.monotonic() > deadline:
                print(f"timed out after {seen} of {args.count} records", file=sys.stderr)
                return 2
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            raw = msg.value()
            value = deserialize(raw, SerializationContext(msg.topic(), MessageField.VALUE))
            line = {
                "topic": msg.topic(),
                "partition": msg.partition(),
                "offset": msg.offset(),
                "key": msg.key().decode("utf-8") if msg.key() is not None else None,
                "schemaId": int.from_bytes(raw[1:5], "big"),
                "value": value,
            }
            print(json.dumps(line, default=to_json, ensure_ascii=False), flush=True)
            seen += 1
    finally:
        consumer.close()
    return 0


def produce(args):
    with open(args.schema, encoding="utf-8") as f:
        schema = json.dumps(json.load(f), separators=(",", ":"), ensure_ascii=False)
    registry = SchemaRegistryClient({"url": args.registry})
    serialize = AvroSerializer(registry, schema)
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "acks": "all"})
    errors = []

    def delivered(err, _msg):
        if err is not None:
            errors.append(str(err))

    produced = 0
    schema_id = None
    for line in sys.stdin:
        if not line.strip():
            continue
        record = json.loads(line, object_hook=from_json)
        value = serialize(record["value"], SerializationContext(args.topic, MessageField.VALUE))
        schema_id = int.from_bytes(value[1:5], "big")
        producer.produce(args.topic, key=record["key"].encode("utf-8"), value=value, on_delivery=delivered)
        producer.poll(0)
        produced += 1
    remaining = producer.flush(args.timeout)
    if remaining:
        print(f"{remaining} records not delivered within {args.timeout} s", file=sys.stderr)
        return 2
    if errors:
        print("delivery failed: " + "; ".join(errors), file=sys.stderr)
        return 1
    print(json.dumps({"produced": produced, "schemaId": schema_id}), flush=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    for mode in ("consume", "produce"):
        p = sub.add_parser(mode)
        p.add_argument("--bootstrap", required=True)
        p.add_argument("--registry", required=True)
        p.add_argument("--timeout", type=float, default=60.0)
    sub.choices["consume"].add_argument("--topic", required=True, action="append")
    sub.choices["consume"].add_argument("--group", required=True)
    sub.choices["consume"].add_argument("--count", type=int, required=True)
    sub.choices["produce"].add_argument("--topic", required=True)
    sub.choices["produce"].add_argument("--schema", required=True)
    args = parser.parse_args()
    return consume(args) if args.mode == "consume" else produce(args)


if __name__ == "__main__":
    sys.exit(main())
