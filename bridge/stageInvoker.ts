import type {
  RouteRequest,
  RouteResponse,
  SinkCheckRequest,
  SinkCheckResponse,
  SinkWriteRequest,
  SinkWriteResponse,
  ValidateRequest,
  ValidateResponse,
} from '../shared/contracts/index.ts';

/** How the bridge reaches the three stage functions. */
type StageInvoker = {
  validate(request: ValidateRequest): Promise<ValidateResponse>;
  route(request: RouteRequest): Promise<RouteResponse>;
  sinkWrite(request: SinkWriteRequest): Promise<SinkWriteResponse>;
  /** Asks sink-write whether a target already holds events (nothing is written). */
  checkDelivery(request: SinkCheckRequest): Promise<SinkCheckResponse>;
};

export type { StageInvoker };
