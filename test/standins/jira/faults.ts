/** A fault the stand-in applies to the next `times` requests (matching `route` when given). */
export interface JiraFault {
  /** answer with this status instead of serving the request, e.g. 429, 500, 503 */
  readonly status?: number;
  /** `Retry-After` header: seconds, or an HTTP-date string */
  readonly retryAfter?: number | string;
  /** wait this long before answering (or before serving the request when no status is set) */
  readonly delayMs?: number;
  /** how many requests it applies to; default 1 */
  readonly times?: number;
  /** route name as counted in `calls`, e.g. `POST /rest/api/3/search/jql` */
  readonly route?: string;
  /**
   * Jira's per-field errors for a refusal, e.g. `{ customfield_10010: 'Team is required.' }` (what Jira
   * answers, with status 400, to a create that misses a field the create screen requires)
   */
  readonly errors?: Readonly<Record<string, string>>;
}

interface ArmedFault {
  readonly fault: JiraFault;
  remaining: number;
}

export class FaultQueue {
  private readonly armed: ArmedFault[] = [];

  add(fault: JiraFault): void {
    this.armed.push({ fault, remaining: fault.times ?? 1 });
  }

  /** The fault for a request on this route, consumed; `undefined` when none applies. */
  take(route: string): JiraFault | undefined {
    const match = this.armed.find((armed) => armed.fault.route === undefined || armed.fault.route === route);
    if (!match) return undefined;
    match.remaining -= 1;
    if (match.remaining <= 0) this.armed.splice(this.armed.indexOf(match), 1);
    return match.fault;
  }

  clear(): void {
    this.armed.length = 0;
  }
}
