// AWS list prices the bench's cost lines use: on-demand, us-east-1, no free tier, no Savings Plans.
// Read on 2026-12-03: the request and x86 duration prices from aws.amazon.com/lambda/pricing and
// AWS's "How AWS Pricing Works" Lambda page (they agree); the arm64 duration price as the issue
// quoted that page's arm64 table, not checked again. Lambda bills each invoke as one
// request plus its duration (from the handler's start to its return, rounded up to 1 ms) times the
// configured memory. Check the page again before quoting a figure: prices change.
const LAMBDA_PRICES = {
  readOn: '2026-12-03',
  region: 'us-east-1',
  usdPerMillionRequests: 0.2,
  usdPerGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
} as const;

export { LAMBDA_PRICES };
