/** What the stand-in needs from a SigV4 `Authorization` header (the signature itself is not verified). */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/;

export const parseCredentialScope = (authorization: string | undefined): CredentialScope | undefined => {
  if (authorization === undefined || !authorization.startsWith('AWS4-HMAC-SHA256')) return undefined;
  const match = CREDENTIAL.exec(authorization);
  if (match === null) return undefined;
  const [, accessKeyId, date, region, service] = match;
  if (accessKeyId === undefined || date === undefined || region === undefined || service === undefined) {
    return undefined;
  }
  return { accessKeyId, date, region, service };
};
