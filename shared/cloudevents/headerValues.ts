import { invalidCloudEvent } from './errors.ts';

// Header values of the binary content mode (CloudEvents NATS binding, "NATS Header Values"): a
// sender percent-encodes space, '"', '%' and everything outside printable ASCII; a receiver first
// undoes RFC 7230 double-quoting (older senders quoted instead of encoding), then percent-decodes
// once and must refuse byte sequences that are not UTF-8. Hand-written because no package on the
// plane's dependency list implements this binding; decodeURIComponent does the strict UTF-8 part.

/** The value inside RFC 7230 double quotes, backslash escapes undone; any other value as it is. */
function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** A `ce-*` header value as the attribute value it carries; throws `cloudevents_invalid` when it is badly encoded. */
function decodeHeaderValue(name: string, raw: string): string {
  const quoted = unquote(raw.trim());
  try {
    return decodeURIComponent(quoted);
  } catch {
    throw invalidCloudEvent(`header ${name} is not valid percent-encoded UTF-8: ${JSON.stringify(raw.slice(0, 80))}`);
  }
}

/** Printable ASCII except space, '"' and '%' travels as it is. */
function keepsAsIs(code: number): boolean {
  return code >= 0x21 && code <= 0x7e && code !== 0x22 && code !== 0x25;
}

/** An attribute value as a `ce-*` header value: every other character percent-encoded as its UTF-8 bytes, upper-case hex. */
function encodeHeaderValue(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (keepsAsIs(code)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export { decodeHeaderValue, encodeHeaderValue };
