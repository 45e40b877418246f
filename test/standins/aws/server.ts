import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { AwsError } from './aws-error.js';
import type { EcrStandIn } from './ecr.js';
import type { SecurityHubStandIn } from './securityhub.js';
import { parseCredentialScope } from './sigv4.js';
import { stsErrorXml } from './sts.js';
import type { Identity, StsStandIn } from './sts.js';
import type { TrafficControl } from './traffic-control.js';

type Protocol = 'rest-json' | 'json-1.1' | 'query';

interface Route {
  readonly protocol: Protocol;
  readonly service: 'securityhub' | 'ecr' | 'sts';
  readonly operation: string;
}

export interface Services {
  readonly securityHub: SecurityHubStandIn;
  readonly ecr: EcrStandIn;
  readonly sts: StsStandIn;
  readonly traffic: TrafficControl;
}

const ECR_TARGET = 'AmazonEC2ContainerRegistry_V20150921.';

const SECURITY_HUB_ROUTES: Readonly<Record<string, string>> = {
  'POST /findings': 'GetFindings',
  'PATCH /findings/batchupdate': 'BatchUpdateFindings',
};

/** One port for all three services: the protocol's own markers say which one a request is for. */
const routeOf = (request: IncomingMessage, body: string): Route | undefined => {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith(ECR_TARGET)) {
    return { protocol: 'json-1.1', service: 'ecr', operation: target.slice(ECR_TARGET.length) };
  }
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  if (String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return { protocol: 'query', service: 'sts', operation: new URLSearchParams(body).get('Action') ?? '' };
  }
  const operation = SECURITY_HUB_ROUTES[`${request.method ?? ''} ${path.replace(/\/$/, '')}`];
  return operation === undefined ? undefined : { protocol: 'rest-json', service: 'securityhub', operation };
};

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const parseJson = (body: string): Record<string, unknown> => {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // answered below as the services do for a body they cannot read
  }
  throw new AwsError(400, 'SerializationException', 'Request body is not valid JSON');
};

const CONTENT_TYPES: Readonly<Record<Protocol, string>> = {
  'rest-json': 'application/json',
  'json-1.1': 'application/x-amz-json-1.1',
  query: 'text/xml',
};

const send = (
  response: ServerResponse,
  protocol: Protocol,
  status: number,
  body: string,
  headers: Record<string, string>,
) => {
  response.writeHead(status, {
    'content-type': CONTENT_TYPES[protocol],
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(body);
};

const sendError = (response: ServerResponse, protocol: Protocol, error: AwsError): void => {
  if (protocol === 'query') {
    send(response, protocol, error.status, stsErrorXml(error), { ...error.headers });
    return;
  }
  const body =
    protocol === 'rest-json'
      ? { Code: error.code, Message: error.message, message: error.message }
      : { __type: error.code, message: error.message };
  send(response, protocol, error.status, JSON.stringify(body), {
    'x-amzn-errortype': error.code,
    ...error.headers,
  });
};

const callerOf = (services: Services, request: IncomingMessage): { identity: Identity; region: string } => {
  const scope = parseCredentialScope(request.headers.authorization);
  if (scope === undefined) {
    throw new AwsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const identity = services.sts.identityOf(scope.accessKeyId);
  if (identity === undefined) {
    throw new AwsError(
      403,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  }
  return { identity, region: scope.region };
};

const dispatch = (services: Services, route: Route, request: IncomingMessage, body: string): string => {
  const scope = parseCredentialScope(request.headers.authorization);
  if (route.service === 'sts') {
    if (scope === undefined)
      throw new AwsError(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
    return services.sts.handle(route.operation, new URLSearchParams(body), scope.accessKeyId);
  }
  const { identity, region } = callerOf(services, request);
  if (route.service === 'ecr') {
    return JSON.stringify(services.ecr.handle(route.operation, parseJson(body), identity, region));
  }
  const input = parseJson(body);
  const output =
    route.operation === 'GetFindings'
      ? services.securityHub.getFindings(input)
      : services.securityHub.batchUpdateFindings(input);
  return JSON.stringify(output);
};

export const listen = async (services: Services): Promise<{ url: string; close: () => Promise<void> }> => {
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const route = routeOf(request, body);
      if (route === undefined) {
        send(response, 'rest-json', 404, JSON.stringify({ message: 'No such route' }), {});
        return;
      }
      try {
        services.traffic.admit(`${route.service}.${route.operation}`);
        send(response, route.protocol, 200, dispatch(services, route, request, body), {});
      } catch (error) {
        const aws =
          error instanceof AwsError
            ? error
            : new AwsError(
                500,
                route.service === 'ecr' ? 'ServerException' : 'InternalException',
                String(error),
              );
        sendError(response, route.protocol, aws);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
};
