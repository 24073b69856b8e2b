#!/usr/bin/env python3
"""A partner's consumer in Python: Confluent's client over SASL/SCRAM-SHA-512, values decoded through the schema
registry by AvroDeserializer (it fetches the writer's schema by the id each record carries).

    pip install 'confluent-kafka[avro,schemaregistry]'    # its wheels bundle a current librdkafka
    PARTNER_ID=... PARTNER_USERNAME=... PARTNER_PASSWORD=... PARTNER_BOOTSTRAP=... PARTNER_REGISTRY=... \\
    PARTNER_PROTOCOL=SASL_SSL PARTNER_CA=ca.crt python3 python_consumer.py
"""
import json
import os
import signal

from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

partner_id = os.environ["PARTNER_ID"]
config = {
    "bootstrap.servers": os.environ["PARTNER_BOOTSTRAP"],
    "security.protocol": os.environ.get("PARTNER_PROTOCOL", "SASL_SSL"),
    "sasl.mechanisms": "SCRAM-SHA-512",
    "sasl.username": os.environ["PARTNER_USERNAME"],
    "sasl.password": os.environ["PARTNER_PASSWORD"],
    # your consumer groups must start with partner.<your id>.
    "group.id": f"partner.{partner_id}.example",
    "auto.offset.reset": "earliest",
    "isolation.level": "read_committed",
}
if os.environ.get("PARTNER_CA"):
    config["ssl.ca.location"] = os.environ["PARTNER_CA"]

deserialize = AvroDeserializer(SchemaRegistryClient({"url": os.environ["PARTNER_REGISTRY"]}))
consumer = Consumer(config)
consumer.subscribe(
    ["partner.catalog.v1", "partner.availability.v1", "partner.sales.v1", f"partner.{partner_id}.bookings.v1"]
)

running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)

try:
    while running:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                continue
            raise KafkaException(msg.error())  # e.g. TOPIC_AUTHORIZATION_FAILED: not entitled, or suspended
        event_id = msg.key().decode("utf-8") if msg.key() else None
        if msg.value() is None:  # a tombstone on a compacted topic: the event was withdrawn
            print(json.dumps({"topic": msg.topic(), "eventId": event_id, "withdrawn": True}), flush=True)
            continue
        value = deserialize(msg.value(), SerializationContext(msg.topic(), MessageField.VALUE))
        print(json.dumps({"topic": msg.topic(), "eventId": event_id, "value": value}, default=str), flush=True)
finally:
    consumer.close()
