// An osls plugin, loaded after serverless-offline, for the registry API's HTTP server under
// serverless-offline 14.8.2 (hapi 21). Three behaviours of that server would otherwise decide what
// clients see, in ways the registry-api function cannot prevent because it never sees them:
//
// 1. CORS: for any request with an Origin header, serverless-offline's onPreResponse extension
//    reflects the origin and allows credentials (without `httpApi.cors`), or reflects it on every
//    non-preflight response (with it), whatever origins are configured. API Gateway without a cors
//    configuration adds nothing, and the function applies REGISTRY_API_CORS_ORIGINS itself; so
//    serverless-offline's extensions run without seeing the Origin header.
// 2. Dot segments: hapi resolves `.`, `..` and `%2e%2e` before the event is built (rawPath comes
//    from a WHATWG URL), so `PUT /schemagroups/..` would reach the function as `PUT /`. Such a
//    request is refused here, from the raw request line, as the function refuses it.
// 3. hapi's own errors (a path that is not valid percent-encoding, a body over its size limit)
//    are `{"statusCode", "error", "message"}`; they become RFC 9457 problem documents like every
//    other error of the API.
//
// Hand-written because no plugin or option of serverless-offline does this; it patches the hapi
// server prototype only in an `osls offline` process, and only for servers created after it loads.
import { createRequire } from 'node:module';

const PROBLEM_TYPE = 'application/problem+json';

function problem(status, title, detail, instance) {
  return JSON.stringify({ type: 'about:blank', title, status, detail, instance });
}

/** Whether a raw path has a `.` or `..` segment, literally or percent-encoded. */
function hasDotSegment(path) {
  return path.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
}

/** Whether every %XX in a path decodes as UTF-8. */
function decodes(path) {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** hapi's own reason, or a plainer one for the URLs it refuses to parse. */
function reasonOf(payload, path) {
  if (payload.statusCode === 400 && !decodes(path)) return `the path ${path} is not valid percent-encoded UTF-8`;
  return payload.message ?? payload.error ?? 'request refused';
}

function rawPath(request) {
  return (request.raw.req.url ?? '/').split('?')[0];
}

/** Runs one of serverless-offline's onPreResponse extensions as if the request had no Origin. */
function withoutOrigin(method) {
  return function offlineExtensionWithoutOrigin(request, h) {
    const origin = request.headers.origin;
    if (origin === undefined) return method.call(this, request, h);
    delete request.headers.origin;
    try {
      return method.call(this, request, h);
    } finally {
      request.headers.origin = origin;
    }
  };
}

function installGuards(server, ext) {
  // onPreHandler, not onRequest: by then hapi has read the body, so answering early does not
  // leave a client that is still sending it with a broken pipe.
  ext.call(server, 'onPreHandler', (request, h) => {
    const path = rawPath(request);
    if (!hasDotSegment(path)) return h.continue;
    const body = problem(400, 'Bad Request', `the path ${path} has a "." or ".." segment: relative segments are not resolved, name the entity itself`, path);
    return h.response(body).code(400).type(PROBLEM_TYPE).takeover();
  });
  // Registered after serverless-offline's own onPreResponse extension, so it runs after it.
  ext.call(server, 'onPreResponse', (request, h) => {
    const response = request.response;
    if (!response?.isBoom) return h.continue;
    const { statusCode, payload } = response.output;
    const path = rawPath(request);
    return h
      .response(problem(statusCode, payload.error ?? 'Error', reasonOf(payload, path), path))
      .code(statusCode)
      .type(PROBLEM_TYPE);
  });
}

function patchHapi() {
  const offlineRequire = createRequire(createRequire(import.meta.url).resolve('serverless-offline'));
  const hapi = offlineRequire('@hapi/hapi');
  const prototype = Object.getPrototypeOf(hapi.server({ autoListen: false }));
  if (prototype.ext.registryApiPatched === true) return;
  const ext = prototype.ext;
  const guarded = new WeakSet();
  function patchedExt(events, method, options) {
    if (events !== 'onPreResponse' || typeof method !== 'function') return ext.call(this, events, method, options);
    const result = ext.call(this, events, withoutOrigin(method), options);
    if (!guarded.has(this)) {
      guarded.add(this);
      installGuards(this, ext);
    }
    return result;
  }
  patchedExt.registryApiPatched = true;
  prototype.ext = patchedExt;
}

class OfflineHttpApiPlugin {
  constructor(serverless) {
    this.hooks = {};
    if (serverless.processedInput?.commands?.[0] === 'offline') patchHapi();
  }
}

// osls loads a plugin from its module's default export.
export default OfflineHttpApiPlugin;
