import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/**
 * The machine's Chromium (Debian's `chromium` package; `CHROMIUM_PATH` names another), or
 * undefined with a message: browser tests skip, visibly, where there is none.
 */
export function findChromium(what: string): string | undefined {
  const path = [process.env.CHROMIUM_PATH, ...CANDIDATES].find(
    (candidate): candidate is string => candidate !== undefined && existsSync(candidate),
  );
  if (!path)
    console.warn(
      `[critic tests] no Chromium found (apt-get install chromium, or set CHROMIUM_PATH): ${what} skipped`,
    );
  return path;
}

/** Chromium, headless, with nothing of the user's: a fresh profile per launch. */
export function launch(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    // Containers often run as root, where Chromium's sandbox cannot start.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

/**
 * Saves what the page shows: under `CRITIC_SCREENSHOTS` when set (`docs/screenshots` to refresh
 * README's pictures), else in the temporary folder the tests use.
 */
export async function screenshot(page: Page, name: string, fallbackDir: string): Promise<string> {
  const dir = process.env.CRITIC_SCREENSHOTS ?? fallbackDir;
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
