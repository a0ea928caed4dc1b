//! The comparison as one self-contained HTML page: summary, the matrix with one row per part of
//! the pattern, security parity, and each component's code in three panes. No script, style or
//! font is fetched, so the file works offline.

use std::fmt::Write as _;

use super::{Comparison, TARGETS};
use crate::markup::html as esc;

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #16191f; --muted: #5f6b7a; --line: #d5dbe1; --ok: #1d8102; --warn: #8a6100; --bad: #d13212; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 0 1.25rem 3rem; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fafbfc; }
h1 { font-size: 1.5rem; margin: 1.25rem 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
p.note { color: var(--muted); margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; vertical-align: top; text-align: left; }
th { background: #f2f3f3; }
td ul { margin: 0; padding-left: 1.1rem; }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.status { font-weight: 600; white-space: nowrap; }
.equal, .same { color: var(--ok); }
.explained, .unchecked { color: var(--warn); }
.different, .differs { color: var(--bad); }
.reason { color: var(--muted); font-size: .9em; }
details.code { margin: .5rem 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
details.code summary { cursor: pointer; padding: .4rem .6rem; font-weight: 600; }
.panes { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: .5rem; padding: .5rem; }
.pane h3 { margin: 0 0 .25rem; font-size: .95rem; }
.pane pre { margin: 0; padding: .5rem; background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; overflow: auto; max-height: 40rem; }
@media (max-width: 900px) { .panes { grid-template-columns: 1fr; } }
"#;

pub fn render(c: &Comparison) -> String {
    let mut out = String::new();
    let title = format!(
        "{} ({}): CloudFormation, Terraform and CDK compared",
        c.pattern.title, c.pattern.id
    );
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n{}\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>",
        crate::markup::content_security_policy(&[]),
        esc(&title),
        esc(&title)
    )
    .ok();
    if !c.cdk_synthesized {
        writeln!(out, "<p class=\"note\">The CDK column lists each component's bill of materials; <code>archpat compare --synth</code> compares the synthesized template.</p>").ok();
    }
    let head = |first: &str| -> String {
        let mut h = format!("<tr><th>{first}</th>");
        for t in TARGETS {
            write!(h, "<th>{t}</th>").ok();
        }
        h.push_str("</tr>");
        h
    };

    writeln!(
        out,
        "<h2>Summary</h2>\n<table id=\"summary\">\n{}",
        head("")
    )
    .ok();
    for (name, values) in super::summary_rows(c) {
        write!(out, "<tr><th>{name}</th>").ok();
        for v in values {
            let lines: Vec<String> = v.lines().map(str::to_string).collect();
            write!(out, "<td>{}</td>", list(&lines)).ok();
        }
        writeln!(out, "</tr>").ok();
    }
    writeln!(out, "</table>").ok();

    writeln!(
        out,
        "<h2>Resources per component and connection</h2>\n<table id=\"matrix\">\n<thead><tr><th>part</th><th>status</th>{}</tr></thead>\n<tbody>",
        TARGETS.map(|t| format!("<th>{t}</th>")).join("")
    )
    .ok();
    for r in &c.rows {
        write!(
            out,
            "<tr data-row=\"{}\" data-id=\"{}\" data-status=\"{}\"><td>{} <code>{}</code><br><small>{}</small></td><td><span class=\"status {}\">{}</span>",
            r.row,
            esc(&r.id),
            r.status,
            r.row,
            esc(&r.id),
            esc(&r.label),
            r.status,
            r.status
        )
        .ok();
        for d in &r.differences {
            write!(
                out,
                "<div class=\"reason\">{} <code>{}</code> only in {}: {}</div>",
                d.target,
                esc(&d.cfn_type),
                d.only_in,
                esc(d.reason.as_deref().unwrap_or("unexplained"))
            )
            .ok();
        }
        out.push_str("</td>");
        for cell in &r.cells {
            let items: Vec<String> = cell
                .items
                .iter()
                .map(|i| {
                    format!(
                        "<code>{}</code> <small>{}</small>",
                        esc(&i.name),
                        esc(&i.native_type)
                    )
                })
                .collect();
            write!(out, "<td>{}</td>", list_html(&items)).ok();
        }
        writeln!(out, "</tr>").ok();
    }
    writeln!(out, "</tbody>\n</table>").ok();

    writeln!(
        out,
        "<h2>Security parity</h2>\n<table id=\"security\">\n<tr><th>component</th><th>control</th><th>status</th>{}</tr>",
        TARGETS.map(|t| format!("<th>{t}</th>")).join("")
    )
    .ok();
    for s in &c.security {
        write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td><span class=\"status {}\">{}</span></td>",
            esc(&s.component),
            s.control,
            s.status,
            s.status
        )
        .ok();
        for r in &s.results {
            if r.detail.is_empty() {
                write!(out, "<td>{}</td>", r.state).ok();
            } else {
                let items: Vec<String> = r
                    .detail
                    .iter()
                    .map(|d| format!("<code>{}</code>", esc(d)))
                    .collect();
                write!(out, "<td>{}</td>", list_html(&items)).ok();
            }
        }
        writeln!(out, "</tr>").ok();
    }
    writeln!(out, "</table>").ok();

    writeln!(out, "<h2>Code side by side</h2>").ok();
    let chosen = c.code.as_ref().map(|code| code.component.as_str());
    let codes: Vec<&super::Code> = match &c.code {
        Some(code) => vec![code],
        None => c.all_code.iter().collect(),
    };
    for code in codes {
        writeln!(
            out,
            "<details class=\"code\" data-component=\"{}\"{}>\n<summary>{}</summary>\n<div class=\"panes\">",
            esc(&code.component),
            if chosen.is_some() { " open" } else { "" },
            esc(&code.component)
        )
        .ok();
        for pane in &code.panes {
            writeln!(
                out,
                "<section class=\"pane\" data-target=\"{}\"><h3>{}</h3><pre><code class=\"language-{}\">{}</code></pre></section>",
                pane.target,
                pane.target,
                pane.language,
                esc(&pane.text)
            )
            .ok();
        }
        writeln!(out, "</div>\n</details>").ok();
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn list(items: &[String]) -> String {
    list_html(&items.iter().map(|i| esc(i)).collect::<Vec<_>>())
}

fn list_html(items: &[String]) -> String {
    match items {
        [] => "—".to_string(),
        [one] => one.clone(),
        many => format!(
            "<ul>{}</ul>",
            many.iter()
                .map(|i| format!("<li>{i}</li>"))
                .collect::<String>()
        ),
    }
}
