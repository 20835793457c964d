// GET /api/stack/status: what the native stack is still building or starting, from the status
// file its runner keeps (local/stack-status.ts), for the banner on every page. No token needed:
// it holds names, states and estimates only. Without that file (compose, a console run on its
// own) nothing is known to be pending.
import fs from 'node:fs';
import type express from 'express';
import { pendingParts, type StackStatus } from '../../local/stack-status';
import type { ConsoleConfig } from './config';

export function addStackStatusRoute(app: express.Express, config: ConsoleConfig, now: () => number = Date.now): void {
  app.get('/api/stack/status', (_req, res) => {
    let status: StackStatus | undefined;
    try {
      if (config.stackStatusFile) status = JSON.parse(fs.readFileSync(config.stackStatusFile, 'utf8')) as StackStatus;
    } catch {
      status = undefined; // not written yet, or the stack is gone
    }
    const pending = status ? pendingParts(status, now()) : [];
    res.setHeader('cache-control', 'no-store');
    res.json({ known: Boolean(status), ready: pending.length === 0, pending });
  });
}
