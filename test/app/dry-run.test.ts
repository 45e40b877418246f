import { describe, expect, it } from 'vitest';
import { dryRunPorts } from '../../src/app/dry-run.js';
import type { Logger } from '../../src/core/ports/logger.js';
import {
  FakeChat,
  FakeFindingsSource,
  FakeRepositoryRegistry,
  FakeTicketTracker,
  findingOf,
} from '../support/fake-ports.js';

const recordingLogger = () => {
  const lines: { fields: object; message: string }[] = [];
  const log: Logger = {
    debug: () => undefined,
    info: (fields, message) => void lines.push({ fields, message }),
    warn: () => undefined,
    error: () => undefined,
    child: () => log,
  };
  return { log, lines };
};

describe('the dry run registry', () => {
  const repository = findingOf({
    accountId: '111111111111',
    region: 'eu-west-1',
    repositoryName: 'team/api',
  }).repository;

  it("reads a control's setting for real and only says what its fix would do", async () => {
    const registry = new FakeRepositoryRegistry().set(repository.arn, { mutability: 'MUTABLE' });
    const { log, lines } = recordingLogger();
    const ports = dryRunPorts(
      {
        findingsSource: new FakeFindingsSource(),
        registry,
        tracker: new FakeTicketTracker(),
        chat: new FakeChat(),
      },
      log,
    );
    expect(await ports.registry.readSetting('ECR.2', repository)).toBe('MUTABLE');
    await ports.registry.applyFix('ECR.2', repository);
    expect(await registry.readSetting('ECR.2', repository)).toBe('MUTABLE');
    expect(registry.calls.map((call) => call.method)).toEqual(['readSetting', 'readSetting']);
    expect(lines).toEqual([
      {
        fields: { dryRun: true, repositoryArn: repository.arn },
        message: 'dry run: would make tags immutable',
      },
    ]);
  });
});
