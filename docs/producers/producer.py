"""Publishes three metrics.cpu.usage events in a route's wire format, with the Apache Avro Python library.

usage: python3 producer.py <nats-host:port> <subject> raw|confluent|schema-id|single-object <schema.avsc> [numericid]

Debian ships no Python NATS client, so this speaks the NATS protocol over a socket (HPUB with a
reply subject, so JetStream's acknowledgement is awaited); with nats-py use `js.publish`.
"""

import datetime
import io
import json
import socket
import struct
import sys

import avro.io
import avro.schema

# CRC-64-AVRO, the spec's fingerprint: avro 1.11 has no function for it.
EMPTY = 0xC15D213AA4D7A795
TABLE = []
for i in range(256):
    fp = i
    for _ in range(8):
        fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
    TABLE.append(fp)


def crc64_avro(data: bytes) -> int:
    fp = EMPTY
    for byte in data:
        fp = (fp >> 8) ^ TABLE[(fp ^ byte) & 0xFF]
    return fp


def frame(wire_format: str, schema, body: bytes, numericid: int) -> bytes:
    if wire_format == "raw":
        return body
    if wire_format == "confluent":
        return b"\x00" + struct.pack(">I", numericid) + body
    if wire_format == "schema-id":
        return struct.pack(">I", numericid) + body
    # The library's own canonical form: the registry knows its fingerprint as variant "python".
    fingerprint = crc64_avro(schema.canonical_form.encode("utf-8"))
    return b"\xc3\x01" + struct.pack("<Q", fingerprint) + body


def publish(sock, reader, subject: str, msg_id: str, payload: bytes) -> str:
    headers = f"NATS/1.0\r\nNats-Msg-Id: {msg_id}\r\n\r\n".encode()
    sock.sendall(f"HPUB {subject} _INBOX.py {len(headers)} {len(headers) + len(payload)}\r\n".encode() + headers + payload + b"\r\n")
    while True:
        line = reader.readline().decode().strip()
        if line == "PING":
            sock.sendall(b"PONG\r\n")
        elif line.startswith("MSG "):
            ack = reader.read(int(line.split()[-1]) + 2)[:-2].decode()
            if "error" in json.loads(ack):
                raise RuntimeError(f"JetStream refused {msg_id}: {ack}")
            return ack
        elif line.startswith("-ERR"):
            raise RuntimeError(line)


def main() -> None:
    host, subject, wire_format, schema_file = sys.argv[1:5]
    numericid = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    schema = avro.schema.parse(open(schema_file).read())
    writer = avro.io.DatumWriter(schema)
    address, port = host.rsplit(":", 1)
    sock = socket.create_connection((address, int(port)))
    reader = sock.makefile("rb")
    reader.readline()  # INFO
    sock.sendall(b'CONNECT {"verbose":false,"headers":true,"no_responders":true}\r\nSUB _INBOX.py 1\r\n')
    for n in range(1, 4):
        event = {
            "id": f"python-{wire_format}-{n}",
            "type": "metrics.cpu.usage",
            "version": "v1",
            "source": "docs/producers/producer.py",
            "time": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(milliseconds=n),
            "data": {"name": "cpu.usage", "value": 10.5 * n, "unit": "percent", "tags": {"host": "py"}},
        }
        body = io.BytesIO()
        writer.write(event, avro.io.BinaryEncoder(body))
        print(event["id"], publish(sock, reader, subject, event["id"], frame(wire_format, schema, body.getvalue(), numericid)))
    sock.close()


main()
