import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
const blocks = readdirSync(docs)
  .filter((file) => file.endsWith('.md'))
  .flatMap((file) =>
    [...readFileSync(join(docs, file), 'utf8').matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((match) => ({
      file,
      body: match[1]!,
    })),
  );

/** Node ids of a flowchart, declared (`id[...]`, `id(...)`, `id{...}`) and used at either end of an edge. */
const flowchartNodes = (body: string) => {
  const declared = new Set(
    [...body.matchAll(/(?:^|\s|>|\|)([A-Za-z_][\w-]*)\s*[[({]/gm)].map((match) => match[1]!),
  );
  const used = new Set(
    body
      .split('\n')
      .slice(1)
      .filter((line) => /--|-\.->|==>/.test(line))
      .flatMap((line) =>
        line
          .replace(/\|[^|]*\|/g, ' ')
          .replace(/\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|"[^"]*"/g, ' ')
          .split(/-\.->|-->|==>|-\.-|---/)
          .map((part) => part.trim())
          .filter((part) => part !== ''),
      ),
  );
  return { declared, used };
};

describe('diagrams in docs/ render on GitHub', () => {
  it('each is a Mermaid block of a known kind', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const { file, body } of blocks)
      expect(body.split('\n')[0], file).toMatch(
        /^(flowchart (LR|TD|TB|RL)|sequenceDiagram|stateDiagram-v2)$/,
      );
  });

  it('docs/architecture.md draws the flow: finding → queue → ticket and message → fix or suppress → review', () => {
    const flow = blocks.find(
      ({ file, body }) =>
        file === 'architecture.md' && /security review/.test(body) && body.startsWith('flowchart'),
    );
    expect(flow).toBeDefined();
    for (const step of [
      'finding',
      'BullMQ',
      'Jira ticket',
      'Slack message',
      'Fix',
      'Suppress',
      'security review',
    ])
      expect(flow!.body).toContain(step);
    const { declared, used } = flowchartNodes(flow!.body);
    for (const node of used) expect(declared.has(node), `edge to undeclared node ${node}`).toBe(true);
  });
});
