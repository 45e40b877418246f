import type { Block, Doc, Inline } from '../../core/document.js';
import { safeHttpUrl, stripControlCharacters, toSingleLine } from './sanitize-text.js';

/** The subset of the Atlassian Document Format this adapter writes (Jira Cloud REST v3). */
export type AdfMark = { type: 'strong' } | { type: 'code' } | { type: 'link'; attrs: { href: string } };
export type AdfInline = { type: 'text'; text: string; marks?: AdfMark[] } | { type: 'hardBreak' };
export type AdfBlock =
  | { type: 'paragraph'; content: AdfInline[] }
  | { type: 'heading'; attrs: { level: number }; content: AdfInline[] }
  | { type: 'bulletList'; content: AdfListItem[] }
  | { type: 'codeBlock'; content: AdfInline[] };
export interface AdfListItem {
  type: 'listItem';
  content: AdfBlock[];
}
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfBlock[];
}

const HEADING_LEVEL = 3;

// ADF rejects empty text nodes, and `code` may only be combined with `link`, never with `strong`.
const marksOf = (inline: Inline): AdfMark[] => {
  if (inline.type === 'link') {
    const url = safeHttpUrl(inline.href);
    return url ? [{ type: 'link', attrs: { href: url.href } }] : [];
  }
  if (inline.code) return [{ type: 'code' }];
  return inline.strong ? [{ type: 'strong' }] : [];
};

const textNodes = (value: string, marks: AdfMark[]): AdfInline[] => {
  const nodes: AdfInline[] = [];
  stripControlCharacters(value)
    .split('\n')
    .forEach((line, index) => {
      if (index > 0) nodes.push({ type: 'hardBreak' });
      if (line.length > 0)
        nodes.push(marks.length > 0 ? { type: 'text', text: line, marks } : { type: 'text', text: line });
    });
  return nodes;
};

const inlineNodes = (content: readonly Inline[]): AdfInline[] =>
  content.flatMap((inline) => {
    // A link is one run of text: its label stays on one line.
    if (inline.type === 'link') return textNodes(toSingleLine(inline.text || inline.href), marksOf(inline));
    return textNodes(inline.text, marksOf(inline));
  });

const blockNode = (block: Block): AdfBlock => {
  switch (block.type) {
    case 'heading': {
      const value = toSingleLine(block.text);
      return {
        type: 'heading',
        attrs: { level: HEADING_LEVEL },
        content: value.length > 0 ? [{ type: 'text', text: value }] : [],
      };
    }
    case 'paragraph':
      return { type: 'paragraph', content: inlineNodes(block.content) };
    case 'bullets':
      return {
        type: 'bulletList',
        content: block.items.map((item) => ({
          type: 'listItem',
          content: [{ type: 'paragraph', content: inlineNodes(item) }],
        })),
      };
    case 'code': {
      const value = stripControlCharacters(block.text);
      return { type: 'codeBlock', content: value.length > 0 ? [{ type: 'text', text: value }] : [] };
    }
  }
};

/**
 * The document as ADF. Text is data in ADF (mentions, links and formatting exist only as nodes and marks),
 * so rendering is inert by construction; control characters are still removed, and links come only from
 * `link` inlines with an http(s) href.
 */
export const docToAdf = (doc: Doc): AdfDoc => ({
  type: 'doc',
  version: 1,
  content: doc
    .filter((block) => block.type !== 'bullets' || block.items.length > 0)
    .map((block) => blockNode(block)),
});
