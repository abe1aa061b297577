#!/usr/bin/env python3
"""A Python producer for the ingestion plane: the Apache Avro library encodes, JetStream stores.

Fetches the writer schema from the registry (the schema's default version; its numericid comes in
the xRegistry-numericid header), encodes --count events of the example schema (metrics.cpu.usage),
frames each in the --format the route declares and publishes it with Nats-Msg-Id = the event id.

    python3 examples/producers/python/produce.py --format single-object --subject metrics.cpu.usage.v1

Needs the `avro` package (Debian: python3-avro; pip: avro). Publishing uses nats-py where it is
installed; otherwise the few lines of the NATS text protocol below (HPUB with a reply subject, so
JetStream's acknowledgement is read), since no NATS client for Python installs on every machine.
"""
import argparse
import io
import json
import socket
import struct
import sys
import urllib.request
from datetime import datetime, timedelta, timezone

import avro.io
import avro.schema

FORMATS = ("raw", "schema-id", "confluent", "single-object")


def crc64_avro(data: bytes) -> int:
    """CRC-64-AVRO (Rabin) as the Avro specification defines it for single-object encoding.
    The Python library (1.11) has the canonical form but no fingerprint function."""
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    fp = empty
    for byte in data:
        fp = (fp >> 8) ^ table[(fp ^ byte) & 0xFF]
    return fp


def fetch_schema(registry: str, path: str):
    with urllib.request.urlopen(registry + path) as response:
        numericid = response.headers.get("xRegistry-numericid")
        if numericid is None:
            raise SystemExit(f"GET {path}: no xRegistry-numericid header")
        return avro.schema.parse(response.read().decode()), int(numericid)


def frame(schema, fmt: str, schema_id: int, event: dict) -> bytes:
    out = io.BytesIO()
    if fmt == "confluent":
        out.write(b"\x00" + struct.pack(">I", schema_id))
    elif fmt == "schema-id":
        out.write(struct.pack(">I", schema_id))
    elif fmt == "single-object":
        # The library's own canonical form: it keeps {"type": "long", ...} for a logical type,
        # so its fingerprint differs from Java's; the registry knows both.
        out.write(b"\xc3\x01" + struct.pack("<Q", crc64_avro(schema.canonical_form.encode())))
    avro.io.DatumWriter(schema).write(event, avro.io.BinaryEncoder(out))
    return out.getvalue()


class JetStreamPublisher:
    """Publishes to a JetStream subject over the NATS text protocol and waits for the stream's ack."""

    def __init__(self, url: str):
        host, port = url.removeprefix("nats://").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.file = self.sock.makefile("rb")
        info = self.file.readline()
        if not info.startswith(b"INFO "):
            raise SystemExit(f"not a NATS server: {info[:40]!r}")
        self.sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\n')
        self.sock.sendall(b"SUB _INBOX.py-producer 1\r\n")

    def publish(self, subject: str, payload: bytes, msg_id: str) -> None:
        headers = f"NATS/1.0\r\nNats-Msg-Id: {msg_id}\r\n\r\n".encode()
        self.sock.sendall(
            f"HPUB {subject} _INBOX.py-producer {len(headers)} {len(headers) + len(payload)}\r\n".encode()
            + headers + payload + b"\r\n"
        )
        while True:
            line = self.file.readline()
            if line.startswith(b"PING"):
                self.sock.sendall(b"PONG\r\n")
            elif line.startswith(b"-ERR"):
                raise SystemExit(f"NATS: {line.decode().strip()}")
            elif line.startswith(b"MSG ") or line.startswith(b"HMSG "):
                parts = line.split()
                body = self.file.read(int(parts[-1]) + 2)[:-2]
                if line.startswith(b"HMSG "):  # a status such as 503 no responders: no stream has the subject
                    raise SystemExit(f"publish to {subject}: {body.decode(errors='replace').strip()}")
                ack = json.loads(body)
                if "error" in ack:
                    raise SystemExit(f"publish to {subject}: {ack['error']}")
                return

    def close(self) -> None:
        self.sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--registry", default="http://127.0.0.1:3000")
    parser.add_argument("--schema", default="/schemagroups/metrics/schemas/cpu-usage", help="the route's schema in the registry")
    parser.add_argument("--subject", default="metrics.cpu.usage.v1", help="the route's subject")
    parser.add_argument("--format", default="raw", choices=FORMATS, help="the route's wire format")
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--id-prefix", default="python-example")
    parser.add_argument("--time-ms", type=int, default=1767225600123, help="event time of the first event, epoch ms")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")

    schema, schema_id = fetch_schema(args.registry, args.schema)
    publisher = JetStreamPublisher(args.nats)
    try:
        for n in range(args.count):
            event_id = f"{args.id_prefix}-{n}"
            event = {
                "id": event_id,
                "type": "metrics.cpu.usage",
                "version": "v1",
                "source": "python-example",
                # The library writes timestamp-millis from an aware datetime.
                "time": datetime.fromtimestamp(0, timezone.utc) + timedelta(milliseconds=args.time_ms + n),
                "data": {"name": "cpu.usage", "value": 12.5 + n, "unit": "%", "tags": {"host": "python-1"}},
            }
            publisher.publish(args.subject, frame(schema, args.format, schema_id, event), event_id)
            print(event_id)
    finally:
        publisher.close()
    print(f"published {args.count} {args.format} event(s) on {args.subject} (schema id {schema_id})", file=sys.stderr)


if __name__ == "__main__":
    main()
