//! The comparison as terminal tables: columns fitted to the width given, cells wrapped, colour
//! only when asked for (the caller follows NO_COLOR and whether stdout is a terminal).

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::{Comparison, TARGETS};

const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[1;31m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

struct Paint(bool);

impl Paint {
    fn on(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    fn status(&self, status: &str) -> String {
        let code = match status {
            "equal" | "same" => GREEN,
            "explained" | "unchecked" => YELLOW,
            _ => RED,
        };
        self.on(code, status)
    }
}

/// Lines of `text` no wider than `width`: prose wraps at spaces, anything else is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(4);
    let mut out = Vec::new();
    for line in text.lines() {
        if line.width() <= width {
            out.push(line.to_string());
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let options = textwrap::Options::new(width)
            .break_words(true)
            .subsequent_indent(&line[..indent.min(width / 2)]);
        out.extend(
            textwrap::wrap(line, options)
                .into_iter()
                .map(|c| c.into_owned()),
        );
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// A table whose first column takes what its content needs (up to a third of the width) and
/// whose other columns share the rest.
fn grid(out: &mut String, headers: &[&str], rows: &[Vec<String>], width: usize, paint: &Paint) {
    let n = headers.len();
    let gaps = 2 * (n - 1);
    let first = rows
        .iter()
        .flat_map(|r| r[0].lines())
        .chain([headers[0]])
        .map(UnicodeWidthStr::width)
        .max()
        .unwrap_or(8)
        .min(width / 3)
        .max(8);
    let rest = width.saturating_sub(first + gaps) / (n - 1).max(1);
    let widths: Vec<usize> = (0..n)
        .map(|i| if i == 0 { first } else { rest.max(4) })
        .collect();
    let line = |cells: Vec<Vec<String>>, out: &mut String| {
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        for h in 0..height {
            let mut text = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let part = cell.get(h).map(String::as_str).unwrap_or("");
                text.push_str(part);
                if i + 1 < n {
                    let pad = widths[i].saturating_sub(part.width()) + 2;
                    text.push_str(&" ".repeat(pad));
                }
            }
            writeln!(out, "{}", text.trim_end()).ok();
        }
    };
    let head: Vec<Vec<String>> = headers
        .iter()
        .zip(&widths)
        .map(|(h, w)| wrap(h, *w))
        .collect();
    let mut header = String::new();
    line(head, &mut header);
    out.push_str(&paint.on(BOLD, header.trim_end()));
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("  ")).ok();
    for row in rows {
        let cells: Vec<Vec<String>> = row.iter().zip(&widths).map(|(c, w)| wrap(c, *w)).collect();
        line(cells, out);
    }
}

pub fn render(c: &Comparison, width: usize, color: bool) -> String {
    let paint = Paint(color);
    let width = width.max(60);
    let mut out = String::new();
    let title = format!(
        "{} ({}): CloudFormation, Terraform and CDK compared",
        c.pattern.title, c.pattern.id
    );
    for line in wrap(&title, width) {
        writeln!(out, "{}", paint.on(BOLD, &line)).ok();
    }
    if !c.cdk_synthesized {
        let note = "The CDK column lists the constructs of each component's bill of materials; pass --synth to compare the synthesized template.";
        for line in wrap(note, width) {
            writeln!(out, "{line}").ok();
        }
    }
    out.push('\n');

    let mut headers = vec!["summary"];
    headers.extend(TARGETS);
    let rows: Vec<Vec<String>> = super::summary_rows(c)
        .into_iter()
        .map(|(name, values)| {
            let mut row = vec![name.to_string()];
            row.extend(values);
            row
        })
        .collect();
    grid(&mut out, &headers, &rows, width, &paint);
    out.push('\n');

    let mut headers = vec!["part"];
    headers.extend(TARGETS);
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![format!("{} {}\n{}", r.row, r.id, paint.status(r.status))];
            row.extend(cells(r));
            row
        })
        .collect();
    grid(&mut out, &headers, &rows, width, &paint);
    let differences: Vec<String> = c
        .rows
        .iter()
        .flat_map(|r| {
            r.differences.iter().map(move |d| {
                format!(
                    "- {} {}: {} in {} only. {}",
                    r.row,
                    r.id,
                    d.cfn_type,
                    d.only_in,
                    d.reason.as_deref().unwrap_or("UNEXPLAINED")
                )
            })
        })
        .collect();
    if !differences.is_empty() {
        writeln!(out, "\n{}", paint.on(BOLD, "differences")).ok();
        for d in differences {
            for line in wrap(&d, width) {
                writeln!(out, "{line}").ok();
            }
        }
    }
    out.push('\n');

    let mut headers = vec!["security"];
    headers.extend(TARGETS);
    let rows: Vec<Vec<String>> = c
        .security
        .iter()
        .map(|s| {
            let mut row = vec![format!(
                "{} {}\n{}",
                s.component,
                s.control,
                paint.status(s.status)
            )];
            row.extend(s.results.iter().map(|r| {
                if r.detail.is_empty() {
                    r.state.to_string()
                } else {
                    r.detail.join("\n")
                }
            }));
            row
        })
        .collect();
    grid(&mut out, &headers, &rows, width, &paint);

    if let Some(code) = &c.code {
        writeln!(
            out,
            "\n{}",
            paint.on(BOLD, &format!("code of component {}", code.component))
        )
        .ok();
        let row: Vec<String> = code.panes.iter().map(|p| p.text.clone()).collect();
        grid(&mut out, &TARGETS, &[row], width, &paint);
    }
    out
}

/// Each target's items, one a line: a name that starts with its type (a Terraform address) alone,
/// others with the type, `AWS::` left out.
fn cells(r: &super::Row) -> Vec<String> {
    r.cells
        .iter()
        .map(|cell| {
            if cell.items.is_empty() {
                return "—".to_string();
            }
            cell.items
                .iter()
                .map(|i| {
                    if i.name.starts_with(&i.native_type) {
                        i.name.clone()
                    } else {
                        let ty = i
                            .native_type
                            .strip_prefix("AWS::")
                            .unwrap_or(&i.native_type);
                        format!("{} {ty}", i.name)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_cells_keep_to_the_width() {
        for line in wrap(
            "aws_s3_bucket_server_side_encryption_configuration.data_lake_raw (x)",
            20,
        ) {
            assert!(line.width() <= 20, "{line:?}");
        }
        assert_eq!(wrap("", 10), vec![String::new()]);
    }

    #[test]
    fn grid_lines_fit_and_colour_is_optional() {
        let mut out = String::new();
        let rows = vec![vec![
            "a".to_string(),
            "one two three four five six seven".to_string(),
            "x".to_string(),
        ]];
        grid(&mut out, &["h", "b", "c"], &rows, 30, &Paint(false));
        assert!(out.lines().all(|l| l.width() <= 30), "{out}");
        assert!(!out.contains('\x1b'));
        let mut coloured = String::new();
        grid(&mut coloured, &["h", "b", "c"], &rows, 30, &Paint(true));
        assert!(coloured.contains(BOLD));
    }
}
