-- Per-sink delivery state of fan-out routes: one row per event that reached one of its sinks.
-- sink-write skips an (event, sink) pair found here, so a retry or a dead-letter replay re-drives
-- only the sinks that failed. dlq-replay prunes rows older than SINK_DELIVERY_RETENTION_DAYS
-- (longer than dead letters are kept, so a replayed letter still finds what was delivered).
create table sink_deliveries (
  event_id     text        not null,
  sink         text        not null,
  delivered_at timestamptz not null default now(),
  primary key (event_id, sink)
);
create index sink_deliveries_delivered_at on sink_deliveries (delivered_at);
