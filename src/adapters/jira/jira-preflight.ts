import { z } from 'zod';
import { parseAnswer } from './parse-answer.js';
import { createFetchRequest, type JiraRequestFunction } from './fetch-request.js';
import { JiraRest, type JiraAuth } from './jira-rest.js';
import { quoteJqlValue } from './jql.js';
import type { JiraDeployment } from './jira-ticket-tracker.js';

export interface JiraPreflightOptions {
  readonly baseUrl: string;
  readonly deployment: JiraDeployment;
  readonly auth: JiraAuth;
  readonly projectKey: string;
  readonly request?: JiraRequestFunction;
  readonly timeoutMs?: number;
}

export interface JiraProject {
  readonly id: string;
  readonly key: string;
  readonly issueTypes: readonly { readonly id: string; readonly name: string }[];
}

/** One field of the create screen, as `createmeta` describes it. */
export interface CreateScreenField {
  readonly fieldId: string;
  readonly name: string;
  readonly required: boolean;
  readonly hasDefaultValue: boolean;
}

/** Transition names offered on sampled issues of one status category, and which issues were sampled. */
export interface TransitionSample {
  readonly issues: readonly string[];
  readonly names: readonly string[];
  /** transition name → the resolutions its screen offers, for transitions whose screen has a resolution */
  readonly resolutions: Readonly<Record<string, readonly string[]>>;
}

const projectSchema = z.object({
  id: z.string(),
  key: z.string(),
  issueTypes: z.array(z.object({ id: z.string(), name: z.string() })).default([]),
});

const createFieldSchema = z
  .object({
    fieldId: z.string().optional(),
    key: z.string().optional(),
    name: z.string(),
    required: z.boolean(),
    hasDefaultValue: z.boolean().optional(),
  })
  .transform((field) => ({
    fieldId: field.fieldId ?? field.key ?? field.name,
    name: field.name,
    required: field.required,
    hasDefaultValue: field.hasDefaultValue ?? false,
  }));

// Cloud pages name their list (`fields`, formerly `results`); Data Center pages use `values`.
const createFieldsPageSchema = z.object({
  startAt: z.number().optional(),
  total: z.number().optional(),
  isLast: z.boolean().optional(),
  fields: z.array(createFieldSchema).optional(),
  results: z.array(createFieldSchema).optional(),
  values: z.array(createFieldSchema).optional(),
});

const permissionsSchema = z.object({
  permissions: z.record(z.string(), z.object({ havePermission: z.boolean() })),
});

const searchSchema = z.object({ issues: z.array(z.object({ key: z.string() })) });
const transitionNamesSchema = z.object({
  transitions: z.array(
    z.object({
      name: z.string(),
      fields: z
        .record(
          z.string(),
          z.object({ allowedValues: z.array(z.object({ name: z.string().optional() })).optional() }),
        )
        .optional(),
    }),
  ),
});

const MAX_FIELD_PAGES = 20;
const SAMPLED_ISSUES = 5;

/**
 * Read-only questions `check-config` asks Jira before the first poll: does the project and issue type exist,
 * what does the create screen require, which permissions does the account hold, which transitions exist.
 */
export class JiraPreflight {
  private readonly rest: JiraRest;
  private readonly cloud: boolean;

  constructor(private readonly options: JiraPreflightOptions) {
    this.cloud = options.deployment === 'cloud';
    this.rest = new JiraRest({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      apiVersion: this.cloud ? '3' : '2',
      auth: options.auth,
      request: options.request ?? createFetchRequest(),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /** The project with its issue types; fails with `jira.not_found` when it does not exist or is hidden. */
  async project(): Promise<JiraProject> {
    const key = encodeURIComponent(this.options.projectKey);
    return parseAnswer(projectSchema, await this.rest.send('GET', `/project/${key}`), 'project');
  }

  /** Every field of the create screen of this issue type (all pages). */
  async createScreen(issueTypeId: string): Promise<CreateScreenField[]> {
    const base = `/issue/createmeta/${encodeURIComponent(this.options.projectKey)}/issuetypes/${encodeURIComponent(issueTypeId)}`;
    const fields: CreateScreenField[] = [];
    for (let page = 0; page < MAX_FIELD_PAGES; page += 1) {
      const answer = parseAnswer(
        createFieldsPageSchema,
        await this.rest.send('GET', base, { query: { startAt: String(fields.length), maxResults: '50' } }),
        'createmeta',
      );
      const items = answer.fields ?? answer.results ?? answer.values ?? [];
      fields.push(...items);
      const done =
        items.length === 0 ||
        answer.isLast === true ||
        (answer.total !== undefined && fields.length >= answer.total);
      if (done) return fields;
    }
    return fields;
  }

  /** Whether the account holds each project permission in the project. */
  async permissions(keys: readonly string[]): Promise<Record<string, boolean>> {
    const answer = parseAnswer(
      permissionsSchema,
      await this.rest.send('GET', '/mypermissions', {
        query: { projectKey: this.options.projectKey, permissions: keys.join(',') },
      }),
      'mypermissions',
    );
    return Object.fromEntries(keys.map((key) => [key, answer.permissions[key]?.havePermission === true]));
  }

  /**
   * Transition names offered on a few issues of this type in a status category (`To Do` or `Done`). Listing a
   * workflow itself needs Jira administration rights, which hubwarden's account should not have.
   */
  async transitionsFrom(issueType: string, category: 'To Do' | 'Done'): Promise<TransitionSample> {
    const jql =
      `project = ${quoteJqlValue(this.options.projectKey)} AND issuetype = ${quoteJqlValue(issueType)}` +
      ` AND statusCategory = ${quoteJqlValue(category)} ORDER BY created DESC`;
    const body = { jql, fields: ['status'], maxResults: SAMPLED_ISSUES };
    const { issues } = parseAnswer(
      searchSchema,
      await this.rest.send('POST', this.cloud ? '/search/jql' : '/search', { body }),
      'search',
    );
    const names = new Set<string>();
    const resolutions: Record<string, string[]> = {};
    for (const issue of issues.slice(0, SAMPLED_ISSUES)) {
      const answer = parseAnswer(
        transitionNamesSchema,
        await this.rest.send('GET', `/issue/${encodeURIComponent(issue.key)}/transitions`, {
          query: { expand: 'transitions.fields' },
        }),
        'transitions',
      );
      for (const transition of answer.transitions) {
        names.add(transition.name);
        const resolution = transition.fields?.resolution;
        if (resolution) {
          resolutions[transition.name] = (resolution.allowedValues ?? []).flatMap((value) =>
            value.name === undefined ? [] : [value.name],
          );
        }
      }
    }
    return { issues: issues.map((issue) => issue.key), names: [...names], resolutions };
  }
}
