import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadRegistryApiConfig } from '../../shared/config/index.ts';

function problems(env: Record<string, string>): string {
  try {
    loadRegistryApiConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('expected a configuration error');
}

describe('registry API configuration', () => {
  test('the public URL is the local default until set; it is normalised without a trailing slash', () => {
    const local = loadRegistryApiConfig({});
    assert.equal(local.publicUrl, 'http://127.0.0.1:3000');
    assert.equal(local.publicUrlDefaulted, true);
    assert.deepEqual(local.corsOrigins, []);
    const set = loadRegistryApiConfig({
      REGISTRY_PUBLIC_URL: 'https://registry.example.com/api/',
      REGISTRY_API_CORS_ORIGINS: 'https://a.example.com, http://localhost:5173',
    });
    assert.equal(set.publicUrl, 'https://registry.example.com/api');
    assert.equal(set.publicUrlDefaulted, false);
    assert.deepEqual(set.corsOrigins, ['https://a.example.com', 'http://localhost:5173']);
  });

  test('bad public URLs and origins are named', () => {
    assert.match(problems({ REGISTRY_PUBLIC_URL: 'ftp://registry.example.com' }), /REGISTRY_PUBLIC_URL must be an http/);
    assert.match(problems({ REGISTRY_PUBLIC_URL: 'not a url' }), /REGISTRY_PUBLIC_URL must be an http/);
    assert.match(problems({ REGISTRY_PUBLIC_URL: 'https://user:pw@registry.example.com' }), /credentials, a query or a fragment/);
    assert.match(problems({ REGISTRY_PUBLIC_URL: 'https://registry.example.com/?x=1' }), /credentials, a query or a fragment/);
    assert.match(problems({ REGISTRY_API_CORS_ORIGINS: '*' }), /exact origins; "\*" is not accepted/);
    assert.match(problems({ REGISTRY_API_CORS_ORIGINS: 'https://a.example.com/app' }), /"https:\/\/a\.example\.com\/app" is not an origin/);
    assert.match(problems({ REGISTRY_API_CORS_ORIGINS: 'console.example.com' }), /is not an origin/);
  });
});
