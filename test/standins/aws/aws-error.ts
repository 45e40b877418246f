/**
 * An error the stand-in answers with. Each protocol renders it the way the real service does, so that the
 * SDK's own deserializer turns it into the exception class (or synthetic exception name) AWS would.
 */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const invalidInput = (message: string): AwsError =>
  new AwsError(400, 'InvalidInputException', message);

export const accessDenied = (message: string): AwsError =>
  new AwsError(403, 'AccessDeniedException', message);
