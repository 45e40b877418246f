const MAX_REASON_LENGTH = 300;

interface ErrorLike {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  /** @slack/web-api keeps the underlying error here */
  readonly original?: unknown;
}

const asErrorLike = (value: unknown): ErrorLike | undefined =>
  typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;

/**
 * Why a request got no answer, from the deepest error that says so: its system code and message, e.g.
 * `ECONNREFUSED (connect ECONNREFUSED 10.0.0.5:443)` or `ENOTFOUND (getaddrinfo ENOTFOUND jira.acme)`.
 * Wrappers such as fetch's `TypeError: fetch failed` say nothing of their own, so the chain (`cause`,
 * `original`) is followed to the end. Only error codes and messages are read, never request options.
 */
export const networkReason = (error: unknown): string => {
  const chain: ErrorLike[] = [];
  for (let current = asErrorLike(error); current && chain.length < 6;) {
    chain.push(current);
    current = asErrorLike(current.cause) ?? asErrorLike(current.original);
  }
  const withCode = [...chain]
    .reverse()
    .find((link) => typeof link.code === 'string' && /^E[A-Z_]+$/.test(link.code));
  const deepest = chain.at(-1);
  const message =
    typeof (withCode ?? deepest)?.message === 'string' ? String((withCode ?? deepest)!.message) : '';
  const reason = withCode
    ? `${String(withCode.code)}${message ? ` (${message})` : ''}`
    : message || 'no reason given';
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
};

/** A provider's own message, on one line and bounded, for an error line. */
export const providerMessage = (message: unknown): string => {
  if (typeof message !== 'string') return '';
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH - 1)}…` : line;
};
