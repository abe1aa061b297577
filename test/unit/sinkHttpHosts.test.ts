import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectivePort, isHostAllowed, isHostPattern, parseHostPattern } from '../../shared/names/hosts.ts';

// The edges of the HTTP sink's allow-list syntax: a pattern that parses too loosely allows hosts
// or ports the operator did not list; one that parses too strictly refuses a listed host.

function label(length: number, letter = 'a'): string {
  return letter.repeat(length);
}

describe('allow-list pattern syntax, edges', () => {
  test('ports 1 and 65535 are accepted; 0, 65536, signs, hex, exponents and six digits are not', () => {
    assert.deepEqual(parseHostPattern('x.example.com:1'), { host: 'x.example.com', wildcard: false, port: 1 });
    assert.deepEqual(parseHostPattern('x.example.com:65535'), { host: 'x.example.com', wildcard: false, port: 65_535 });
    assert.deepEqual(parseHostPattern('x.example.com:00080'), { host: 'x.example.com', wildcard: false, port: 80 });
    for (const port of ['0', '65536', '99999', '000080', '-1', '+80', '0x50', '1e3', '80a', 'a80', '']) {
      assert.equal(parseHostPattern(`x.example.com:${port}`), undefined, port);
    }
  });

  test('a DNS name is at most 253 characters, each label 1 to 63 of a-z, 0-9 and inner hyphens', () => {
    const name253 = `${label(63)}.${label(63, 'b')}.${label(63, 'c')}.${label(61, 'd')}`;
    assert.equal(name253.length, 253);
    assert.deepEqual(parseHostPattern(name253), { host: name253, wildcard: false, port: undefined });
    assert.equal(parseHostPattern(`${name253}e`), undefined, '254 characters');
    assert.deepEqual(parseHostPattern(`${label(63)}.com`), { host: `${label(63)}.com`, wildcard: false, port: undefined });
    assert.equal(parseHostPattern(`${label(64)}.com`), undefined, '64-character label');
    assert.deepEqual(parseHostPattern('a-b.x-1.com'), { host: 'a-b.x-1.com', wildcard: false, port: undefined });
    assert.deepEqual(parseHostPattern('localhost:8080'), { host: 'localhost', wildcard: false, port: 8080 });
    for (const bad of ['-a.com', 'a-.com', 'a.-b.com', 'a.b-.com', 'a_b.com', 'ok.a_b.com', 'a..com', '.a.com', 'é.com']) {
      assert.equal(parseHostPattern(bad), undefined, bad);
    }
  });

  test('surrounding spaces and one trailing dot are ignored; case is folded', () => {
    assert.deepEqual(parseHostPattern('  API.Example.COM:8443 '), { host: 'api.example.com', wildcard: false, port: 8443 });
    assert.deepEqual(parseHostPattern('api.example.com.'), { host: 'api.example.com', wildcard: false, port: undefined });
    assert.deepEqual(parseHostPattern('*.Example.com'), { host: 'example.com', wildcard: true, port: undefined });
    assert.equal(parseHostPattern('example.*.com'), undefined);
    assert.equal(parseHostPattern('*example.com'), undefined);
  });

  test('an IPv4 address is never a wildcard; a name of digits that is not an address may be', () => {
    for (const address of ['0.0.0.0', '255.255.255.255', '250.249.200.199', '100.99.10.9', '1.2.3.4', '9.19.109.255', '249.200.0.1']) {
      assert.deepEqual(parseHostPattern(address), { host: address, wildcard: false, port: undefined }, address);
      assert.equal(parseHostPattern(`*.${address}`), undefined, `*.${address}`);
    }
    // Not dotted-quad addresses, so they are DNS names (URL refuses most of them as hosts anyway).
    for (const name of ['256.0.0.1', '0.0.0.256', '260.1.1.1', '1.1.1.260', '01.2.3.4', '1.2.3.04', '1.2.3', '1.10.0.0.1', '1000.1.1.1']) {
      assert.deepEqual(parseHostPattern(`*.${name}`), { host: name, wildcard: true, port: undefined }, name);
    }
  });

  test('an IPv6 pattern is a bracketed literal, normalised as URL.hostname, with an optional valid port', () => {
    assert.deepEqual(parseHostPattern('[::1]'), { host: '[::1]', wildcard: false, port: undefined });
    assert.deepEqual(parseHostPattern('[2001:0db8:0:0:0:0:0:0001]:65535'), { host: '[2001:db8::1]', wildcard: false, port: 65_535 });
    assert.deepEqual(parseHostPattern('[::ffff:1.2.3.4]:1'), { host: '[::ffff:102:304]', wildcard: false, port: 1 });
    for (const bad of ['[::1]:0', '[::1]:65536', '[::1]:', '[::1]:80x', 'x[::1]', '[::1]x', '[1::2::3]', '[12345::1]', '[]', '::1', '*.[::1]']) {
      assert.equal(parseHostPattern(bad), undefined, bad);
    }
    assert.equal(isHostPattern('[2001:db8::1]:443'), true);
    assert.equal(isHostPattern('[2001:db8::1]:0'), false);
  });
});

describe('allow-list matching, ports and schemes', () => {
  test('the effective port is the explicit one, else 443 for https and 80 for http', () => {
    assert.equal(effectivePort(new URL('https://a.example/')), 443);
    assert.equal(effectivePort(new URL('http://a.example/')), 80);
    assert.equal(effectivePort(new URL('https://a.example:8443/')), 8443);
    assert.equal(effectivePort(new URL('http://a.example:443/')), 443);
    assert.equal(effectivePort(new URL('https://a.example:80/')), 80);
  });

  test("a pattern with port 443 or 80 allows that scheme's default-port URL only", () => {
    assert.equal(isHostAllowed(new URL('https://a.example.com/'), ['a.example.com:443']), true);
    assert.equal(isHostAllowed(new URL('http://a.example.com/'), ['a.example.com:443']), false);
    assert.equal(isHostAllowed(new URL('http://a.example.com:443/'), ['a.example.com:443']), true);
    assert.equal(isHostAllowed(new URL('http://a.example.com/'), ['a.example.com:80']), true);
    assert.equal(isHostAllowed(new URL('https://a.example.com/'), ['a.example.com:80']), false);
  });

  test('invalid patterns in the list are skipped, not fatal, and allow nothing', () => {
    const url = new URL('https://a.example.com/');
    assert.equal(isHostAllowed(url, ['not a pattern', '*.com', 'a.example.com:0', 'a.example.com']), true);
    assert.equal(isHostAllowed(url, ['not a pattern', '*.com', 'a.example.com:0']), false);
    assert.equal(isHostAllowed(url, []), false);
  });

  test('a wildcard matches names below its domain only, with or without a trailing dot', () => {
    const patterns = ['*.example.com'];
    assert.equal(isHostAllowed(new URL('https://a.example.com./'), patterns), true);
    assert.equal(isHostAllowed(new URL('https://example.com/'), patterns), false);
    assert.equal(isHostAllowed(new URL('https://badexample.com/'), patterns), false);
    assert.equal(isHostAllowed(new URL('https://a.example.com.evil.net/'), patterns), false);
    assert.equal(isHostAllowed(new URL('https://a.example.com:8443/'), patterns), false);
  });
});
