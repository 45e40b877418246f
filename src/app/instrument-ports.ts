import { errorKindOf } from '../core/errors.js';
import type { FindingsSource } from '../core/ports/findings-source.js';
import type { Metrics } from './metrics.js';

type Service = 'securityhub' | 'ecr' | 'jira' | 'slack';

const outcomeOf = (error: unknown) => errorKindOf(error).replace('-', '_');

/**
 * Wraps every method of a port so each provider call is counted by service, operation and outcome
 * (`ok`, `rate_limited`, `retryable`, `permanent`). Async iterables count one call per page.
 */
export const instrumentPort = <T extends object>(port: T, service: Service, metrics: Metrics): T =>
  new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const operation = property;
      const count = (outcome: string) => metrics.providerCalls.inc({ service, operation, outcome });
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...inner: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          count(outcomeOf(error));
          throw error;
        }
        if (result instanceof Promise) {
          return result.then(
            (resolved) => (count('ok'), resolved),
            (error: unknown) => {
              count(outcomeOf(error));
              throw error;
            },
          );
        }
        if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
          return countPages(result as AsyncIterable<unknown>, count);
        }
        return result;
      };
    },
  });

async function* countPages<T>(pages: AsyncIterable<T>, count: (outcome: string) => void): AsyncIterable<T> {
  const iterator = pages[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await iterator.next();
    } catch (error) {
      count(outcomeOf(error));
      throw error;
    }
    if (next.done) return;
    count('ok');
    yield next.value;
  }
}

/** Counts findings that BatchUpdateFindings left unprocessed: refused for good (left alone) or retried. */
export const countUnprocessedFindings = (source: FindingsSource, metrics: Metrics): FindingsSource => ({
  pages: (query) => source.pages(query),
  updateWorkflow: async (update) => {
    const result = await source.updateWorkflow(update);
    for (const finding of result.unprocessed) {
      metrics.findingsUnprocessed.inc({
        error_code: finding.errorCode,
        outcome: finding.permanent ? 'left_alone' : 'retried',
      });
    }
    return result;
  },
});
