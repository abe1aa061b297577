import { headers as createHeaders, type MsgHdrs } from '@nats-io/nats-core';

type HeaderMap = Readonly<Record<string, readonly string[]>>;

function headersToMap(headers: MsgHdrs | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (headers === undefined) return out;
  for (const [key, values] of headers) out[key] = [...values];
  return out;
}

function mapToHeaders(map: HeaderMap): MsgHdrs {
  const headers = createHeaders();
  for (const [key, values] of Object.entries(map)) for (const value of values) headers.append(key, value);
  return headers;
}

export { headersToMap, mapToHeaders };
export type { HeaderMap };
