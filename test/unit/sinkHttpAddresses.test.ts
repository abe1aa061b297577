import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nonPublicReason } from '../../shared/sinks/http/addresses.ts';

// Exact reasons, one address inside each refused range and addresses just outside its edges: the
// reason is what an operator reads when a route is refused, so a wrong or missing one is a defect.

function assertReasons(expected: Readonly<Record<string, string | undefined>>): void {
  for (const [address, reason] of Object.entries(expected)) assert.equal(nonPublicReason(address), reason, address);
}

describe('non-public IPv4 ranges, exact reasons', () => {
  test('each IPv4 range is reported with its own reason', () => {
    assertReasons({
      '169.254.169.254': 'cloud metadata service',
      '0.1.2.3': '"this network"',
      '10.200.30.40': 'private network',
      '100.64.0.0': 'carrier-grade NAT',
      '127.255.255.254': 'loopback',
      '169.254.169.253': 'link-local',
      '172.20.10.1': 'private network',
      '192.0.0.8': 'IETF protocol assignments',
      '192.0.2.15': 'documentation',
      '192.168.100.200': 'private network',
      '198.18.0.1': 'benchmarking',
      '198.19.255.255': 'benchmarking',
      '198.51.100.7': 'documentation',
      '203.0.113.99': 'documentation',
      '239.255.255.250': 'multicast',
      '240.0.0.1': 'reserved',
    });
  });

  test('addresses just outside each range are public', () => {
    assertReasons({
      '1.0.0.1': undefined,
      '11.0.0.0': undefined,
      '100.63.255.255': undefined,
      '128.0.0.1': undefined,
      '169.255.0.1': undefined,
      '172.15.255.255': undefined,
      '192.0.1.1': undefined,
      '192.0.3.1': undefined,
      '192.167.255.255': undefined,
      '198.17.255.255': undefined,
      '198.20.0.0': undefined,
      '198.51.101.1': undefined,
      '203.0.114.1': undefined,
      '223.255.255.255': undefined,
    });
  });
});

describe('non-public IPv6 ranges, exact reasons', () => {
  test('each IPv6 range is reported with its own reason', () => {
    assertReasons({
      'fd00:ec2::254': 'cloud metadata service',
      '::': 'unspecified',
      '::1': 'loopback',
      '64:ff9b:1::5': 'local-use NAT64',
      '100::1': 'discard-only',
      '2001::1': 'Teredo tunnel',
      '2001:db8:1234::1': 'documentation',
      'fc00::1': 'unique-local',
      'fdff:ffff::1': 'unique-local',
      'fe80::1': 'link-local',
      'febf::1': 'link-local',
      'fec0::1': 'site-local',
      'ff02::1': 'multicast',
    });
  });

  test('addresses just outside each range are public', () => {
    assertReasons({
      '::1:0:0:0': undefined,
      '64:ff9b:2::5': undefined,
      '100:0:0:1::1': undefined,
      '2001:1::1': undefined,
      '2001:db9::1': undefined,
      'fbff::1': undefined,
      'fe00::1': undefined,
      '2606:4700:4700::1111': undefined,
    });
  });

  test('the full eight-group form, a trailing :: and upper case read as the short form does', () => {
    assertReasons({
      '0:0:0:0:0:0:0:1': 'loopback',
      'fe80:0:0:0:0:0:0:1': 'link-local',
      '2001:db8:0:0:0:0:0:1': 'documentation',
      'FE80::ABCD': 'link-local',
      'fe80::': 'link-local',
      '2001:db8::': 'documentation',
      '2606:4700:4700:0:0:0:0:1111': undefined,
    });
  });

  test('a zone id and URL brackets are stripped; stray brackets are not an address', () => {
    assertReasons({
      'fe80::1%eth0': 'link-local',
      'fe80::1%25en0': 'link-local',
      '[fe80::1]': 'link-local',
      '::ffff:10.0.0.1%eth0': 'private network (IPv4 10.0.0.1 inside IPv6)',
      '[2606:4700:4700::1111]': undefined,
      ']::1': 'not an IP address',
      '::1[': 'not an IP address',
      '': 'not an IP address',
      '1.2.3': 'not an IP address',
      'example.com': 'not an IP address',
    });
  });
});

describe('IPv4 addresses inside IPv6', () => {
  test('mapped, compatible, NAT64 and 6to4 forms are judged by the IPv4 address, named in full', () => {
    assertReasons({
      '::ffff:192.168.100.200': 'private network (IPv4 192.168.100.200 inside IPv6)',
      '::ffff:c0a8:64c8': 'private network (IPv4 192.168.100.200 inside IPv6)',
      '::ffff:169.254.169.254': 'cloud metadata service (IPv4 169.254.169.254 inside IPv6)',
      '::10.20.30.40': 'private network (IPv4 10.20.30.40 inside IPv6)',
      '::2': '"this network" (IPv4 0.0.0.2 inside IPv6)',
      '64:ff9b::172.31.254.253': 'private network (IPv4 172.31.254.253 inside IPv6)',
      '64:ff9b::ac1f:fefd': 'private network (IPv4 172.31.254.253 inside IPv6)',
      '2002:a9fe:a9fe::1': 'cloud metadata service (IPv4 169.254.169.254 inside IPv6)',
      '2002:7f00:1::': 'loopback (IPv4 127.0.0.1 inside IPv6)',
    });
  });

  test('a public IPv4 address inside IPv6 is public', () => {
    assertReasons({
      '::ffff:8.8.4.4': undefined,
      '::8.8.4.4': undefined,
      '64:ff9b::203.0.114.1': undefined,
      '2002:808:404::1': undefined,
    });
  });
});
