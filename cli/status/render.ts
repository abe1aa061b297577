import type { StatusReport } from './report.ts';

/** Rows as columns padded to their widest cell; numbers (right-aligned) when `right` says so. */
function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[] = [], indent = '  '): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all.map(
    (row) =>
      indent +
      row
        .map((cell, column) => (right[column] === true ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
  );
}

/** A rate for people: one decimal under 100, none above. */
function rate(perSecond: number): string {
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

/** `12 s ago`, `5 min ago`, from an ISO time and now. */
function ago(iso: string | null, nowMs: number): string {
  if (iso === null) return 'never';
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  const age = seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
  return `${age} ago (${iso})`;
}

function routeLines(report: StatusReport): string[] {
  const answered = report.bridges.filter((bridge) => bridge.reachable).length;
  const title = `routes (rates over ${report.intervalSeconds} s, ${answered} of ${report.bridges.length} bridge replica(s))`;
  if (answered === 0) return [title, '  no bridge answered: no rates, circuits or stage answers'];
  if (report.routes.length === 0) return [title, '  no events seen since the replicas started'];
  return [
    title,
    ...table(
      ['route', 'received/s', 'committed/s', 'duplicates/s', 'errors/s', 'dead-lettered/s', 'retried/s', 'committed', 'duplicates'],
      report.routes.map((route) => [
        route.route,
        rate(route.receivedPerSecond),
        rate(route.committedPerSecond),
        rate(route.duplicatesPerSecond),
        rate(route.errorsPerSecond),
        rate(route.deadLetteredPerSecond),
        rate(route.retriedPerSecond),
        String(route.committed),
        String(route.duplicates),
      ]),
      [false, true, true, true, true, true, true, true, true],
    ),
  ];
}

function consumerLines(report: StatusReport): string[] {
  const { consumers } = report;
  if (!consumers.available) return ['consumer lag (JetStream)', `  unavailable: ${consumers.error}`];
  const title = `consumer lag (JetStream, stream ${consumers.stream})`;
  if (consumers.consumers.length === 0) return [title, '  no consumers'];
  return [
    title,
    ...table(
      ['consumer', 'subjects', 'pending', 'ack pending', 'redelivered'],
      consumers.consumers.map((consumer) => [
        consumer.name,
        consumer.filterSubjects.length === 0 ? '(all)' : consumer.filterSubjects.join(','),
        String(consumer.pending),
        String(consumer.ackPending),
        String(consumer.redelivered),
      ]),
      [false, false, true, true, true],
    ),
  ];
}

function deadLetterLines(report: StatusReport): string[] {
  const { deadLetters } = report;
  if (!deadLetters.available) return ['dead letters', `  unavailable: ${deadLetters.error}`];
  const lines = [`dead letters (stream ${deadLetters.stream}): ${deadLetters.total}`];
  if (deadLetters.total === 0) return lines;
  const note = deadLetters.truncated ? ` (the oldest ${deadLetters.scanned} only; raise --scan-limit for all)` : '';
  lines.push(
    `  by reason${note}`,
    ...table(
      ['stage', 'reason', 'count'],
      deadLetters.byReason.map((entry) => [entry.stage, entry.reason, String(entry.count)]),
      [false, false, true],
      '    ',
    ),
    `  by route${note}`,
    ...table(
      ['route', 'count'],
      deadLetters.byRoute.map((entry) => [entry.route, String(entry.count)]),
      [false, true],
      '    ',
    ),
    '  by dead-letter subject',
    ...table(
      ['subject', 'count'],
      deadLetters.bySubject.map((entry) => [entry.subject, String(entry.count)]),
      [false, true],
      '    ',
    ),
  );
  return lines;
}

function circuitAndStageLines(report: StatusReport, nowMs: number): string[] {
  if (!report.bridges.some((bridge) => bridge.reachable)) return [];
  const circuits =
    report.circuits.length === 0
      ? ['  no sink target reported yet']
      : table(
          ['sink', 'circuit', 'open on'],
          report.circuits.map((circuit) => [circuit.sink, circuit.state, `${circuit.openOnReplicas} of ${circuit.replicas}`]),
        );
  const stages =
    report.stages.length === 0
      ? ['  no stage answered yet']
      : table(
          ['stage', 'last ok', 'last failed'],
          report.stages.map((stage) => [stage.stage, ago(stage.lastOkAt, nowMs), ago(stage.lastFailedAt, nowMs)]),
        );
  return ['sink circuits', ...circuits, '', "stages' last answers", ...stages];
}

/** The one screen of `ingest status`: bridges, routes, consumer lag, dead letters, circuits, stages. */
function renderStatus(report: StatusReport, nowMs: number = Date.parse(report.at)): string {
  const bridges = report.bridges.map((bridge) => `  ${bridge.url}  ${bridge.reachable ? 'ok' : `unreachable: ${bridge.error}`}`);
  const sections = [
    [`ingest status at ${report.at}`],
    ['bridges', ...bridges],
    routeLines(report),
    consumerLines(report),
    deadLetterLines(report),
    circuitAndStageLines(report, nowMs),
  ].filter((section) => section.length > 0);
  const footer =
    report.completeness === 'partial'
      ? ['partial: some sections could not be read (see above); exit code 3']
      : report.completeness === 'failed'
        ? ['failed: nothing could be read (see above); exit code 1']
        : [];
  return [...sections.map((section) => section.join('\n')), ...footer].join('\n\n');
}

export { renderStatus };
