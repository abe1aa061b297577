import { LAMBDA_PRICES } from './awsPrices.ts';
import { type CostEstimate, LAMBDA_FULL_VCPU_MB } from './cost.ts';
import { fixed, int, pct, usd } from './format.ts';

/** The cost lines of the printed run: Lambda per million events, then bridge replicas. */
function formatCost(cost: CostEstimate): string[] {
  const lines: string[] = [];
  const lambda = cost.lambda;
  if (lambda !== undefined) {
    const prices = `$${LAMBDA_PRICES.usdPerMillionRequests} per 1M requests, $${LAMBDA_PRICES.usdPerGbSecond.x86_64} (arm64 $${LAMBDA_PRICES.usdPerGbSecond.arm64}) per GB-s`;
    lines.push(
      `Lambda cost per 1M events (${LAMBDA_PRICES.region} list prices read ${LAMBDA_PRICES.readOn}: ${prices}; no free tier):`,
      `  batches of ${int(lambda.batchRecords)}, ${lambda.targets} sink target(s); durations from the ${lambda.durationSource}; memory from serverless.yml (params.default)`,
    );
    for (const f of lambda.functions) {
      lines.push(
        `  ${f.name.padEnd(10)} ${int(f.invokesPerMillion).padStart(6)} invokes × ${fixed(f.durationMs)} ms (billed ${f.billedMs} ms) × ${f.memoryMb} MB = ${fixed(f.gbSecondsPerMillion, 2)} GB-s`,
      );
    }
    const u = lambda.usdPerMillion;
    lines.push(
      `  requests ${int(lambda.requestsPerMillion)} → ${usd(u.requests)}; ${fixed(lambda.gbSecondsPerMillion, 2)} GB-s → ${usd(u.durationX86)} x86 / ${usd(u.durationArm64)} arm64`,
      `  total ${usd(u.totalX86)} per 1M events on x86_64, ${usd(u.totalArm64)} on arm64 (Lambda only: not the bridge, NATS, PostgreSQL or data transfer)`,
      `  upper bound if all of it were CPU at Lambda's share (memory/${LAMBDA_FULL_VCPU_MB} MB of a vCPU): ${fixed(lambda.cpuScaledGbSecondsPerMillion, 2)} GB-s, ${usd(lambda.cpuScaledUsdPerMillionX86)} x86_64`,
    );
  }
  if (cost.bridge.length > 0) {
    const first = cost.bridge[0]!;
    lines.push(
      `bridge replicas per ${int(first.eventsPerSecond)} events/s (Fargate tasks of ${first.vcpuPerTask} vCPU at ${pct(first.targetUtilisation)} target CPU; a Fargate vCPU taken as one of this machine's cores):`,
    );
    for (const b of cost.bridge) {
      lines.push(
        `  from ${b.from}: bridge ${fixed(b.bridgeUsPerEvent)} µs/event → ${fixed(b.vcpu, 2)} vCPU → ${fixed(b.replicasExact, 2)} tasks, so ${b.replicas}`,
      );
    }
  }
  return lines;
}

export { formatCost };
