//! A walkthrough as one self-contained HTML page: every step's diagram as inline SVG from
//! archpat's own renderer, navigation by buttons and arrow keys, answers behind `<details>`. No
//! script, style or font is fetched, so the file works offline and from `file://`.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::catalog::Catalog;
use crate::markup::{html as esc, html_prose as rich};
use crate::render::image::{ImageError, svg_from_mermaid};
use crate::render::{edge_text, mermaid, node_lines};

use super::{Document, Stage};

const STYLE: &str = r##"
:root { color-scheme: light; --ink: #16191f; --muted: #5f6b7a; --line: #d5dbe1; --accent: #0972d3; --new: #fff8c5; --new-edge: #d4a72c; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fafbfc; }
header, main { max-width: 1180px; margin: 0 auto; padding: 0 1.25rem; }
header h1 { margin: 1.25rem 0 .25rem; font-size: 1.6rem; }
header p { margin: 0 0 .75rem; color: var(--muted); max-width: 75ch; }
nav { position: sticky; top: 0; z-index: 1; background: #fff; border-bottom: 1px solid var(--line); }
nav .bar { max-width: 1180px; margin: 0 auto; padding: .5rem 1.25rem; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
nav ol { display: flex; gap: .25rem; list-style: none; margin: 0 0 0 .5rem; padding: 0; flex-wrap: wrap; }
button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: .3rem .7rem; cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--accent); }
button:disabled { opacity: .4; cursor: default; }
button:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
nav ol button[aria-current="step"] { background: var(--accent); border-color: var(--accent); color: #fff; }
#counter { color: var(--muted); min-width: 7.5em; text-align: center; }
.hint { color: var(--muted); font-size: .85rem; margin-left: auto; }
section.step { padding: 1rem 0 2.5rem; scroll-margin-top: 4rem; }
section.step h2 { margin: .5rem 0 1rem; font-size: 1.35rem; }
figure.diagram { margin: 0 0 1rem; padding: .75rem; background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow-x: auto; }
figure.diagram svg { display: block; margin: 0 auto; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .5rem; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em; background: var(--new); border: 2px solid var(--new-edge); border-radius: 3px; }
.chips { display: flex; gap: .4rem; flex-wrap: wrap; padding: 0; margin: 0 0 1rem; list-style: none; }
.chips li { background: var(--new); border: 1px solid var(--new-edge); border-radius: 999px; padding: .1rem .65rem; font-size: .9rem; }
.chips small, .topics small { color: var(--muted); }
.cols { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 2rem; }
@media (max-width: 800px) { .cols { grid-template-columns: 1fr; } }
h3 { font-size: 1rem; margin: 1.1rem 0 .35rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
ul.flows { padding-left: 1.1rem; margin: 0; }
ul.flows li { margin: .15rem 0; }
.pitfall { background: #fdf3f1; border-left: 4px solid #d13212; padding: .6rem .9rem; border-radius: 4px; }
details { background: #f1f8ff; border: 1px solid #b6d7f5; border-radius: 6px; padding: .5rem .9rem; margin-top: .5rem; }
summary { cursor: pointer; color: var(--accent); font-weight: 600; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
pre { background: #16191f; color: #f2f3f3; padding: .8rem 1rem; border-radius: 6px; overflow-x: auto; }
"##;

const SCRIPT: &str = r##"
(() => {
  const steps = Array.from(document.querySelectorAll("section.step"));
  const tabs = Array.from(document.querySelectorAll("#steps button"));
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  const counter = document.getElementById("counter");
  const total = document.body.dataset.total;
  let current = 0;
  function show(index, remember) {
    current = Math.max(0, Math.min(steps.length - 1, index));
    steps.forEach((s, i) => { s.hidden = i !== current; });
    tabs.forEach((t, i) => t.setAttribute("aria-current", i === current ? "step" : "false"));
    prev.disabled = current === 0;
    next.disabled = current === steps.length - 1;
    counter.textContent = "Step " + steps[current].dataset.step + " of " + total;
    if (remember) {
      try { history.replaceState(null, "", "#" + steps[current].id); } catch (e) { /* file:// may refuse */ }
      window.scrollTo(0, 0);
    }
  }
  prev.addEventListener("click", () => show(current - 1, true));
  next.addEventListener("click", () => show(current + 1, true));
  tabs.forEach((t, i) => t.addEventListener("click", () => show(i, true)));
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: steps.length - 1 };
    if (e.key in moves) { e.preventDefault(); show(moves[e.key], true); }
  });
  const start = steps.findIndex((s) => "#" + s.id === location.hash);
  show(start < 0 ? 0 : start, false);
})();
"##;

pub(crate) fn document(doc: &Document, stages: &[&Stage]) -> Result<String, ImageError> {
    let p = doc.pattern;
    let catalog = Catalog::builtin();
    let total = stages.first().map_or(0, |s| s.total);
    let mut out = String::new();
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )
    .ok();
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n{}",
        crate::markup::content_security_policy(&[SCRIPT])
    )
    .ok();
    writeln!(out, "<title>{}: a walkthrough</title>", esc(&p.title)).ok();
    writeln!(out, "<style>{STYLE}</style>\n</head>").ok();
    writeln!(out, "<body data-total=\"{total}\">").ok();
    writeln!(
        out,
        "<header>\n<h1>{}: a walkthrough</h1>\n<p>{}</p>\n</header>",
        esc(&p.title),
        rich(&p.summary)
    )
    .ok();
    writeln!(out, "<nav aria-label=\"Steps\"><div class=\"bar\">").ok();
    writeln!(
        out,
        "<button id=\"prev\" type=\"button\">← Previous</button>\n<span id=\"counter\" aria-live=\"polite\"></span>\n<button id=\"next\" type=\"button\">Next →</button>"
    )
    .ok();
    writeln!(out, "<ol id=\"steps\">").ok();
    for stage in stages {
        writeln!(
            out,
            "<li><button type=\"button\" title=\"{}\">{}</button></li>",
            esc(&stage.step.title),
            stage.number
        )
        .ok();
    }
    writeln!(
        out,
        "</ol>\n<span class=\"hint\">← → to move between steps</span>\n</div></nav>\n<main>"
    )
    .ok();

    for stage in stages {
        let step = stage.step;
        let n = stage.number;
        let svg = svg_from_mermaid(&mermaid::render_view(
            p,
            &mermaid::View {
                for_image: true,
                ..stage.view()
            },
        ))?;
        writeln!(
            out,
            "<section class=\"step\" id=\"step-{n}\" data-step=\"{n}\" data-components=\"{}\" aria-labelledby=\"step-{n}-title\">",
            stage.visible.len()
        )
        .ok();
        writeln!(
            out,
            "<h2 id=\"step-{n}-title\">Step {n}/{}: {}</h2>",
            stage.total,
            esc(&step.title)
        )
        .ok();
        writeln!(
            out,
            "<figure class=\"diagram\">\n{}\n<figcaption><span class=\"swatch\"></span> new in this step</figcaption>\n</figure>",
            scope_ids(&svg, &format!("step{n}-"))
        )
        .ok();
        if !stage.added.is_empty() {
            writeln!(out, "<ul class=\"chips\" aria-label=\"New in this step\">").ok();
            for c in &stage.added {
                let lines = node_lines(c);
                let kind = lines
                    .get(1)
                    .map(|k| format!(" <small>{}</small>", esc(k)))
                    .unwrap_or_default();
                writeln!(out, "<li>{}{kind}</li>", esc(&lines[0])).ok();
            }
            writeln!(out, "</ul>").ok();
        }
        writeln!(out, "<div class=\"cols\">\n<div>").ok();
        writeln!(out, "<h3>Why</h3>\n<p>{}</p>", rich(&step.why)).ok();
        if !step.pitfall.is_empty() {
            writeln!(
                out,
                "<h3>Pitfall</h3>\n<p class=\"pitfall\">{}</p>",
                rich(&step.pitfall)
            )
            .ok();
        }
        if !step.question.is_empty() {
            writeln!(
                out,
                "<h3>Check yourself</h3>\n<p>{}</p>\n<details><summary>Show the answer</summary><p>{}</p></details>",
                rich(&step.question),
                rich(&step.answer)
            )
            .ok();
        }
        writeln!(out, "</div>\n<div>").ok();
        if !stage.edges.is_empty() {
            writeln!(out, "<h3>Flows</h3>\n<ul class=\"flows\">").ok();
            for e in &stage.edges {
                writeln!(
                    out,
                    "<li>{} → {} <small>({})</small></li>",
                    esc(&e.from.label),
                    esc(&e.to.label),
                    esc(&edge_text(e.connection))
                )
                .ok();
            }
            writeln!(out, "</ul>").ok();
        }
        if !step.topics.is_empty() {
            writeln!(out, "<h3>Roadmap topics</h3>\n<ul class=\"topics\">").ok();
            for t in &step.topics {
                let phase = catalog.roadmap.phase_of(t).unwrap_or_default();
                writeln!(out, "<li>{} <small>{}</small></li>", esc(t), esc(phase)).ok();
            }
            writeln!(out, "</ul>").ok();
        }
        if !step.practices.is_empty() {
            writeln!(out, "<h3>Best practices</h3>\n<ul>").ok();
            for practice in &step.practices {
                writeln!(out, "<li>{}</li>", esc(practice)).ok();
            }
            writeln!(out, "</ul>").ok();
        }
        writeln!(out, "</div>\n</div>").ok();
        if stage.is_last() {
            let commands: Vec<String> = doc.try_it.iter().map(|c| esc(c)).collect();
            writeln!(
                out,
                "<h3>Try it</h3>\n<pre><code>{}</code></pre>",
                commands.join("\n")
            )
            .ok();
        }
        writeln!(out, "</section>").ok();
    }
    writeln!(out, "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>").ok();
    Ok(out)
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Prefixes every id an SVG defines, and every `#id` reference to one (`url(#…)`, `href="#…"`,
/// CSS selectors). Several diagrams share one page, and the renderer gives each the same ids; a
/// marker or style found in another step's SVG would break once that step is hidden.
pub(crate) fn scope_ids(svg: &str, prefix: &str) -> String {
    let mut ids = HashSet::new();
    let mut rest = svg;
    while let Some(at) = rest.find(" id=\"") {
        rest = &rest[at + 5..];
        let end = rest.find('"').unwrap_or(rest.len());
        ids.insert(&rest[..end]);
        rest = &rest[end..];
    }
    let mut out = String::with_capacity(svg.len() + ids.len() * prefix.len() * 2);
    let mut i = 0;
    while i < svg.len() {
        let tail = &svg[i..];
        let (marker, skip) = if tail.starts_with(" id=\"") {
            (" id=\"", 5)
        } else if tail.starts_with('#') {
            ("#", 1)
        } else {
            let c = tail.chars().next().expect("i is below the length");
            out.push(c);
            i += c.len_utf8();
            continue;
        };
        let token_len = tail[skip..]
            .find(|c: char| !is_id_char(c))
            .unwrap_or(tail.len() - skip);
        let token = &tail[skip..skip + token_len];
        let exact = marker == "#" || tail[skip + token_len..].starts_with('"');
        out.push_str(marker);
        if !token.is_empty() && exact && ids.contains(token) {
            out.push_str(prefix);
        }
        out.push_str(token);
        i += skip + token_len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_ids_and_references_but_not_colours_or_look_alikes() {
        let svg = r##"<svg id="m"><style>#m .a{fill:#FFF}#m-x{}</style><marker id="m-x"/><path marker-end="url(#m-x)" data-color-id="c0"/><use href="#m-x"/><g id="c0"/></svg>"##;
        assert_eq!(
            scope_ids(svg, "s1-"),
            r##"<svg id="s1-m"><style>#s1-m .a{fill:#FFF}#s1-m-x{}</style><marker id="s1-m-x"/><path marker-end="url(#s1-m-x)" data-color-id="c0"/><use href="#s1-m-x"/><g id="s1-c0"/></svg>"##
        );
    }
}
