// A real Chromium for the console's browser tests, driven by playwright-core. Playwright cannot
// download its own browser here, so the tests use Debian's `chromium` package: installed on
// first use when this process may (root with apt-get), otherwise the error says what to install.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { stateDir } from '../../local/paths';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(stateDir, 'e2e', 'screenshots');
const INSTALL_HINT =
  'install Debian’s Chromium with `sudo apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium or Chrome binary)';

const hasAptGet = () => ['/usr/bin/apt-get', '/bin/apt-get'].some((p) => fs.existsSync(p));

export function ensureChromium(): string {
  if (fs.existsSync(CHROMIUM)) return CHROMIUM;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${CHROMIUM} does not exist: ${INSTALL_HINT}`);
  if (process.getuid?.() !== 0 || !hasAptGet()) throw new Error(`the console browser tests need Chromium at ${CHROMIUM}: ${INSTALL_HINT}`);
  console.log('[e2e] Chromium missing: installing Debian’s chromium package (apt-get, once)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', env, timeout: 240_000 });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env, timeout: 240_000 });
  } catch (error) {
    throw new Error(`installing chromium with apt-get failed (${(error as Error).message}): ${INSTALL_HINT}`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing: ${INSTALL_HINT}`);
  return CHROMIUM;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: ensureChromium(),
    // Chromium's sandbox refuses to run as root (CI runs as root).
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
