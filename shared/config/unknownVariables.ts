import { distance } from 'fastest-levenshtein';

/** A variable that looks like the plane's (it has one of its prefixes) but is read by nothing. */
type UnknownVariable = {
  readonly name: string;
  /** The known variable with the smallest edit distance: most likely what was meant. */
  readonly closest: string;
};

/** The known name closest to `name` by edit distance; ties go to the alphabetically first. */
function closestVariable(name: string, known: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of [...known].sort()) {
    const d = distance(name, candidate);
    if (best === undefined || d < best.distance) best = { name: candidate, distance: d };
  }
  return best?.name;
}

/**
 * The names in `present` that start with a plane prefix and are not known, each with the closest
 * known name. Names only: values may be secrets.
 */
function findUnknownVariables(present: Iterable<string>, known: ReadonlySet<string>, prefixes: ReadonlySet<string>): UnknownVariable[] {
  const unknown: UnknownVariable[] = [];
  for (const name of [...present].sort()) {
    if (known.has(name) || ![...prefixes].some((prefix) => name.startsWith(prefix))) continue;
    const closest = closestVariable(name, known);
    if (closest !== undefined) unknown.push({ name, closest });
  }
  return unknown;
}

export { closestVariable, findUnknownVariables };
export type { UnknownVariable };
