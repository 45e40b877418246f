/**
 * Validation of Atlassian Document Format bodies as Jira Cloud applies it to descriptions and comments,
 * for the node types the stand-in knows: doc, paragraph, heading, bulletList, listItem, codeBlock, text
 * (marks strong, code, link) and hardBreak. Returns the first problem, or `undefined` for a valid document.
 */
type Node = Record<string, unknown>;

const isObject = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const BLOCKS_IN_LIST_ITEM = new Set(['paragraph', 'bulletList', 'codeBlock']);
const TOP_LEVEL_BLOCKS = new Set(['paragraph', 'heading', 'bulletList', 'codeBlock']);

const checkMarks = (marks: unknown, path: string): string | undefined => {
  if (marks === undefined) return undefined;
  if (!Array.isArray(marks)) return `${path}.marks must be an array`;
  const seen = new Set<string>();
  for (const [index, mark] of marks.entries()) {
    const at = `${path}.marks[${index}]`;
    if (!isObject(mark) || typeof mark.type !== 'string') return `${at} must be a mark`;
    if (seen.has(mark.type)) return `${at}: duplicate mark ${mark.type}`;
    seen.add(mark.type);
    if (mark.type === 'link') {
      if (!isObject(mark.attrs) || typeof mark.attrs.href !== 'string') return `${at}: link needs attrs.href`;
    } else if (mark.type !== 'strong' && mark.type !== 'code') {
      return `${at}: unknown mark ${mark.type}`;
    }
  }
  if (seen.has('code') && [...seen].some((type) => type !== 'code' && type !== 'link')) {
    return `${path}: the code mark can only be combined with link`;
  }
  return undefined;
};

const checkInlines = (content: unknown, path: string, allowMarks: boolean): string | undefined => {
  if (content === undefined) return undefined;
  if (!Array.isArray(content)) return `${path}.content must be an array`;
  for (const [index, node] of content.entries()) {
    const at = `${path}.content[${index}]`;
    if (!isObject(node)) return `${at} must be a node`;
    if (node.type === 'hardBreak' && allowMarks) continue;
    if (node.type !== 'text') return `${at}: node type ${String(node.type)} is not allowed here`;
    if (typeof node.text !== 'string' || node.text.length === 0)
      return `${at}: text must be a non-empty string`;
    if (!allowMarks && node.marks !== undefined) return `${at}: marks are not allowed here`;
    const problem = checkMarks(node.marks, at);
    if (problem) return problem;
  }
  return undefined;
};

const checkBlock = (node: unknown, path: string, allowed: ReadonlySet<string>): string | undefined => {
  if (!isObject(node) || typeof node.type !== 'string') return `${path} must be a node`;
  if (!allowed.has(node.type)) return `${path}: node type ${node.type} is not allowed here`;
  switch (node.type) {
    case 'paragraph':
      return checkInlines(node.content, path, true);
    case 'heading': {
      const level = isObject(node.attrs) ? node.attrs.level : undefined;
      if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 6) {
        return `${path}: heading needs attrs.level 1..6`;
      }
      return checkInlines(node.content, path, true);
    }
    case 'codeBlock':
      if (node.attrs !== undefined && !isObject(node.attrs)) return `${path}.attrs must be an object`;
      return checkInlines(node.content, path, false);
    case 'bulletList':
      return checkChildren(node.content, path, new Set(['listItem']));
    case 'listItem':
      return checkChildren(node.content, path, BLOCKS_IN_LIST_ITEM);
    default:
      return `${path}: unknown node type ${node.type}`;
  }
};

const checkChildren = (content: unknown, path: string, allowed: ReadonlySet<string>): string | undefined => {
  if (!Array.isArray(content) || content.length === 0) return `${path}.content must be a non-empty array`;
  for (const [index, child] of content.entries()) {
    const problem = checkBlock(child, `${path}.content[${index}]`, allowed);
    if (problem) return problem;
  }
  return undefined;
};

export const adfProblem = (value: unknown): string | undefined => {
  if (!isObject(value)) return 'the value must be an Atlassian Document';
  if (value.type !== 'doc' || value.version !== 1) return 'the document needs type "doc" and version 1';
  if (!Array.isArray(value.content)) return 'doc.content must be an array';
  for (const [index, child] of value.content.entries()) {
    const problem = checkBlock(child, `doc.content[${index}]`, TOP_LEVEL_BLOCKS);
    if (problem) return problem;
  }
  return undefined;
};
