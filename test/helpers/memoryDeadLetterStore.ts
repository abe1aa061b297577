import { type DeadLetter, type DeadLetterStore, MissingOriginalError, type StoredLetter } from '../../shared/deadletters/index.ts';

/** The dead-letter stream in memory, oldest first; replaced letters move to the end, as in JetStream. For unit tests of pure logic only. */
function memoryStore(letters: StoredLetter[]): DeadLetterStore & { letters: StoredLetter[] } {
  let next = Math.max(0, ...letters.map((l) => l.seq)) + 1;
  const store = {
    letters,
    async scan(visit: (stored: StoredLetter) => Promise<boolean>) {
      // A snapshot, as the stream's scan stops at the last letter stored when it began.
      for (const stored of [...store.letters]) if (!(await visit(stored))) return;
    },
    async list(limit: number) {
      return store.letters.slice(0, limit);
    },
    async find(id: string) {
      return store.letters.find((l) => l.letter.id === id);
    },
    async original(l: DeadLetter) {
      if (l.payload === undefined) throw new MissingOriginalError(l.stored!);
      return { headers: l.headers, payload: l.payload };
    },
    async replace(stored: StoredLetter, updated: DeadLetter) {
      store.letters = store.letters.filter((l) => l.seq !== stored.seq);
      store.letters.push({ seq: next++, subject: stored.subject, letter: updated });
    },
    async remove(stored: StoredLetter) {
      store.letters = store.letters.filter((l) => l.seq !== stored.seq);
    },
  };
  return store;
}

export { memoryStore };
