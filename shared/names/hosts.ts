// The HTTP sink's allow-list: which `host[:port]` a route may send events to. Pure, so the
// configuration can validate patterns and the registry can check a URL without any I/O.

/** `api.example.com`, `*.example.com`, `10.0.0.5:8443`, `[2001:db8::1]:443`. */
type HostPattern = {
  /** Lower case; an IPv6 address keeps its brackets, as in URL.hostname. */
  readonly host: string;
  /** `*.example.com`: any name below example.com (not example.com itself). */
  readonly wildcard: boolean;
  /** Unset: only the default port of the URL's scheme (80 for http, 443 for https). */
  readonly port: number | undefined;
};

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isDnsName(name: string): boolean {
  return name.length <= 253 && name.split('.').every((label) => LABEL.test(label));
}

function parsePort(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : null;
}

/** The pattern, or undefined when `text` is not `host[:port]`. */
function parseHostPattern(text: string): HostPattern | undefined {
  const value = text.trim().toLowerCase();
  const bracketed = /^(\[[0-9a-f:.]+\])(?::(\d+))?$/.exec(value);
  if (bracketed !== null) {
    const port = parsePort(bracketed[2]);
    // Let URL decide what a valid IPv6 literal is, and normalise it the way URL.hostname will.
    let host: string;
    try {
      host = new URL(`http://${bracketed[1]}/`).hostname;
    } catch {
      return undefined;
    }
    return port === null ? undefined : { host, wildcard: false, port };
  }
  const [name, portText, extra] = value.split(':');
  if (name === undefined || extra !== undefined) return undefined;
  const port = parsePort(portText);
  if (port === null) return undefined;
  const wildcard = name.startsWith('*.');
  const host = wildcard ? name.slice(2) : name.replace(/\.$/, '');
  if (IPV4.test(host)) return wildcard ? undefined : { host, wildcard, port };
  // A bare top-level wildcard (`*.com`) would allow most of the internet.
  if (!isDnsName(host) || (wildcard && !host.includes('.'))) return undefined;
  return { host, wildcard, port };
}

function isHostPattern(text: string): boolean {
  return parseHostPattern(text) !== undefined;
}

/** The port a request to `url` goes to. */
function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function matches(pattern: HostPattern, url: URL): boolean {
  const host = url.hostname.replace(/\.$/, '');
  const hostOk = pattern.wildcard ? host.endsWith(`.${pattern.host}`) : host === pattern.host;
  if (!hostOk) return false;
  // Without a port, a pattern allows the scheme's default port only, so allowing a web API does
  // not also allow every other service on that machine.
  return pattern.port === undefined ? url.port === '' : effectivePort(url) === pattern.port;
}

/** Whether `url`'s host and port are on the allow-list. */
function isHostAllowed(url: URL, patterns: readonly string[]): boolean {
  return patterns.some((text) => {
    const pattern = parseHostPattern(text);
    return pattern !== undefined && matches(pattern, url);
  });
}

export { effectivePort, isHostAllowed, isHostPattern, parseHostPattern };
export type { HostPattern };
