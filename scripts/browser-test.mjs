// Checks walkthrough HTML pages (`archpat walk <id> -f html`) in headless Chromium:
//   node scripts/browser-test.mjs [--screenshot DIR] page.html...
// Each page must load without console errors; exactly one step is visible at a time; ArrowRight,
// the Next button and ArrowLeft move between steps; every step shows an SVG with one node per
// component visible at that step, the step's new components highlighted; answers open on click.
// playwright-core comes from the tools folder of scripts/install-tools.sh ($ARCHPAT_TOOLS).
import { basename, join } from "node:path";
import { launchChromium, openPage } from "./chromium.mjs";

const args = process.argv.slice(2);
let screenshots = null;
if (args[0] === "--screenshot") {
  screenshots = args[1];
  args.splice(0, 2);
}
if (args.length === 0) {
  console.error("usage: node scripts/browser-test.mjs [--screenshot DIR] page.html...");
  process.exit(2);
}

const failures = [];
const fail = (page, message) => failures.push(`${page}: ${message}`);

const browser = await launchChromium();
let checkedSteps = 0;
try {
  for (const file of args) {
    const name = basename(file);
    const { page, errors } = await openPage(browser, file, { width: 1280, height: 900 });

    // What is on screen: the visible sections, and in the visible one its SVG's nodes.
    // Components drawn, each once: a component that runs in every availability zone is drawn
    // in each (`c_web__az1`, `c_web__az2`), and an empty subnet box is a node too (`g_…`).
    const state = () => page.evaluate(() => {
      const components = (nodes) => new Set([...nodes]
        .map((n) => /-flowchart-(c_.*)-\d+$/.exec(n.id))
        .filter(Boolean)
        .map((m) => m[1].replace(/__az\d+$/, ""))).size;
      const visible = [...document.querySelectorAll("section.step")].filter((s) => !s.hidden && s.offsetParent !== null);
      const s = visible[0];
      const svg = s && s.querySelector("figure.diagram svg");
      const box = svg && svg.getBoundingClientRect();
      return {
        visible: visible.map((v) => v.dataset.step),
        expected: s ? Number(s.dataset.components) : -1,
        nodes: svg ? components(svg.querySelectorAll("g.node")) : -1,
        highlighted: svg ? components(svg.querySelectorAll("g.node.new")) : -1,
        chips: s ? s.querySelectorAll(".chips li").length : -1,
        drawn: !!box && box.width > 50 && box.height > 20,
        counter: document.getElementById("counter").textContent,
      };
    });

    const total = await page.locator("section.step").count();
    if (total < 1) fail(name, "no steps");
    let previous = null;
    for (let i = 0; i < total; i++) {
      if (i > 0) {
        // Alternate the two ways forward, so both are exercised on every page.
        if (i % 2 === 1) await page.keyboard.press("ArrowRight");
        else await page.click("#next");
      }
      const s = await state();
      checkedSteps++;
      const where = `step ${i + 1}`;
      if (s.visible.length !== 1) fail(name, `${where}: ${s.visible.length} steps visible (${s.visible})`);
      if (previous !== null && s.visible[0] === previous) fail(name, `${where}: navigating did not change the visible step`);
      if (s.nodes !== s.expected) fail(name, `${where}: SVG has ${s.nodes} nodes, ${s.expected} components are visible`);
      if (s.highlighted !== s.chips) fail(name, `${where}: ${s.highlighted} highlighted nodes for ${s.chips} new components`);
      if (!s.drawn) fail(name, `${where}: the SVG is not drawn with a visible size`);
      if (!s.counter.startsWith(`Step ${s.visible[0]} of`)) fail(name, `${where}: counter says "${s.counter}"`);
      if (screenshots && i === 1) await page.screenshot({ path: join(screenshots, name.replace(/\.html$/, ".png")), fullPage: true });
      previous = s.visible[0];
    }
    if (total > 1) {
      await page.keyboard.press("ArrowLeft");
      const back = await state();
      if (back.visible[0] !== String(total - 1)) fail(name, `ArrowLeft from the last step shows step ${back.visible[0]}`);
      await page.keyboard.press("Home");
      if ((await state()).visible[0] !== "1") fail(name, "Home does not return to step 1");
    }
    const details = page.locator("section.step:not([hidden]) details");
    if ((await details.count()) > 0) {
      await details.first().locator("summary").click();
      if (!(await details.first().evaluate((d) => d.open))) fail(name, "clicking the answer does not reveal it");
    }
    if (errors.length) fail(name, `console errors:\n  ${errors.join("\n  ")}`);
    await page.close();
  }
} finally {
  await browser.close();
}

if (failures.length) {
  console.error(failures.join("\n"));
  console.error(`${failures.length} failed, ${args.length} pages`);
  process.exit(1);
}
console.log(`ok: ${args.length} pages, ${checkedSteps} steps checked`);
