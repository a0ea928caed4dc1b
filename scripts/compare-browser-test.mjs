// Checks comparison pages (`archpat compare <id> -f html`) in headless Chromium:
//   node scripts/compare-browser-test.mjs page.html:COMPONENTS:CONNECTIONS...
// Each page must load without console errors or network requests; the matrix must have one row
// per component and per connection (the counts given after the file name); every code block must
// show its three panes (CloudFormation, Terraform, CDK) side by side, none empty, once opened.
// playwright-core comes from the tools folder of scripts/install-tools.sh ($ARCHPAT_TOOLS).
import { basename } from "node:path";
import { launchChromium, openPage } from "./chromium.mjs";

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: node scripts/compare-browser-test.mjs page.html:COMPONENTS:CONNECTIONS...");
  process.exit(2);
}
const failures = [];
const browser = await launchChromium();
let panes = 0;
try {
  for (const arg of args) {
    const [file, components, connections] = arg.split(":");
    const name = basename(file);
    const fail = (message) => failures.push(`${name}: ${message}`);
    const { page, errors } = await openPage(browser, file, { width: 1400, height: 900 });

    const rows = await page.$$eval("#matrix tbody tr", (trs) => trs.map((tr) => tr.dataset.row));
    const count = (kind) => rows.filter((r) => r === kind).length;
    if (count("component") !== Number(components)) fail(`${count("component")} component rows, expected ${components}`);
    if (count("connection") !== Number(connections)) fail(`${count("connection")} connection rows, expected ${connections}`);
    const cells = await page.$$eval("#matrix tbody tr", (trs) => trs.map((tr) => tr.children.length));
    if (cells.some((n) => n !== 5)) fail(`matrix rows must have 5 cells (part, status, three targets): ${cells}`);

    const blocks = await page.$$("details.code");
    if (blocks.length === 0) fail("no code blocks");
    for (const block of blocks) {
      const component = await block.getAttribute("data-component");
      await block.$eval("summary", (s) => s.click());
      const shown = await block.$$eval("section.pane", (ss) => ss.map((s) => ({
        target: s.dataset.target,
        visible: s.getBoundingClientRect().height > 0,
        code: s.querySelector("pre code")?.textContent ?? "",
      })));
      const targets = shown.map((s) => s.target).join(",");
      if (targets !== "cloudformation,terraform,cdk") fail(`${component}: panes ${targets}`);
      for (const s of shown) {
        if (!s.visible) fail(`${component}: the ${s.target} pane is not shown when opened`);
        if (s.code.trim() === "") fail(`${component}: the ${s.target} pane is empty`);
        panes += 1;
      }
      // The three panes sit side by side on a wide screen.
      const tops = await block.$$eval("section.pane", (ss) => ss.map((s) => Math.round(s.getBoundingClientRect().top)));
      if (new Set(tops).size !== 1) fail(`${component}: panes are not side by side (${tops})`);
    }
    for (const e of errors) fail(`console: ${e}`);
    await page.close();
  }
} finally {
  await browser.close();
}
if (failures.length > 0) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`ok: ${args.length} pages, ${panes} code panes`);
