import type { Block, Doc, Inline } from '../../core/document.js';
import { safeHttpUrl, stripControlCharacters, toSingleLine } from './sanitize-text.js';

/*
 * Jira wiki markup (REST v2, Data Center). Every character that can start formatting, a link, a mention,
 * a macro, an emoticon, a table, a list or an auto-link is written as a numeric HTML entity. The renderer
 * keeps entities as they are (its own backslash escapes produce the same entities), so they show as the
 * character but can never be parsed as markup. A literal backslash is an entity too: a raw `\` in front of
 * one of our characters would otherwise change its meaning.
 */
const SPECIAL_CHARACTERS = /[\\[\]{}|*_\-+^~?!#@%():;&<>`'"=$]/g;
// `h1.`..`h6.` and `bq.` start a heading or a quote at the beginning of a line.
const BLOCK_PREFIX = /\b(h[1-6]|bq)\./gi;

const entity = (character: string): string => `&#${character.codePointAt(0) ?? 0};`;

/** Text that renders as exactly itself in Jira wiki markup. */
export const escapeWikiText = (value: string): string =>
  stripControlCharacters(value).replace(SPECIAL_CHARACTERS, entity).replace(BLOCK_PREFIX, '$1&#46;');

// Characters that could end or split `[text|url]`, or be read as formatting, are percent-encoded.
const escapeWikiUrl = (url: URL): string =>
  url.href.replace(/[^A-Za-z0-9\-._:/?#=&%,]/g, (character) =>
    Array.from(
      new TextEncoder().encode(character),
      (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    ).join(''),
  );

// `*bold*` only renders when the markers touch non-space characters, so surrounding spaces move outside.
const wrap = (value: string, open: string, close: string): string => {
  const match = /^(\s*)(.*?)(\s*)$/s.exec(value);
  const [, before = '', core = '', after = ''] = match ?? [];
  return core.length === 0 ? value : `${before}${open}${core}${close}${after}`;
};

const renderInline = (inline: Inline, singleLine: boolean): string => {
  const clean = (value: string) => (singleLine ? toSingleLine(value) : stripControlCharacters(value));
  if (inline.type === 'link') {
    const url = safeHttpUrl(inline.href);
    // A line break would end the `[label|url]` markup, so link labels stay on one line.
    const label = escapeWikiText(toSingleLine(inline.text || inline.href));
    return url ? `[${label}|${escapeWikiUrl(url)}]` : label;
  }
  const escaped = escapeWikiText(clean(inline.text));
  if (inline.code) return wrap(escaped, '{{', '}}');
  return inline.strong ? wrap(escaped, '*', '*') : escaped;
};

const renderInlines = (content: readonly Inline[], singleLine: boolean): string =>
  content.map((inline) => renderInline(inline, singleLine)).join('');

// Inside {noformat} nothing is parsed except its own closing tag, which is made unrecognisable.
const noformatBody = (value: string): string =>
  stripControlCharacters(value).replace(/\{(?=noformat)/gi, '{\u200b');

const renderBlock = (block: Block): string => {
  switch (block.type) {
    case 'heading':
      return `h3. ${escapeWikiText(toSingleLine(block.text))}`;
    case 'paragraph':
      return renderInlines(block.content, false);
    case 'bullets':
      return block.items.map((item) => `* ${renderInlines(item, true)}`).join('\n');
    case 'code':
      return `{noformat}\n${noformatBody(block.text)}\n{noformat}`;
  }
};

/** The document as Jira wiki markup, one blank line between blocks. */
export const docToWiki = (doc: Doc): string =>
  doc
    .map((block) => renderBlock(block))
    .filter((rendered) => rendered.length > 0)
    .join('\n\n');
