import middy from '@middy/core';
import { SINK_RECORD, type SinkWriteRequest, type SinkWriteResponse } from '../../shared/contracts/index.ts';
import { requestShape } from '../../shared/middleware/index.ts';
import { createFunctionRuntime } from '../../shared/runtime/functionRuntime.ts';
import { createPostgresTableSink, type Sink } from '../../shared/sinks/index.ts';
import { runSinkWrite } from './sinkWrite.ts';

const runtime = createFunctionRuntime('sink-write');
const sinks = new Map<string, Sink>([['postgres', createPostgresTableSink(runtime.sql)]]);

const handler = middy<SinkWriteRequest, SinkWriteResponse>()
  .use(requestShape<SinkWriteRequest, SinkWriteResponse>('sink-write', SINK_RECORD))
  .handler((request) => runSinkWrite(request, { sinks }));

export { handler };
