import { createHash } from 'node:crypto';

/** Short, stable, colon-free digest (hex) of a string. */
export const digest = (value: string, length = 16): string =>
  createHash('sha256').update(value).digest('hex').slice(0, length);

/** Digest of a JSON-serialisable value with sorted object keys, so equal values hash equally. */
export const digestOf = (value: unknown, length = 16): string => digest(stableStringify(value), length);

const stableStringify = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : inner,
  );
