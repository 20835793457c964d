// Loading, empty and failure states: each says what is happening and what to do about it.
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return (
    <div class="state empty" role="status">
      {children}
    </div>
  );
}

const HINTS: Record<string, string> = {
  backend_unavailable: 'Start the stack with `npm start` and reload this page.',
  console_unreachable: 'Start it again with `npm start`, then reload.',
  control_token_missing: 'Start the console through `npm start`, which hands it the control token.',
};

export function Failure({ error, what }: { error: unknown; what: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof ApiError ? HINTS[error.code] : undefined;
  return (
    <div class="state failure" role="alert">
      <strong>Could not load {what}.</strong> {message}
      {hint && !message.includes('npm start') ? <p>{hint}</p> : null}
    </div>
  );
}
