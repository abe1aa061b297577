-- The CRC-64-AVRO fingerprint of every canonical-form variant of a schema version, one row per
-- variant (spec, python, goavro, rust, rust-0.16, csharp: see shared/avro/variants.ts). Avro
-- implementations disagree on the canonical form of logical types, and a single-object frame
-- carries its writer's own, so a frame's fingerprint is looked up here. The application fills
-- the rows of existing versions after this migration (SQL has no CRC-64-AVRO), as it does for the
-- `fingerprint` column, which stays the specification's.
create table xr_schema_fingerprints (
  numericid   integer not null references xr_schema_versions (numericid) on delete cascade,
  variant     text    not null,
  -- 16 hex digits.
  fingerprint text    not null,
  primary key (numericid, variant)
);
create index xr_schema_fingerprints_fingerprint on xr_schema_fingerprints (fingerprint);
