// C0 controls except \t and \n, DEL, and C1 controls: invisible, and able to confuse renderers and terminals.
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text with `\r\n` normalised to `\n` and every other control character except `\n` and `\t` removed. */
export const stripControlCharacters = (value: string): string =>
  value.replace(/\r\n?/g, '\n').replace(CONTROL_CHARACTERS, '');

/** Text on one line: control characters removed and line breaks turned into spaces. */
export const toSingleLine = (value: string): string => stripControlCharacters(value).replace(/[\n\t]+/g, ' ');

/** The URL when it is an absolute http(s) URL, otherwise `undefined` (no `javascript:`, `data:`, relative...). */
export const safeHttpUrl = (href: string): URL | undefined => {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
};
