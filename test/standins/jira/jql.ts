/**
 * The JQL subset the stand-in understands, parsed properly so a badly quoted value fails like on real Jira:
 *   clause (AND clause)* [ORDER BY created|key [ASC|DESC]]
 *   clause := project = V | labels = V | labels in (V, ...) | statusCategory (=|!=) V
 *           | status (=|!=) V | status in (V, ...) | key = V | key in (V, ...) | issuetype (=|!=) V
 * Values are "double", 'single' quoted (with \" \' \\ \n \t \r \uXXXX escapes) or bare words.
 */
export interface JqlSubject {
  readonly key: string;
  readonly projectKey: string;
  readonly issueType: string;
  readonly labels: readonly string[];
  readonly statusName: string;
  /** `new` | `indeterminate` | `done` */
  readonly statusCategory: string;
  readonly createdMs: number;
}

export interface JqlQuery {
  readonly bounded: boolean;
  readonly matches: (subject: JqlSubject) => boolean;
  readonly compare: (a: JqlSubject, b: JqlSubject) => number;
}

export class JqlError extends Error {}

type Token =
  | { kind: 'word'; value: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'symbol'; value: '=' | '!=' | '(' | ')' | ','; at: number };

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  n: '\n',
  t: '\t',
  r: '\r',
  ' ': ' ',
};

const readString = (input: string, start: number): { value: string; end: number } => {
  const quote = input[start];
  let value = '';
  for (let i = start + 1; i < input.length; i += 1) {
    const character = input[i] ?? '';
    if (character === quote) return { value, end: i + 1 };
    if (character !== '\\') {
      value += character;
      continue;
    }
    const next = input[i + 1] ?? '';
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(input.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(input.slice(i + 2, i + 6), 16));
      i += 5;
    } else if (ESCAPES[next] !== undefined) {
      value += ESCAPES[next];
      i += 1;
    } else {
      throw new JqlError(`'\\${next}' is an illegal JQL escape sequence. (line 1, character ${i + 1})`);
    }
  }
  throw new JqlError(`The quoted string starting at character ${start + 1} is not terminated.`);
};

const tokenize = (input: string): Token[] => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const character = input[i] ?? '';
    if (/\s/.test(character)) {
      i += 1;
    } else if (character === '"' || character === "'") {
      const { value, end } = readString(input, i);
      tokens.push({ kind: 'string', value, at: i });
      i = end;
    } else if (input.startsWith('!=', i)) {
      tokens.push({ kind: 'symbol', value: '!=', at: i });
      i += 2;
    } else if (character === '=' || character === '(' || character === ')' || character === ',') {
      tokens.push({ kind: 'symbol', value: character, at: i });
      i += 1;
    } else {
      const word = /^[A-Za-z0-9_.-]+/.exec(input.slice(i))?.[0];
      if (!word)
        throw new JqlError(
          `The character '${character}' is a reserved JQL character. (line 1, character ${i + 1})`,
        );
      tokens.push({ kind: 'word', value: word, at: i });
      i += word.length;
    }
  }
  return tokens;
};

const CATEGORY_ALIASES: Readonly<Record<string, string>> = {
  'to do': 'new',
  new: 'new',
  '2': 'new',
  'in progress': 'indeterminate',
  indeterminate: 'indeterminate',
  '4': 'indeterminate',
  done: 'done',
  '3': 'done',
};

type Predicate = (subject: JqlSubject) => boolean;

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): JqlQuery {
    const predicates: Predicate[] = [];
    if (!this.isKeyword('order')) {
      predicates.push(this.clause());
      while (this.isKeyword('and')) {
        this.position += 1;
        predicates.push(this.clause());
      }
      if (this.isKeyword('or') || this.isKeyword('not')) {
        throw new JqlError(`The stand-in does not support '${this.peek()?.value ?? ''}' in JQL.`);
      }
    }
    const compare = this.orderBy();
    if (this.peek()) throw this.unexpected('the end of the query');
    return { bounded: predicates.length > 0, matches: (s) => predicates.every((p) => p(s)), compare };
  }

  private clause(): Predicate {
    const field = this.expectWord('a field name').toLowerCase();
    const operator = this.operator();
    const values = operator === 'in' ? this.list() : [this.value()];
    const lower = values.map((v) => v.toLowerCase());
    const negate = operator === '!=';
    const test = (predicate: Predicate): Predicate => (negate ? (s) => !predicate(s) : predicate);
    switch (field) {
      case 'project':
        this.only(field, operator, ['=']);
        return (s) => lower.includes(s.projectKey.toLowerCase());
      case 'labels':
        this.only(field, operator, ['=', 'in']);
        return (s) => s.labels.some((label) => lower.includes(label.toLowerCase()));
      case 'statuscategory': {
        this.only(field, operator, ['=', '!=']);
        const categories = lower.map((v) => {
          const category = CATEGORY_ALIASES[v];
          if (!category)
            throw new JqlError(`The value '${v}' does not exist for the field 'statusCategory'.`);
          return category;
        });
        return test((s) => categories.includes(s.statusCategory));
      }
      case 'status':
        this.only(field, operator, ['=', '!=', 'in']);
        return test((s) => lower.includes(s.statusName.toLowerCase()));
      case 'issuetype':
      case 'type':
        this.only(field, operator, ['=', '!=', 'in']);
        return test((s) => lower.includes(s.issueType.toLowerCase()));
      case 'key':
      case 'issuekey':
        this.only(field, operator, ['=', 'in']);
        return (s) => lower.includes(s.key.toLowerCase());
      default:
        throw new JqlError(`Field '${field}' does not exist or you do not have permission to view it.`);
    }
  }

  private orderBy(): (a: JqlSubject, b: JqlSubject) => number {
    if (!this.isKeyword('order')) return (a, b) => b.createdMs - a.createdMs;
    this.position += 1;
    if (!this.isKeyword('by')) throw this.unexpected("'by'");
    this.position += 1;
    const field = this.expectWord('a field name').toLowerCase();
    let direction = 1;
    if (this.isKeyword('asc') || this.isKeyword('desc')) {
      direction = this.isKeyword('desc') ? -1 : 1;
      this.position += 1;
    }
    if (field === 'created')
      return (a, b) => direction * (a.createdMs - b.createdMs || keyNumber(a) - keyNumber(b));
    if (field === 'key') return (a, b) => direction * (keyNumber(a) - keyNumber(b));
    throw new JqlError(`The stand-in cannot order by '${field}'.`);
  }

  private operator(): '=' | '!=' | 'in' {
    const token = this.peek();
    if (token?.kind === 'symbol' && (token.value === '=' || token.value === '!=')) {
      this.position += 1;
      return token.value;
    }
    if (this.isKeyword('in')) {
      this.position += 1;
      return 'in';
    }
    throw this.unexpected('an operator');
  }

  private list(): string[] {
    this.expectSymbol('(');
    const values = [this.value()];
    while (this.peek()?.value === ',' && this.peek()?.kind === 'symbol') {
      this.position += 1;
      values.push(this.value());
    }
    this.expectSymbol(')');
    return values;
  }

  private value(): string {
    const token = this.peek();
    if (token?.kind === 'string' || (token?.kind === 'word' && !RESERVED.has(token.value.toLowerCase()))) {
      this.position += 1;
      return token.value;
    }
    throw this.unexpected('a value');
  }

  private only(field: string, operator: string, allowed: string[]): void {
    if (!allowed.includes(operator)) {
      throw new JqlError(
        `The operator '${operator}' is not supported by the '${field}' field (in the stand-in).`,
      );
    }
  }

  private expectWord(what: string): string {
    const token = this.peek();
    if (token?.kind !== 'word') throw this.unexpected(what);
    this.position += 1;
    return token.value;
  }

  private expectSymbol(symbol: string): void {
    const token = this.peek();
    if (token?.kind !== 'symbol' || token.value !== symbol) throw this.unexpected(`'${symbol}'`);
    this.position += 1;
  }

  private isKeyword(keyword: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.value.toLowerCase() === keyword;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private unexpected(expected: string): JqlError {
    const token = this.peek();
    return token
      ? new JqlError(`Expecting ${expected} but got '${token.value}'. (line 1, character ${token.at + 1})`)
      : new JqlError(`Expecting ${expected} but reached the end of the query.`);
  }
}

const RESERVED = new Set(['and', 'or', 'not', 'in', 'order', 'by', 'asc', 'desc', 'empty', 'null', 'is']);

const keyNumber = (subject: JqlSubject): number => Number(subject.key.split('-').pop());

/** The parsed query, or a `JqlError` with a message in Jira's words. */
export const parseJql = (jql: string): JqlQuery => new Parser(tokenize(jql)).parse();
