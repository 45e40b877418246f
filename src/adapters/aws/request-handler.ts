/**
 * How long an AWS call may wait. The SDK's default is no limit at all: a provider (or a proxy, or a
 * black-holed route) that accepts the connection and never answers would hold the poll lock or a
 * repository lock for ever.
 */
export interface AwsTimeouts {
  /** TCP (and TLS) connection set-up */
  readonly connectMs: number;
  /** one request, from sending it to the last byte of the answer */
  readonly requestMs: number;
}

/**
 * Connect 3 s: an AWS endpoint answers a SYN in milliseconds, so seconds mean it is unreachable.
 * Request 20 s: a GetFindings page of 100 large findings takes a few seconds; 20 s leaves room for a slow
 * day without letting a hung call hold a lock for minutes.
 */
export const DEFAULT_AWS_TIMEOUTS: AwsTimeouts = { connectMs: 3_000, requestMs: 20_000 };

/** The options of the SDK's Node.js request handler; every AWS client and credentials provider gets them. */
export interface AwsRequestHandlerOptions {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  /** without it the SDK only logs a warning when `requestTimeout` passes and keeps waiting */
  readonly throwOnRequestTimeout: true;
}

/**
 * The request handler settings of every AWS client hubwarden builds (Security Hub, ECR, STS and the STS
 * client behind assumed-role credentials). Given as options, not as a handler instance, so each client owns
 * its own handler and destroying one client never closes another's sockets.
 */
export const awsRequestHandler = (
  timeouts: AwsTimeouts = DEFAULT_AWS_TIMEOUTS,
): AwsRequestHandlerOptions => ({
  connectionTimeout: timeouts.connectMs,
  requestTimeout: timeouts.requestMs,
  throwOnRequestTimeout: true,
});
