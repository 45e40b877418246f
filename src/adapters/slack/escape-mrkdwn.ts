/**
 * Making untrusted text (justifications, reasons, repository and tag names) inert in Slack. Slack turns
 * `<...>` into mentions and links, `@here` and friends into pings, and `*_~\`` and a leading `>` into
 * formatting; Slack has no backslash escape, so those characters are replaced or broken up instead.
 */

// C0/C1 controls except tab and newline, and the bidi controls that make text read differently than it is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

const WORD_JOINER = '\u2060';
const ELLIPSIS = '…';

/** Formatting delimiters become look-alikes: a zero-width character next to them can make Slack format more, not less. */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  '*': '\u2217', // ∗ asterisk operator
  '~': '\u223C', // ∼ tilde operator
  '`': '\u02CB', // ˋ modifier letter grave accent
  _: '\u02CD', // ˍ modifier letter low macron
};

const isWordCharacter = (character: string | undefined): boolean =>
  character !== undefined && /[\p{L}\p{N}]/u.test(character);

/** Removes control characters; `singleLine` also folds newlines and tabs into spaces. */
export const stripControlCharacters = (value: string, singleLine = false): string => {
  const stripped = value.replace(CONTROL_CHARACTERS, '');
  return singleLine ? stripped.replace(/[\n\t]+/g, ' ') : stripped;
};

/** Cuts to at most `maxLength` characters (ending with `…` when cut), never inside a surrogate pair. */
export const truncate = (value: string, maxLength: number): string => {
  if (value.length <= maxLength) return value;
  let cut = value.slice(0, Math.max(0, maxLength - ELLIPSIS.length));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + ELLIPSIS;
};

/** Text for a `plain_text` object, which Slack never parses: only controls and length need care. */
export const toPlainText = (value: string, maxLength: number, singleLine = false): string =>
  truncate(stripControlCharacters(value, singleLine), maxLength);

const escapeCharacter = (characters: readonly string[], index: number, lineStart: boolean): string => {
  const character = characters[index] ?? '';
  switch (character) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      // a leading `>` quotes the line, whatever its encoding; a look-alike does not
      return lineStart ? '\uFF1E' : '&gt;';
    case '_':
      // intraword underscores (snake_case names, e-mail addresses) never format; keep them readable
      return isWordCharacter(characters[index - 1]) && isWordCharacter(characters[index + 1])
        ? '_'
        : (LOOK_ALIKES._ ?? character);
    default:
      return LOOK_ALIKES[character] ?? character;
  }
};

/**
 * Untrusted text made safe for a `mrkdwn` text object or a message's fallback `text`: no mention, link,
 * broadcast or formatting survives, and the result (entities included) fits in `maxLength`.
 */
export const escapeMrkdwn = (value: string, maxLength = 3000, singleLine = false): string => {
  const clean = stripControlCharacters(value, singleLine).replace(
    /@(here|channel|everyone)\b/gi,
    (_match, word: string) => `@${WORD_JOINER}${word}`,
  );
  const characters = Array.from(clean);
  const pieces: string[] = [];
  let lineStart = true;
  for (const [index, character] of characters.entries()) {
    pieces.push(escapeCharacter(characters, index, lineStart));
    if (character === '\n') lineStart = true;
    else if (character !== ' ' && character !== '\t') lineStart = false;
  }
  const whole = pieces.join('');
  if (whole.length <= maxLength) return whole;
  // cut between pieces, so no entity is split
  let out = '';
  for (const piece of pieces) {
    if (out.length + piece.length > maxLength - ELLIPSIS.length) break;
    out += piece;
  }
  return out + ELLIPSIS;
};
