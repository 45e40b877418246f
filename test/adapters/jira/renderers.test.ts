import { describe, expect, it } from 'vitest';
import { docToAdf, docToWiki, escapeWikiText } from '../../../src/adapters/jira/index.js';
import { docToPlainText, link, paragraph, text } from '../../../src/core/document.js';
import { adfProblem } from '../../standins/jira/adf-validator.js';
import { HOSTILE, TEN_KB, hostileDoc } from './fixtures.js';

// Anything that can start Jira wiki markup: formatting, links, mentions, macros, tables, lists, emoticons, escapes.
// eslint-disable-next-line no-control-regex -- the control characters the hostile text smuggles in
const LIVE_WIKI = /[[\]{}|*_\-+^~?!#@\\:()<>&;]|\b(h[1-6]|bq)\.|\u0000|\u0007|\u001b|\u007f|\u0085/;
// Numeric entities are how the renderer itself writes escaped characters: they display, never parse.
const withoutEntities = (wiki: string): string => wiki.replace(/&#\d+;/g, '');

const collectText = (node: unknown): string[] => {
  if (typeof node !== 'object' || node === null) return [];
  const record = node as { text?: unknown; content?: unknown };
  const own = typeof record.text === 'string' ? [record.text] : [];
  return [...own, ...(Array.isArray(record.content) ? record.content.flatMap(collectText) : [])];
};

describe('docToAdf', () => {
  const adf = docToAdf(hostileDoc);

  it('renders every block type into ADF that Jira Cloud validation accepts', () => {
    expect(adfProblem(adf)).toBeUndefined();
    expect(adf.content.map((block) => block.type)).toEqual([
      'heading',
      'paragraph',
      'paragraph',
      'bulletList',
      'codeBlock',
      'paragraph',
      'paragraph',
      'paragraph',
    ]);
  });

  it('keeps hostile text as inert data without control characters', () => {
    const json = JSON.stringify(adf);
    expect(json).not.toMatch(/"type":"(mention|inlineCard|emoji|status)"/);
    expect(json).not.toMatch(/\\u00(0[0-8]|0b|0c|0e|0f|1[0-9a-f]|7f|85)/i);
    const texts = collectText(adf).join('');
    expect(texts).toContain('[~admin]');
    expect(texts).toContain('<!channel>');
    expect(texts).toContain(TEN_KB);
  });

  it('links only from link inlines with an http(s) href', () => {
    const links = JSON.stringify(adf).match(/"type":"link","attrs":\{"href":"[^"]*"\}/g) ?? [];
    expect([...new Set(links)]).toEqual([
      '"type":"link","attrs":{"href":"https://console.aws.amazon.com/ecr/home?region=eu-west-1#/repo|x]"}',
      '"type":"link","attrs":{"href":"https://example.com/only-href"}',
    ]);
    expect(JSON.stringify(adf)).not.toContain('javascript:alert');
  });

  it('never combines the code mark with strong', () => {
    const last = adf.content[6];
    expect(last).toEqual({
      type: 'paragraph',
      content: [{ type: 'text', text: 'both marks', marks: [{ type: 'code' }] }],
    });
  });
});

describe('docToWiki', () => {
  it('escapes hostile text so that none of it is live markup', () => {
    const rendered = escapeWikiText(HOSTILE);
    expect(withoutEntities(rendered)).not.toMatch(LIVE_WIKI);
    expect(withoutEntities(escapeWikiText(TEN_KB))).not.toMatch(LIVE_WIKI);
    expect(rendered).toContain('&#91;&#126;admin&#93;');
    expect(rendered).toContain('&#123;code&#125;');
    expect(rendered).toContain('h1&#46; heading');
  });

  it('renders every block type with the only markup being its own', () => {
    const wiki = docToWiki(hostileDoc);
    const [heading = '', paragraphs = '', links = '', list = ''] = wiki.split('\n\n');
    expect(heading.startsWith('h3. ')).toBe(true);
    expect(withoutEntities(heading.slice(4))).not.toMatch(LIVE_WIKI);

    const linkMarkup = /\[[^[\]|]*\|https?:\/\/[^[\]|\s]*\]/g;
    expect(paragraphs.match(linkMarkup)).toHaveLength(1);
    expect(paragraphs.match(linkMarkup)?.[0]).toMatch(
      /\|https:\/\/console\.aws\.amazon\.com\/ecr\/home\?region=eu-west-1#\/repo%7Cx%5D\]$/,
    );
    const withoutOwnMarkup = paragraphs
      .replace(linkMarkup, '')
      .replace(/ \*(?=\S)|(?<=\S)\* |\{\{|\}\}/g, '');
    expect(withoutEntities(withoutOwnMarkup)).not.toMatch(LIVE_WIKI);

    expect(links).toBe(
      'javascript link and [https&#58;//example.com/only&#45;href|https://example.com/only-href]',
    );
    expect(list.split('\n').every((line) => line.startsWith('* '))).toBe(true);
  });

  it('keeps code blocks verbatim but unable to close themselves early', () => {
    const wiki = docToWiki(hostileDoc);
    expect(wiki.match(/\{noformat\}/gi)).toHaveLength(2);
    const body = wiki.slice(wiki.indexOf('{noformat}\n') + 11, wiki.lastIndexOf('\n{noformat}'));
    expect(body).toContain('[~admin]');
    // eslint-disable-next-line no-control-regex -- the control characters the hostile text smuggles in
    expect(body).not.toMatch(/[\u0000\u0007\u001b\u007f\u0085]/);
  });

  it('does not turn a non-http link into markup, and shows the plain text faithfully', () => {
    expect(docToWiki([paragraph(link('x', 'javascript:alert(1)'))])).toBe('x');
    expect(docToWiki([paragraph(text('a & b'))])).toBe('a &#38; b');
    expect(docToPlainText(hostileDoc)).toContain('[~admin]');
  });
});
