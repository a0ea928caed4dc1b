//! The imported design as pattern file text: comments name the source file, line and logical id
//! of each component, so a reader can go back.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::Switch;
use super::infer::Model;
use super::refs::slug;

/// Quotes text for a YAML flow scalar.
fn q(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// Text from the input as one comment line: control characters (a newline in a file name) would
/// end the comment and write YAML.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `switches` maps a resource id to the input's condition on it; a component takes the switch of
/// its first source resource, and the parameters those switches read are declared.
pub(crate) fn pattern(
    model: &Model,
    switches: &BTreeMap<String, Switch>,
    shown: &str,
    name: &str,
    kind: &str,
) -> String {
    let mut out = String::new();
    let shown = &one_line(shown);
    let id = slug(name).replace('_', "-");
    let id = if id.starts_with(|c: char| c.is_ascii_lowercase()) {
        id
    } else {
        format!("imported-{id}")
    };
    let r = &model.report;
    let _ = writeln!(out, "# Imported by `archpat import` from {kind} `{shown}`:");
    let _ = writeln!(
        out,
        "# {} resources mapped to components, {} folded into them, {} unclassified.",
        r.mapped.len(),
        r.folded.len(),
        r.unclassified.len()
    );
    let _ = writeln!(out, "id: {id}");
    let _ = writeln!(out, "title: {}", q(&format!("Imported: {name}")));
    let _ = writeln!(
        out,
        "summary: {}",
        q(&format!(
            "The design of {kind} `{name}` as archpat reads it: {} components, {} connections. Helpers (roles, policies, permissions, routes) are folded into what they serve.",
            model.components.len(),
            model.connections.len()
        ))
    );
    let switch_of = |c: &super::infer::Component| c.sources.first().and_then(|s| switches.get(s));
    let mut declared: BTreeMap<&str, &Switch> = BTreeMap::new();
    for c in &model.components {
        if let Some(s) = switch_of(c) {
            declared.entry(&s.parameter).or_insert(s);
        }
    }
    if !declared.is_empty() {
        out.push_str("\n# The input's parameters that decide whether a part exists; `--set` them.\nparameters:\n");
        for (name, s) in &declared {
            let _ = writeln!(
                out,
                "  # {}",
                one_line(&format!("from parameter `{}`", s.source))
            );
            let _ = writeln!(out, "  {name}: {}", s.definition);
        }
    }
    out.push_str("\ngroups:\n");
    for g in &model.groups {
        if let Some(n) = &g.note {
            let _ = writeln!(out, "  # {}", one_line(n));
        }
        if g.id == "unclassified" {
            out.push_str("  # Resources no catalog kind or helper rule covers:\n");
            for (rid, ty, at) in &model.unclassified {
                let _ = writeln!(out, "  #   {}", one_line(&format!("{rid} ({ty}), {at}")));
            }
        }
        let _ = write!(out, "  - {{ id: {}, kind: {}", g.id, g.kind);
        if let Some(p) = &g.parent {
            let _ = write!(out, ", parent: {p}");
        }
        let _ = write!(out, ", label: {}", q(&g.label));
        if let Some(t) = &g.tier {
            let _ = write!(out, ", properties: {{ tier: {t} }}");
        }
        out.push_str(" }\n");
    }
    out.push_str("\ncomponents:\n");
    for c in &model.components {
        if c.sources.is_empty() && !c.ty.is_empty() {
            let _ = writeln!(
                out,
                "  # {}",
                one_line(&format!("{}: implied by `{}`", c.file, c.ty))
            );
        } else if c.sources.is_empty() {
            let what = if c.kind == "users" {
                "added as the caller of the public entry points"
            } else {
                "a stand-in for what another component needs"
            };
            let _ = writeln!(out, "  # not in the input: {what}");
        } else {
            let at = c.line.map(|l| format!(" line {l}")).unwrap_or_default();
            let text = format!("{}{at}: {} ({})", c.file, c.sources.join(", "), c.ty);
            let _ = writeln!(out, "  # {}", one_line(&text));
        }
        let _ = write!(
            out,
            "  - {{ id: {}, kind: {}, label: {}",
            c.id,
            c.kind,
            q(&c.label)
        );
        if let Some(g) = &c.group {
            let _ = write!(out, ", group: {g}");
        }
        if let Some(s) = switch_of(c) {
            let _ = write!(out, ", when: {}", q(&s.when));
        }
        out.push_str(" }\n");
    }
    if !model.connections.is_empty() {
        out.push_str("\nconnections:\n");
        for c in &model.connections {
            let why = one_line(&c.why);
            let _ = writeln!(out, "  # {why}");
            let properties = if c.properties.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = c
                    .properties
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", q(v)))
                    .collect();
                format!(", properties: {{ {} }}", list.join(", "))
            };
            let _ = writeln!(
                out,
                "  - {{ from: {}, to: {}, kind: {}{properties} }}",
                c.from, c.to, c.kind
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_text_cannot_leave_its_comment() {
        let file = "evil\nid: pwned.yaml";
        let files = std::collections::BTreeMap::from([(
            file.to_string(),
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n".to_string(),
        )]);
        let p = crate::import::import_files(file, "evil", &files)
            .unwrap()
            .pattern;
        assert!(!p.lines().any(|l| l.starts_with("id: pwned")), "{p}");
        assert_eq!(one_line("a\r\nb\tc"), "a  b c");
    }
}
