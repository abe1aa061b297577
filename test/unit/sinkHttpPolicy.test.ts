import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ConfigError, loadHttpSinkPolicy, loadSinkConfig } from '../../shared/config/index.ts';
import { nonPublicReason } from '../../shared/sinks/http/addresses.ts';
import { isHostAllowed, parseHostPattern } from '../../shared/names/hosts.ts';
import { batchIdempotencyKey } from '../../shared/sinks/http/idempotency.ts';
import { failureFor, retryAfterMs } from '../../shared/sinks/http/response.ts';
import { SinkUnavailableError } from '../../shared/sinks/index.ts';

describe('HTTP sink allow-list', () => {
  test('patterns are host[:port], *.domain, IPv4 or [IPv6]', () => {
    assert.deepEqual(parseHostPattern('API.example.com'), { host: 'api.example.com', wildcard: false, port: undefined });
    assert.deepEqual(parseHostPattern('*.example.com:8443'), { host: 'example.com', wildcard: true, port: 8443 });
    assert.deepEqual(parseHostPattern('10.0.0.5:80'), { host: '10.0.0.5', wildcard: false, port: 80 });
    assert.deepEqual(parseHostPattern('[2001:DB8::1]:443'), { host: '[2001:db8::1]', wildcard: false, port: 443 });
    for (const bad of ['', 'http://x.com', 'x.com/path', 'x.com:0', 'x.com:70000', '*.com', '*', 'a b.com', '*.10.0.0.1', 'x.com:80:1', '[nope]']) {
      assert.equal(parseHostPattern(bad), undefined, bad);
    }
  });

  test("a pattern without a port allows the scheme's default port only", () => {
    const allow = ['api.example.com', '*.hooks.example.org', 'collector.example.net:8443', '[2001:db8::1]:9000'];
    const allowed = (url: string): boolean => isHostAllowed(new URL(url), allow);
    assert.equal(allowed('https://api.example.com/v1/events'), true);
    assert.equal(allowed('https://api.example.com:443/v1'), true);
    assert.equal(allowed('http://api.example.com/'), true);
    assert.equal(allowed('https://api.example.com:8080/'), false);
    assert.equal(allowed('https://API.EXAMPLE.COM./x'), true);
    assert.equal(allowed('https://evil-api.example.com/'), false);
    assert.equal(allowed('https://api.example.com.evil.net/'), false);
    assert.equal(allowed('https://a.b.hooks.example.org/'), true);
    assert.equal(allowed('https://hooks.example.org/'), false);
    assert.equal(allowed('https://collector.example.net:8443/'), true);
    assert.equal(allowed('https://collector.example.net/'), false);
    assert.equal(allowed('http://[2001:db8::1]:9000/'), true);
    assert.equal(allowed('http://[2001:db8::1]/'), false);
  });
});

describe('non-public address classification', () => {
  test('loopback, private, link-local, CGNAT, metadata and friends are refused', () => {
    const expect: Record<string, RegExp> = {
      '127.0.0.1': /loopback/,
      '10.1.2.3': /private/,
      '172.16.0.1': /private/,
      '172.31.255.255': /private/,
      '192.168.1.1': /private/,
      '169.254.169.254': /metadata/,
      '169.254.1.1': /link-local/,
      '100.64.0.1': /carrier-grade NAT/,
      '100.127.255.255': /carrier-grade NAT/,
      '0.0.0.0': /this network/,
      '224.0.0.1': /multicast/,
      '255.255.255.255': /reserved/,
      '::1': /loopback/,
      '::': /unspecified/,
      'fe80::1': /link-local/,
      'fe80::1%eth0': /link-local/,
      'fc00::1': /unique-local/,
      'fd12:3456::1': /unique-local/,
      'fd00:ec2::254': /metadata/,
      '::ffff:127.0.0.1': /loopback \(IPv4 127\.0\.0\.1 inside IPv6\)/,
      '::ffff:a9fe:a9fe': /metadata/,
      '64:ff9b::10.0.0.1': /private/,
      '2002:c0a8:0101::1': /private/,
      '[::1]': /loopback/,
      'not-an-ip': /not an IP address/,
    };
    for (const [address, reason] of Object.entries(expect)) assert.match(String(nonPublicReason(address)), reason, address);
  });

  test('public addresses pass', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8']) {
      assert.equal(nonPublicReason(address), undefined, address);
    }
  });
});

describe('idempotency keys and response classification', () => {
  test('a batch key depends on the set of event ids only', () => {
    const key = batchIdempotencyKey(['b', 'a', 'c']);
    assert.match(key, /^sha256:[0-9a-f]{64}$/);
    assert.equal(batchIdempotencyKey(['c', 'a', 'b', 'a']), key);
    assert.notEqual(batchIdempotencyKey(['a', 'b']), key);
    // No separator ambiguity: ["a,b"] is not ["a", "b"].
    assert.notEqual(batchIdempotencyKey(['a,b']), batchIdempotencyKey(['a', 'b']));
  });

  test('Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(retryAfterMs(undefined), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
    assert.equal(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
    assert.equal(retryAfterMs('999999'), 3_600_000);
  });

  test('5xx, 408, 425 and 429 are retryable; 3xx, 404 and other 4xx are not', () => {
    const outcome = (status: number, retryAfter?: string, bodyPrefix = '') => failureFor({ status, statusText: 'X', retryAfter, bodyPrefix }, 'h:1');
    assert.equal(outcome(204), undefined);
    for (const status of [500, 502, 503, 408, 425, 429]) assert.equal(outcome(status)?.retryable, true, String(status));
    const throttled = outcome(429, '2');
    assert.ok(throttled instanceof SinkUnavailableError);
    assert.equal(throttled.retryAfterMs, 2000);
    assert.match(throttled.message, /retry after 2000 ms \(Retry-After: 2\)/);
    const refused = outcome(400, undefined, 'field x is required');
    assert.equal(refused?.retryable, false);
    assert.equal(refused?.reason, 'sink_rejected');
    assert.match(refused!.message, /HTTP 400 X from h:1: field x is required/);
    assert.equal(outcome(404)?.reason, 'sink_target_missing');
    assert.match(outcome(302)!.message, /redirects are not followed/);
    assert.equal(outcome(401)?.retryable, false);
  });
});

describe('sink configuration', () => {
  test('defaults: no HTTP host allowed, private networks refused, NATS as for the CLI', () => {
    const config = loadSinkConfig({});
    assert.deepEqual(config.http.allowedHosts, []);
    assert.equal(config.http.allowPrivateNetworks, false);
    assert.equal(config.http.timeoutMs, 5000);
    assert.equal(config.nats.url, 'nats://127.0.0.1:4222');
    assert.deepEqual(config.nats.ingestSubjects, ['metrics.>']);
    assert.deepEqual(config.nats.deadLetterSubjects, ['deadletter.>']);
  });

  test('auth headers are found by host and never printed', () => {
    const config = loadSinkConfig({
      HTTP_SINK_ALLOWED_HOSTS: 'api.example.com, hooks.example.org:8443',
      HTTP_SINK_AUTH_HEADERS: JSON.stringify({ 'api.example.com': 'Bearer s3cr3t', 'hooks.example.org:8443': { header: 'X-Api-Key', value: 'k3y' } }),
    });
    assert.deepEqual(config.http.allowedHosts, ['api.example.com', 'hooks.example.org:8443']);
    assert.equal(config.http.authHeaderFor('api.example.com')?.value(), 'Bearer s3cr3t');
    assert.equal(config.http.authHeaderFor('hooks.example.org:8443')?.name, 'x-api-key');
    assert.equal(config.http.authHeaderFor('other.example.com'), undefined);
    assert.doesNotMatch(inspect(config, { depth: 10 }) + JSON.stringify(config), /s3cr3t|k3y/);
  });

  test('every problem is reported at once, naming variables and hosts but no secret', () => {
    assert.throws(
      () =>
        loadSinkConfig({
          HTTP_SINK_ALLOWED_HOSTS: 'ok.example.com,http://bad',
          HTTP_SINK_ALLOW_PRIVATE_NETWORKS: 'maybe',
          HTTP_SINK_AUTH_HEADERS: JSON.stringify({ '*.example.com': 'Bearer s3cr3t', 'x.example.com': { header: 'bad header', value: 's3cr3t' } }),
          HTTP_SINK_TIMEOUT_MS: '60000',
          NATS_URL: 'http://nope',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /HTTP_SINK_ALLOWED_HOSTS: "http:\/\/bad"/);
        assert.match(text, /HTTP_SINK_ALLOW_PRIVATE_NETWORKS must be true or false/);
        assert.match(text, /key "\*\.example\.com" must be an exact host/);
        assert.match(text, /HTTP_SINK_AUTH_HEADERS\["x\.example\.com"\]/);
        assert.match(text, /HTTP_SINK_TIMEOUT_MS must be an integer/);
        assert.match(text, /NATS_URL must use/);
        assert.doesNotMatch(text, /s3cr3t/);
        return true;
      },
    );
    assert.throws(
      () => loadSinkConfig({ HTTP_SINK_AUTH_HEADERS: '{not json s3cr3t' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.doesNotMatch(error.message, /s3cr3t/);
        return true;
      },
    );
  });

  test('the registry reads only the policy', () => {
    assert.deepEqual(loadHttpSinkPolicy({ HTTP_SINK_ALLOWED_HOSTS: 'A.example.com', HTTP_SINK_ALLOW_PRIVATE_NETWORKS: 'true', NATS_URL: 'http://ignored' }), {
      allowedHosts: ['a.example.com'],
      allowPrivateNetworks: true,
    });
  });
});
