// Running the project's own binaries and reading its files from tests.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../local/paths';

/** execFile as a promise: resolves with stdout/stderr, rejects on a non-zero exit. */
export const run = promisify(execFile);

/** A path inside the repository. */
export const inRepo = (...parts: string[]) => path.join(repoRoot, ...parts);
