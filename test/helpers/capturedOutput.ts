/** One JSON line a run wrote. */
type OutputLine = Record<string, unknown>;

/** An EMF document as Powertools Metrics writes it. */
type EmfDocument = OutputLine & {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
};

const isEmf = (line: OutputLine): line is EmfDocument => typeof line._aws === 'object' && line._aws !== null;

/**
 * What a run wrote to stdout and stderr, one JSON object per line. Powertools writes through a
 * Console of its own over process.stdout/stderr, so the streams' write is swapped for the run.
 */
async function captured<T>(run: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; lines: OutputLine[] }> {
  const chunks: string[] = [];
  const [out, err] = [process.stdout.write, process.stderr.write];
  const grab = ((chunk: unknown): boolean => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = grab;
  process.stderr.write = grab;
  let result: T | undefined;
  let error: unknown;
  try {
    result = await run();
  } catch (caught) {
    error = caught;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  const lines = chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as OutputLine);
  return { result, error, lines };
}

export { captured, isEmf };
export type { EmfDocument, OutputLine };
