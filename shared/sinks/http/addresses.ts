import { isIPv4, isIPv6 } from 'node:net';

// Which IP addresses an HTTP sink may connect to. A route's URL is data anyone with registry write
// access controls, so without this check it could point the sink-write function at the cloud
// metadata service or at anything inside the VPC (server-side request forgery).

type Range = { readonly network: bigint; readonly prefix: number; readonly reason: string };

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((sum, part) => (sum << 8n) | BigInt(Number(part)), 0n);
}

/** The eight 16-bit groups of an IPv6 address (with an optional dotted IPv4 tail), as one number. */
function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const v4 = ipv4ToBigInt(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((sum, group) => (sum << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function v4(cidr: string, reason: string): Range {
  const [network = '', prefix = '32'] = cidr.split('/');
  return { network: ipv4ToBigInt(network), prefix: Number(prefix), reason };
}

function v6(cidr: string, reason: string): Range {
  const [network = '', prefix = '128'] = cidr.split('/');
  return { network: ipv6ToBigInt(network), prefix: Number(prefix), reason };
}

// Most specific first: the metadata address is reported as such, not as "link-local".
const IPV4_RANGES: readonly Range[] = [
  v4('169.254.169.254/32', 'cloud metadata service'),
  v4('0.0.0.0/8', '"this network"'),
  v4('10.0.0.0/8', 'private network'),
  v4('100.64.0.0/10', 'carrier-grade NAT'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private network'),
  v4('192.0.0.0/24', 'IETF protocol assignments'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.168.0.0/16', 'private network'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

const IPV6_RANGES: readonly Range[] = [
  v6('fd00:ec2::254/128', 'cloud metadata service'),
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('64:ff9b:1::/48', 'local-use NAT64'),
  v6('100::/64', 'discard-only'),
  v6('2001::/32', 'Teredo tunnel'),
  v6('2001:db8::/32', 'documentation'),
  v6('fc00::/7', 'unique-local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local'),
  v6('ff00::/8', 'multicast'),
];

function inRange(value: bigint, bits: number, range: Range): boolean {
  const shift = BigInt(bits - range.prefix);
  return value >> shift === range.network >> shift;
}

function fromBigIntV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** IPv6 forms that carry an IPv4 address a packet may end up at. */
function embeddedIpv4(value: bigint): string | undefined {
  if (value >> 32n === 0xffffn) return fromBigIntV4(value & 0xffffffffn); // ::ffff:a.b.c.d (mapped)
  if (value >> 32n === 0n && value > 1n) return fromBigIntV4(value); // ::a.b.c.d (deprecated compatible)
  if (value >> 32n === 0x0064ff9b0000000000000000n) return fromBigIntV4(value & 0xffffffffn); // 64:ff9b::/96 NAT64
  if (value >> 112n === 0x2002n) return fromBigIntV4((value >> 80n) & 0xffffffffn); // 2002::/16 6to4
  return undefined;
}

/**
 * Why `address` is not a public unicast address (loopback, private, link-local, unique-local,
 * carrier-grade NAT, metadata, ...), or undefined when it is public. Anything that is not an IP
 * address at all is refused too.
 */
function nonPublicReason(address: string): string | undefined {
  const plain = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(plain)) {
    const value = ipv4ToBigInt(plain);
    return IPV4_RANGES.find((range) => inRange(value, 32, range))?.reason;
  }
  if (!isIPv6(plain)) return 'not an IP address';
  const value = ipv6ToBigInt(plain.toLowerCase());
  const inner = embeddedIpv4(value);
  if (inner !== undefined) {
    const reason = nonPublicReason(inner);
    return reason === undefined ? undefined : `${reason} (IPv4 ${inner} inside IPv6)`;
  }
  return IPV6_RANGES.find((range) => inRange(value, 128, range))?.reason;
}

export { nonPublicReason };
