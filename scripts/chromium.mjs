// Headless Chromium for the page tests (browser-test.mjs, compare-browser-test.mjs):
// playwright-core from the tools folder of scripts/install-tools.sh ($ARCHPAT_TOOLS) driving the
// system's /usr/bin/chromium, and pages opened from files with every console error, page error
// and network request recorded (the pages must work offline).
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export async function launchChromium() {
  const tools = process.env.ARCHPAT_TOOLS || join(homedir(), ".cache/archpat-tools");
  let chromium;
  try {
    ({ chromium } = createRequire(join(tools, "node/package.json"))("playwright-core"));
  } catch (e) {
    console.error(`playwright-core is not installed in ${tools}/node; run scripts/install-tools.sh (${e.message})`);
    process.exit(2);
  }
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

// Opens `file` in a new page of `browser`; `errors` collects what went wrong while it runs.
export async function openPage(browser, file, viewport) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) errors.push(`network request: ${r.url()}`); });
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: "load" });
  return { page, errors };
}
