// The telemetry bootstrap's defaults and instrumentation selection (what the SDK then reads).
import { propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { baggageFields, recordedBaggagePrefixes } from '../../services/shared/baggage';
import { applyTelemetryDefaults, enabledInstrumentations, INSTRUMENTATION_NAMES } from '../../services/shared/telemetry';

const defaults = { serviceName: 'gateway', serviceVersion: '1.0.0', prometheusPort: 9464 };

describe('telemetry defaults', () => {
  it('batch spans and log records for at most 200 ms, so traces and logs arrive within a second', () => {
    const env: NodeJS.ProcessEnv = {};
    applyTelemetryDefaults(defaults, env);
    expect(env).toMatchObject({ OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BLRP_SCHEDULE_DELAY: '200', OTEL_SERVICE_NAME: 'gateway' });
  });

  it('leave what the operator set alone', () => {
    const env: NodeJS.ProcessEnv = { OTEL_BSP_SCHEDULE_DELAY: '5000', OTEL_BLRP_SCHEDULE_DELAY: '1000', OTEL_SERVICE_NAME: 'edge' };
    applyTelemetryDefaults(defaults, env);
    expect(env).toMatchObject({ OTEL_BSP_SCHEDULE_DELAY: '5000', OTEL_BLRP_SCHEDULE_DELAY: '1000', OTEL_SERVICE_NAME: 'edge' });
  });
});

describe('instrumentation selection', () => {
  it('loads exactly the instrumentations the services use by default', () => {
    expect(enabledInstrumentations({})).toEqual(['http', 'express', 'undici', 'pino', 'runtime-node']);
    expect(INSTRUMENTATION_NAMES).toHaveLength(5);
  });

  it('honours OTEL_NODE_ENABLED_INSTRUMENTATIONS and OTEL_NODE_DISABLED_INSTRUMENTATIONS', () => {
    expect(enabledInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http, undici' })).toEqual(['http', 'undici']);
    expect(enabledInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express,pino' })).toEqual(['http', 'undici', 'runtime-node']);
    expect(
      enabledInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express' }),
    ).toEqual(['http']);
  });

  it('ignores names of instrumentations these services do not have (router, fs, …)', () => {
    expect(enabledInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'router,fs,dns,net' })).toEqual([...INSTRUMENTATION_NAMES]);
    expect(enabledInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'mongodb' })).toEqual([]);
  });
});

describe('recorded baggage', () => {
  const withBaggage = (entries: Record<string, string>) =>
    propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, { value }]))),
    );

  it('records only the allow-listed prefixes, as baggage.<key>, values cut short', () => {
    const ctx = withBaggage({ 'tracelab.lesson': 'broken', 'user.email': 'a@example.com', 'tracelab.long': 'x'.repeat(500) });
    expect(baggageFields(ctx, recordedBaggagePrefixes({}))).toEqual({
      'baggage.tracelab.lesson': 'broken',
      'baggage.tracelab.long': 'x'.repeat(128),
    });
    expect(baggageFields(ROOT_CONTEXT, ['tracelab.'])).toEqual({});
  });

  it('takes its prefixes from TRACELAB_RECORDED_BAGGAGE; empty records none; at most 8 entries', () => {
    expect(recordedBaggagePrefixes({ TRACELAB_RECORDED_BAGGAGE: 'tenant., tracelab.' })).toEqual(['tenant.', 'tracelab.']);
    expect(recordedBaggagePrefixes({ TRACELAB_RECORDED_BAGGAGE: '' })).toEqual([]);
    const many = withBaggage(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`tracelab.k${i}`, 'v'])));
    expect(Object.keys(baggageFields(many, ['tracelab.']))).toHaveLength(8);
  });
});
