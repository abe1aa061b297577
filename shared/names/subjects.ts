// NATS subject tokens are separated by '.', may not be empty and may not contain whitespace.
// Wildcards ('*' as a whole token, '>' as the last token) are only legal where a filter is meant.
const TOKEN = /^[^\s.*>]+$/;

function isPublishSubject(subject: string): boolean {
  return subject.length > 0 && subject.length <= 255 && subject.split('.').every((token) => TOKEN.test(token));
}

function isSubjectFilter(filter: string): boolean {
  if (filter.length === 0 || filter.length > 255) return false;
  const tokens = filter.split('.');
  return tokens.every((token, index) => TOKEN.test(token) || token === '*' || (token === '>' && index === tokens.length - 1));
}

/** Whether a concrete subject is matched by a filter such as `metrics.>` or `metrics.*.usage.v1`. */
function subjectMatches(filter: string, subject: string): boolean {
  const want = filter.split('.');
  const have = subject.split('.');
  for (let i = 0; i < want.length; i++) {
    const token = want[i];
    if (token === '>') return have.length > i;
    if (i >= have.length) return false;
    if (token !== '*' && token !== have[i]) return false;
  }
  return want.length === have.length;
}

// Stream and consumer names become subject tokens in the JetStream API.
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

function isStreamOrConsumerName(name: string): boolean {
  return NAME.test(name);
}

export { isPublishSubject, isSubjectFilter, subjectMatches, isStreamOrConsumerName };
