import { type JsonObject, namespaceOf, PRIMITIVE_TYPES, qualifyName, resolveReference } from './canonical.ts';
import { isObject } from '../json/index.ts';
import { SchemaDefinitionError } from './errors.ts';

type CompatibilityMode = 'none' | 'backward' | 'backward_transitive' | 'forward' | 'forward_transitive' | 'full' | 'full_transitive';

const COMPATIBILITY_MODES: readonly CompatibilityMode[] = [
  'none',
  'backward',
  'backward_transitive',
  'forward',
  'forward_transitive',
  'full',
  'full_transitive',
];

/**
 * One reason a reader cannot read a writer's data; `path` starts at the reader's root type name.
 * From `checkCompatibility`, `against` is the position in `existing` (0 = oldest) of the version
 * the candidate breaks against, so a caller can name that version by its own id.
 */
type CompatibilityProblem = { readonly path: string; readonly message: string; readonly against?: number };

// ---------------------------------------------------------------------------------------------
// Schema graph: JSON resolved into nodes, with every reference to a named type pointing at the
// node of its definition, so recursive schemas become cycles the checker can detect.

type NamedParts = { readonly fullName: string; readonly name: string; readonly aliases: readonly string[] };
type FieldNode = { readonly name: string; readonly aliases: readonly string[]; readonly type: SchemaNode; readonly hasDefault: boolean };
type RecordNode = NamedParts & { readonly kind: 'record'; readonly fields: FieldNode[] };
type EnumNode = NamedParts & { readonly kind: 'enum'; readonly symbols: readonly string[]; readonly defaultSymbol: string | undefined };
type FixedNode = NamedParts & { readonly kind: 'fixed'; readonly size: number };
type NamedNode = RecordNode | EnumNode | FixedNode;
type SchemaNode =
  | { readonly kind: 'primitive'; readonly type: string }
  | NamedNode
  | { readonly kind: 'array'; readonly items: SchemaNode }
  | { readonly kind: 'map'; readonly values: SchemaNode }
  | { readonly kind: 'union'; readonly branches: readonly SchemaNode[] };

/** Names compare unqualified (spec "Schema Resolution"), so aliases are kept unqualified too. */
function unqualified(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function namedParts(schema: JsonObject, namespace: string): NamedParts {
  if (typeof schema.name !== 'string' || schema.name === '') throw new SchemaDefinitionError(`${String(schema.type)} without a name`);
  const fullName = qualifyName(schema.name, typeof schema.namespace === 'string' ? schema.namespace : namespace);
  return { fullName, name: unqualified(fullName), aliases: stringList(schema.aliases).map(unqualified) };
}

function parseNamed(schema: JsonObject, type: string, namespace: string, named: Map<string, NamedNode>): NamedNode {
  const parts = namedParts(schema, namespace);
  if (named.has(parts.fullName)) throw new SchemaDefinitionError(`type ${parts.fullName} is defined twice`);
  if (type === 'enum') {
    const symbols = stringList(schema.symbols);
    const defaultSymbol = typeof schema.default === 'string' && symbols.includes(schema.default) ? schema.default : undefined;
    const node: EnumNode = { ...parts, kind: 'enum', symbols, defaultSymbol };
    named.set(parts.fullName, node);
    return node;
  }
  if (type === 'fixed') {
    const size = Number(schema.size);
    if (!Number.isSafeInteger(size) || size < 0) throw new SchemaDefinitionError(`fixed ${parts.fullName} has an invalid size`);
    const node: FixedNode = { ...parts, kind: 'fixed', size };
    named.set(parts.fullName, node);
    return node;
  }
  if (!Array.isArray(schema.fields)) throw new SchemaDefinitionError(`record ${parts.fullName} has no fields array`);
  const node: RecordNode = { ...parts, kind: 'record', fields: [] };
  // Registered before its fields are parsed so a field can refer back to the record.
  named.set(parts.fullName, node);
  const inner = namespaceOf(parts.fullName);
  for (const field of schema.fields as unknown[]) {
    if (!isObject(field) || typeof field.name !== 'string') {
      throw new SchemaDefinitionError(`record ${parts.fullName} has a field without a name`);
    }
    node.fields.push({
      name: field.name,
      aliases: stringList(field.aliases),
      type: parseNode(field.type, inner, named),
      hasDefault: Object.hasOwn(field, 'default'),
    });
  }
  return node;
}

function lookup(name: string, namespace: string, named: Map<string, NamedNode>): NamedNode {
  const node = named.get(resolveReference(name, namespace, named));
  if (node === undefined) throw new SchemaDefinitionError(`unknown type ${JSON.stringify(name)}`);
  return node;
}

function parseNode(schema: unknown, namespace: string, named: Map<string, NamedNode>): SchemaNode {
  if (typeof schema === 'string') {
    return PRIMITIVE_TYPES.has(schema) ? { kind: 'primitive', type: schema } : lookup(schema, namespace, named);
  }
  if (Array.isArray(schema)) return { kind: 'union', branches: schema.map((branch) => parseNode(branch, namespace, named)) };
  if (!isObject(schema)) throw new SchemaDefinitionError(`not an Avro schema: ${JSON.stringify(schema)}`);
  const type = schema.type;
  if (typeof type !== 'string') return parseNode(type, namespace, named);
  // Logical types are dropped here: resolution compares the underlying types only.
  if (PRIMITIVE_TYPES.has(type)) return { kind: 'primitive', type };
  if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') return parseNamed(schema, type, namespace, named);
  if (type === 'array') return { kind: 'array', items: parseNode(schema.items, namespace, named) };
  if (type === 'map') return { kind: 'map', values: parseNode(schema.values, namespace, named) };
  return lookup(type, namespace, named);
}

function parseSchema(schema: unknown): SchemaNode {
  return parseNode(schema, '', new Map());
}

// ---------------------------------------------------------------------------------------------
// Checker. Messages are worded from the schema author's point of view: in a backward check the
// reader is the new schema, in a forward check the writer is, and "changed from X to Y" always
// runs old to new.

type Direction = 'reader-is-newer' | 'writer-is-newer';

/** Problems relative to the pair being compared, so a cached result can be reused at any path. */
type Found = { readonly at: string; readonly message: string };

type Context = {
  readonly direction: Direction;
  /** Result per reader/writer node pair; `null` while the pair is being compared (a cycle). */
  readonly memo: Map<SchemaNode, Map<SchemaNode, readonly Found[] | null>>;
};

const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};

function label(node: SchemaNode): string {
  switch (node.kind) {
    case 'primitive':
      return node.type;
    case 'array':
      return `array<${label(node.items)}>`;
    case 'map':
      return `map<${label(node.values)}>`;
    case 'union':
      return `union [${node.branches.map(label).join(', ')}]`;
    default:
      return `${node.kind} ${node.name}`;
  }
}

function oldNew(context: Context, readerSide: string, writerSide: string): readonly [string, string] {
  return context.direction === 'reader-is-newer' ? [writerSide, readerSide] : [readerSide, writerSide];
}

function typeChanged(context: Context, reader: SchemaNode, writer: SchemaNode, why?: string): Found {
  const [before, after] = oldNew(context, label(reader), label(writer));
  const reason = why ?? `${label(writer)} data cannot be read as ${label(reader)}`;
  return { at: '', message: `type changed from ${before} to ${after} (${reason})` };
}

/** The spec's shallow "match": enough for a union to pick the branch, before recursing. */
function matches(reader: SchemaNode, writer: SchemaNode): boolean {
  if (reader.kind === 'primitive' && writer.kind === 'primitive') {
    return reader.type === writer.type || (PROMOTIONS[writer.type]?.includes(reader.type) ?? false);
  }
  if (reader.kind === 'array' || reader.kind === 'map') return reader.kind === writer.kind;
  if (reader.kind === 'record' || reader.kind === 'enum' || reader.kind === 'fixed') {
    if (writer.kind !== reader.kind || !namesMatch(reader, writer)) return false;
    return reader.kind !== 'fixed' || (writer.kind === 'fixed' && reader.size === writer.size);
  }
  return false;
}

/** A reader alias renames the writer's type (spec "Aliases"). */
function namesMatch(reader: NamedNode, writer: NamedNode): boolean {
  return reader.name === writer.name || reader.aliases.includes(writer.name);
}

function nameChanged(context: Context, reader: NamedNode, writer: NamedNode): Found {
  const [before, after] = oldNew(context, reader.name, writer.name);
  return { at: '', message: `${reader.kind} name changed from ${before} to ${after} (no reader alias matches ${writer.name})` };
}

function nested(at: string, found: readonly Found[]): Found[] {
  return found.map((problem) => ({ at: `${at}${problem.at}`, message: problem.message }));
}

function quotedList(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(', ');
}

function compareRecords(context: Context, reader: RecordNode, writer: RecordNode): Found[] {
  if (!namesMatch(reader, writer)) return [nameChanged(context, reader, writer)];
  const found: Found[] = [];
  for (const field of reader.fields) {
    const source =
      writer.fields.find((candidate) => candidate.name === field.name) ?? writer.fields.find((candidate) => field.aliases.includes(candidate.name));
    const at = `.${field.name}`;
    if (source !== undefined) {
      found.push(...nested(at, compare(context, field.type, source.type)));
    } else if (!field.hasDefault) {
      // Writer-only fields are simply skipped; a reader-only field must be filled from its default.
      const message =
        context.direction === 'reader-is-newer'
          ? `field "${field.name}" was added without a default`
          : `field "${field.name}" was removed but the older reader has no default for it`;
      found.push({ at, message });
    }
  }
  return found;
}

function compareEnums(context: Context, reader: EnumNode, writer: EnumNode): Found[] {
  if (!namesMatch(reader, writer)) return [nameChanged(context, reader, writer)];
  const unknown = writer.symbols.filter((symbol) => !reader.symbols.includes(symbol));
  // An unknown writer symbol reads as the reader enum's default; without one it is an error.
  if (unknown.length === 0 || reader.defaultSymbol !== undefined) return [];
  const noun = unknown.length === 1 ? `symbol ${quotedList(unknown)} was` : `symbols ${quotedList(unknown)} were`;
  const message =
    context.direction === 'reader-is-newer'
      ? `enum ${reader.name} ${noun} removed and the enum has no default`
      : `enum ${reader.name} ${noun} added but the older reader's enum has no default`;
  return [{ at: '', message }];
}

function compareFixed(context: Context, reader: FixedNode, writer: FixedNode): Found[] {
  if (!namesMatch(reader, writer)) return [nameChanged(context, reader, writer)];
  if (reader.size === writer.size) return [];
  const [before, after] = oldNew(context, String(reader.size), String(writer.size));
  return [{ at: '', message: `fixed ${reader.name} size changed from ${before} to ${after} bytes` }];
}

/** A reader union reads a writer value if some branch does; the first branch the spec would pick explains a failure. */
function readWithUnion(context: Context, reader: SchemaNode & { kind: 'union' }, writer: SchemaNode): readonly Found[] | undefined {
  if (reader.branches.some((branch) => compare(context, branch, writer).length === 0)) return [];
  const picked = reader.branches.find((branch) => matches(branch, writer));
  return picked === undefined ? undefined : compare(context, picked, writer);
}

function compareWriterUnion(context: Context, reader: SchemaNode, writer: SchemaNode & { kind: 'union' }): Found[] {
  const found: Found[] = [];
  const unreadable: SchemaNode[] = [];
  // Every writer branch may occur in the data, so every one must be readable.
  for (const branch of writer.branches) {
    if (reader.kind === 'union') {
      const result = readWithUnion(context, reader, branch);
      if (result !== undefined) found.push(...result);
      else {
        const verb = context.direction === 'reader-is-newer' ? 'was removed' : 'was added';
        found.push({ at: '', message: `union branch ${label(branch)} ${verb} (no reader branch can read it)` });
      }
    } else if (matches(reader, branch)) {
      found.push(...compare(context, reader, branch));
    } else {
      unreadable.push(branch);
    }
  }
  if (unreadable.length > 0) {
    found.push(typeChanged(context, reader, writer, `${unreadable.map(label).join(', ')} data cannot be read as ${label(reader)}`));
  }
  return found;
}

function compareUncached(context: Context, reader: SchemaNode, writer: SchemaNode): readonly Found[] {
  if (writer.kind === 'union') return compareWriterUnion(context, reader, writer);
  if (reader.kind === 'union') {
    return readWithUnion(context, reader, writer) ?? [typeChanged(context, reader, writer, `no union branch can read ${label(writer)}`)];
  }
  if (reader.kind === 'record' && writer.kind === 'record') return compareRecords(context, reader, writer);
  if (reader.kind === 'enum' && writer.kind === 'enum') return compareEnums(context, reader, writer);
  if (reader.kind === 'fixed' && writer.kind === 'fixed') return compareFixed(context, reader, writer);
  if (reader.kind === 'array' && writer.kind === 'array') return nested('[*]', compare(context, reader.items, writer.items));
  if (reader.kind === 'map' && writer.kind === 'map') return nested('.*', compare(context, reader.values, writer.values));
  return matches(reader, writer) ? [] : [typeChanged(context, reader, writer)];
}

function compare(context: Context, reader: SchemaNode, writer: SchemaNode): readonly Found[] {
  let byWriter = context.memo.get(reader);
  if (byWriter === undefined) {
    byWriter = new Map();
    context.memo.set(reader, byWriter);
  }
  const known = byWriter.get(writer);
  // A pair met again while still being compared is a recursive type: assume it reads, and let
  // the outer comparison of the same pair report whatever does not.
  if (known === null) return [];
  if (known !== undefined) return known;
  byWriter.set(writer, null);
  const found = compareUncached(context, reader, writer);
  byWriter.set(writer, found);
  return found;
}

function findProblems(reader: SchemaNode, writer: SchemaNode, direction: Direction): CompatibilityProblem[] {
  const root = reader.kind === 'record' || reader.kind === 'enum' || reader.kind === 'fixed' ? reader.name : '$';
  const found = compare({ direction, memo: new Map() }, reader, writer);
  return found.map((problem) => ({ path: `${root}${problem.at}`, message: problem.message }));
}

/** Problems that stop `reader` from reading data written with `writer` (spec "Schema Resolution"); [] means it can. */
function canRead(reader: unknown, writer: unknown): CompatibilityProblem[] {
  return findProblems(parseSchema(reader), parseSchema(writer), 'reader-is-newer');
}

/**
 * Registry rule check for a candidate schema against the existing versions (oldest first).
 * backward: the candidate reads data of the latest version (consumers upgrade first);
 * forward: the latest version reads candidate data (producers upgrade first); full: both.
 * The transitive modes check every existing version instead of only the latest.
 */
function checkCompatibility(mode: CompatibilityMode, candidate: unknown, existing: readonly unknown[]): CompatibilityProblem[] {
  if (!COMPATIBILITY_MODES.includes(mode)) throw new Error(`unknown compatibility mode ${JSON.stringify(mode)}`);
  if (mode === 'none' || existing.length === 0) return [];
  const next = parseSchema(candidate);
  const backward = mode.startsWith('backward') || mode.startsWith('full');
  const forward = mode.startsWith('forward') || mode.startsWith('full');
  const first = mode.endsWith('_transitive') ? 0 : existing.length - 1;

  const problems: CompatibilityProblem[] = [];
  for (let index = first; index < existing.length; index++) {
    const previous = parseSchema(existing[index]);
    // Versions are numbered by position in `existing`, 1 = oldest.
    const version = `version ${index + 1}`;
    if (backward) {
      for (const problem of findProblems(next, previous, 'reader-is-newer')) {
        problems.push({ path: problem.path, message: `new schema cannot read ${version} data: ${problem.message}`, against: index });
      }
    }
    if (forward) {
      for (const problem of findProblems(previous, next, 'writer-is-newer')) {
        problems.push({ path: problem.path, message: `${version} cannot read new schema data: ${problem.message}`, against: index });
      }
    }
  }
  return problems;
}

export { canRead, checkCompatibility, COMPATIBILITY_MODES };
export type { CompatibilityMode, CompatibilityProblem };
