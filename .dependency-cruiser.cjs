/** The dependency rule of STYLE.md: the core is pure; adapters never reach into each other. */
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
      comment: 'workers call core use cases through ports; they never import a vendor adapter.',
      severity: 'error',
      from: { path: '^workers' },
      to: { path: ['^src/adapters/(aws|jira|slack)', '@aws-sdk', '@slack', 'jira-client'] },
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
