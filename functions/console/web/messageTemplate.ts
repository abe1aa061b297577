// "New message" on the registry page starts from a routed message's definition, so an operator
// routing an unknown subject edits a working route instead of writing one from nothing.
// Pure (no DOM), so unit tests import it.

/** Attributes the registry sets itself: a new message must not carry another one's. */
const SERVER_ATTRIBUTES = ['xid', 'self', 'shortself', 'epoch', 'createdat', 'modifiedat', 'messageid', 'name', 'description', 'metaurl'];

type Definition = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The definition with the server's attributes dropped, and the subject and dead-letter subject blank for the operator to fill. */
function newMessageTemplate(from: Definition): Record<string, unknown> {
  const template: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(from)) {
    if (!SERVER_ATTRIBUTES.includes(key)) template[key] = structuredClone(value);
  }
  const options = isObject(template.protocoloptions) ? template.protocoloptions : {};
  template.protocoloptions = { ...options, subject: '' };
  if (isObject(template.ingestion)) template.ingestion = { ...template.ingestion, deadlettersubject: '' };
  return template;
}

/** The definition as the textarea shows it. */
function definitionText(definition: Definition): string {
  return JSON.stringify(definition, null, 2);
}

/** Parses the textarea: the definition object, or why it is not one. */
function parseDefinition(text: string): { ok: true; definition: Record<string, unknown> } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  return isObject(value) ? { ok: true, definition: value } : { ok: false, reason: 'the definition must be a JSON object' };
}

export { definitionText, newMessageTemplate, parseDefinition };
