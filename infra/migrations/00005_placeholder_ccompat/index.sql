-- Placeholder holding this number on the wt-xreg branch only, so 00006_xregistry_catalogue applies
-- without a gap. The real migration of this number comes from another branch; delete this folder
-- when merging.
select 1;
