// What a starting native stack still builds, as the console's /api/stack/status reports it
// (local/stack-status.ts), in words for the banner.

export interface PendingPart {
  title: string;
  state: 'building' | 'waiting to be built' | 'starting';
  secondsLeft?: number;
}

/** "about 2 min left", from the runner's build estimates. */
export function timeLeft(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  if (seconds <= 0) return ', any moment now';
  if (seconds < 60) return ', under a minute left';
  return `, about ${Math.round(seconds / 60)} min left`;
}
