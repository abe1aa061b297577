import avro from 'avsc';

/**
 * `timestamp-millis` as a real Date. avsc has no built-in logical types, so without this the
 * field would decode as a bare number and `isValid(new Date())` would be false.
 */
class TimestampMillisType extends avro.types.LogicalType {
  protected override _fromValue(value: number): Date {
    return new Date(value);
  }

  protected override _toValue(value: unknown): number | undefined {
    if (value instanceof Date) return value.getTime();
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    return undefined;
  }

  // avsc returns what the resolver function gives as the final value (it does not call
  // `_fromValue` afterwards), so a plain long writer must be turned into a Date here.
  protected override _resolve(type: avro.Type): ((value: number) => Date | number) | undefined {
    const name = type.typeName;
    if (name === 'long' || name === 'int') return (value) => new Date(value);
    if (name === 'logical:timestamp-millis') return (value) => value;
    return undefined;
  }
}

const LOGICAL_TYPES = { 'timestamp-millis': TimestampMillisType } as const;

export { LOGICAL_TYPES, TimestampMillisType };
