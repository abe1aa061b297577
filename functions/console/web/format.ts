// Number and time formatting for the console's pages. Pure (no DOM), so unit tests import it.

const pad = (value: number): string => String(value).padStart(2, '0');

/** `hh:mm:ss` in the browser's time zone: the operator compares it with a wall clock. */
function formatClock(ms: number): string {
  const at = new Date(ms);
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** An ISO time as `YYYY-MM-DD hh:mm:ss` local time; the input itself when it is not a time. */
function formatDateTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${formatClock(at.getTime())}`;
}

/** A figure with at most `digits` decimals and no trailing zeros; an em dash for null. */
function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A rate 0..1 as a percentage with two decimals at most. */
function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${formatNumber(rate * 100, 2)} %`;
}

/** The line under each chart: what its last point says, and when. */
function latestLine(value: number | null, unit: string, t: number | null): string {
  if (value === null || t === null) return 'Latest: no data yet';
  return `Latest: ${formatNumber(value, 2)} ${unit} at ${formatClock(t)}`;
}

/** How many bytes a base64 text holds (its length less the padding). */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

export { base64Bytes, formatClock, formatDateTime, formatNumber, formatPercent, latestLine };
