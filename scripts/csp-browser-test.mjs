// Checks that archpat's HTML pages (walkthrough, compare) run no script but their own, in headless
// Chromium:   node scripts/csp-browser-test.mjs page.html...
// Each page, made from a pattern whose text tries to inject script, must load with no console
// error and no Content-Security-Policy violation (its own script and styles are allowed) and with
// `window.__pwned` unset. Then a copy with a script element and an event handler inserted after
// <body> (what a hole in the escaping would let through) must run neither: the policy blocks
// both and reports it. playwright-core comes from the tools folder ($ARCHPAT_TOOLS).
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { launchChromium } from "./chromium.mjs";

const pages = process.argv.slice(2);
if (pages.length === 0) {
  console.error("usage: node scripts/csp-browser-test.mjs page.html...");
  process.exit(2);
}

const failures = [];
const browser = await launchChromium();

// Opens `file` and returns what ran: console errors, policy violations and `window.__pwned`.
async function visit(file) {
  const page = await browser.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error" && !m.text().includes("Content Security Policy")) errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective));
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  await page.waitForTimeout(200);
  const result = await page.evaluate(() => ({ pwned: window.__pwned, violations: window.__violations }));
  await page.close();
  return { errors, ...result };
}

try {
  for (const file of pages) {
    const name = basename(file);
    const html = readFileSync(file, "utf8");
    if (!html.includes('http-equiv="Content-Security-Policy"')) failures.push(`${name}: no Content-Security-Policy`);
    const plain = await visit(file);
    if (plain.pwned !== undefined) failures.push(`${name}: a script from the pattern ran (__pwned = ${plain.pwned})`);
    if (plain.violations.length) failures.push(`${name}: its own content breaks the policy: ${plain.violations.join(", ")}`);
    if (plain.errors.length) failures.push(`${name}: console errors: ${plain.errors.join("; ")}`);

    const tampered = file.replace(/\.html$/, ".tampered.html");
    writeFileSync(tampered, html.replace(/<body([^>]*)>/, '<body$1><script>window.__pwned = "script"</script><img src="x" onerror="window.__pwned = \'handler\'">'));
    const injected = await visit(tampered);
    if (injected.pwned !== undefined) failures.push(`${name}: an inserted script ran (__pwned = ${injected.pwned})`);
    if (!injected.violations.some((v) => v.startsWith("script-src"))) failures.push(`${name}: the inserted script was not reported as blocked (${injected.violations.join(", ")})`);
  }
} finally {
  await browser.close();
}

if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`ok: ${pages.length} pages run only their own script`);
