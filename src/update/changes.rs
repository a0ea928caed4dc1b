//! What an update changes in the architecture: components, connections, groups and parameter
//! values added, removed or changed between the pattern a project was made from and the new one.
//! Said before any file is written, in the model's terms rather than in lines.

use std::fmt;

use crate::catalog::display_value;
use crate::model::Pattern;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    Added,
    Removed,
    Changed,
}

/// One architectural change, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub sign: Sign,
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = match self.sign {
            Sign::Added => '+',
            Sign::Removed => '-',
            Sign::Changed => '~',
        };
        write!(f, "{mark} {}", self.what)
    }
}

fn group_id(p: &Pattern, g: Option<usize>) -> String {
    g.map_or_else(|| "(none)".to_string(), |g| p.groups[g].id.clone())
}

/// `old → new` for each differing entry of two property maps.
fn property_changes<'a>(
    old: &'a indexmap::IndexMap<String, serde_json::Value>,
    new: &'a indexmap::IndexMap<String, serde_json::Value>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (name, value) in new {
        match old.get(name) {
            Some(before) if before == value => {}
            Some(before) => out.push(format!(
                "`{name}` {} → {}",
                display_value(before),
                display_value(value)
            )),
            None => out.push(format!("`{name}` set to {}", display_value(value))),
        }
    }
    for name in old.keys().filter(|n| !new.contains_key(*n)) {
        out.push(format!("`{name}` unset"));
    }
    out
}

/// Every change from `old` to `new`, parameters first, then groups, components and connections,
/// each in the new pattern's order (removals after).
pub fn changes(old: &Pattern, new: &Pattern) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |sign, what: String| out.push(Change { sign, what });
    for (name, value) in &new.values {
        match old.values.get(name) {
            Some(before) if before != value => push(
                Sign::Changed,
                format!(
                    "parameter `{name}`: {} → {}",
                    display_value(before),
                    display_value(value)
                ),
            ),
            _ => {}
        }
    }
    for g in &new.groups {
        match old.groups.iter().find(|o| o.id == g.id) {
            None => push(
                Sign::Added,
                format!("group `{}` ({}): {}", g.id, g.kind, g.label),
            ),
            Some(o) => {
                let mut diffs = property_changes(&o.properties, &g.properties);
                if o.kind != g.kind {
                    diffs.insert(0, format!("kind {} → {}", o.kind, g.kind));
                }
                if o.label != g.label {
                    diffs.push(format!("label \"{}\" → \"{}\"", o.label, g.label));
                }
                let (op, np) = (
                    o.parent.map(|p| &old.groups[p].id),
                    g.parent.map(|p| &new.groups[p].id),
                );
                if op != np {
                    diffs.push(format!(
                        "moved from `{}` to `{}`",
                        op.map_or("(none)", |s| s.as_str()),
                        np.map_or("(none)", |s| s.as_str())
                    ));
                }
                if !diffs.is_empty() {
                    push(
                        Sign::Changed,
                        format!("group `{}`: {}", g.id, diffs.join(", ")),
                    );
                }
            }
        }
    }
    for o in old
        .groups
        .iter()
        .filter(|o| !new.groups.iter().any(|g| g.id == o.id))
    {
        push(
            Sign::Removed,
            format!("group `{}` ({}): {}", o.id, o.kind, o.label),
        );
    }
    for c in new.components() {
        match old.component(&c.id) {
            None => push(
                Sign::Added,
                format!("component `{}` ({}): {}", c.id, c.kind, c.label),
            ),
            Some(o) => {
                let mut diffs = Vec::new();
                if o.kind != c.kind {
                    diffs.push(format!("kind {} → {}", o.kind, c.kind));
                }
                diffs.extend(property_changes(&o.properties, &c.properties));
                if o.label != c.label {
                    diffs.push(format!("label \"{}\" → \"{}\"", o.label, c.label));
                }
                let (og, ng) = (group_id(old, o.group), group_id(new, c.group));
                if og != ng {
                    diffs.push(format!("moved from `{og}` to `{ng}`"));
                }
                if !diffs.is_empty() {
                    push(
                        Sign::Changed,
                        format!("component `{}`: {}", c.id, diffs.join(", ")),
                    );
                }
            }
        }
    }
    for o in old.components().filter(|o| new.component(&o.id).is_none()) {
        push(
            Sign::Removed,
            format!("component `{}` ({}): {}", o.id, o.kind, o.label),
        );
    }
    let key = |e: &crate::model::Edge<'_>| {
        (
            e.from.id.clone(),
            e.connection.kind.clone(),
            e.to.id.clone(),
        )
    };
    let old_edges: Vec<_> = old.edges().collect();
    let new_edges: Vec<_> = new.edges().collect();
    for e in &new_edges {
        let name = format!(
            "connection `{}` -{}-> `{}`",
            e.from.id, e.connection.kind, e.to.id
        );
        match old_edges.iter().find(|o| key(o) == key(e)) {
            None => push(Sign::Added, name),
            Some(o) => {
                let (a, b) = (o.connection, e.connection);
                let mut diffs = Vec::new();
                if a.label != b.label {
                    diffs.push(format!(
                        "label \"{}\" → \"{}\"",
                        a.label.as_deref().unwrap_or(""),
                        b.label.as_deref().unwrap_or("")
                    ));
                }
                if a.port != b.port || a.protocol != b.protocol {
                    diffs.push(format!(
                        "{} {} → {} {}",
                        a.protocol.as_deref().unwrap_or("-"),
                        a.port.map_or("-".to_string(), |p| p.to_string()),
                        b.protocol.as_deref().unwrap_or("-"),
                        b.port.map_or("-".to_string(), |p| p.to_string()),
                    ));
                }
                if !diffs.is_empty() {
                    push(Sign::Changed, format!("{name}: {}", diffs.join(", ")));
                }
            }
        }
    }
    for o in old_edges
        .iter()
        .filter(|o| !new_edges.iter().any(|e| key(e) == key(o)))
    {
        push(
            Sign::Removed,
            format!(
                "connection `{}` -{}-> `{}`",
                o.from.id, o.connection.kind, o.to.id
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Library;

    fn pattern(id: &str, sets: &[&str]) -> Pattern {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        Library::default().load(id).unwrap().resolve(&sets).unwrap()
    }

    #[test]
    fn a_parameter_that_adds_a_key_is_said_in_architecture_terms() {
        let old = pattern("event-driven", &[]);
        let new = pattern("event-driven", &["customer_managed_key=true"]);
        let text: Vec<String> = changes(&old, &new)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            text.contains(&"~ parameter `customer_managed_key`: false → true".to_string()),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("+ component `key` (kms-key)")),
            "{text:#?}"
        );
        assert!(
            text.contains(&"+ connection `topic` -read-> `key`".to_string()),
            "{text:#?}"
        );
        let back: Vec<String> = changes(&new, &old)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            back.iter()
                .any(|t| t.starts_with("- component `key` (kms-key)")),
            "{back:#?}"
        );
    }

    #[test]
    fn the_same_pattern_changes_nothing() {
        let p = pattern("three-tier-web", &[]);
        assert_eq!(changes(&p, &p), Vec::new());
    }
}
