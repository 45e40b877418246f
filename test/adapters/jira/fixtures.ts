import type { Doc } from '../../../src/core/document.js';
import { bullets, code, heading, link, paragraph, strong, text } from '../../../src/core/document.js';
import type { StandInUser } from '../../standins/jira/index.js';

export const HOSTILE =
  'Hi <!channel> and [~admin] {code}x{code} {noformat}y{noformat} *bold* _it_ -del- +ins+ ^sup^ ~sub~ ??cite?? ' +
  '[x|http://evil] [http://evil] !http://evil/a.png! {{mono}} {color:red}red{color} || cell | @here \\\\ \\*esc\\* ' +
  '(y) :) h1. heading\nbq. quote\n* bullet\n# numbered\n----\nhttp://evil.example/ mailto:a@b.c &#42; <script>' +
  '\u0000\u0007\u001b[31m\u007f\u0085 end';

export const TEN_KB = 'A*[~x]{code}|'.repeat(800);

/** A document with every block type, hostile text everywhere, and a 10 KB paragraph. */
export const hostileDoc: Doc = [
  heading(HOSTILE),
  paragraph(
    text(HOSTILE),
    strong(` ${HOSTILE} `),
    code(HOSTILE),
    link(HOSTILE, 'https://console.aws.amazon.com/ecr/home?region=eu-west-1#/repo|x]'),
  ),
  paragraph(
    link('javascript link', 'javascript:alert(1)'),
    text(' and '),
    link('', 'https://example.com/only-href'),
  ),
  bullets([text(HOSTILE)], [strong(HOSTILE), code('{noformat}')], []),
  { type: 'code', text: `${HOSTILE}\n{noformat}\n{NOFORMAT}\n{code}` },
  paragraph(text(TEN_KB)),
  paragraph({ type: 'text', text: 'both marks', strong: true, code: true }),
  paragraph(),
];

export const USERS: StandInUser[] = [
  { accountId: '5b10a2844c20165700ede21g', name: 'alice', email: 'alice@example.com', displayName: 'Alice' },
  { accountId: '5b10a2844c20165700ede22h', name: 'bob', email: 'bob+sec@example.com', displayName: 'Bob' },
  {
    accountId: '5b10a2844c20165700ede23i',
    name: 'carol',
    email: 'carol@example.com',
    displayName: 'Carol',
    emailHidden: true,
  },
];

export const CLOUD_AUTH = { email: 'bot@example.com', apiToken: 'cloud-secret-token-123' };
export const PAT_AUTH = { pat: 'dc-secret-pat-456' };

export const EXTRA_TRANSITIONS = [{ name: 'Suppressed', toStatus: "Won't Do", category: 'done' as const }];

/** The error a promise rejects with (fails the test when it resolves). */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
};
