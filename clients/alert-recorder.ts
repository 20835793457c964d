// The demo's alert recorder (tools/runner/alert-recorder.ts): the webhooks Alertmanager delivered.
import { expectOk, type RequestOptions, request } from './http';

export interface Delivery {
  receiver: string;
  receivedAt: string;
  /** The Alertmanager webhook payload (version 4). */
  payload: { status: string; alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[] } & Record<
    string,
    unknown
  >;
}

const BACKEND = 'the alert recorder';

export function alertRecorderClient(baseUrl: string, options: Pick<RequestOptions, 'timeoutMs'> = {}) {
  return {
    baseUrl,
    /** Every delivery kept, oldest first. */
    deliveries: async (signal?: AbortSignal): Promise<Delivery[]> =>
      (
        await expectOk(BACKEND, baseUrl, await request(BACKEND, baseUrl, '/alerts', { ...options, ...(signal ? { signal } : {}) }))
      ).json() as Promise<Delivery[]>,
  };
}
