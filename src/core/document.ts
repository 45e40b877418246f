/**
 * A small, vendor-neutral rich-text model. The core writes ticket descriptions, comments and chat
 * messages in it; each adapter renders it (Jira ADF for REST v3, wiki markup for v2, Slack mrkdwn)
 * and is responsible for escaping every `text` it renders: user-supplied text must never turn into
 * markup, mentions or links.
 */
export type Inline =
  | { readonly type: 'text'; readonly text: string; readonly strong?: boolean; readonly code?: boolean }
  | { readonly type: 'link'; readonly text: string; readonly href: string };

export type Block =
  | { readonly type: 'heading'; readonly text: string }
  | { readonly type: 'paragraph'; readonly content: readonly Inline[] }
  | { readonly type: 'bullets'; readonly items: readonly (readonly Inline[])[] }
  | { readonly type: 'code'; readonly text: string };

export type Doc = readonly Block[];

export const text = (value: string): Inline => ({ type: 'text', text: value });
export const strong = (value: string): Inline => ({ type: 'text', text: value, strong: true });
export const code = (value: string): Inline => ({ type: 'text', text: value, code: true });
export const link = (value: string, href: string): Inline => ({ type: 'link', text: value, href });
export const paragraph = (...content: Inline[]): Block => ({ type: 'paragraph', content });
export const heading = (value: string): Block => ({ type: 'heading', text: value });
export const bullets = (...items: Inline[][]): Block => ({ type: 'bullets', items });

/** Plain text of a document, for notes and logs. */
export const docToPlainText = (doc: Doc): string =>
  doc
    .map((block) => {
      switch (block.type) {
        case 'heading':
        case 'code':
          return block.text;
        case 'paragraph':
          return block.content.map((inline) => inline.text).join('');
        case 'bullets':
          return block.items.map((item) => `- ${item.map((inline) => inline.text).join('')}`).join('\n');
      }
    })
    .join('\n');
