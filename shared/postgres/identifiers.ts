// Identifiers from the registry reach SQL, so they are held to a strict, quote-free shape:
// an optional schema and a table, lower case, at most 63 bytes each (PostgreSQL's limit).
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function isSqlIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

function isTableName(name: string): boolean {
  const parts = name.split('.');
  return parts.length <= 2 && parts.every(isSqlIdentifier);
}

export { isSqlIdentifier, isTableName };
