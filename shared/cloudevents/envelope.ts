/** The `envelope` value of a message group whose messages are CloudEvents 1.0 (xRegistry spells it this way). */
const CLOUDEVENTS_ENVELOPE = 'CloudEvents/1.0';

/** Whether an xRegistry `envelope` declares CloudEvents 1.0 (matched without regard to case). */
function isCloudEventsEnvelope(envelope: string | null | undefined): boolean {
  return typeof envelope === 'string' && envelope.trim().toLowerCase() === CLOUDEVENTS_ENVELOPE.toLowerCase();
}

export { CLOUDEVENTS_ENVELOPE, isCloudEventsEnvelope };
