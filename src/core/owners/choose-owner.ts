import type { OwnerResolution } from '../model.js';
import type { OwnersPolicy } from './owners-policy.js';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** The owner decided from configuration alone, or an e-mail address still to be looked up. */
export type OwnerChoice =
  | { readonly kind: 'resolved'; readonly resolution: OwnerResolution }
  | { readonly kind: 'email'; readonly email: string; readonly tagKey: string };

const findTag = (tags: Readonly<Record<string, string>>, key: string): [string, string] | undefined => {
  const wanted = key.toLowerCase();
  const entry = Object.entries(tags).find(([candidate]) => candidate.toLowerCase() === wanted);
  return entry && entry[1].trim() !== '' ? [entry[0], entry[1].trim()] : undefined;
};

/**
 * Whoever may tag a repository could name themselves its owner with an e-mail tag, then suppress its
 * finding: only addresses in a domain (exactly, not its subdomains) or named in `allowedEmailDomains` count.
 */
const emailAllowed = (email: string, policy: Pick<OwnersPolicy, 'allowedEmailDomains'>): boolean => {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return policy.allowedEmailDomains.some((entry) => entry === email || entry === domain);
};

/**
 * The owners file's order: owner tags (first present key wins), then `accounts`, then `defaultOwner`.
 * A tag value naming no owner but shaped like an e-mail address is looked up by the caller.
 */
export const chooseOwner = (
  tags: Readonly<Record<string, string>>,
  accountId: string,
  policy: OwnersPolicy,
): OwnerChoice => {
  let unmatched = '';
  for (const tagKey of policy.ownerTags) {
    const tag = findTag(tags, tagKey);
    if (!tag) continue;
    const [key, value] = tag;
    const owner = policy.owners.get(value.toLowerCase());
    if (owner) return { kind: 'resolved', resolution: { owner, rule: 'tag', detail: `tag ${key}=${value}` } };
    if (EMAIL.test(value)) {
      const email = value.toLowerCase();
      if (emailAllowed(email, policy)) return { kind: 'email', email, tagKey: key };
      unmatched = ` (tag ${key}=${value}: e-mail domain ${email.split('@')[1] ?? ''} not in allowedEmailDomains)`;
      break;
    }
    unmatched = ` (tag ${key}=${value} names no owner)`;
    break;
  }
  return fallbackOwner(accountId, policy, unmatched);
};

/** `accounts`, then `defaultOwner`; `note` explains why the tags did not decide. */
export const fallbackOwner = (
  accountId: string,
  policy: OwnersPolicy,
  note = '',
): { kind: 'resolved'; resolution: OwnerResolution } => {
  const byAccount = policy.accounts.get(accountId);
  const accountOwner = byAccount ? policy.owners.get(byAccount) : undefined;
  if (accountOwner) {
    return {
      kind: 'resolved',
      resolution: { owner: accountOwner, rule: 'account', detail: `account ${accountId}${note}` },
    };
  }
  return {
    kind: 'resolved',
    resolution: { owner: policy.defaultOwner, rule: 'default', detail: `defaultOwner${note}` },
  };
};

/** May this person fix or suppress a repository of this owner? */
export const mayAct = (
  user: string,
  owner: { readonly slackUsers: readonly string[] },
  policy: OwnersPolicy,
) => owner.slackUsers.includes(user) || policy.securityReviewers.includes(user);

export const isReviewer = (user: string, policy: OwnersPolicy): boolean =>
  policy.securityReviewers.includes(user);
