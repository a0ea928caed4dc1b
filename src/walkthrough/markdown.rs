//! A walkthrough as one Markdown document: per step a Mermaid diagram of everything so far with
//! the step's new components highlighted, then the text. GitHub renders ```` ```mermaid ```` fences
//! and `<details>`, so the page works there as it is.

use std::fmt::Write as _;

use crate::catalog::Catalog;
use crate::markup::markdown_prose as prose;
use crate::render::{edge_text, mermaid, node_lines};

use super::{Document, Stage};

pub(crate) fn document(doc: &Document, stages: &[&Stage]) -> String {
    let p = doc.pattern;
    let catalog = Catalog::builtin();
    let mut out = String::new();
    writeln!(out, "# {}: a walkthrough\n", prose(&p.title)).ok();
    writeln!(out, "{}\n", prose(&p.summary)).ok();
    if stages.len() > 1 {
        for stage in stages {
            writeln!(out, "{}. {}", stage.number, prose(&stage.step.title)).ok();
        }
        out.push('\n');
    }
    writeln!(
        out,
        "Each diagram shows the pattern as far as the step goes; what the step adds is highlighted in yellow.\n"
    )
    .ok();

    for stage in stages {
        let step = stage.step;
        writeln!(
            out,
            "## Step {}/{}: {}\n",
            stage.number,
            stage.total,
            prose(&step.title)
        )
        .ok();
        writeln!(out, "```mermaid").ok();
        out.push_str(&mermaid::render_view(p, &stage.view()));
        writeln!(out, "```\n").ok();

        if !stage.added.is_empty() {
            let names: Vec<String> = stage
                .added
                .iter()
                .map(|c| prose(&node_lines(c).join(" — ")))
                .collect();
            writeln!(out, "**New:** {}\n", names.join(" · ")).ok();
        }
        if !stage.edges.is_empty() {
            writeln!(out, "**Flows:**\n").ok();
            for e in &stage.edges {
                writeln!(
                    out,
                    "- {} → {} ({})",
                    prose(&e.from.label),
                    prose(&e.to.label),
                    prose(&edge_text(e.connection))
                )
                .ok();
            }
            out.push('\n');
        }
        writeln!(out, "### Why\n\n{}\n", prose(&step.why)).ok();
        if !step.topics.is_empty() {
            let topics: Vec<String> = step
                .topics
                .iter()
                .map(|t| {
                    let phase = catalog.roadmap.phase_of(t).unwrap_or_default();
                    format!("{} *({})*", prose(t), prose(phase))
                })
                .collect();
            writeln!(out, "**Roadmap topics:** {}\n", topics.join(" · ")).ok();
        }
        if !step.practices.is_empty() {
            writeln!(out, "**Best practices:**\n").ok();
            for practice in &step.practices {
                writeln!(out, "- {}", prose(practice)).ok();
            }
            out.push('\n');
        }
        if !step.pitfall.is_empty() {
            writeln!(out, "**Pitfall:** {}\n", prose(&step.pitfall)).ok();
        }
        if !step.question.is_empty() {
            writeln!(out, "**Check yourself:** {}\n", prose(&step.question)).ok();
            writeln!(
                out,
                "<details>\n<summary>Answer</summary>\n\n{}\n\n</details>\n",
                prose(&step.answer)
            )
            .ok();
        }
        if stage.is_last() {
            writeln!(out, "### Try it\n\n```sh").ok();
            for command in &doc.try_it {
                writeln!(out, "{command}").ok();
            }
            writeln!(out, "```\n").ok();
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::builtin;
    use super::super::{Document, stages, try_it};
    use super::*;

    #[test]
    fn one_step_shows_everything_so_far_and_highlights_its_adds() {
        let p = builtin("serverless-web");
        let all = stages(&p);
        let doc = Document {
            pattern: &p,
            try_it: try_it("serverless-web", &[]),
        };
        let md = document(&doc, &[&all[1]]);
        assert!(md.contains(r"## Step 2/6: An HTTP API under /api/\*"));
        assert!(md.contains("c_cdn{{"), "earlier components are drawn");
        assert!(!md.contains("c_api_fn("), "later components are not");
        assert!(md.contains("class c_api new"));
        assert!(!md.contains("### Try it"));
    }
}
