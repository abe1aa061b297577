-- One record per event type and version: the Avro schema the payload must match, the NATS
-- subject it arrives on, where valid events go and where failures go.
create table registry_routes (
  event_type         text        not null,
  event_version      text        not null,
  subject            text        not null unique,
  schema_format      text        not null,
  schema_definition  jsonb       not null,
  sink               jsonb       not null,
  deadletter_subject text        not null,
  epoch              integer     not null default 1,
  created_at         timestamptz not null default now(),
  modified_at        timestamptz not null default now(),
  primary key (event_type, event_version)
);
