// Reads IAM policy statements out of a parsed CloudFormation template (long-form intrinsics, see
// cfn-yaml.ts) and reports anything broader than an allow-list, so a template cannot quietly grow.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface FoundStatement {
  resource: string;
  kind: 'trust' | 'permission';
  statement: JsonObject;
}

export interface PolicyRules {
  permissionActions: readonly string[];
  trustActions: readonly string[];
  /** Actions AWS offers no resource-level permissions for: the only ones allowed on Resource "*". */
  actionsNeedingAnyResource: readonly string[];
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NO_VALUE = 'AWS::NoValue';

/** Every value a node can take after CloudFormation evaluates `Fn::If` (both branches kept). */
export function alternatives(node: Json): Json[] {
  if (isObject(node) && Array.isArray(node['Fn::If'])) {
    const [, whenTrue, whenFalse] = node['Fn::If'];
    return [whenTrue ?? null, whenFalse ?? null].flatMap(alternatives);
  }
  if (isObject(node) && node['Ref'] === NO_VALUE) return [];
  return [node];
}

function asList(node: Json | undefined): Json[] {
  if (node === undefined) return [];
  return (Array.isArray(node) ? node : [node]).flatMap(alternatives);
}

function statementsOf(document: Json | undefined): JsonObject[] {
  if (!isObject(document)) return [];
  return asList(document['Statement']).filter(isObject);
}

export function policyStatements(template: unknown): FoundStatement[] {
  const resources = isObject(template) && isObject(template['Resources']) ? template['Resources'] : {};
  const found: FoundStatement[] = [];
  for (const [name, resource] of Object.entries(resources)) {
    if (!isObject(resource) || !isObject(resource['Properties'])) continue;
    const props = resource['Properties'];
    const add = (kind: FoundStatement['kind'], document: Json | undefined): void => {
      for (const statement of statementsOf(document)) found.push({ resource: name, kind, statement });
    };
    add('trust', props['AssumeRolePolicyDocument']);
    add('permission', props['PolicyDocument']);
    for (const policy of asList(props['Policies'])) {
      if (isObject(policy)) add('permission', policy['PolicyDocument']);
    }
  }
  return found;
}

/** Objects with an `Effect` key anywhere in the template, wherever they sit. */
export function countEffectObjects(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((sum: number, item) => sum + countEffectObjects(item), 0);
  if (!isObject(node)) return 0;
  const own = 'Effect' in node ? 1 : 0;
  return own + Object.values(node).reduce((sum: number, value) => sum + countEffectObjects(value), 0);
}

export function actionsOf(statement: JsonObject): string[] {
  return asList(statement['Action']).map((action) =>
    typeof action === 'string' ? action : JSON.stringify(action),
  );
}

export function findPolicyProblems(template: unknown, rules: PolicyRules): string[] {
  const problems: string[] = [];
  const statements = policyStatements(template);
  const hidden = countEffectObjects(template) - statements.length;
  if (hidden > 0) problems.push(`${hidden} policy statement(s) outside the known IAM policy properties`);

  for (const { resource, kind, statement } of statements) {
    const where = `${resource} ${kind} ${typeof statement['Sid'] === 'string' ? statement['Sid'] : '(no Sid)'}`;
    for (const key of ['NotAction', 'NotResource', 'NotPrincipal']) {
      if (key in statement) problems.push(`${where}: uses ${key}`);
    }
    const effect = statement['Effect'];
    if (effect !== 'Allow' && effect !== 'Deny') problems.push(`${where}: Effect ${JSON.stringify(effect)}`);
    const actions = actionsOf(statement);
    if (actions.length === 0) problems.push(`${where}: no Action`);
    for (const action of actions) {
      if (/[*?]/.test(action)) problems.push(`${where}: wildcard action ${action}`);
    }
    if (effect !== 'Allow') continue;
    const allowed = kind === 'trust' ? rules.trustActions : rules.permissionActions;
    for (const action of actions) {
      if (!allowed.includes(action)) problems.push(`${where}: action ${action} is not on the allow-list`);
    }
    if (kind === 'permission') {
      const resources = asList(statement['Resource']);
      if (resources.length === 0) problems.push(`${where}: no Resource`);
      if (resources.includes('*')) {
        for (const action of actions) {
          if (!rules.actionsNeedingAnyResource.includes(action)) {
            problems.push(`${where}: ${action} on Resource "*" although it can be scoped`);
          }
        }
      }
    }
  }
  return problems;
}
