import { invalidCloudEvent } from './errors.ts';

/**
 * The CloudEvents 1.0 context attributes the plane reads. Extension attributes may come along;
 * the plane neither needs nor checks them.
 */
type CloudEventAttributes = {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  /** RFC 3339, as sent. */
  readonly time?: string;
  readonly subject?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
};

const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;
const OPTIONAL = ['time', 'subject', 'datacontenttype', 'dataschema'] as const;
type AttributeName = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

/** The attributes this binding reads, in the order messages name them. */
const ATTRIBUTE_NAMES: readonly AttributeName[] = [...REQUIRED, ...OPTIONAL];

// RFC 3339 date-time: a full date, 'T', a time with optional fraction, and a zone (Z or ±hh:mm).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The instant an RFC 3339 timestamp names, in ms (fractions below a millisecond dropped); NaN when it is not one. */
function timestampMs(value: string): number {
  return RFC3339.test(value) ? Date.parse(value.toUpperCase()) : Number.NaN;
}

/**
 * The attributes `read` finds, checked as the CloudEvents 1.0 specification says: specversion
 * "1.0"; id, source and type non-empty strings; time an RFC 3339 timestamp; subject non-empty.
 * `where` says where they came from (`header ce-` or `attribute `) in the error. Throws
 * `cloudevents_invalid` naming every problem.
 */
function checkAttributes(read: (name: AttributeName) => unknown, where: string): CloudEventAttributes {
  const problems: string[] = [];
  const values: Partial<Record<AttributeName, string>> = {};
  for (const name of ATTRIBUTE_NAMES) {
    const value = read(name);
    if (value === undefined || value === null) {
      if ((REQUIRED as readonly string[]).includes(name)) problems.push(`${where}${name} is missing`);
      continue;
    }
    if (typeof value !== 'string') problems.push(`${where}${name} must be a string`);
    else if (value === '' && name !== 'datacontenttype') problems.push(`${where}${name} must not be empty`);
    else values[name] = value;
  }
  if (values.specversion !== undefined && values.specversion !== '1.0') {
    problems.push(`${where}specversion is "${values.specversion}"; only CloudEvents 1.0 is read`);
  }
  if (values.time !== undefined && Number.isNaN(timestampMs(values.time))) {
    problems.push(`${where}time "${values.time}" is not an RFC 3339 timestamp`);
  }
  if (problems.length > 0) throw invalidCloudEvent(problems.join('; '));
  return values as CloudEventAttributes;
}

export { ATTRIBUTE_NAMES, checkAttributes, timestampMs };
export type { AttributeName, CloudEventAttributes };
