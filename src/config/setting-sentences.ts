import type { z } from 'zod';

const MAX_ECHO = 60;

/** zod's type names as an operator who writes YAML or an environment would say them. */
const KIND_NAMES: Readonly<Record<string, string>> = {
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  string: 'text',
  boolean: 'true or false',
  number: 'a number',
};

const list = (values: readonly unknown[]): string => values.map((value) => String(value)).join(', ');

/**
 * zod's default messages ("Invalid input: expected number, received NaN") rewritten as the end of a
 * sentence that starts with the setting's name: `PORT` + `must be a whole number`. Messages written
 * into the schema itself take precedence over these (zod's own precedence for a per-parse error map).
 */
export const settingSentence: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is missing';
      if (issue.expected === 'int') return 'must be a whole number';
      if (issue.expected === 'number') return 'must be a number';
      return `must be ${KIND_NAMES[issue.expected] ?? `a ${issue.expected}`}${
        Array.isArray(issue.input) ? ', not a list' : ''
      }`;
    case 'too_small': {
      const { minimum, inclusive } = issue;
      if (issue.origin === 'string') return `must be at least ${minimum} characters long`;
      if (issue.origin === 'array') return `needs at least ${minimum} ${minimum === 1 ? 'entry' : 'entries'}`;
      if (minimum === 0 && !inclusive) return 'must be greater than 0';
      return inclusive ? `must be ${minimum} or more` : `must be more than ${minimum}`;
    }
    case 'too_big': {
      const { maximum, inclusive } = issue;
      if (issue.origin === 'string') return `must be at most ${maximum} characters long`;
      return inclusive ? `must be ${maximum} or less` : `must be less than ${maximum}`;
    }
    case 'invalid_key':
      return `has a key that ${issue.issues[0]?.message ?? 'is not valid'}: ${JSON.stringify(issue.input)}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'an unknown key' : 'unknown keys'}: ${list(issue.keys)} (a typo?)`;
    case 'invalid_value':
      return `must be one of ${list(issue.values)}`;
    case 'invalid_format':
      if (issue.format === 'url') return 'must be an http:// or https:// URL';
      if (issue.format === 'starts_with') return `must start with ${String(issue['prefix'])}`;
      return 'is not in the expected format';
    default:
      return undefined;
  }
};

/** A URL's password replaced (`redis://:***@host`), so a value such as a `rediss://` URL can be shown. */
const withoutPassword = (value: string): string =>
  value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');

/**
 * What follows the sentence: `, got "abc"` for an ordinary setting, nothing for a secret (its value is
 * never shown), a long value cut with an ellipsis.
 */
export const echoOf = (value: string | undefined, secret: boolean): string => {
  if (secret || value === undefined) return '';
  const shown = withoutPassword(value);
  return `, got ${JSON.stringify(shown.length > MAX_ECHO ? `${shown.slice(0, MAX_ECHO - 1)}…` : shown)}`;
};
