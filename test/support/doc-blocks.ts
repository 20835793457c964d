// The runnable blocks of a markdown page and what their output must show: the parser of the
// literal docs test (test/e2e/docs.test.ts, which states the conventions).

export interface DocBlock {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  expects: RegExp[];
  skip?: string;
  /** Re-run until its expectations hold, for this many seconds: a query of data still arriving. */
  eventuallyS?: number;
}

export interface DocPage {
  file: string;
  blocks: DocBlock[];
  /** Seconds without gateway traces before the page starts, when it asks for a quiet window. */
  quietWindowS?: number;
}

/** The runnable blocks of a markdown page with their expectations (see the conventions above). */
export function parseDocPage(file: string, markdown: string): DocPage {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  let pendingSkip: string | undefined;
  let pendingEventually: number | undefined;
  let quietWindowS: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const quiet = /<!-- docs-test: quiet-window (\d+) -->/.exec(line);
    if (quiet) quietWindowS = Number(quiet[1]);
    const skip = /^<!-- docs-test: skip (.+?) -->$/.exec(line.trim());
    if (skip) {
      pendingSkip = skip[1];
      continue;
    }
    const again = /^<!-- docs-test: eventually (\d+) -->$/.exec(line.trim());
    if (again) {
      pendingEventually = Number(again[1]);
      continue;
    }
    const fence = /^(\s*)```(\w*)\s*$/.exec(line);
    if (!fence) {
      if (line.trim()) [pendingSkip, pendingEventually] = [undefined, undefined];
      continue;
    }
    const [, indent, language] = fence;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j]!.trim() !== '```'; j++) body.push(lines[j]!.slice(indent!.length));
    const runnable = language === 'sh' || language === 'bash';
    const expects: RegExp[] = [];
    let k = j + 1;
    for (; k < lines.length; k++) {
      const text = lines[k]!.trim();
      if (!text) continue;
      const expect = /^<!-- expect: (.+) -->$/.exec(text);
      if (!expect) break;
      expects.push(new RegExp(expect[1]!, 'm'));
    }
    if (runnable)
      blocks.push({
        line: i + 1,
        code: body.join('\n'),
        expects,
        ...(pendingSkip ? { skip: pendingSkip } : {}),
        ...(pendingEventually ? { eventuallyS: pendingEventually } : {}),
      });
    [pendingSkip, pendingEventually] = [undefined, undefined];
    i = k - 1;
  }
  return { file, blocks, ...(quietWindowS ? { quietWindowS } : {}) };
}
