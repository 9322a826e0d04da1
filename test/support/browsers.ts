/**
 * Real browsers for end-to-end tests: Debian's Chromium through playwright-core and Debian's
 * Firefox ESR through puppeteer-core over WebDriver BiDi. A missing browser fails the test with
 * what to install — it never turns into a silent skip (.ci/run installs both).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser as ChromiumBrowser } from 'playwright-core';
import puppeteer, { type Browser as FirefoxBrowser } from 'puppeteer-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const FIREFOX_PATH = '/usr/bin/firefox-esr';

function need(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install -y ${pkg} (.ci/run does this)`);
}

export async function launchChromium(): Promise<ChromiumBrowser> {
  need(CHROMIUM_PATH, 'chromium');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export async function launchFirefox(): Promise<FirefoxBrowser> {
  need(FIREFOX_PATH, 'firefox-esr');
  return puppeteer.launch({ browser: 'firefox', protocol: 'webDriverBiDi', executablePath: FIREFOX_PATH, headless: true });
}
