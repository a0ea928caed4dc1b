//! Security parity: per component, whether each target encrypts at rest, blocks public access,
//! logs, backs up, and which IAM actions it grants. The rules that recognise a control are data in
//! each target's `meta/compare.yaml`; a synthesized CDK template is read with the CloudFormation
//! rules.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::Value;

use super::{Control, ControlResult, RowKey, TargetCode, meta_file};
use crate::model::Pattern;

/// The controls in display order.
pub const CONTROLS: [&str; 4] = ["encryption", "public-access-blocked", "logging", "backup"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rule {
    #[serde(rename = "type")]
    pub resource_type: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub equals: Option<String>,
}

impl Rule {
    fn matches(&self, native_type: &str, body: &Value) -> bool {
        if native_type != self.resource_type {
            return false;
        }
        match &self.path {
            None => true,
            Some(path) => {
                let parts: Vec<&str> = path.split('.').collect();
                at_path(body, &parts, self.equals.as_deref())
            }
        }
    }
}

/// Whether `v` has a non-null value at `path` (equal to `equals` when given); a list on the way
/// matches when any element does.
fn at_path(v: &Value, path: &[&str], equals: Option<&str>) -> bool {
    if let Value::Array(list) = v {
        return list.iter().any(|e| at_path(e, path, equals));
    }
    let Some((first, rest)) = path.split_first() else {
        return match (v, equals) {
            (Value::Null, _) => false,
            (_, None) => true,
            (Value::String(s), Some(want)) => s == want,
            (other, Some(want)) => {
                let text = other.to_string();
                text == want
            }
        };
    };
    v.get(*first)
        .is_some_and(|next| at_path(next, rest, equals))
}

pub(crate) fn controls(pattern: &Pattern, read: &[TargetCode]) -> Vec<Control> {
    // A synthesized CDK template is CloudFormation: read it with those rules.
    let cfn_rules = meta_file::<super::Meta>("cloudformation", "compare.yaml")
        .map(|m| m.security)
        .unwrap_or_default();
    let mut out = Vec::new();
    for c in pattern.components() {
        let row = RowKey::Component(c.id.clone());
        for control in CONTROLS {
            let results: Vec<ControlResult> = read
                .iter()
                .map(|t| {
                    if !t.readable {
                        return ControlResult {
                            target: t.target.to_string(),
                            state: "unknown",
                            detail: Vec::new(),
                        };
                    }
                    let rules = if t.meta.language == "cdk" {
                        cfn_rules.get(control)
                    } else {
                        t.meta.security.get(control)
                    };
                    let has = t.found.iter().filter(|f| f.row == row).any(|f| {
                        rules
                            .into_iter()
                            .flatten()
                            .any(|r| r.matches(&f.item.native_type, &f.body))
                    });
                    ControlResult {
                        target: t.target.to_string(),
                        state: if has { "yes" } else { "no" },
                        detail: Vec::new(),
                    }
                })
                .collect();
            if results.iter().any(|r| r.state == "yes") {
                out.push(control_row(&c.id, control, results));
            }
        }
        let results: Vec<ControlResult> = read
            .iter()
            .map(|t| {
                let actions: BTreeSet<String> = t
                    .found
                    .iter()
                    .filter(|f| f.row == row)
                    .flat_map(|f| f.actions.iter().cloned())
                    .collect();
                ControlResult {
                    target: t.target.to_string(),
                    state: if !t.readable {
                        "unknown"
                    } else if actions.is_empty() {
                        "no"
                    } else {
                        "yes"
                    },
                    detail: actions.into_iter().collect(),
                }
            })
            .collect();
        if results.iter().any(|r| r.state == "yes") {
            out.push(control_row(&c.id, "iam-actions", results));
        }
    }
    out
}

fn control_row(component: &str, control: &str, results: Vec<ControlResult>) -> Control {
    let known: Vec<&ControlResult> = results.iter().filter(|r| r.state != "unknown").collect();
    let same = known
        .windows(2)
        .all(|w| w[0].state == w[1].state && w[0].detail == w[1].detail);
    Control {
        component: component.to_string(),
        control: control.to_string(),
        status: if !same {
            "differs"
        } else if known.len() < results.len() {
            "unchecked"
        } else {
            "same"
        },
        results,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(ty: &str, path: Option<&str>, equals: Option<&str>) -> Rule {
        Rule {
            resource_type: ty.into(),
            path: path.map(str::to_string),
            equals: equals.map(str::to_string),
        }
    }

    #[test]
    fn paths_match_through_lists_and_compare_scalars_as_text() {
        let lt = json!({"Properties": {"LaunchTemplateData": {"BlockDeviceMappings": [
            {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": true}}]}}});
        let r = rule(
            "AWS::EC2::LaunchTemplate",
            Some("Properties.LaunchTemplateData.BlockDeviceMappings.Ebs.Encrypted"),
            Some("true"),
        );
        assert!(r.matches("AWS::EC2::LaunchTemplate", &lt));
        assert!(!r.matches("AWS::EC2::Instance", &lt));
        let off = json!({"Properties": {"LaunchTemplateData": {"BlockDeviceMappings": [
            {"Ebs": {"Encrypted": false}}]}}});
        assert!(!r.matches("AWS::EC2::LaunchTemplate", &off));
    }

    #[test]
    fn a_rule_without_path_needs_only_the_type() {
        assert!(rule("aws_flow_log", None, None).matches("aws_flow_log", &Value::Null));
    }

    #[test]
    fn unknown_results_make_a_control_unchecked_not_different() {
        let r = |target: &str, state| ControlResult {
            target: target.into(),
            state,
            detail: Vec::new(),
        };
        let c = control_row(
            "db",
            "backup",
            vec![r("a", "yes"), r("b", "yes"), r("c", "unknown")],
        );
        assert_eq!(c.status, "unchecked");
        let c = control_row("db", "backup", vec![r("a", "yes"), r("b", "no")]);
        assert_eq!(c.status, "differs");
    }
}
