import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MIGRATIONS_DIR = fileURLToPath(new URL('../infra/migrations', import.meta.url));
const EXAMPLE_REGISTRY = fileURLToPath(new URL('../infra/registry/metrics.xreg.json', import.meta.url));

export { ROOT, MIGRATIONS_DIR, EXAMPLE_REGISTRY };
