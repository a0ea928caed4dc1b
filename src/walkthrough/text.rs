//! Walkthrough steps as text: the plain output for pipes and files, and (with ANSI styles) the
//! pager's pages. The diagram of a step is the chain of flows it adds, drawn with box-drawing
//! arrows, because a terminal cannot show the Mermaid picture.

use std::fmt::Write as _;

use crate::catalog::{Catalog, Line};
use crate::model::{Component, Edge};
use crate::render::{edge_text, node_lines};

use super::{Document, Stage};

/// Width of plain output: a comfortable reading width that also fits a default terminal.
pub(crate) const WIDTH: usize = 88;

/// How text is decorated. Plain output marks new components with `+` only; the pager adds colour.
#[derive(Debug, Clone)]
pub(crate) struct Style {
    new: (&'static str, &'static str),
    heading: (&'static str, &'static str),
    title: (&'static str, &'static str),
    dim: (&'static str, &'static str),
}

impl Style {
    pub fn plain() -> Style {
        Style {
            new: ("", ""),
            heading: ("", ""),
            title: ("", ""),
            dim: ("", ""),
        }
    }

    pub fn ansi() -> Style {
        const RESET: &str = "\x1b[0m";
        Style {
            new: ("\x1b[1;33m", RESET),
            heading: ("\x1b[1m", RESET),
            title: ("\x1b[1;36m", RESET),
            dim: ("\x1b[2m", RESET),
        }
    }

    fn paint(&self, (on, off): (&str, &str), text: &str) -> String {
        if on.is_empty() {
            text.to_string()
        } else {
            format!("{on}{text}{off}")
        }
    }
}

/// All the given steps, with a short header when there is more than one.
pub(crate) fn document(doc: &Document, stages: &[&Stage], style: &Style, width: usize) -> String {
    let mut out = String::new();
    if stages.len() > 1 {
        let p = doc.pattern;
        let head = format!("{}: a walkthrough in {} steps", p.title, stages.len());
        writeln!(out, "{}", style.paint(style.title, &head)).ok();
        for line in wrap(&p.summary, width) {
            writeln!(out, "{line}").ok();
        }
        writeln!(out, "(+ marks what each step adds)\n").ok();
    }
    for (i, stage) in stages.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&page(doc, stage, style, width, true));
    }
    out
}

/// One step. `answer` false hides the answer behind a prompt, for the pager.
pub(crate) fn page(
    doc: &Document,
    stage: &Stage,
    style: &Style,
    width: usize,
    answer: bool,
) -> String {
    let catalog = Catalog::builtin();
    let step = stage.step;
    let mut out = String::new();
    let head = format!("Step {}/{}: {}", stage.number, stage.total, step.title);
    writeln!(out, "{}", style.paint(style.title, &head)).ok();
    writeln!(out, "{}\n", "═".repeat(head.chars().count().min(width))).ok();

    if stage.added.is_empty() {
        writeln!(out, "New: nothing with the current parameters").ok();
    } else {
        let names: Vec<String> = stage
            .added
            .iter()
            .map(|c| {
                let lines = node_lines(c);
                let text = match lines.as_slice() {
                    [label, kind] => format!("+{label} ({kind})"),
                    _ => format!("+{}", c.label),
                };
                style.paint(style.new, &text)
            })
            .collect();
        writeln!(out, "New: {}", names.join(" · ")).ok();
    }
    out.push('\n');
    let diagram = flows(stage, style, width);
    if diagram.is_empty() {
        writeln!(out, "  (no new connections in this step)").ok();
    }
    for line in diagram {
        writeln!(out, "{line}").ok();
    }

    section(&mut out, style, "Why");
    indented(&mut out, &step.why, width);
    if !step.topics.is_empty() {
        section(&mut out, style, "Roadmap topics");
        for topic in &step.topics {
            let phase = catalog.roadmap.phase_of(topic).unwrap_or_default();
            writeln!(
                out,
                "  • {topic} {}",
                style.paint(style.dim, &format!("({phase})"))
            )
            .ok();
        }
    }
    if !step.practices.is_empty() {
        section(&mut out, style, "Best practices");
        for practice in &step.practices {
            writeln!(out, "  ✓ {practice}").ok();
        }
    }
    if !step.pitfall.is_empty() {
        section(&mut out, style, "Pitfall");
        indented(&mut out, &step.pitfall, width);
    }
    if !step.question.is_empty() {
        section(&mut out, style, "Check yourself");
        hanging(&mut out, "Q: ", &step.question, width);
        if answer {
            hanging(&mut out, "A: ", &step.answer, width);
        } else {
            let hint = "A: press a to reveal the answer";
            writeln!(out, "  {}", style.paint(style.dim, hint)).ok();
        }
    }
    if stage.is_last() {
        section(&mut out, style, "Try it");
        for command in &doc.try_it {
            writeln!(out, "  {command}").ok();
        }
    }
    out
}

fn section(out: &mut String, style: &Style, name: &str) {
    writeln!(out, "\n{}", style.paint(style.heading, name)).ok();
}

fn indented(out: &mut String, text: &str, width: usize) {
    for line in wrap(text, width.saturating_sub(2)) {
        writeln!(out, "  {line}").ok();
    }
}

/// `label` then the text, continuation lines aligned under the text.
fn hanging(out: &mut String, label: &str, text: &str, width: usize) {
    let pad = " ".repeat(label.chars().count());
    for (i, line) in wrap(text, width.saturating_sub(2 + pad.len()))
        .iter()
        .enumerate()
    {
        let lead = if i == 0 { label } else { &pad };
        writeln!(out, "  {lead}{line}").ok();
    }
}

/// Greedy word wrap; a word longer than the width gets a line of its own.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A piece of a diagram line: its text with styles, and how many columns it takes.
struct Piece {
    styled: String,
    columns: usize,
}

fn node(component: &Component, stage: &Stage, style: &Style) -> Piece {
    let text = if stage.is_new(&component.id) {
        format!("+{}", component.label)
    } else {
        component.label.clone()
    };
    Piece {
        columns: text.chars().count(),
        styled: if stage.is_new(&component.id) {
            style.paint(style.new, &text)
        } else {
            text
        },
    }
}

fn arrow(edge: &Edge) -> Piece {
    let line = Catalog::builtin()
        .connections
        .get(&edge.connection.kind)
        .map_or(Line::Solid, |k| k.line);
    let stroke = match line {
        Line::Solid => "──",
        Line::Dashed | Line::Dotted => "╌╌",
    };
    let text = format!(" {stroke}{}{stroke}▶ ", edge_text(edge.connection));
    Piece {
        columns: text.chars().count(),
        styled: text,
    }
}

/// The step's connections as chains `A ──kind──▶ B ──kind──▶ C`: an edge continues the previous
/// chain when it starts where that one ended, and branches below it when it starts where that one
/// started. Lines that would pass `width` continue below,
/// indented under the first arrow.
pub(crate) fn flows(stage: &Stage, style: &Style, width: usize) -> Vec<String> {
    let mut chains: Vec<Vec<&Edge>> = Vec::new();
    for edge in &stage.edges {
        match chains.last_mut() {
            Some(chain) if chain.last().is_some_and(|last| last.to.id == edge.from.id) => {
                chain.push(edge)
            }
            _ => chains.push(vec![edge]),
        }
    }
    let mut lines = Vec::new();
    let mut previous_start: Option<&str> = None;
    for chain in chains {
        let mut first = node(chain[0].from, stage, style);
        // A fan-out from the node that started the line above reads as a branch of it.
        if previous_start == Some(chain[0].from.id.as_str()) {
            first.styled = " ".repeat(first.columns);
        }
        previous_start = Some(chain[0].from.id.as_str());
        let indent = if first.columns + 2 <= width / 3 {
            first.columns + 2
        } else {
            6
        };
        let mut line = format!("  {}", first.styled);
        let mut columns = first.columns + 2;
        for edge in chain {
            let a = arrow(edge);
            let b = node(edge.to, stage, style);
            let extra = a.columns + b.columns;
            if columns + extra > width && columns > indent {
                lines.push(std::mem::take(&mut line));
                line = " ".repeat(indent);
                columns = indent;
                line.push_str(a.styled.trim_start());
                columns += a.columns - 1;
            } else {
                line.push_str(&a.styled);
                columns += a.columns;
            }
            line.push_str(&b.styled);
            columns += b.columns;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::super::tests::builtin;
    use super::super::{Document, stages};
    use super::*;

    #[test]
    fn a_step_draws_its_flows_with_new_parts_marked() {
        let p = builtin("serverless-web");
        let all = stages(&p);
        let lines = flows(&all[1], &Style::plain(), WIDTH);
        assert_eq!(
            lines,
            ["  CloudFront distribution ──/api/* · HTTPS :443──▶ +HTTP API"]
        );
        let first = flows(&all[0], &Style::plain(), WIDTH);
        assert_eq!(
            first,
            [
                "  +Users ──route · HTTPS :443──▶ +CloudFront distribution",
                "        ──default (static site) · HTTPS :443──▶ +Static site",
            ]
        );
    }

    #[test]
    fn dashed_connections_draw_dashed_and_chains_break_at_fan_out() {
        let p = builtin("serverless-web");
        let last = stages(&p).pop().unwrap();
        let lines = flows(&last, &Style::plain(), WIDTH);
        assert_eq!(
            lines,
            [
                "  HTTP API ╌╌access logs╌╌▶ +Logs",
                "  API handler ╌╌function logs╌╌▶ +Logs",
            ]
        );
        let lake = builtin("data-lake");
        assert_eq!(
            flows(&stages(&lake)[2], &Style::plain(), WIDTH),
            [
                "  +Raw to curated ETL ──read──▶ Raw zone",
                "                      ──partitioned Parquet──▶ +Curated zone (Parquet)",
                "                      ╌╌curated tables╌╌▶ Lake database",
            ]
        );
    }

    #[test]
    fn ansi_style_colours_new_parts_only() {
        let p = builtin("serverless-web");
        let all = stages(&p);
        let lines = flows(&all[1], &Style::ansi(), WIDTH);
        assert_eq!(
            lines,
            ["  CloudFront distribution ──/api/* · HTTPS :443──▶ \x1b[1;33m+HTTP API\x1b[0m"]
        );
    }

    #[test]
    fn page_hides_the_answer_until_asked_and_last_page_has_try_it() {
        let p = builtin("three-tier-web");
        let all = stages(&p);
        let doc = Document {
            pattern: &p,
            try_it: super::super::try_it("three-tier-web", &[]),
        };
        let hidden = page(&doc, &all[0], &Style::plain(), WIDTH, false);
        assert!(hidden.contains("press a to reveal"));
        assert!(!hidden.contains(&all[0].step.answer[..20]));
        assert!(hidden.contains("VPC (Virtual Private Cloud) (Phase 3: Networking & Security)"));
        assert!(!hidden.contains("Try it"));
        let last = page(&doc, all.last().unwrap(), &Style::plain(), WIDTH, true);
        assert!(last.contains("archpat new three-tier-web --iac terraform"));
        assert!(last.contains("archpat compare three-tier-web"));
    }

    #[test]
    fn wrap_keeps_words_whole() {
        assert_eq!(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
    }
}
