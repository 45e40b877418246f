import { parse } from 'yaml';
import { z } from 'zod';
import type { Owner } from '../core/model.js';
import type { OwnersPolicy } from '../core/owners/owners-policy.js';
import type { SettingProblem } from './environment.js';
import { settingSentence } from './setting-sentences.js';

const slackId = z.string().regex(/^[UWCGD][A-Z0-9]+$/, { message: 'must be a Slack id' });

/**
 * A section whose entries are all commented out (`accounts:` followed by nothing) reads as YAML null:
 * that is an empty section, so it takes the section's default instead of failing as "expected object".
 */
const nullAsDefault = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema);
const ownerSchema = z
  .object({
    jiraAccountId: z.string().min(1).optional(),
    jiraUser: z.string().min(1).optional(),
    slackChannel: slackId.optional(),
    slackUsers: nullAsDefault(z.array(slackId).default([])),
  })
  .strict();

const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
/** A domain (`example.com`) or one address (`alice@partner.io`); compared lower-cased. */
const allowedEmailEntry = z
  .string()
  .trim()
  .toLowerCase()
  .refine((entry) => DOMAIN.test(entry) || ADDRESS.test(entry), {
    message: 'must be a domain (example.com) or an e-mail address',
  });

const fileSchema = z
  .object({
    ownerTags: nullAsDefault(z.array(z.string().min(1)).min(1).default(['Owner', 'Team'])),
    owners: nullAsDefault(z.record(z.string().min(1), ownerSchema).default({})),
    accounts: nullAsDefault(
      z
        .record(z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit account id' }), z.string())
        .default({}),
    ),
    defaultOwner: ownerSchema,
    securityReviewers: z.preprocess(
      (value) => (value === null ? [] : value),
      z.array(slackId).min(1, { message: 'needs at least one reviewer' }),
    ),
    // Anyone allowed to tag a repository could name themselves its owner: e-mail owners only from here.
    allowedEmailDomains: nullAsDefault(z.array(allowedEmailEntry).default([])),
    suppression: nullAsDefault(
      z
        .object({
          minJustificationLength: z.number().int().min(1).max(2000).default(20),
          maxJustificationLength: z.number().int().min(20).max(3000).default(2000),
          maxDays: z.number().int().min(1).max(366).default(90),
          defaultDays: z.number().int().min(1).default(30),
          // Secure by default: the owner asks, a different reviewer approves before it takes effect.
          requireApproval: z.boolean().default(true),
        })
        .strict()
        .default({
          minJustificationLength: 20,
          maxJustificationLength: 2000,
          maxDays: 90,
          defaultDays: 30,
          requireApproval: true,
        }),
    ),
  })
  .strict()
  .superRefine((file, context) => {
    const names = new Set(Object.keys(file.owners).map((name) => name.toLowerCase()));
    for (const [account, name] of Object.entries(file.accounts)) {
      if (!names.has(name.toLowerCase())) {
        context.addIssue({
          code: 'custom',
          path: ['accounts', account],
          message: `names unknown owner "${name}"`,
        });
      }
    }
    if (file.suppression.defaultDays > file.suppression.maxDays) {
      context.addIssue({ code: 'custom', path: ['suppression', 'defaultDays'], message: 'exceeds maxDays' });
    }
  });

const toOwner = (name: string, owner: z.infer<typeof ownerSchema>): Owner => ({
  name,
  jiraAccountId: owner.jiraAccountId,
  jiraUser: owner.jiraUser,
  slackChannel: owner.slackChannel,
  slackUsers: owner.slackUsers,
  email: undefined,
});

/**
 * Parses the owners file (`hubwarden.yml`, described in README.md's "Owners file") into the core's
 * policy; problems name their path in the file.
 */
export const parseOwnersFile = (
  source: string,
): { ok: true; value: OwnersPolicy } | { ok: false; problems: SettingProblem[] } => {
  let document: unknown;
  try {
    document = parse(source);
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          setting: 'HUBWARDEN_CONFIG',
          problem: `is not valid YAML (${(error as Error).message.split('\n')[0]})`,
        },
      ],
    };
  }
  const parsed = fileSchema.safeParse(document ?? {}, { error: settingSentence });
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        setting: `HUBWARDEN_CONFIG ${issue.path.join('.') || '(file)'}`,
        problem: issue.message,
      })),
    };
  }
  const file = parsed.data;
  return {
    ok: true,
    value: {
      ownerTags: file.ownerTags,
      owners: new Map(
        Object.entries(file.owners).map(([name, owner]) => [name.toLowerCase(), toOwner(name, owner)]),
      ),
      accounts: new Map(
        Object.entries(file.accounts).map(([account, name]) => [account, name.toLowerCase()]),
      ),
      defaultOwner: toOwner('default', file.defaultOwner),
      securityReviewers: file.securityReviewers,
      allowedEmailDomains: file.allowedEmailDomains,
      suppression: file.suppression,
    },
  };
};
