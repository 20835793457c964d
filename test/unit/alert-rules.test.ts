// The alert rules and Alertmanager routing, checked by the real tools: promtool's rule checker
// and rule unit tests (firing and quiet cases for every alert), and amtool's config checker.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FEATURE_BUCKETS, UNIT_BUCKETS } from '../../services/model-inference/src/metrics';
import { ensureBackend } from '../../tools/backends/cache';
import { inRepo, run } from '../support/repo';

interface AlertRule {
  alert: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rules = (
  parse(fs.readFileSync(inRepo('prometheus', 'rules', 'tracelab.yml'), 'utf8')) as {
    groups: { rules: (Partial<AlertRule> & { record?: string; expr: string })[] }[];
  }
).groups.flatMap((g) => g.rules);
/** The alerting rules (recording rules have no `alert`). */
const alertRules = rules.filter((r): r is AlertRule & { expr: string } => r.alert !== undefined);

describe('alerting configuration', () => {
  it('passes promtool check rules', async () => {
    const { stdout } = await run(await ensureBackend('promtool'), ['check', 'rules', inRepo('prometheus', 'rules', 'tracelab.yml')]);
    expect(stdout).toContain('SUCCESS');
  });

  it('passes the promtool rule unit tests', async () => {
    const { stdout } = await run(await ensureBackend('promtool'), ['test', 'rules', inRepo('prometheus', 'tests', 'tracelab.test.yml')]);
    expect(stdout).toContain('SUCCESS');
  }, 60_000);

  it('tests every alert both firing and quiet', () => {
    const tests = parse(fs.readFileSync(inRepo('prometheus', 'tests', 'tracelab.test.yml'), 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    expect(alertRules.length).toBeGreaterThan(0);
    for (const { alert } of alertRules) {
      expect(
        cases.some((c) => c.alertname === alert && c.exp_alerts.length > 0),
        `${alert} firing case`,
      ).toBe(true);
      expect(
        cases.some((c) => c.alertname === alert && c.exp_alerts.length === 0),
        `${alert} quiet case`,
      ).toBe(true);
    }
  });

  it('gives every alert a severity, a summary, a description and a runbook that exists', () => {
    const runbooks = fs.readFileSync(inRepo('docs', 'runbooks.md'), 'utf8').toLowerCase();
    for (const rule of alertRules) {
      expect(['critical', 'major', 'minor']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toBeTruthy();
      expect(rule.annotations.description).toContain('{{ $value');
      const anchor = rule.annotations.runbook_url!.split('#')[1]!;
      expect(runbooks, `runbook section for ${rule.alert}`).toContain(`## ${anchor}`);
    }
  });

  it('measures input drift over the buckets the model records', () => {
    // Each bucket's share is F(le) − F(previous le): the rule names every (previous le → le) pair.
    const below = rules.find((r) => r.record === 'tracelab:model_input:cumulative_share_below')!;
    const pairs = [...below.expr.matchAll(/feature="(\w+)", le="([^"]+)"\}, "le", "([^"]+)"/g)].map(
      ([, f, from, to]) => `${f}:${from}→${to}`,
    );
    const expected = Object.entries(FEATURE_BUCKETS).flatMap(([feature, bounds]) =>
      bounds.map((bound, i) => `${feature}:${bound}→${bounds[i + 1] ?? '+Inf'}`),
    );
    expect(pairs).toEqual(expected);
  });

  it('compares model versions over score bounds the model records', () => {
    const shares = rules.filter((r) => r.record === 'tracelab:model_score:range_share');
    const bounds = new Set(shares.flatMap((r) => [...r.expr.matchAll(/le="([^"]+)"/g)].map(([, le]) => le)));
    expect(bounds.size).toBeGreaterThan(1);
    for (const le of bounds) expect(le === '+Inf' || UNIT_BUCKETS.includes(Number(le)), `le="${le}"`).toBe(true);
  });

  it('passes amtool check-config', async () => {
    const { stdout } = await run(await ensureBackend('amtool'), ['check-config', inRepo('alertmanager', 'alertmanager.yml')]);
    expect(stdout).toContain('SUCCESS');
  });
});
