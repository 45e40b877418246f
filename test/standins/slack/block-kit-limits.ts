/**
 * The Block Kit limits Slack enforces on the surfaces hubwarden uses, so that a message the real API would
 * reject (`invalid_blocks`) is rejected by the stand-in too. Covers the block and element types hubwarden
 * renders; other types pass unchecked.
 */
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

const checkText = (value: unknown, where: string, max: number, plainOnly = false): string | undefined => {
  if (!isObject(value)) return `${where}: missing text object`;
  const { type, text } = value;
  if (type !== 'plain_text' && (plainOnly || type !== 'mrkdwn'))
    return `${where}: bad text type ${String(type)}`;
  if (typeof text !== 'string' || text.length < 1) return `${where}: text must not be empty`;
  if (text.length > max) return `${where}: text longer than ${max}`;
  return undefined;
};

const checkConfirm = (confirm: unknown, where: string): string | undefined => {
  if (confirm === undefined) return undefined;
  if (!isObject(confirm)) return `${where}.confirm: not an object`;
  return (
    checkText(confirm.title, `${where}.confirm.title`, 100, true) ??
    checkText(confirm.text, `${where}.confirm.text`, 300) ??
    checkText(confirm.confirm, `${where}.confirm.confirm`, 30, true) ??
    checkText(confirm.deny, `${where}.confirm.deny`, 30, true)
  );
};

const checkElement = (element: unknown, where: string, actionIds: Set<string>): string | undefined => {
  if (!isObject(element)) return `${where}: not an object`;
  const actionId = element.action_id;
  if (typeof actionId === 'string') {
    if (actionId.length > 255) return `${where}: action_id longer than 255`;
    if (actionIds.has(actionId)) return `${where}: duplicate action_id ${actionId}`;
    actionIds.add(actionId);
  }
  switch (element.type) {
    case 'button':
      if (typeof element.value === 'string' && element.value.length > 2000)
        return `${where}: value longer than 2000`;
      return checkText(element.text, `${where}.text`, 75, true) ?? checkConfirm(element.confirm, where);
    case 'plain_text_input':
      if (typeof element.max_length === 'number' && element.max_length > 3000)
        return `${where}: max_length > 3000`;
      return undefined;
    default:
      return undefined;
  }
};

const checkBlock = (block: unknown, where: string, actionIds: Set<string>): string | undefined => {
  if (!isObject(block)) return `${where}: not an object`;
  if (typeof block.block_id === 'string' && block.block_id.length > 255) return `${where}: block_id too long`;
  switch (block.type) {
    case 'header':
      return checkText(block.text, `${where}.text`, 150, true);
    case 'section': {
      const fields = block.fields;
      if (block.text === undefined && !Array.isArray(fields)) return `${where}: needs text or fields`;
      if (block.text !== undefined) {
        const problem = checkText(block.text, `${where}.text`, 3000);
        if (problem) return problem;
      }
      if (Array.isArray(fields)) {
        if (fields.length > 10) return `${where}: more than 10 fields`;
        for (const [index, field] of fields.entries()) {
          const problem = checkText(field, `${where}.fields[${index}]`, 2000);
          if (problem) return problem;
        }
      }
      return block.accessory === undefined
        ? undefined
        : checkElement(block.accessory, `${where}.accessory`, actionIds);
    }
    case 'context': {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length < 1 || elements.length > 10)
        return `${where}: 1 to 10 elements`;
      for (const [index, element] of elements.entries()) {
        const problem = checkText(element, `${where}.elements[${index}]`, 3000);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'actions': {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length < 1 || elements.length > 25)
        return `${where}: 1 to 25 elements`;
      for (const [index, element] of elements.entries()) {
        const problem = checkElement(element, `${where}.elements[${index}]`, actionIds);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'input':
      return (
        checkText(block.label, `${where}.label`, 2000, true) ??
        (block.hint === undefined ? undefined : checkText(block.hint, `${where}.hint`, 2000, true)) ??
        checkElement(block.element, `${where}.element`, actionIds)
      );
    default:
      return undefined;
  }
};

/** The first problem Slack would report for these blocks, or undefined when they are valid. */
export const blockKitProblem = (blocks: unknown, maxBlocks: number): string | undefined => {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > maxBlocks) return `more than ${maxBlocks} blocks`;
  for (const [index, block] of blocks.entries()) {
    // Slack wants action ids unique within their block (two input blocks may both use `value`)
    const problem = checkBlock(block, `blocks[${index}]`, new Set<string>());
    if (problem) return problem;
  }
  return undefined;
};

/** Problems of a modal view as `views.open` checks them. */
export const modalViewProblem = (view: Json): string | undefined => {
  if (view.type !== 'modal') return 'view.type must be modal';
  const titleProblem = checkText(view.title, 'view.title', 24, true);
  if (titleProblem) return titleProblem;
  if (view.submit !== undefined) {
    const problem = checkText(view.submit, 'view.submit', 24, true);
    if (problem) return problem;
  }
  if (view.close !== undefined) {
    const problem = checkText(view.close, 'view.close', 24, true);
    if (problem) return problem;
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
    return 'private_metadata longer than 3000';
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255)
    return 'callback_id longer than 255';
  const blocks = view.blocks;
  const hasInput = Array.isArray(blocks) && blocks.some((block) => isObject(block) && block.type === 'input');
  if (hasInput && view.submit === undefined) return 'a view with input blocks needs submit';
  return blockKitProblem(blocks, 100);
};
