"""Confluent's Python client (confluent-kafka SchemaRegistryClient, AvroSerializer, AvroDeserializer)
against a SeatStream schema registry, unchanged. Run by python-client.int.test.ts with the local
stack's venv (.stack/venv, made by scripts/bootstrap.mjs from infra/python/requirements.txt):

    .stack/venv/bin/python schemas/registry/python_client_check.py URL TOPIC NODE_ENCODED_HEX

TOPIC's value subject (TOPIC-value) must hold BOOKING_V1 already, registered by the node client, which
also encoded NODE_ENCODED_HEX ({"bookingId": "b-node", "seats": 3}). Every check is an assert (exit
status 1 on failure); on success prints one JSON line for the caller to check further.
"""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext


def record(fields):
    return json.dumps({"type": "record", "name": "Booking", "namespace": "seatstream.interop", "fields": fields})


BOOKING_V1 = record([{"name": "bookingId", "type": "string"}, {"name": "seats", "type": "int"}])
BOOKING_V2 = record(
    [{"name": "bookingId", "type": "string"}, {"name": "seats", "type": "int"}, {"name": "channel", "type": "string", "default": "web"}]
)
BOOKING_BREAKING = record([{"name": "bookingId", "type": "string"}, {"name": "seats", "type": "long"}, {"name": "price", "type": "long"}])


def main(url: str, topic: str, node_encoded_hex: str) -> None:
    client = SchemaRegistryClient({"url": url})
    subject = f"{topic}-value"
    ctx = SerializationContext(topic, MessageField.VALUE)

    # The serializer registers (auto.register.schemas): the node client's schema comes back with its id.
    payload = AvroSerializer(client, BOOKING_V1)({"bookingId": "b-python", "seats": 2}, ctx)
    latest = client.get_latest_version(subject)
    assert latest.version == 1, latest
    assert int.from_bytes(payload[1:5], "big") == latest.schema_id, (payload[:5].hex(), latest.schema_id)

    # A fresh client decodes both its own record and the node client's, fetching the schema by id.
    deserializer = AvroDeserializer(SchemaRegistryClient({"url": url}))
    assert deserializer(payload, ctx) == {"bookingId": "b-python", "seats": 2}
    node_decoded = deserializer(bytes.fromhex(node_encoded_hex), ctx)
    assert node_decoded == {"bookingId": "b-node", "seats": 3}, node_decoded

    assert client.get_schema_types() == ["AVRO"]
    assert client.lookup_schema(subject, Schema(BOOKING_V1, "AVRO")).schema_id == latest.schema_id
    assert client.get_versions(subject) == [1]
    assert subject in client.get_subjects()

    assert client.test_compatibility(subject, Schema(BOOKING_BREAKING, "AVRO")) is False
    try:
        client.register_schema(subject, Schema(BOOKING_BREAKING, "AVRO"))
        raise AssertionError("an incompatible schema was registered")
    except SchemaRegistryError as e:
        assert (e.http_status_code, e.error_code) == (409, 409), e

    assert client.test_compatibility(subject, Schema(BOOKING_V2, "AVRO")) is True
    id_v2 = client.register_schema(subject, Schema(BOOKING_V2, "AVRO"))
    assert id_v2 != latest.schema_id

    client.set_compatibility(subject, "FULL")
    assert client.get_compatibility(subject) == "FULL"

    print(json.dumps({"python_encoded": payload.hex(), "id": latest.schema_id, "id_v2": id_v2}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
