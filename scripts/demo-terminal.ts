/**
 * How the demo writes to a terminal: colour only on a TTY (and never with NO_COLOR), lines that fit the
 * terminal's width, a live progress line that later lines replace, and tables whose columns fit.
 */

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
} as const;

export type Colour = keyof typeof CODES;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** The width a string takes on screen (colour codes take none). */
export const visibleLength = (text: string): number => [...text.replace(ANSI, '')].length;

/**
 * Shortens plain text to `width` characters, ending with an ellipsis. It cuts at the last space when one
 * is near, so no word is cut silently; a single long word is cut and marked.
 */
export const truncate = (text: string, width: number): string => {
  const characters = [...text];
  if (characters.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const room = characters.slice(0, width - 1).join('');
  const space = room.lastIndexOf(' ');
  const cut = space >= Math.floor(width * 0.6) ? room.slice(0, space) : room;
  return `${cut.trimEnd()}…`;
};

export interface TerminalOptions {
  readonly isTTY: boolean;
  readonly columns: number | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly write: (text: string) => void;
}

export interface Terminal {
  readonly colour: boolean;
  readonly width: number;
  paint(colour: Colour, text: string): string;
  /** writes one line (painted parts allowed), shortened to the width; it replaces a progress line */
  line(text: string): void;
  /** writes one line as it is, however long: a command to copy must never be shortened */
  verbatim(text: string): void;
  /** shows a line that the next `line` or `progress` replaces (TTY only; elsewhere it prints nothing) */
  progress(text: string): void;
  /** writes rows under a header, each column as wide as its widest cell, the widest cut to fit */
  table(header: readonly string[], rows: readonly (readonly string[])[]): void;
}

export const terminalFor = (stream: NodeJS.WriteStream, env = process.env): Terminal =>
  createTerminal({
    isTTY: stream.isTTY === true,
    columns: stream.columns,
    env,
    write: (text) => stream.write(text),
  });

export const createTerminal = (options: TerminalOptions): Terminal => {
  const colour = options.isTTY && options.env['NO_COLOR'] === undefined && options.env['TERM'] !== 'dumb';
  const width = Math.max(40, options.columns ?? (Number(options.env['COLUMNS']) || 100));
  let progressShown = false;

  const paint = (name: Colour, text: string): string => {
    if (!colour) return text;
    const [open, close] = CODES[name];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  };

  // A line too long for the terminal loses its colour and is shortened at a word.
  const fit = (text: string): string =>
    visibleLength(text) <= width ? text : truncate(text.replace(ANSI, ''), width);

  const clearProgress = () => {
    if (progressShown) options.write('\r\u001b[2K');
    progressShown = false;
  };

  const line = (text: string) => {
    clearProgress();
    options.write(`${text.split('\n').map(fit).join('\n')}\n`);
  };

  const verbatim = (text: string) => {
    clearProgress();
    options.write(`${text}\n`);
  };

  const progress = (text: string) => {
    if (!options.isTTY) return;
    clearProgress();
    options.write(fit(text));
    progressShown = true;
  };

  const table = (header: readonly string[], rows: readonly (readonly string[])[]) => {
    const all = [header, ...rows];
    const widths = header.map((_, column) => Math.max(...all.map((row) => visibleLength(row[column] ?? ''))));
    const gaps = 2 * (header.length - 1);
    // Shrink the widest column until the table fits (never below 8 characters).
    while (widths.reduce((sum, value) => sum + value, 0) + gaps > width) {
      const widest = widths.indexOf(Math.max(...widths));
      if ((widths[widest] ?? 0) <= 8) break;
      widths[widest] = (widths[widest] ?? 0) - 1;
    }
    const cell = (text: string, column: number) => {
      const room = widths[column] ?? 0;
      const shown = visibleLength(text) > room ? truncate(text.replace(ANSI, ''), room) : text;
      return shown + ' '.repeat(Math.max(0, room - visibleLength(shown)));
    };
    const render = (row: readonly string[]) =>
      row
        .map((text, column) => cell(text, column))
        .join('  ')
        .trimEnd();
    line(paint('bold', render(header)));
    for (const row of rows) line(render(row));
  };

  return { colour, width, paint, line, verbatim, progress, table };
};
