// The IAM rule for every template this project deploys (serverless.yml's generated template and
// infra/aws/*.yml): no action contains "*", and a statement may name Resource "*" only for the
// actions below, which AWS offers no narrower resource for. The tests read this list, and the
// permissions table in docs/deploy.md must list exactly these actions as the "*" exceptions.

type WildcardException = {
  /** The statement's Sid in the templates. */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly reason: string;
};

const WILDCARD_RESOURCE_EXCEPTIONS: readonly WildcardException[] = [
  {
    sid: 'VpcNetworkInterfaces',
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    reason:
      'Lambda creates and removes the network interfaces of a VPC function with these; AWS documents them with Resource "*" (AWSLambdaVPCAccessExecutionRole)',
  },
  {
    sid: 'RegistryLogin',
    actions: ['ecr:GetAuthorizationToken'],
    reason: 'the registry login token is account-wide; the action accepts no resource ARN',
  },
];

type Statement = {
  readonly Sid?: unknown;
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly Resource?: unknown;
  readonly NotAction?: unknown;
  readonly NotResource?: unknown;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** The values an Action or Resource can take: lists flattened, both branches of every `Fn::If`. */
function possibleValues(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(possibleValues);
  if (isRecord(value) && Array.isArray(value['Fn::If'])) return value['Fn::If'].slice(1).flatMap(possibleValues);
  if (isRecord(value) && value.Ref === 'AWS::NoValue') return [];
  return [value];
}

/** Statements of a policy document, taking both branches of a conditional (`Fn::If`) statement. */
function statementsOf(document: unknown): Statement[] {
  if (!isRecord(document)) return [];
  const out: Statement[] = [];
  const visit = (item: unknown): void => {
    if (!isRecord(item)) return;
    const condition = item['Fn::If'];
    if (Array.isArray(condition)) {
      for (const branch of condition.slice(1)) visit(branch);
      return;
    }
    if ('Ref' in item) return; // AWS::NoValue
    out.push(item);
  };
  for (const item of asList(document.Statement)) visit(item);
  return out;
}

type Template = { readonly Resources?: Record<string, { readonly Type?: string; readonly Condition?: string; readonly Properties?: Record<string, unknown> }> };

/** Every identity-policy statement in a template, with the resource that holds it. */
function identityStatements(template: Template): { resource: string; statement: Statement }[] {
  const found: { resource: string; statement: Statement }[] = [];
  for (const [name, resource] of Object.entries(template.Resources ?? {})) {
    const properties = resource.Properties ?? {};
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Role' || resource.Type === 'AWS::IAM::User' || resource.Type === 'AWS::IAM::Group') {
      for (const policy of asList(properties.Policies ?? [])) if (isRecord(policy)) documents.push(policy.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy' || resource.Type === 'AWS::IAM::RolePolicy') {
      documents.push(properties.PolicyDocument);
    }
    for (const document of documents) for (const statement of statementsOf(document)) found.push({ resource: name, statement });
  }
  return found;
}

/**
 * Every way a template breaks the rule, as readable lines; empty when it complies. Also refuses
 * managed policies, whose contents the template does not show, and NotAction / NotResource.
 */
function permissionViolations(template: Template): string[] {
  const allowedWildcard = new Set(WILDCARD_RESOURCE_EXCEPTIONS.flatMap((exception) => exception.actions));
  const problems: string[] = [];
  for (const [name, resource] of Object.entries(template.Resources ?? {})) {
    const managed = resource.Properties?.ManagedPolicyArns;
    if (resource.Type === 'AWS::IAM::Role' && managed !== undefined && asList(managed).length > 0) {
      problems.push(`${name}: attaches managed policies, whose grants this check cannot see`);
    }
  }
  for (const { resource, statement } of identityStatements(template)) {
    const where = `${resource}${typeof statement.Sid === 'string' ? `/${statement.Sid}` : ''}`;
    if (statement.NotAction !== undefined || statement.NotResource !== undefined) problems.push(`${where}: uses NotAction/NotResource`);
    if (statement.Effect !== 'Allow') continue;
    const actions = possibleValues(statement.Action);
    for (const action of actions) {
      if (typeof action !== 'string') problems.push(`${where}: an action is not a literal string`);
      else if (action.includes('*')) problems.push(`${where}: action "${action}" contains "*"`);
    }
    if (possibleValues(statement.Resource).some((item) => item === '*')) {
      for (const action of actions) {
        if (typeof action === 'string' && !allowedWildcard.has(action)) problems.push(`${where}: "${action}" on Resource "*" is not an allowed exception`);
      }
    }
  }
  return problems;
}

export { WILDCARD_RESOURCE_EXCEPTIONS, identityStatements, permissionViolations };
export type { WildcardException, Statement, Template };
