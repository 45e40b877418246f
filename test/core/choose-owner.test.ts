import { describe, expect, it } from 'vitest';
import { chooseOwner, fallbackOwner, isReviewer, mayAct } from '../../src/core/owners/choose-owner.js';
import { policyOf } from './pipeline-harness.js';

const policy = policyOf();
const resolved = (choice: ReturnType<typeof chooseOwner>) => {
  if (choice.kind !== 'resolved') throw new Error(`expected resolved, got ${choice.kind}`);
  return choice.resolution;
};

describe('chooseOwner', () => {
  it('takes the first owner tag present, in configured order', () => {
    const both = resolved(chooseOwner({ Team: 'search', Owner: 'payments' }, '111111111111', policy));
    expect(both).toMatchObject({ rule: 'tag', detail: 'tag Owner=payments' });
    expect(both.owner.name).toBe('payments');
    expect(resolved(chooseOwner({ Team: 'search' }, '111111111111', policy)).owner.name).toBe('search');
  });

  it('compares tag keys and values case-insensitively, and trims values', () => {
    const choice = resolved(chooseOwner({ OWNER: '  PayMents ' }, '111111111111', policy));
    expect(choice.owner.name).toBe('payments');
    expect(choice.detail).toBe('tag OWNER=PayMents');
  });

  it('skips an empty tag and goes on to the next key', () => {
    expect(resolved(chooseOwner({ Owner: '   ', Team: 'search' }, '111111111111', policy)).owner.name).toBe(
      'search',
    );
  });

  it('answers an e-mail tag for lookup, lower-cased', () => {
    expect(chooseOwner({ owner: 'Alice.Smith@Example.com' }, '111111111111', policy)).toEqual({
      kind: 'email',
      email: 'alice.smith@example.com',
      tagKey: 'owner',
    });
  });

  it('believes an e-mail tag only from allowedEmailDomains or an address named there; others fall through, saying why', () => {
    const strict = policyOf({ allowedEmailDomains: ['example.com', 'contractor@partner.io'] });
    expect(chooseOwner({ Owner: 'Bob@EXAMPLE.com' }, '111111111111', strict)).toMatchObject({
      kind: 'email',
    });
    expect(chooseOwner({ Owner: 'contractor@partner.io' }, '111111111111', strict)).toMatchObject({
      kind: 'email',
    });
    expect(resolved(chooseOwner({ Owner: 'mallory@evil.example' }, '222222222222', strict))).toMatchObject({
      rule: 'account',
      owner: { name: 'search' },
      detail:
        'account 222222222222 (tag Owner=mallory@evil.example: e-mail domain evil.example not in allowedEmailDomains)',
    });
    for (const spoof of ['other@partner.io', 'eve@example.com.evil.example', 'eve@sub.example.com']) {
      expect(resolved(chooseOwner({ Owner: spoof }, '999999999999', strict))).toMatchObject({
        rule: 'default',
        detail: expect.stringContaining('not in allowedEmailDomains'),
      });
    }
    // A later owner tag does not rescue a refused e-mail: the first present key decided.
    expect(
      resolved(chooseOwner({ Owner: 'mallory@evil.example', Team: 'payments' }, '999999999999', strict)).rule,
    ).toBe('default');
    expect(
      chooseOwner({ Owner: 'bob@example.com' }, '999999999999', policyOf({ allowedEmailDomains: [] })),
    ).toMatchObject({ kind: 'resolved', resolution: { rule: 'default' } });
  });

  it('prefers an owners entry over e-mail lookup when the value names one', () => {
    const withEmailOwner = policyOf({
      owners: new Map([['ops@example.com', { ...policy.defaultOwner, name: 'ops@example.com' }]]),
    });
    expect(chooseOwner({ Owner: 'OPS@example.com' }, '111111111111', withEmailOwner)).toMatchObject({
      kind: 'resolved',
      resolution: { rule: 'tag' },
    });
  });

  it('falls back to the account, then to the default owner', () => {
    expect(resolved(chooseOwner({}, '222222222222', policy))).toMatchObject({
      rule: 'account',
      detail: 'account 222222222222',
      owner: { name: 'search' },
    });
    expect(resolved(chooseOwner({ Project: 'x' }, '999999999999', policy))).toMatchObject({
      rule: 'default',
      detail: 'defaultOwner',
      owner: { name: 'default' },
    });
  });

  it('says why an owner tag did not decide, and does not read later tag keys', () => {
    const choice = resolved(chooseOwner({ Owner: 'nobody', Team: 'payments' }, '222222222222', policy));
    expect(choice).toMatchObject({
      rule: 'account',
      detail: 'account 222222222222 (tag Owner=nobody names no owner)',
    });
    expect(resolved(chooseOwner({ Owner: 'not-an@email' }, '999999999999', policy)).detail).toBe(
      'defaultOwner (tag Owner=not-an@email names no owner)',
    );
  });

  it('ignores an account mapped to an owner that does not exist', () => {
    const broken = policyOf({ accounts: new Map([['333333333333', 'ghost']]) });
    expect(fallbackOwner('333333333333', broken).resolution.rule).toBe('default');
  });
});

describe('who may act', () => {
  it('lets the owner’s people and security reviewers act, nobody else', () => {
    const payments = policy.owners.get('payments');
    if (!payments) throw new Error('fixture');
    expect(mayAct('U0ALICE', payments, policy)).toBe(true);
    expect(mayAct('U0SECLEAD', payments, policy)).toBe(true);
    expect(mayAct('U0BOB', payments, policy)).toBe(false);
    expect(isReviewer('U0SECLEAD', policy)).toBe(true);
    expect(isReviewer('U0ALICE', policy)).toBe(false);
  });
});
