import type { JiraProject } from '../../adapters/jira/index.js';
import type { Service } from '../../app/composition-root.js';
import { isHubwardenError } from '../../core/errors.js';
import { failCheck, type Check } from './check.js';

/** Fields hubwarden fills on every ticket it creates. */
const FIELDS_HUBWARDEN_SETS = ['project', 'issuetype', 'summary', 'description', 'labels', 'assignee'];
/** Of those, the ones the create screen must offer (Jira refuses a field that is not on the screen). */
const FIELDS_ON_SCREEN = ['summary', 'description', 'labels', 'assignee'];

/** Project permissions hubwarden uses, with what for. */
const JIRA_PERMISSIONS: Readonly<Record<string, string>> = {
  BROWSE_PROJECTS: 'find tickets',
  CREATE_ISSUES: 'create tickets',
  EDIT_ISSUES: 'update ticket descriptions',
  ASSIGN_ISSUES: 'assign owners',
  TRANSITION_ISSUES: 'close and reopen tickets',
  ADD_COMMENTS: 'comment on tickets',
};

const quoted = (names: readonly string[]): string => names.map((name) => `"${name}"`).join(', ') || 'none';

const sameName = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Jira: the credentials, the project and issue type, the create screen's required fields, the account's
 * permissions, and the transition names of the issue type's workflow.
 */
export const jiraChecks = (service: Service): Check[] => {
  const { env } = service.config;
  const preflight = service.jiraPreflight;
  const project = env.JIRA_PROJECT;
  const issueType = env.JIRA_ISSUE_TYPE;
  let projectAnswer: Promise<JiraProject> | undefined;
  const readProject = () => (projectAnswer ??= preflight.project());
  const issueTypeId = async (): Promise<string> => {
    let found: JiraProject;
    try {
      found = await readProject();
    } catch (error) {
      if (!isHubwardenError(error) || error.code !== 'jira.not_found') throw error;
      return failCheck(
        `project ${project} does not exist or hubwarden's Jira user cannot see it`,
        "set JIRA_PROJECT to the project's key, or give hubwarden's Jira user Browse Projects in it",
      );
    }
    const type = found.issueTypes.find((candidate) => sameName(candidate.name, issueType));
    return (
      type?.id ??
      failCheck(
        `project ${project} has no issue type "${issueType}" (it has ${quoted(found.issueTypes.map((t) => t.name))})`,
        'set JIRA_ISSUE_TYPE to one of them',
      )
    );
  };

  const transitionCheck = (
    name: string,
    category: 'To Do' | 'Done',
    wanted: readonly { setting: string; value: string }[],
  ): Check => ({
    name,
    needs: 'jira project',
    run: async () => {
      const sample = await preflight.transitionsFrom(issueType, category);
      const names = wanted.map((entry) => entry.value);
      if (sample.issues.length === 0) {
        return `${quoted(names)} not verifiable yet: no ${issueType} in ${project} is in a ${category} status`;
      }
      const missing = wanted.filter(
        (entry) => !sample.names.some((offered) => sameName(offered, entry.value)),
      );
      if (missing.length > 0) {
        return failCheck(
          `no transition ${quoted(missing.map((entry) => entry.value))} from ${category} on ${sample.issues.join(', ')}; offered: ${quoted(sample.names)}`,
          `set ${missing.map((entry) => entry.setting).join(' and ')} to offered names, or add the transition to the workflow of ${issueType}`,
        );
      }
      // A close screen with a resolution gets JIRA_CLOSE_RESOLUTION, which must be one it offers.
      const screens =
        category === 'To Do'
          ? Object.entries(sample.resolutions).filter(([offered]) =>
              names.some((name) => sameName(name, offered)),
            )
          : [];
      const refusing = screens.filter(
        ([, allowed]) =>
          allowed.length > 0 && !allowed.some((value) => sameName(value, env.JIRA_CLOSE_RESOLUTION)),
      );
      if (refusing.length > 0) {
        return failCheck(
          `${quoted(refusing.map(([name]) => name))} ask for a resolution, and JIRA_CLOSE_RESOLUTION "${env.JIRA_CLOSE_RESOLUTION}" is not one they offer (${quoted(refusing[0]?.[1] ?? [])})`,
          'set JIRA_CLOSE_RESOLUTION to one of them',
        );
      }
      const resolution = screens.length > 0 ? `, with resolution "${env.JIRA_CLOSE_RESOLUTION}"` : '';
      return `${quoted(names)} offered on ${sample.issues.join(', ')}${resolution}`;
    },
  });

  const closeTransitions = [
    { setting: 'JIRA_DONE_TRANSITION', value: env.JIRA_DONE_TRANSITION },
    ...(env.JIRA_SUPPRESSED_TRANSITION && !sameName(env.JIRA_SUPPRESSED_TRANSITION, env.JIRA_DONE_TRANSITION)
      ? [{ setting: 'JIRA_SUPPRESSED_TRANSITION', value: env.JIRA_SUPPRESSED_TRANSITION }]
      : []),
  ];

  return [
    {
      name: 'jira',
      run: async () => {
        const me = await service.jira.myself();
        return `authenticated as ${me.displayName ?? me.accountId ?? me.userName ?? 'unknown'}`;
      },
    },
    {
      name: 'jira project',
      needs: 'jira',
      run: async () => `project ${project} has issue type "${issueType}" (id ${await issueTypeId()})`,
    },
    {
      name: 'jira create screen',
      needs: 'jira project',
      run: async () => {
        const screen = await preflight.createScreen(await issueTypeId());
        const extra = Object.keys(env.JIRA_EXTRA_FIELDS ?? {});
        const given = new Set([...FIELDS_HUBWARDEN_SETS, ...extra]);
        const unfilled = screen.filter(
          (field) => field.required && !field.hasDefaultValue && !given.has(field.fieldId),
        );
        if (unfilled.length > 0) {
          const example = Object.fromEntries(unfilled.map((field) => [field.fieldId, '...']));
          return failCheck(
            `required fields hubwarden does not fill: ${unfilled.map((field) => `${field.fieldId} (${field.name})`).join(', ')}`,
            `give them values in JIRA_EXTRA_FIELDS, e.g. JIRA_EXTRA_FIELDS='${JSON.stringify(example)}', or make them optional for ${issueType} in ${project}`,
          );
        }
        const onScreen = new Set(screen.map((field) => field.fieldId));
        const absent = [...FIELDS_ON_SCREEN, ...extra].filter((field) => !onScreen.has(field));
        if (absent.length > 0) {
          return failCheck(
            `fields not on the create screen of ${issueType}: ${absent.join(', ')} (Jira refuses a ticket that sets them)`,
            `add them to the create screen of ${issueType} in ${project}${extra.some((field) => absent.includes(field)) ? ', or remove them from JIRA_EXTRA_FIELDS' : ''}`,
          );
        }
        return `every required field is filled (${screen.filter((field) => field.required).length} required, ${extra.length} from JIRA_EXTRA_FIELDS)`;
      },
    },
    {
      name: 'jira permissions',
      needs: 'jira project',
      run: async () => {
        const held = await preflight.permissions(Object.keys(JIRA_PERMISSIONS));
        const lacking = Object.keys(JIRA_PERMISSIONS).filter((key) => !held[key]);
        if (lacking.length === 0) return `${Object.keys(JIRA_PERMISSIONS).join(', ')} in ${project}`;
        return failCheck(
          `missing in ${project}: ${lacking.map((key) => `${key} (${JIRA_PERMISSIONS[key]})`).join(', ')}`,
          `grant them to hubwarden's Jira user in the permission scheme of ${project}`,
        );
      },
    },
    transitionCheck('jira close transitions', 'To Do', closeTransitions),
    transitionCheck('jira reopen transition', 'Done', [
      { setting: 'JIRA_REOPEN_TRANSITION', value: env.JIRA_REOPEN_TRANSITION },
    ]),
  ];
};
