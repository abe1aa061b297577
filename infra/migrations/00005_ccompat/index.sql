-- State of the Confluent-compatible API (ccompat) that the xRegistry model has no place for.
-- Everything else a Confluent client sees (subjects, versions, ids, a subject's compatibility)
-- is read from and written to the xr_* tables.

-- Compatibility levels: the global one (scope '') that new subjects start with, and levels set
-- for a subject that does not exist yet (scope = the subject). Once a subject's schema exists its
-- level is that schema's xRegistry `compatibility`, and its row here is removed.
create table ccompat_config (
  scope         text primary key,
  compatibility text not null check (compatibility in
    ('none', 'backward', 'backward_transitive', 'forward', 'forward_transitive', 'full', 'full_transitive'))
);
-- Confluent Schema Registry's default.
insert into ccompat_config (scope, compatibility) values ('', 'backward');

-- Soft-deleted versions: hidden from the ccompat API, still in the registry (the data path and
-- GET /schemas/ids/{id} still read them) until a permanent delete removes the version itself,
-- which takes its row here with it.
create table ccompat_deleted_versions (
  schemagroupid text        not null,
  schemaid      text        not null,
  versionid     text        not null,
  deletedat     timestamptz not null default now(),
  primary key (schemagroupid, schemaid, versionid),
  foreign key (schemagroupid, schemaid, versionid) references xr_schema_versions on delete cascade
);
