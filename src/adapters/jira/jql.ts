/** A JQL string literal: backslash, quotes and line breaks escaped, so a value can never end the string. */
export const quoteJqlValue = (value: string): string =>
  `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')}"`;

/** Issues of the project carrying every one of the labels, done ones included, oldest first. */
export const issuesWithAllLabelsJql = (projectKey: string, labels: readonly string[]): string =>
  [
    `project = ${quoteJqlValue(projectKey)}`,
    ...labels.map((label) => `labels = ${quoteJqlValue(label)}`),
  ].join(' AND ') + ' ORDER BY created ASC';
