// VictoriaLogs's LogsQL query API: the matching log records, one object per row.
import { QueryRefusedError } from './errors';
import { type RequestOptions, request } from './http';

const BACKEND = 'VictoriaLogs';

export function victoriaLogsClient(baseUrl: string, options: Pick<RequestOptions, 'timeoutMs'> = {}) {
  return {
    baseUrl,
    /** The records a LogsQL query selects (at most `limit`, default 1000); each field a key. */
    async query<Row = Record<string, unknown>>(
      logsql: string,
      { limit = 1000, signal }: { limit?: number; signal?: AbortSignal } = {},
    ): Promise<Row[]> {
      // POST of a form: a long query does not hit URL length limits (the console's proxy allows it).
      const response = await request(BACKEND, baseUrl, '/select/logsql/query', {
        ...options,
        ...(signal ? { signal } : {}),
        method: 'POST',
        body: new URLSearchParams({ query: logsql, limit: String(limit) }),
      });
      if (!response.ok) throw new QueryRefusedError(BACKEND, logsql, `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
      return (await response.text())
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Row);
    },
  };
}

export type VictoriaLogsClient = ReturnType<typeof victoriaLogsClient>;
