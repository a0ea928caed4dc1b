//! The comparison as Markdown, for pull requests and wikis.

use std::fmt::Write as _;

use super::{Comparison, TARGETS};
use crate::markup::{markdown_cell as cell, markdown_code as code};

pub fn render(c: &Comparison) -> String {
    let mut out = String::new();
    writeln!(
        out,
        "# {} (`{}`): CloudFormation, Terraform and CDK compared\n",
        c.pattern.title, c.pattern.id
    )
    .ok();
    if !c.cdk_synthesized {
        writeln!(out, "The CDK column lists each component's bill of materials; `archpat compare --synth` compares the synthesized template.\n").ok();
    }
    writeln!(out, "## Summary\n").ok();
    writeln!(out, "| | {} |", TARGETS.join(" | ")).ok();
    writeln!(out, "|---|{}", "---|".repeat(TARGETS.len())).ok();
    for (name, values) in super::summary_rows(c) {
        let values: Vec<String> = values.iter().map(|v| cell(v)).collect();
        writeln!(out, "| {name} | {} |", values.join(" | ")).ok();
    }
    writeln!(out, "\n## Resources per component and connection\n").ok();
    writeln!(out, "| part | status | {} |", TARGETS.join(" | ")).ok();
    writeln!(out, "|---|---|{}", "---|".repeat(TARGETS.len())).ok();
    for r in &c.rows {
        let mut status = r.status.to_string();
        for d in &r.differences {
            write!(
                status,
                "\n{} `{}` only in {}: {}",
                d.target,
                d.cfn_type,
                d.only_in,
                d.reason.as_deref().unwrap_or("**unexplained**")
            )
            .ok();
        }
        let cells: Vec<String> = r
            .cells
            .iter()
            .map(|cell_| {
                cell_
                    .items
                    .iter()
                    .map(|i| format!("{} {}", code(&i.name), i.native_type))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .map(|t| {
                if t.is_empty() {
                    "—".to_string()
                } else {
                    cell(&t)
                }
            })
            .collect();
        writeln!(
            out,
            "| {} {} | {} | {} |",
            r.row,
            code(&r.id),
            cell(&status),
            cells.join(" | ")
        )
        .ok();
    }

    writeln!(out, "\n## Security parity\n").ok();
    writeln!(
        out,
        "| component | control | status | {} |",
        TARGETS.join(" | ")
    )
    .ok();
    writeln!(out, "|---|---|---|{}", "---|".repeat(TARGETS.len())).ok();
    for s in &c.security {
        let results: Vec<String> = s
            .results
            .iter()
            .map(|r| {
                if r.detail.is_empty() {
                    r.state.to_string()
                } else {
                    cell(&r.detail.join("\n"))
                }
            })
            .collect();
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            code(&s.component),
            s.control,
            s.status,
            results.join(" | ")
        )
        .ok();
    }
    if let Some(code_) = &c.code {
        writeln!(out, "\n## Code of `{}`", code_.component).ok();
        for pane in &code_.panes {
            let fence = if pane.text.contains("```") {
                "````"
            } else {
                "```"
            };
            writeln!(
                out,
                "\n### {}\n\n{fence}{}\n{}{fence}",
                pane.target, pane.language, pane.text
            )
            .ok();
        }
    }
    out
}
