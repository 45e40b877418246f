export {
  startJiraStandIn,
  type JiraStandIn,
  type JiraStandInOptions,
  type RecordedRequest,
  type StandInAuth,
} from './jira-stand-in.js';
export type { JiraFault } from './faults.js';
export type { StandInIssue, StandInUser, StandInStatus, StatusCategoryKey } from './issue-store.js';
export type { JiraRateLimit } from './rate-limit.js';
