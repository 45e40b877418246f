import { randomBytes } from 'node:crypto';

import { AwsError } from './aws-error.js';

export interface Identity {
  readonly accountId: string;
  readonly arn: string;
  readonly userId: string;
  /** set for assumed-role credentials */
  readonly roleArn: string | undefined;
}

interface Session extends Identity {
  readonly expiresAt: number;
}

export interface AssumeRoleRecord {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly externalId: string | undefined;
  readonly callerAccessKeyId: string;
  readonly accessKeyId: string;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

const xmlEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const randomUpper = (bytes: number): string => randomBytes(bytes).toString('hex').toUpperCase();

/**
 * STS: AssumeRole hands out keys `ASIA<account id><4 hex>` (so any later call reveals the account it acts in),
 * and every key the stand-in knows resolves to an identity for the other services.
 */
export class StsStandIn {
  readonly assumeRoleCalls: AssumeRoleRecord[] = [];
  private readonly sessions = new Map<string, Session>();
  private readonly externalIds = new Map<string, string>();
  private readonly deniedRoles = new Set<string>();

  constructor(
    private readonly base: { accessKeyId: string; accountId: string; partition: string },
    private readonly now: () => number,
  ) {}

  /** AssumeRole of this role then needs exactly this ExternalId. */
  requireExternalId(roleArn: string, externalId: string): void {
    this.externalIds.set(roleArn, externalId);
  }

  /** AssumeRole of this role is refused (as when its trust policy does not name the caller). */
  denyRole(roleArn: string): void {
    this.deniedRoles.add(roleArn);
  }

  /** The identity behind an access key; `undefined` for a key this STS never issued. */
  identityOf(accessKeyId: string): Identity | undefined {
    if (accessKeyId === this.base.accessKeyId) {
      return {
        accountId: this.base.accountId,
        arn: `arn:${this.base.partition}:iam::${this.base.accountId}:user/hubwarden`,
        userId: 'AIDAHUBWARDENSTANDIN',
        roleArn: undefined,
      };
    }
    const session = this.sessions.get(accessKeyId);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.now()) {
      throw new AwsError(
        400,
        'ExpiredTokenException',
        'The security token included in the request is expired',
      );
    }
    return session;
  }

  /** Renders a query-protocol answer: `<Op>Response><Op>Result>…` */
  handle(action: string, params: URLSearchParams, callerAccessKeyId: string): string {
    const caller = this.identityOf(callerAccessKeyId);
    if (caller === undefined) {
      throw new AwsError(
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    }
    if (action === 'GetCallerIdentity') {
      return this.wrap(
        action,
        `<Arn>${xmlEscape(caller.arn)}</Arn><UserId>${xmlEscape(caller.userId)}</UserId>` +
          `<Account>${caller.accountId}</Account>`,
      );
    }
    if (action === 'AssumeRole') return this.assumeRole(params, caller, callerAccessKeyId);
    throw new AwsError(400, 'InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
  }

  private assumeRole(params: URLSearchParams, caller: Identity, callerAccessKeyId: string): string {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const externalId = params.get('ExternalId') ?? undefined;
    const match = ROLE_ARN.exec(roleArn);
    if (match === null) {
      throw new AwsError(
        400,
        'ValidationError',
        `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint`,
      );
    }
    if (!SESSION_NAME.test(sessionName)) {
      throw new AwsError(400, 'ValidationError', `Value '${sessionName}' at 'roleSessionName' is invalid`);
    }
    const required = this.externalIds.get(roleArn);
    if (this.deniedRoles.has(roleArn) || (required !== undefined && required !== externalId)) {
      throw new AwsError(
        403,
        'AccessDenied',
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const duration = Number(params.get('DurationSeconds') ?? '3600');
    const [, partition, accountId, roleName] = match;
    const accessKeyId = `ASIA${accountId}${randomUpper(2)}`;
    const roleId = `AROA${randomUpper(8)}`;
    const session: Session = {
      accountId: accountId ?? '',
      arn: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      roleArn,
      expiresAt: this.now() + duration * 1000,
    };
    this.sessions.set(accessKeyId, session);
    this.assumeRoleCalls.push({
      roleArn,
      roleSessionName: sessionName,
      externalId,
      callerAccessKeyId,
      accessKeyId,
    });
    return this.wrap(
      'AssumeRole',
      `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId>` +
        `<SecretAccessKey>${randomUpper(20)}</SecretAccessKey>` +
        `<SessionToken>${randomBytes(48).toString('base64')}</SessionToken>` +
        `<Expiration>${new Date(session.expiresAt).toISOString()}</Expiration></Credentials>` +
        `<AssumedRoleUser><Arn>${xmlEscape(session.arn)}</Arn>` +
        `<AssumedRoleId>${xmlEscape(session.userId)}</AssumedRoleId></AssumedRoleUser>` +
        `<PackedPolicySize>0</PackedPolicySize>`,
    );
  }

  private wrap(action: string, result: string): string {
    return (
      `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>${randomBytes(16).toString('hex')}</RequestId></ResponseMetadata>` +
      `</${action}Response>`
    );
  }
}

export const stsErrorXml = (error: AwsError): string =>
  `<ErrorResponse xmlns="${NS}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
  `<Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error>` +
  `<RequestId>${randomBytes(16).toString('hex')}</RequestId></ErrorResponse>`;
