import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SecurityHubFindingsSource } from '../../src/adapters/aws/securityhub-findings-source.js';
import { countUnprocessedFindings } from '../../src/app/instrument-ports.js';
import { createMetrics } from '../../src/app/metrics.js';
import { ecr2Finding } from '../fixtures/ecr2-findings.js';
import { startAwsStandIn, type AwsStandIn } from '../standins/aws/index.js';
import { fakeClock, securityHubClientFor } from '../adapters/aws/helpers.js';

describe('hubwarden_findings_unprocessed_total', () => {
  let standIn: AwsStandIn;
  beforeAll(async () => {
    standIn = await startAwsStandIn();
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('counts findings Security Hub refuses for good as left alone, by error code', async () => {
    const finding = ecr2Finding({ accountId: '222222222222', region: 'us-east-1', repositoryName: 'big' });
    standIn.securityHub.addFindings([{ ...finding, Description: 'x'.repeat(245 * 1024) }]);
    const productArn = String(finding['ProductArn']);
    const metrics = createMetrics();
    const client = securityHubClientFor(standIn);
    const source = countUnprocessedFindings(
      new SecurityHubFindingsSource({ client, clock: fakeClock() }),
      metrics,
    );
    await source.updateWorkflow({
      findings: [
        { id: String(finding['Id']), productArn },
        { id: `${String(finding['Id'])}-gone`, productArn },
      ],
      workflow: 'NOTIFIED',
      note: 'Ticket SEC-1 opened for payments',
    });
    client.destroy();
    const values = (await metrics.findingsUnprocessed.get()).values;
    expect(values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          labels: { error_code: 'FindingSizeExceeded', outcome: 'left_alone' },
          value: 1,
        }),
        expect.objectContaining({
          labels: { error_code: 'FindingNotFound', outcome: 'left_alone' },
          value: 1,
        }),
      ]),
    );
    expect(values).toHaveLength(2);
  });
});
