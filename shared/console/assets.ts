import type { ApiResponse } from '../registryApi/index.ts';
import type { ConsoleAssets } from './deps.ts';
import { ConsoleRequestError } from './errors.ts';
import { assetHeaders, PAGE_HEADERS } from './headers.ts';

const ASSETS_PREFIX = '/console/assets/';

function onlyGet(method: string, path: string): void {
  if (method !== 'GET') throw new ConsoleRequestError(405, 'Method Not Allowed', `${method} is not supported on ${path}`, { allow: 'GET' });
}

/** The page itself, under its strict Content-Security-Policy. */
function servePage(method: string, path: string, assets: ConsoleAssets): ApiResponse {
  onlyGet(method, path);
  return { status: 200, headers: { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' }, body: assets.indexHtml };
}

function isAssetPath(path: string): boolean {
  return path.startsWith(ASSETS_PREFIX);
}

/** One bundled file by its exact name (no folders: a name never holds a `/`). */
function serveAsset(method: string, path: string, assets: ConsoleAssets): ApiResponse {
  const name = path.slice(ASSETS_PREFIX.length);
  const asset = Object.hasOwn(assets.files, name) ? assets.files[name] : undefined;
  if (asset === undefined) throw new ConsoleRequestError(404, 'Not Found', `${path} is not an asset of the console`);
  onlyGet(method, path);
  return { status: 200, headers: { ...assetHeaders(asset.immutable), 'content-type': asset.contentType }, body: asset.body };
}

export { isAssetPath, serveAsset, servePage };
