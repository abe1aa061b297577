/** Number formats of the printed tables: '–' for a figure that was not measured. */
const int = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? '–' : Math.round(value).toLocaleString('en-US'));
const fixed = (value: number | undefined, digits = 1): string => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));
const pct = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(0)} %` : '–');
/** Dollars to three significant digits: per-million-event figures are fractions of a cent. */
const usd = (value: number): string => (Number.isFinite(value) ? `$${value >= 100 ? value.toFixed(0) : value.toPrecision(3)}` : '–');

export { fixed, int, pct, usd };
