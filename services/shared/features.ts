// The churn-risk request features, shared by all three services (the HTTP contract).
import { z } from 'zod';

export const PLANS = ['basic', 'pro', 'enterprise'] as const;

export const featuresSchema = z.strictObject({
  tenure_months: z.number().int().min(0).max(1200),
  monthly_spend: z.number().min(0).max(1_000_000),
  support_tickets: z.number().int().min(0).max(10_000),
  plan: z.enum(PLANS),
});

export type Features = z.infer<typeof featuresSchema>;

export type Prediction = 'churn' | 'stay';
