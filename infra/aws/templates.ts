// Reading this project's YAML deployment files the way their tools do, for the tests: osls's own
// js-yaml and CloudFormation schema, so `!Ref`, `!Sub`, `!If` ... load as `{ Ref: ... }`,
// `{ 'Fn::Sub': ... }` and so on, exactly as osls and CloudFormation see them. Borrowing osls's
// copies keeps a YAML parser out of the project's own dependencies.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

type YamlApi = { load(text: string, options: { schema: unknown; filename: string }): unknown };

const requireFromOsls = createRequire(createRequire(import.meta.url).resolve('osls/package.json'));
const yaml = requireFromOsls('js-yaml') as YamlApi;
const cloudFormationSchema: unknown = requireFromOsls('./lib/utils/serverless-utils/cloudformation-schema.js');

/** A YAML file with CloudFormation's short-form tags. */
async function loadCloudFormationYaml(path: string): Promise<unknown> {
  return yaml.load(await readFile(path, 'utf8'), { schema: cloudFormationSchema, filename: path });
}

type Params = Record<string, unknown>;

/**
 * The params a stage sees, by osls's rule: the stage's block over `default`, where a null
 * value in the stage's block does not hide the default.
 */
function paramsForStage(serverlessConfig: unknown, stage: string): Params {
  const params = (serverlessConfig as { params?: Record<string, Params | null | undefined> }).params ?? {};
  const merged: Params = { ...params.default };
  for (const [name, value] of Object.entries(params[stage] ?? {})) if (value !== null && value !== undefined) merged[name] = value;
  return merged;
}

export { loadCloudFormationYaml, paramsForStage };
export type { Params };
