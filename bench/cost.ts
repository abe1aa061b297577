// What the measured numbers cost a user on AWS: Lambda per million events (requests plus
// GB-seconds), and how many bridge replicas (Fargate tasks) a given event rate needs.
import { LAMBDA_PRICES } from './awsPrices.ts';
import type { CpuBreakdown } from './cpu.ts';
import type { FunctionsResult } from './functions.ts';

type FunctionCost = {
  readonly name: string;
  readonly memoryMb: number;
  readonly invokesPerMillion: number;
  /** The measured warm invoke of one batch, and what Lambda bills for it (rounded up to 1 ms). */
  readonly durationMs: number;
  readonly billedMs: number;
  readonly gbSecondsPerMillion: number;
  /** The same if the whole duration were CPU and ran at the memory's CPU share (see LAMBDA_FULL_VCPU_MB). */
  readonly cpuScaledGbSecondsPerMillion: number;
};

type LambdaCost = {
  readonly batchRecords: number;
  readonly targets: number;
  /** Where the durations come from, printed with the figures. */
  readonly durationSource: string;
  readonly functions: readonly FunctionCost[];
  readonly requestsPerMillion: number;
  readonly gbSecondsPerMillion: number;
  readonly cpuScaledGbSecondsPerMillion: number;
  /** x86_64 total if every function were CPU-bound at its memory's CPU share: an upper bound. */
  readonly cpuScaledUsdPerMillionX86: number;
  readonly usdPerMillion: {
    readonly requests: number;
    readonly durationX86: number;
    readonly durationArm64: number;
    readonly totalX86: number;
    readonly totalArm64: number;
  };
};

/**
 * The bridge's Fargate footprint: replicas = rate × bridge CPU per event ÷ (vCPU per task ×
 * target utilisation). The assumptions are the stack's defaults (infra/aws/bridge.yml: Cpu 512,
 * i.e. 0.5 vCPU per task) and a utilisation that leaves room for bursts and a replica's loss.
 */
const BRIDGE_SIZING = { eventsPerSecond: 10_000, vcpuPerTask: 0.5, targetUtilisation: 0.6 } as const;

type BridgeSizing = {
  /** The phase whose steady-state bridge CPU is used. */
  readonly from: string;
  readonly bridgeUsPerEvent: number;
  readonly eventsPerSecond: number;
  readonly vcpuPerTask: number;
  readonly targetUtilisation: number;
  /** vCPU the bridge needs at `eventsPerSecond`, and tasks to carry it (exact and rounded up). */
  readonly vcpu: number;
  readonly replicasExact: number;
  readonly replicas: number;
};

type CostEstimate = { readonly lambda: LambdaCost | undefined; readonly bridge: readonly BridgeSizing[] };

const STAGES = ['validate', 'route', 'sink-write'] as const;

/**
 * Lambda gives a function CPU in proportion to its memory, one full vCPU at 1,769 MB (AWS Lambda
 * developer guide, "Configure Lambda function memory"). The durations here ran on a whole core, so
 * a CPU-bound function below that size takes up to 1769/memory times as long on Lambda.
 */
const LAMBDA_FULL_VCPU_MB = 1769;

/**
 * Lambda bills one request per invoke, and the bridge invokes per batch: validate and route once,
 * sink-write once per target. So a million events in batches of B cost 10⁶/B requests of each
 * (sink-write × targets), each billed its duration × its memory.
 */
function lambdaCost(functions: FunctionsResult, memoryMb: Readonly<Record<string, number>>): LambdaCost | undefined {
  const { batchRecords, targets } = functions;
  const perFunction: FunctionCost[] = [];
  for (const name of STAGES) {
    const measured = functions.coldStarts.find((cold) => cold.name === name);
    const memory = memoryMb[name];
    if (measured === undefined || memory === undefined || !Number.isFinite(measured.batchInvokeMs)) return undefined;
    const invokesPerMillion = (1e6 / batchRecords) * (name === 'sink-write' ? targets : 1);
    const billedMs = Math.ceil(measured.batchInvokeMs);
    const scaledMs = Math.ceil(measured.batchInvokeMs * Math.max(1, LAMBDA_FULL_VCPU_MB / memory));
    perFunction.push({
      name,
      memoryMb: memory,
      invokesPerMillion,
      durationMs: measured.batchInvokeMs,
      billedMs,
      gbSecondsPerMillion: invokesPerMillion * (billedMs / 1000) * (memory / 1024),
      cpuScaledGbSecondsPerMillion: invokesPerMillion * (scaledMs / 1000) * (memory / 1024),
    });
  }
  const requestsPerMillion = perFunction.reduce((sum, f) => sum + f.invokesPerMillion, 0);
  const gbSecondsPerMillion = perFunction.reduce((sum, f) => sum + f.gbSecondsPerMillion, 0);
  const cpuScaledGbSecondsPerMillion = perFunction.reduce((sum, f) => sum + f.cpuScaledGbSecondsPerMillion, 0);
  const requests = (requestsPerMillion / 1e6) * LAMBDA_PRICES.usdPerMillionRequests;
  const durationX86 = gbSecondsPerMillion * LAMBDA_PRICES.usdPerGbSecond.x86_64;
  const durationArm64 = gbSecondsPerMillion * LAMBDA_PRICES.usdPerGbSecond.arm64;
  return {
    batchRecords,
    targets,
    durationSource: `functions phase: warm invoke of one full batch (${batchRecords} events) in a fresh node process, handler wall time, median of ${functions.coldStarts[0]?.runs ?? '?'} processes`,
    functions: perFunction,
    requestsPerMillion,
    gbSecondsPerMillion,
    cpuScaledGbSecondsPerMillion,
    cpuScaledUsdPerMillionX86: requests + cpuScaledGbSecondsPerMillion * LAMBDA_PRICES.usdPerGbSecond.x86_64,
    usdPerMillion: { requests, durationX86, durationArm64, totalX86: requests + durationX86, totalArm64: requests + durationArm64 },
  };
}

function bridgeSizing(from: string, cpu: CpuBreakdown): BridgeSizing {
  const bridgeUsPerEvent = cpu.usPerEventBy.bridge ?? Number.NaN;
  const { eventsPerSecond, vcpuPerTask, targetUtilisation } = BRIDGE_SIZING;
  const vcpu = (eventsPerSecond * bridgeUsPerEvent) / 1e6;
  const replicasExact = vcpu / (vcpuPerTask * targetUtilisation);
  return { from, bridgeUsPerEvent, eventsPerSecond, vcpuPerTask, targetUtilisation, vcpu, replicasExact, replicas: Math.ceil(replicasExact) };
}

/** Cost lines from whichever phases ran: Lambda needs the functions phase, the bridge a chain phase. */
function estimateCost(
  parts: { readonly functions?: FunctionsResult; readonly drain?: { readonly cpu: CpuBreakdown }; readonly paced?: { readonly cpu: CpuBreakdown } },
  memoryMb: () => Readonly<Record<string, number>>,
): CostEstimate {
  const bridge: BridgeSizing[] = [];
  if (parts.drain !== undefined) bridge.push(bridgeSizing('drain, real chain', parts.drain.cpu));
  if (parts.paced !== undefined) bridge.push(bridgeSizing('paced', parts.paced.cpu));
  return { lambda: parts.functions === undefined ? undefined : lambdaCost(parts.functions, memoryMb()), bridge };
}

export { BRIDGE_SIZING, estimateCost, LAMBDA_FULL_VCPU_MB };
export type { BridgeSizing, CostEstimate, FunctionCost, LambdaCost };
