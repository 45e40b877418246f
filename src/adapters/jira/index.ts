export { docToAdf, type AdfDoc } from './adf.js';
export { docToWiki, escapeWikiText } from './wiki.js';
export {
  classifyJiraResponse,
  createFetchRequest,
  parseRetryAfter,
  type FetchRequestOptions,
  type JiraRequestFunction,
  type JiraRequestOptions,
} from './fetch-request.js';
export type { JiraAuth } from './jira-rest.js';
export {
  JiraTicketTracker,
  type JiraDeployment,
  type JiraMyself,
  type JiraTicketTrackerOptions,
} from './jira-ticket-tracker.js';
export {
  JiraPreflight,
  type CreateScreenField,
  type JiraPreflightOptions,
  type JiraProject,
  type TransitionSample,
} from './jira-preflight.js';
