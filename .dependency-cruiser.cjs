/** The dependency rule: the core is pure (no AWS, Jira, Slack, BullMQ or Redis); adapters never reach into each other. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'src/core decides; it may not import adapters, the app, workers or any vendor SDK.',
      severity: 'error',
      from: { path: '^src/core' },
      to: {
        path: [
          '^src/(adapters|app|cli|http|config)',
          '^workers',
          '@aws-sdk',
          '@slack',
          'jira-client',
          'bullmq',
          'ioredis',
          'prom-client',
          'pino',
        ],
      },
    },
    {
      name: 'adapters-are-independent',
      comment: 'one vendor adapter does not import another; the composition root wires them.',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/([^/]+)/', pathNot: '^src/adapters/$1/' },
    },
    {
      name: 'workers-are-thin',
      comment:
        'workers call core use cases through ports; of the adapters they see only the job payloads (enqueueing, scheduling and error steering live in src/adapters/bullmq).',
      severity: 'error',
      from: { path: '^workers' },
      to: {
        path: ['^src/adapters/', '^src/app', '@aws-sdk', '@slack', 'jira-client', 'ioredis'],
        pathNot: '^src/adapters/bullmq/job-data[.]ts$',
      },
    },
    {
      name: 'bullmq-is-one-adapter',
      comment: 'only the BullMQ adapter, the composition (app, cli) and the processors speak BullMQ.',
      severity: 'error',
      from: { pathNot: '^(src/adapters/bullmq|src/app|src/cli|workers)/' },
      to: { path: '(^|/)node_modules/bullmq/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(test|node_modules)' },
  },
};
