/**
 * The metric names and labels a PromQL expression uses, found without a PromQL parser: no
 * maintained one is installed for Node (the JavaScript ports of Prometheus's parser are either
 * browser editor grammars or unmaintained), and the dashboard test needs only this much. The
 * expression is cut into tokens (strings, identifiers, numbers, punctuation; a `[...]` range as one
 * token), then read left to right:
 *
 * - an identifier followed by `(` is a function or an aggregation, and must be one PromQL knows
 *   (a typo fails instead of passing as a metric);
 * - `by`/`without` lists (before or after an aggregation's argument) are grouping labels, checked
 *   against every metric inside that aggregation's argument;
 * - `on`/`ignoring`/`group_left`/`group_right` lists are matching labels, checked against every
 *   metric of the expression;
 * - `{label op "value", ...}` after a name are matchers of that metric;
 * - any other identifier that is not a keyword is a metric name.
 *
 * Grafana's variables (`$route`, `${route}`, `$__rate_interval`) only appear inside strings and
 * ranges in our dashboard; a bare one elsewhere is read as a variable token and ignored.
 */

type Token = { readonly kind: 'ident' | 'string' | 'number' | 'range' | 'variable' | 'punct'; readonly text: string };

type MetricUse = { readonly name: string; readonly matcherLabels: readonly string[] };

type Grouping = {
  /** `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`. */
  readonly clause: string;
  readonly labels: readonly string[];
  /** The metrics these labels must belong to. */
  readonly metrics: readonly string[];
};

type Selectors = { readonly metrics: readonly MetricUse[]; readonly groupings: readonly Grouping[] };

class PromqlSyntaxError extends Error {
  constructor(message: string, expr: string) {
    super(`${message} in: ${expr}`);
    this.name = 'PromqlSyntaxError';
  }
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);

/** PromQL's functions (Prometheus 3.x), so an unknown `foo(` is an error rather than a metric. */
const FUNCTIONS = new Set([
  'abs',
  'absent',
  'absent_over_time',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'avg_over_time',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'cos',
  'cosh',
  'count_over_time',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'deg',
  'delta',
  'deriv',
  'exp',
  'floor',
  'histogram_avg',
  'histogram_count',
  'histogram_fraction',
  'histogram_quantile',
  'histogram_stddev',
  'histogram_stdvar',
  'histogram_sum',
  'hour',
  'idelta',
  'increase',
  'irate',
  'label_join',
  'label_replace',
  'last_over_time',
  'ln',
  'log10',
  'log2',
  'max_over_time',
  'min_over_time',
  'minute',
  'month',
  'pi',
  'predict_linear',
  'present_over_time',
  'quantile_over_time',
  'rad',
  'rate',
  'resets',
  'round',
  'scalar',
  'sgn',
  'sin',
  'sinh',
  'sort',
  'sort_by_label',
  'sort_by_label_desc',
  'sort_desc',
  'sqrt',
  'stddev_over_time',
  'stdvar_over_time',
  'sum_over_time',
  'tan',
  'tanh',
  'time',
  'timestamp',
  'vector',
  'year',
]);

const LABEL_LIST_CLAUSES = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Words that are never metric names: operators spelled as words, modifiers, literals. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan', 'Inf', 'NaN']);

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' && c !== '`' ? 2 : 1;
      if (j >= expr.length) throw new PromqlSyntaxError('unterminated string', expr);
      tokens.push({ kind: 'string', text: expr.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '[') {
      const j = expr.indexOf(']', i);
      if (j < 0) throw new PromqlSyntaxError('unterminated range', expr);
      tokens.push({ kind: 'range', text: expr.slice(i, j + 1) });
      i = j + 1;
    } else if (c === '$') {
      const match = /^\$(\{[^}]*\}|\w+)/.exec(expr.slice(i));
      if (match === null) throw new PromqlSyntaxError('a lone $', expr);
      tokens.push({ kind: 'variable', text: match[0] });
      i += match[0].length;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const match = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))!;
      tokens.push({ kind: 'ident', text: match[0] });
      i += match[0].length;
    } else if (/[0-9.]/.test(c)) {
      const match = /^(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)/.exec(expr.slice(i));
      if (match === null) throw new PromqlSyntaxError(`bad number at ${i}`, expr);
      tokens.push({ kind: 'number', text: match[0] });
      i += match[0].length;
    } else {
      const match = /^(=~|!~|!=|==|>=|<=|[-+*/%^(){},=<>@])/.exec(expr.slice(i));
      if (match === null) throw new PromqlSyntaxError(`unexpected "${c}"`, expr);
      tokens.push({ kind: 'punct', text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

/** The index of the `)` closing the `(` at `open`. */
function closing(tokens: readonly Token[], open: number, expr: string): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++;
    else if (tokens[i]!.text === ')' && --depth === 0) return i;
  }
  throw new PromqlSyntaxError('unbalanced parentheses', expr);
}

/** `(a, b)` at `open`: the label names, and the index after the `)`. */
function labelList(tokens: readonly Token[], open: number, expr: string): { labels: string[]; next: number } {
  if (tokens[open]?.text !== '(') throw new PromqlSyntaxError('a label list must follow by/without/on/ignoring', expr);
  const end = closing(tokens, open, expr);
  const labels = tokens
    .slice(open + 1, end)
    .filter((token) => token.text !== ',')
    .map((token) => {
      if (token.kind !== 'ident') throw new PromqlSyntaxError(`"${token.text}" is not a label name`, expr);
      return token.text;
    });
  return { labels, next: end + 1 };
}

/** `{label op "value", ...}` at `open`: the label names, and the index after the `}`. */
function matchers(tokens: readonly Token[], open: number, expr: string): { labels: string[]; next: number } {
  const labels: string[] = [];
  let i = open + 1;
  while (tokens[i]?.text !== '}') {
    const [label, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (label?.kind !== 'ident' || op === undefined || !['=', '!=', '=~', '!~'].includes(op.text) || value?.kind !== 'string') {
      throw new PromqlSyntaxError('a matcher is label op "value"', expr);
    }
    labels.push(label.text);
    i += 3;
    if (tokens[i]?.text === ',') i++;
  }
  return { labels, next: i + 1 };
}

/** Every metric name, its matchers, and every label list of `expr` with the metrics it applies to. */
function promqlSelectors(expr: string): Selectors {
  const tokens = tokenize(expr);
  const metrics: { name: string; matcherLabels: string[]; at: number }[] = [];
  const pending: { clause: string; labels: string[]; from: number; to: number }[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token.kind === 'punct' && token.text === '{') throw new PromqlSyntaxError('a selector without a metric name', expr);
    if (token.kind !== 'ident') {
      i++;
      continue;
    }
    const next = tokens[i + 1];
    if (LABEL_LIST_CLAUSES.has(token.text)) {
      const { labels, next: after } = labelList(tokens, i + 1, expr);
      if (token.text === 'by' || token.text === 'without') {
        // `sum by (a) (x)`: the argument follows; `sum (x) by (a)`: it came just before.
        const argumentOpen = tokens[after]?.text === '(' && AGGREGATIONS.has(tokens[i - 1]?.text ?? '') ? after : undefined;
        if (argumentOpen !== undefined) {
          pending.push({ clause: token.text, labels, from: argumentOpen, to: closing(tokens, argumentOpen, expr) });
        } else {
          let depth = 0;
          let open = i - 1;
          for (; open >= 0; open--) {
            if (tokens[open]!.text === ')') depth++;
            else if (tokens[open]!.text === '(' && --depth === 0) break;
          }
          if (open < 0 || !AGGREGATIONS.has(tokens[open - 1]?.text ?? '')) throw new PromqlSyntaxError(`"${token.text}" outside an aggregation`, expr);
          pending.push({ clause: token.text, labels, from: open, to: i - 1 });
        }
      } else {
        // Vector matching: the labels must be on both sides, so on every metric of the expression.
        pending.push({ clause: token.text, labels, from: -1, to: tokens.length });
      }
      i = after;
    } else if (next?.text === '(') {
      if (!AGGREGATIONS.has(token.text) && !FUNCTIONS.has(token.text)) throw new PromqlSyntaxError(`unknown function "${token.text}"`, expr);
      i++;
    } else if (AGGREGATIONS.has(token.text) && (next?.text === 'by' || next?.text === 'without')) {
      i++;
    } else if (KEYWORDS.has(token.text)) {
      i++;
    } else {
      if (next?.text === '{') {
        const { labels, next: after } = matchers(tokens, i + 1, expr);
        metrics.push({ name: token.text, matcherLabels: labels, at: i });
        i = after;
      } else {
        metrics.push({ name: token.text, matcherLabels: [], at: i });
        i++;
      }
    }
  }
  return {
    metrics: metrics.map(({ name, matcherLabels }) => ({ name, matcherLabels })),
    groupings: pending.map(({ clause, labels, from, to }) => ({
      clause,
      labels,
      metrics: metrics.filter((metric) => metric.at > from && metric.at < to).map((metric) => metric.name),
    })),
  };
}

export { PromqlSyntaxError, promqlSelectors };
export type { Grouping, MetricUse, Selectors };
