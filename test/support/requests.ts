// Requests every test layer sends: a churn prediction and a model behaviour change.
export const FEATURES = { tenure_months: 3, monthly_spend: 120, support_tickets: 2, plan: 'basic' } as const;

export async function predictAt(
  gatewayUrl: string,
  headers: Record<string, string> = {},
  body: unknown = { customer_id: 'cust-123', features: FEATURES },
) {
  const response = await fetch(`${gatewayUrl}/v1/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { response, status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

export async function setModelBehaviourAt(modelUrl: string, token: string, update: Record<string, number>): Promise<void> {
  const response = await fetch(`${modelUrl}/v1/control`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(update),
  });
  if (!response.ok) throw new Error(`control update failed: ${response.status} ${await response.text()}`);
}

export const randomHex = (bytes: number) =>
  Array.from({ length: bytes }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');
