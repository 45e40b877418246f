import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCloudFormation } from './cfn-yaml.js';
import { actionsOf, findPolicyProblems, isObject, policyStatements } from './iam-policy-check.js';
import type { Json, JsonObject, PolicyRules } from './iam-policy-check.js';

const awsDir = fileURLToPath(new URL('../../deploy/aws/', import.meta.url));
const load = (name: string): JsonObject => {
  const template = parseCloudFormation(readFileSync(awsDir + name, 'utf8'));
  if (!isObject(template)) throw new Error(`${name} is not a mapping`);
  return template;
};

const ADMIN_RULES: PolicyRules = {
  permissionActions: ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings', 'sts:AssumeRole'],
  trustActions: ['sts:AssumeRole', 'sts:TagSession'],
  actionsNeedingAnyResource: ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings'],
};
const MEMBER_RULES: PolicyRules = {
  permissionActions: [
    'ecr:ListTagsForResource',
    'ecr:DescribeRepositories',
    'ecr:DescribeImages',
    'ecr:PutImageTagMutability',
  ],
  trustActions: ['sts:AssumeRole'],
  actionsNeedingAnyResource: [],
};

function statementWithAction(template: JsonObject, kind: 'trust' | 'permission', action: string): JsonObject {
  const found = policyStatements(template).filter(
    (s) => s.kind === kind && actionsOf(s.statement).includes(action),
  );
  expect(found, `${kind} statements granting ${action}`).toHaveLength(1);
  return found[0]!.statement;
}

function clone(template: JsonObject): JsonObject {
  return structuredClone(template);
}

function firstPermissionStatements(template: JsonObject, logicalId: string): Json[] {
  const resources = template['Resources'] as JsonObject;
  const props = (resources[logicalId] as JsonObject)['Properties'] as JsonObject;
  const document = (
    'PolicyDocument' in props
      ? props['PolicyDocument']
      : ((props['Policies'] as Json[])[0] as JsonObject)['PolicyDocument']
  ) as JsonObject;
  return document['Statement'] as Json[];
}

describe('admin-account.yml', () => {
  const template = load('admin-account.yml');

  it('grants only the allowed actions, none by wildcard, and nothing through Not*', () => {
    expect(findPolicyProblems(template, ADMIN_RULES)).toEqual([]);
    const granted = policyStatements(template)
      .filter((s) => s.kind === 'permission' && s.statement['Effect'] === 'Allow')
      .flatMap((s) => actionsOf(s.statement));
    expect(new Set(granted)).toEqual(new Set(ADMIN_RULES.permissionActions));
  });

  it('allows sts:AssumeRole only on the member role name, in any account of the partition', () => {
    const statement = statementWithAction(template, 'permission', 'sts:AssumeRole');
    expect(statement['Resource']).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/${MemberRoleName}',
    });
    expect(isObject(template['Parameters']) && 'MemberRoleName' in template['Parameters']).toBe(true);
  });

  it('scopes the Security Hub actions, which take no resource ARN, to the Security Hub Region', () => {
    for (const action of ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings']) {
      const statement = statementWithAction(template, 'permission', action);
      expect(statement['Resource']).toBe('*');
      expect(statement['Condition']).toEqual({
        StringEquals: { 'aws:RequestedRegion': { Ref: 'SecurityHubRegion' } },
      });
    }
  });

  it('trusts exactly one kind of principal per TrustMode, each with a narrowing condition', () => {
    const trust = policyStatements(template).filter((s) => s.kind === 'trust');
    const principals = trust.map((s) => s.statement['Principal']);
    expect(principals).toEqual([
      { Service: 'pods.eks.amazonaws.com' },
      { Service: 'ecs-tasks.amazonaws.com' },
      { AWS: { Ref: 'TrustedPrincipalArn' } },
    ]);
    const [podIdentity, ecsTask] = trust.map((s) => s.statement);
    expect(podIdentity?.['Condition']).toEqual({
      StringEquals: {
        'aws:RequestTag/kubernetes-namespace': { Ref: 'KubernetesNamespace' },
        'aws:RequestTag/kubernetes-service-account': { Ref: 'KubernetesServiceAccount' },
      },
    });
    expect(ecsTask?.['Condition']).toMatchObject({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
  });

  it('creates no role at all in policy-only mode (a role made elsewhere, e.g. for IRSA)', () => {
    const role = (template['Resources'] as JsonObject)['ServiceRole'] as JsonObject;
    expect(role['Condition']).toBe('CreateServiceRole');
    expect((template['Conditions'] as JsonObject)['CreateServiceRole']).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'TrustMode' }, 'policy-only'] }],
    });
  });

  it('outputs the role ARN and the MEMBER_ROLE_ARN setting with the documented placeholders', () => {
    const outputs = template['Outputs'] as JsonObject;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['ServiceRoleArn', 'ServicePolicyArn', 'MemberRoleArnSetting']),
    );
    expect((outputs['MemberRoleArnSetting'] as JsonObject)['Value']).toEqual({
      'Fn::Sub': 'arn:{partition}:iam::{accountId}:role/${MemberRoleName}',
    });
  });
});

describe('member-account.yml', () => {
  const template = load('member-account.yml');

  it('grants only the four ECR actions, on this account’s repositories only', () => {
    expect(findPolicyProblems(template, MEMBER_RULES)).toEqual([]);
    const statements = policyStatements(template).filter((s) => s.kind === 'permission');
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!.statement).sort()).toEqual([...MEMBER_RULES.permissionActions].sort());
    expect(statements[0]!.statement['Resource']).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:ecr:*:${AWS::AccountId}:repository/*',
    });
  });

  it('trusts only the hubwarden service role, with sts:ExternalId when one is given', () => {
    const trust = policyStatements(template).filter((s) => s.kind === 'trust');
    expect(trust).toHaveLength(1);
    const statement = trust[0]!.statement;
    expect(statement['Effect']).toBe('Allow');
    expect(statement['Principal']).toEqual({ AWS: { Ref: 'ServiceRoleArn' } });
    expect(actionsOf(statement)).toEqual(['sts:AssumeRole']);
    expect(statement['Condition']).toEqual({
      'Fn::If': [
        'HasExternalId',
        {
          StringEquals: {
            'sts:ExternalId': [
              { Ref: 'ExternalId' },
              { 'Fn::If': ['HasPreviousExternalId', { Ref: 'PreviousExternalId' }, { Ref: 'AWS::NoValue' }] },
            ],
          },
        },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect((template['Conditions'] as JsonObject)['HasExternalId']).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ExternalId' }, ''] }],
    });
  });

  it('outputs the member role ARN', () => {
    expect((template['Outputs'] as JsonObject)['MemberRoleArn']).toMatchObject({
      Value: { 'Fn::GetAtt': ['MemberRole', 'Arn'] },
    });
  });
});

describe('the policy check itself', () => {
  it('flags a template that grows an Allow with NotAction', () => {
    const template = clone(load('member-account.yml'));
    firstPermissionStatements(template, 'MemberRole').push({
      Effect: 'Allow',
      NotAction: 'iam:*',
      Resource: '*',
    });
    const problems = findPolicyProblems(template, MEMBER_RULES);
    expect(problems.some((p) => p.includes('uses NotAction'))).toBe(true);
    expect(problems.some((p) => p.includes('no Action'))).toBe(true);
  });

  it('flags an extra action, a wildcard action and an unscoped resource', () => {
    const template = clone(load('member-account.yml'));
    firstPermissionStatements(template, 'MemberRole').push({
      Effect: 'Allow',
      Action: ['ecr:BatchDeleteImage', 'ecr:Describe*'],
      Resource: '*',
    });
    const problems = findPolicyProblems(template, MEMBER_RULES);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('action ecr:BatchDeleteImage is not on the allow-list'),
        expect.stringContaining('wildcard action ecr:Describe*'),
        expect.stringContaining('ecr:BatchDeleteImage on Resource "*"'),
      ]),
    );
  });

  it('sees an Allow hidden in the false branch of Fn::If', () => {
    const template = clone(load('admin-account.yml'));
    firstPermissionStatements(template, 'ServicePolicy').push({
      'Fn::If': [
        'HasOrganizationId',
        { Ref: 'AWS::NoValue' },
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
      ],
    });
    expect(findPolicyProblems(template, ADMIN_RULES)).toEqual(
      expect.arrayContaining([expect.stringContaining('action iam:PassRole is not on the allow-list')]),
    );
  });

  it('flags a policy statement outside the places it knows', () => {
    const template = clone(load('member-account.yml'));
    (template['Resources'] as JsonObject)['Bucket'] = {
      Type: 'AWS::S3::BucketPolicy',
      Properties: { PolicyDocuments: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } },
    };
    expect(findPolicyProblems(template, MEMBER_RULES)).toContain(
      '1 policy statement(s) outside the known IAM policy properties',
    );
  });
});

describe('scp-deny-mutable-tags.json', () => {
  const scp = JSON.parse(readFileSync(awsDir + 'scp-deny-mutable-tags.json', 'utf8')) as JsonObject;
  const statements = scp['Statement'] as JsonObject[];

  it('only denies, and denies PutImageTagMutability to everyone but the listed roles', () => {
    expect(statements.every((s) => s['Effect'] === 'Deny')).toBe(true);
    const deny = statements.find((s) => s['Action'] === 'ecr:PutImageTagMutability');
    expect(deny?.['Resource']).toBe('*');
    const exempt = ((deny?.['Condition'] as JsonObject)['ArnNotLike'] as JsonObject)['aws:PrincipalArn'];
    expect(exempt).toContain('arn:*:iam::*:role/hubwarden-member');
  });

  it('uses only condition keys AWS documents (no invented ecr:ImageTagMutability)', () => {
    const documented = new Set(['aws:PrincipalArn', 'aws:PrincipalTag', 'aws:RequestTag', 'aws:ResourceTag']);
    const keys = statements.flatMap((s) =>
      Object.values((s['Condition'] ?? {}) as JsonObject).flatMap((block) =>
        Object.keys(block as JsonObject),
      ),
    );
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(documented.has(key.split('/')[0]!)).toBe(true);
  });
});
