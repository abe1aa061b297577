/** A dead letter's stable id: the original message's stream and sequence. */
function letterId(stream: string, sequence: number): string {
  return `${stream}:${sequence}`;
}

const LETTER_ID = /^([A-Za-z0-9_-]{1,64}):([1-9][0-9]{0,15})$/;

/**
 * Reads a dead-letter id as an operator types it: `<stream>:<sequence>`, or a bare sequence of
 * `defaultStream` (the ingest stream, where nearly every letter comes from). Undefined when it is
 * neither.
 */
function parseLetterId(text: string, defaultStream: string): string | undefined {
  const trimmed = text.trim();
  if (/^[1-9][0-9]{0,15}$/.test(trimmed)) return letterId(defaultStream, Number(trimmed));
  const match = LETTER_ID.exec(trimmed);
  if (match === null || !Number.isSafeInteger(Number(match[2]))) return undefined;
  return letterId(match[1]!, Number(match[2]));
}

export { letterId, parseLetterId };
