#!/bin/sh
# ECS injects secrets only as environment variables, but a NATS .creds file and TLS PEMs are
# files to the bridge (NATS_CREDS_FILE, NATS_TLS_*_FILE). Write each injected *_CONTENT value to
# a private file, point the matching *_FILE variable at it, drop the content variable, and run
# the bridge. Nothing here prints a value.
set -eu

dir="${INGEST_SECRETS_DIR:-/run/ingest-secrets}"
umask 077

# materialise <content variable> <file variable> <file name>
materialise() {
  eval "content=\${$1:-}"
  if [ -n "$content" ]; then
    printf '%s\n' "$content" > "$dir/$3"
    export "$2=$dir/$3"
  fi
  unset "$1" content
}

materialise NATS_CREDS_CONTENT NATS_CREDS_FILE nats.creds
materialise NATS_TLS_CA_CONTENT NATS_TLS_CA_FILE nats-ca.pem
materialise NATS_TLS_CERT_CONTENT NATS_TLS_CERT_FILE nats-client-cert.pem
materialise NATS_TLS_KEY_CONTENT NATS_TLS_KEY_FILE nats-client-key.pem

exec "$@"
