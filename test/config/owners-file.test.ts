import { describe, expect, it } from 'vitest';
import { parseOwnersFile } from '../../src/config/owners-file.js';

const DOCUMENTED_EXAMPLE = `
ownerTags: [Owner, Team]
owners:
  Payments:
    jiraAccountId: 5b10a2844c20165700ede21g
    slackChannel: C0PAYMENTS
    slackUsers: [U0ALICE, U0BOB]
  search:
    jiraUser: search.lead
accounts:
  "111111111111": payments
defaultOwner:
  jiraAccountId: 5b10a2844c20165700ede000
  slackChannel: C0SECURITY
  slackUsers: [U0SECLEAD]
securityReviewers: [U0SECLEAD, U0SECOPS]
suppression:
  minJustificationLength: 20
  maxDays: 90
  requireApproval: false
`;

const problemsOf = (source: string) => {
  const parsed = parseOwnersFile(source);
  if (parsed.ok) throw new Error('expected problems');
  return parsed.problems;
};

const MINIMAL = 'defaultOwner: {slackChannel: C0SECURITY}\nsecurityReviewers: [U0SECLEAD]\n';

describe('parseOwnersFile', () => {
  it('parses the documented example into a policy keyed by lower-cased owner names', () => {
    const parsed = parseOwnersFile(DOCUMENTED_EXAMPLE);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const policy = parsed.value;
    expect(policy.ownerTags).toEqual(['Owner', 'Team']);
    expect(policy.owners.get('payments')).toEqual({
      name: 'Payments',
      jiraAccountId: '5b10a2844c20165700ede21g',
      jiraUser: undefined,
      slackChannel: 'C0PAYMENTS',
      slackUsers: ['U0ALICE', 'U0BOB'],
      email: undefined,
    });
    expect(policy.owners.get('search')).toMatchObject({ jiraUser: 'search.lead', slackUsers: [] });
    expect(policy.accounts.get('111111111111')).toBe('payments');
    expect(policy.defaultOwner).toMatchObject({ name: 'default', slackChannel: 'C0SECURITY' });
    expect(policy.securityReviewers).toEqual(['U0SECLEAD', 'U0SECOPS']);
    expect(policy.suppression).toEqual({
      minJustificationLength: 20,
      maxJustificationLength: 2000,
      maxDays: 90,
      defaultDays: 30,
      requireApproval: false,
    });
  });

  it('fills in defaults for a minimal file', () => {
    const parsed = parseOwnersFile(MINIMAL);
    expect(parsed.ok && parsed.value).toMatchObject({
      ownerTags: ['Owner', 'Team'],
      securityReviewers: ['U0SECLEAD'],
      suppression: { maxDays: 90, defaultDays: 30, requireApproval: true },
    });
    expect(parsed.ok && parsed.value.owners.size).toBe(0);
  });

  it('reads a section whose entries are all commented out as an empty section', () => {
    const parsed = parseOwnersFile(`${MINIMAL}ownerTags:
owners:
  # payments:
  #   slackChannel: C0PAYMENTS
accounts:
  # "111111111111": payments
suppression:
`);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.value.owners.size).toBe(0);
    expect(parsed.value.accounts.size).toBe(0);
    expect(parsed.value.ownerTags).toEqual(['Owner', 'Team']);
    expect(parsed.value.suppression.maxDays).toBe(90);
    const emptyUsers = parseOwnersFile(
      'defaultOwner:\n  slackChannel: C0SECURITY\n  slackUsers:\nsecurityReviewers: [U0SECLEAD]\n',
    );
    expect(emptyUsers.ok && emptyUsers.value.defaultOwner.slackUsers).toEqual([]);
    expect(problemsOf('defaultOwner: {slackChannel: C0SECURITY}\nsecurityReviewers:\n')).toEqual([
      { setting: 'HUBWARDEN_CONFIG securityReviewers', problem: 'needs at least one reviewer' },
    ]);
  });

  it('defaults to requireApproval true and to no e-mail owner believed', () => {
    const parsed = parseOwnersFile(MINIMAL);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.value.suppression.requireApproval).toBe(true);
    expect(parsed.value.allowedEmailDomains).toEqual([]);
    const withoutApproval = parseOwnersFile(`${MINIMAL}suppression: {maxDays: 30}\n`);
    expect(withoutApproval.ok && withoutApproval.value.suppression.requireApproval).toBe(true);
  });

  it('reads allowedEmailDomains as lower-cased domains or addresses, and names a bad entry', () => {
    const parsed = parseOwnersFile(`${MINIMAL}allowedEmailDomains: [Example.COM, Contractor@Partner.io]\n`);
    expect(parsed.ok && parsed.value.allowedEmailDomains).toEqual(['example.com', 'contractor@partner.io']);
    expect(problemsOf(`${MINIMAL}allowedEmailDomains: [example.com, "*.evil", "@x"]\n`)).toEqual([
      {
        setting: 'HUBWARDEN_CONFIG allowedEmailDomains.1',
        problem: 'must be a domain (example.com) or an e-mail address',
      },
      {
        setting: 'HUBWARDEN_CONFIG allowedEmailDomains.2',
        problem: 'must be a domain (example.com) or an e-mail address',
      },
    ]);
  });

  it('rejects accounts that name an unknown owner, naming the account', () => {
    expect(
      problemsOf(
        `${MINIMAL}owners: {payments: {}}\naccounts: {"111111111111": Payments, "222222222222": ghost}\n`,
      ),
    ).toEqual([
      { setting: 'HUBWARDEN_CONFIG accounts.222222222222', problem: 'names unknown owner "ghost"' },
    ]);
  });

  it('names each problem by its path in the file', () => {
    const problems = problemsOf(`
owners:
  payments:
    slackChannel: "#payments"
    slackUsers: [alice]
    email: a@b.c
accounts:
  "12345": payments
defaultOwner: {}
securityReviewers: []
suppression: {maxDays: 400, defaultDays: 30}
`);
    expect(problems.map((problem) => problem.setting)).toEqual(
      expect.arrayContaining([
        'HUBWARDEN_CONFIG owners.payments.slackChannel',
        'HUBWARDEN_CONFIG owners.payments.slackUsers.0',
        'HUBWARDEN_CONFIG owners.payments',
        'HUBWARDEN_CONFIG accounts.12345',
        'HUBWARDEN_CONFIG securityReviewers',
        'HUBWARDEN_CONFIG suppression.maxDays',
      ]),
    );
    expect(
      problems.find((problem) => problem.setting === 'HUBWARDEN_CONFIG owners.payments')?.problem,
    ).toContain('email');
  });

  it('says what is wrong in sentences, not schema messages', () => {
    const problems = problemsOf(
      'defaultOwner: [a]\nsecurityReviewers: U0SECLEAD\nownerTag: [Owner]\nsuppression: {requireApproval: "yes"}\n',
    );
    expect(Object.fromEntries(problems.map((problem) => [problem.setting, problem.problem]))).toEqual({
      'HUBWARDEN_CONFIG defaultOwner': 'must be a mapping (key: value), not a list',
      'HUBWARDEN_CONFIG securityReviewers': 'must be a list',
      'HUBWARDEN_CONFIG suppression.requireApproval': 'must be true or false',
      'HUBWARDEN_CONFIG (file)': 'has an unknown key: ownerTag (a typo?)',
    });
    expect(problemsOf('owners: {}\n')).toContainEqual({
      setting: 'HUBWARDEN_CONFIG defaultOwner',
      problem: 'is missing',
    });
  });

  it('requires a default owner and a reviewer', () => {
    expect(
      problemsOf('owners: {}\n')
        .map((problem) => problem.setting)
        .sort(),
    ).toEqual(['HUBWARDEN_CONFIG defaultOwner', 'HUBWARDEN_CONFIG securityReviewers']);
    expect(problemsOf('').map((problem) => problem.setting)).toContain('HUBWARDEN_CONFIG defaultOwner');
  });

  it('refuses a default suppression longer than the longest allowed', () => {
    expect(problemsOf(`${MINIMAL}suppression: {maxDays: 10, defaultDays: 30}\n`)).toEqual([
      { setting: 'HUBWARDEN_CONFIG suppression.defaultDays', problem: 'exceeds maxDays' },
    ]);
  });

  it('reports YAML that does not parse, with the reason', () => {
    const [problem, ...rest] = problemsOf('owners: [unclosed\n');
    expect(rest).toEqual([]);
    expect(problem?.setting).toBe('HUBWARDEN_CONFIG');
    expect(problem?.problem).toMatch(/^is not valid YAML \(.+\)$/);
  });

  it('rejects keys it does not know, so a typo does not pass silently', () => {
    expect(problemsOf(`${MINIMAL}ownerTag: [Owner]\n`)[0]?.setting).toBe('HUBWARDEN_CONFIG (file)');
  });
});
