import { adfProblem } from './adf-validator.js';
import type { StandInUser } from './issue-store.js';
import type { RequiredField } from './project-routes.js';

export type Deployment = 'cloud' | 'datacenter';

export interface FieldContext {
  readonly deployment: Deployment;
  readonly users: readonly StandInUser[];
  readonly projectKey: string;
  readonly projectId: string;
  readonly issueTypes: readonly string[];
  /** custom fields the create screen requires */
  readonly requiredFields: readonly RequiredField[];
}

/** Validated field values of a create or edit; `errors` holds Jira's per-field messages. */
export interface FieldChanges {
  summary?: string;
  description?: unknown;
  labels?: string[];
  /** `null` unassigns */
  assignee?: StandInUser | null;
  issueType?: string;
  errors: Record<string, string>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a description or comment body is refused: ADF on Cloud (REST v3), a string on Data Center (REST v2). */
export const richTextProblem = (value: unknown, deployment: Deployment): string | undefined => {
  if (deployment === 'datacenter')
    return typeof value === 'string' ? undefined : 'must be a string (wiki markup)';
  const problem = adfProblem(value);
  return (
    problem && `Operation value must be an Atlassian Document (see the Atlassian Document Format): ${problem}`
  );
};

const assigneeOf = (value: unknown, context: FieldContext, errors: Record<string, string>) => {
  if (value === null) return null;
  if (!isObject(value)) {
    errors.assignee = 'Specify a valid value for assignee';
    return undefined;
  }
  if (context.deployment === 'cloud') {
    if (typeof value.accountId !== 'string') {
      errors.assignee = "'accountId' must be the only user identifying query parameter in GDPR strict mode.";
      return undefined;
    }
    const user = context.users.find((u) => u.accountId === value.accountId);
    if (!user) errors.assignee = `User with accountId '${value.accountId}' does not exist`;
    else if (user.assignable === false)
      errors.assignee = `User '${user.accountId}' cannot be assigned issues.`;
    return user;
  }
  const user = typeof value.name === 'string' ? context.users.find((u) => u.name === value.name) : undefined;
  if (!user) errors.assignee = `User '${String(value.name)}' does not exist.`;
  else if (user.assignable === false) errors.assignee = `User '${user.name}' cannot be assigned issues.`;
  return user;
};

/** Parses `fields` of a create (`creating`) or an edit the way Jira validates them. */
export const parseFields = (fields: unknown, context: FieldContext, creating: boolean): FieldChanges => {
  const changes: FieldChanges = { errors: {} };
  const { errors } = changes;
  if (!isObject(fields)) {
    errors.fields = 'fields must be an object';
    return changes;
  }
  for (const [name, value] of Object.entries(fields)) {
    switch (name) {
      case 'summary':
        if (typeof value !== 'string' || value.trim() === '')
          errors.summary = 'You must specify a summary of the issue.';
        else if (value.length > 255) errors.summary = 'Summary must be less than 255 characters.';
        else if (/[\r\n]/.test(value))
          errors.summary = 'The summary is invalid because it contains newline characters.';
        else changes.summary = value;
        break;
      case 'description': {
        const problem = value === null ? undefined : richTextProblem(value, context.deployment);
        if (problem) errors.description = problem;
        else changes.description = value;
        break;
      }
      case 'labels':
        if (!Array.isArray(value) || value.some((label) => typeof label !== 'string' || label === '')) {
          errors.labels = 'labels must be an array of non-empty strings';
        } else if (value.some((label: string) => /\s/.test(label))) {
          errors.labels = `The label '${String(value.find((label: string) => /\s/.test(label)))}' contains spaces which is invalid.`;
        } else if (value.some((label: string) => label.length > 255)) {
          errors.labels = 'The label must not exceed 255 characters.';
        } else {
          changes.labels = value as string[];
        }
        break;
      case 'assignee': {
        const assignee = assigneeOf(value, context, errors);
        if (assignee !== undefined) changes.assignee = assignee;
        break;
      }
      case 'project':
        if (!creating) errors.project = "Field 'project' cannot be set.";
        else if (!isObject(value) || value.key !== context.projectKey)
          errors.project = 'valid project is required';
        break;
      case 'issuetype':
        if (!creating) errors.issuetype = "Field 'issuetype' cannot be set.";
        else if (!isObject(value) || !context.issueTypes.includes(String(value.name))) {
          errors.issuetype = 'Specify a valid issue type';
        } else changes.issueType = String(value.name);
        break;
      default:
        if (!creating || !context.requiredFields.some((custom) => custom.id === name))
          errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
        else if (value === null || value === undefined || value === '')
          errors[name] = `${context.requiredFields.find((custom) => custom.id === name)?.name} is required.`;
    }
  }
  if (creating) {
    if (!('project' in fields)) errors.project = 'Specify a valid project ID or key';
    if (!('issuetype' in fields)) errors.issuetype = 'Specify an issue type';
    if (!('summary' in fields)) errors.summary = 'You must specify a summary of the issue.';
    for (const custom of context.requiredFields)
      if (!(custom.id in fields)) errors[custom.id] = `${custom.name} is required.`;
  }
  return changes;
};
