import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  escapeMrkdwn,
  fixConfirmationText,
  renderHome,
  renderRepositoryCard,
  renderSuppressionReview,
} from '../../../src/adapters/slack/index.js';
import { blockKitProblem } from '../../standins/slack/block-kit-limits.js';
import { HOSTILE, card, owner, repository, review, suppression } from './fixtures.js';

interface TextObject {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
}

/** Every text object in a block tree. */
const textObjects = (value: unknown): TextObject[] => {
  if (Array.isArray(value)) return value.flatMap(textObjects);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own =
    (record.type === 'plain_text' || record.type === 'mrkdwn') && typeof record.text === 'string'
      ? [record as unknown as TextObject]
      : [];
  return [...own, ...Object.values(record).flatMap(textObjects)];
};

const TRUSTED_TOKEN =
  /^<(@U0[A-Z]+|!date\^\d+\^[^|<>]*\|[^<>]*|https:\/\/acme\.atlassian\.net\/browse\/SEC-42\|SEC-42)>$/;

/** What Slack would turn into something live in a mrkdwn string that came from hostile input. */
const liveMarkupIn = (mrkdwn: string): string[] => {
  const problems: string[] = [];
  for (const token of mrkdwn.match(/<[^>]*>/g) ?? []) if (!TRUSTED_TOKEN.test(token)) problems.push(token);
  for (const ping of mrkdwn.match(/@(here|channel|everyone)/gi) ?? []) problems.push(ping);
  for (const formatting of ['*bold*', '_italic_', '~strike~', '`code`', '```']) {
    if (mrkdwn.includes(formatting)) problems.push(formatting);
  }
  if (/^\s*(>|&gt;)/m.test(mrkdwn)) problems.push('leading quote');
  // eslint-disable-next-line no-control-regex -- looking for control characters on purpose
  if (/[\u0000-\u0008\u000B-\u001F\u007F\u202E]/.test(mrkdwn)) problems.push('control character');
  return problems;
};

const hostileCard = card({
  repository: { ...repository, name: `repo ${HOSTILE}` },
  owner: { ...owner, owner: { ...owner.owner, name: HOSTILE }, detail: `tag Owner=${HOSTILE}` },
  risks: [
    { kind: 'floating-tags', summary: `floating ${HOSTILE}`, examples: [HOSTILE, '*latest*'], count: 2 },
  ],
  phase: 'fix-failed',
  actor: 'U0ALICE',
  at: '2025-03-01T10:00:00.000Z',
  reason: HOSTILE,
  ticketProblem: HOSTILE,
});

describe('escapeMrkdwn', () => {
  it('kills mentions, links, pings and formatting', () => {
    expect(escapeMrkdwn('<!channel> <https://x|y> & more')).toBe(
      '&lt;!channel&gt; &lt;https://x|y&gt; &amp; more',
    );
    expect(liveMarkupIn(HOSTILE)).toEqual(
      expect.arrayContaining([
        '<!channel>',
        '<https://evil.example|click me>',
        '@here',
        '*bold*',
        'leading quote',
      ]),
    );
    expect(liveMarkupIn(escapeMrkdwn(HOSTILE))).toEqual([]);
  });

  it('keeps ordinary names readable', () => {
    expect(escapeMrkdwn('payments_api/first.last@acme.com v1.2-rc')).toBe(
      'payments_api/first.last@acme.com v1.2-rc',
    );
  });

  it('never exceeds its limit, never splits an entity and never leaves markup, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.integer({ min: 5, max: 300 }), (input, max) => {
        const out = escapeMrkdwn(input, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out).not.toMatch(/[<>]/);
        expect(out).not.toMatch(/&(?!amp;|lt;|gt;)/);
        expect(liveMarkupIn(out)).toEqual([]);
      }),
    );
  });
});

describe('repository card', () => {
  it('says, as plain text, why the ticket could not be made, and keeps its buttons', () => {
    const problem =
      'The Jira ticket could not be created: customfield_10010: Team is required. hubwarden will try again.';
    const rendered = renderRepositoryCard(card({ ticket: undefined, ticketProblem: problem }));
    expect(textObjects(rendered.blocks)).toContainEqual(
      expect.objectContaining({ type: 'plain_text', text: problem }),
    );
    expect(rendered.text).toContain('ticket failed');
    expect(JSON.stringify(rendered.blocks)).toContain('hubwarden.fix');
    expect(JSON.stringify(renderRepositoryCard(card()).blocks)).not.toContain('could not be created');
  });

  it('names repository, account, region, owner and rule, ticket, risks, status and buttons', () => {
    const message = renderRepositoryCard(card());
    const json = JSON.stringify(message.blocks);
    for (const expected of [
      'payments/api',
      '111111111111',
      'eu-west-1',
      'payments',
      'tag Owner=payments',
      'latest',
    ]) {
      expect(json).toContain(expected);
    }
    expect(json).toContain('<https://acme.atlassian.net/browse/SEC-42|SEC-42>');
    expect(message.text).toContain('SEC-42');
    expect(message.text).toContain('111111111111');
    const buttons = message.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));
    expect(buttons.map((button) => ('action_id' in button ? button.action_id : undefined))).toEqual([
      'hubwarden.fix',
      'hubwarden.suppress',
    ]);
    expect(buttons.every((button) => 'value' in button && button.value === repository.key)).toBe(true);
    const confirm = buttons[0] && 'confirm' in buttons[0] ? buttons[0].confirm : undefined;
    expect(confirm?.text?.text).toContain('commit-SHA');
    expect(confirm?.text?.text).toContain('floating tags');
  });

  it.each([
    [{ phase: 'fixed', actor: 'U0ALICE', at: '2025-03-01T10:00:00Z' }, 'Fixed by <@U0ALICE> at <!date^'],
    [{ phase: 'fix-failed', reason: 'AccessDenied on PutImageTagMutability' }, 'Fix failed'],
    [
      { phase: 'suppressed', suppression: suppression({ status: 'active', reviewedBy: 'U0SECLEAD' }) },
      'Suppressed by <@U0ALICE> until 2025-03-31 (approved by <@U0SECLEAD>)',
    ],
  ] as const)('shows the status line of %o', (overrides, expected) => {
    const json = JSON.stringify(renderRepositoryCard(card({ ...overrides, actions: [] })).blocks);
    expect(json).toContain(expected);
    expect(json).not.toContain('hubwarden.fix');
  });

  it('shows the failure reason and the justification as plain text', () => {
    const failed = textObjects(
      renderRepositoryCard(card({ phase: 'fix-failed', reason: 'boom *x*' })).blocks,
    );
    expect(failed).toContainEqual(expect.objectContaining({ type: 'plain_text', text: 'boom *x*' }));
    const suppressed = textObjects(
      renderRepositoryCard(card({ phase: 'suppressed', suppression: suppression({ status: 'active' }) }))
        .blocks,
    );
    expect(suppressed).toContainEqual(
      expect.objectContaining({ type: 'plain_text', text: suppression().justification }),
    );
  });

  it('renders hostile text with no live mention, link or formatting', () => {
    const message = renderRepositoryCard(hostileCard);
    const mrkdwnTexts = textObjects(message.blocks).filter((text) => text.type === 'mrkdwn');
    expect(mrkdwnTexts.length).toBeGreaterThan(0);
    for (const text of [...mrkdwnTexts.map((object) => object.text), message.text]) {
      expect(liveMarkupIn(text)).toEqual([]);
    }
    // the hostile text is still shown, as plain text, without its control characters
    const plainTexts = textObjects(message.blocks).filter((text) => text.type === 'plain_text');
    expect(plainTexts.some((text) => text.text.includes('<!channel> <!here|here> <@U0BOSS>'))).toBe(true);
    // eslint-disable-next-line no-control-regex -- looking for control characters on purpose
    expect(plainTexts.every((text) => !/[\u0000-\u0008\u000B-\u001F\u202E]/.test(text.text))).toBe(true);
  });

  it('keeps 10 KB of hostile text within Block Kit limits', () => {
    const huge = HOSTILE.repeat(Math.ceil(10_240 / HOSTILE.length));
    const message = renderRepositoryCard(
      card({ ...hostileCard, reason: huge, repository: { ...repository, name: huge } }),
    );
    expect(blockKitProblem(message.blocks, 50)).toBeUndefined();
    expect(message.text.length).toBeLessThanOrEqual(3000);
    expect(
      textObjects(message.blocks).some((text) => text.text.length === 3000 && text.text.endsWith('…')),
    ).toBe(true);
  });

  it('keeps the Fix confirmation within 300 characters, advice included', () => {
    const many = Array.from({ length: 20 }, (_, index) => ({
      kind: 'floating-tags' as const,
      summary: `risk number ${index} with a long description of what may break`,
      examples: ['latest'],
      count: 1,
    }));
    const text = fixConfirmationText(many);
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text).toContain('commit-SHA tags first');
  });
});

describe('suppression review card', () => {
  it('shows who, repository, justification, until, status and the review buttons', () => {
    const message = renderSuppressionReview(review());
    const json = JSON.stringify(message.blocks);
    for (const expected of [
      '<@U0ALICE>',
      'payments/api',
      suppression().justification,
      '2025-03-31',
      'Pending',
    ]) {
      expect(json).toContain(expected);
    }
    const buttons = message.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));
    expect(buttons.map((button) => ('action_id' in button ? button.action_id : undefined))).toEqual([
      'hubwarden.approve',
      'hubwarden.revoke',
    ]);
    expect(buttons.every((button) => 'value' in button && button.value === 'sup-0001')).toBe(true);
    expect(json).toContain('Approval must come from a security reviewer other than <@U0ALICE>');
    expect(blockKitProblem(message.blocks, 50)).toBeUndefined();
  });

  it('without Approve among its actions, says nothing about approval', () => {
    const message = renderSuppressionReview({ ...review(), actions: ['revoke'] });
    const json = JSON.stringify(message.blocks);
    expect(json).not.toContain('hubwarden.approve');
    expect(json).not.toContain('Approval must come from');
  });

  it('renders a hostile justification and end reason inertly', () => {
    const message = renderSuppressionReview(
      review({
        justification: HOSTILE.repeat(40),
        endReason: HOSTILE,
        status: 'revoked',
        reviewedBy: 'U0SECLEAD',
      }),
    );
    for (const text of [
      ...textObjects(message.blocks)
        .filter((object) => object.type === 'mrkdwn')
        .map((object) => object.text),
      message.text,
    ]) {
      expect(liveMarkupIn(text)).toEqual([]);
    }
    expect(blockKitProblem(message.blocks, 50)).toBeUndefined();
  });
});

describe('Home tab', () => {
  it('stays within 100 blocks however long the queue', () => {
    const many = Array.from({ length: 200 }, (_, index) =>
      suppression({ id: `sup-${index}`, justification: HOSTILE }),
    );
    const home = renderHome({ reviewer: true, pending: many, active: many }, 'C0REVIEW');
    expect(blockKitProblem(home.blocks, 100)).toBeUndefined();
    expect(JSON.stringify(home.blocks)).toContain('and 180 more');
  });
});
