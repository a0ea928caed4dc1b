//! The import data: `catalog/import.yaml` (helpers, links, IAM actions, SAM) and the Terraform to
//! CloudFormation type table compare uses, parsed once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

static RULES: OnceLock<Rules> = OnceLock::new();

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rules {
    pub groups: BTreeMap<String, String>,
    pub helpers: BTreeMap<String, Helper>,
    pub helper_prefixes: IndexMap<String, String>,
    pub folded_when_only_referenced_by: Vec<String>,
    pub folded_when_only_helpers_refer: Vec<String>,
    pub folded_watchers: Watchers,
    pub placed_with_referrers: Vec<String>,
    pub own_logs: OwnLogs,
    pub implied: Vec<Implied>,
    pub part_of: BTreeMap<String, Vec<String>>,
    pub links: Vec<Link>,
    pub references: Vec<Reference>,
    pub reference_kinds: Vec<String>,
    pub identity_policy_types: Vec<String>,
    pub not_policies: Vec<String>,
    pub actions: IndexMap<String, String>,
    pub action_kinds: Vec<String>,
    pub policy_templates: BTreeMap<String, PolicyTemplate>,
    pub sam_events: BTreeMap<String, SamEvent>,
    #[serde(default)]
    pub connection_properties: Vec<ConnectionProperty>,
    /// Terraform type → CloudFormation types (`templates/terraform/meta/cfn-types.yaml`).
    #[serde(skip)]
    pub terraform: BTreeMap<String, Vec<String>>,
}

/// Resources that only watch others (alarms on a metric): a reference through `through` does not
/// keep the watched resource a component, and a watcher of folded resources only is folded too.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Watchers {
    pub kind: String,
    pub through: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Helper {
    #[serde(default)]
    pub into: Vec<String>,
    #[serde(default)]
    pub shared: bool,
    #[serde(default)]
    pub bridge: bool,
    pub why: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Link {
    #[serde(rename = "type")]
    pub ty: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub kinds: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Reference {
    #[serde(rename = "type")]
    pub ty: String,
    pub property: String,
    #[serde(default)]
    pub reverse: bool,
    pub kind: String,
}

/// A connection property the resource that makes the connection holds in a list: each of
/// `items` names an entry of `targets` by `key` = `target_key`, and the connection to what that
/// entry references gets the item's `value` as `property`. Every field lists the spellings
/// (CloudFormation first, then Terraform); a path's lists (Terraform blocks) are walked through.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConnectionProperty {
    #[serde(rename = "type")]
    pub ty: String,
    pub kind: String,
    pub property: String,
    pub items: Vec<String>,
    pub value: Vec<String>,
    pub key: Vec<String>,
    pub targets: Vec<String>,
    pub target_key: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OwnLogs {
    pub kind: String,
    pub names: Vec<String>,
    pub writers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Implied {
    #[serde(rename = "type")]
    pub ty: String,
    pub property: String,
    pub kind: String,
    pub connection: String,
    pub label: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyTemplate {
    pub resource: String,
    pub actions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SamEvent {
    pub creates: String,
    pub set: Value,
    #[serde(default)]
    pub implicit: Option<Implicit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Implicit {
    pub property: String,
    pub id: String,
    #[serde(rename = "type")]
    pub ty: String,
}

#[derive(Deserialize)]
struct TypeTable {
    types: BTreeMap<String, Vec<String>>,
}

impl Rules {
    /// The data in use: the embedded file, which a unit test checks, or a `--catalog-dir`'s
    /// `import.yaml`, which `Catalog::install_overlay` checked before anything reads it.
    pub(crate) fn get() -> &'static Rules {
        RULES.get_or_init(|| {
            let mut rules: Rules = serde_saphyr::from_str(crate::catalog::import_data())
                .unwrap_or_else(|e| panic!("catalog/import.yaml is invalid: {e}"));
            let table = crate::scaffold::engine::template_file("terraform", "meta/cfn-types.yaml")
                .and_then(|t| serde_saphyr::from_str::<TypeTable>(t).ok())
                .map(|t| t.types)
                .unwrap_or_default();
            rules.terraform = table;
            rules
        })
    }

    /// What a helper type is, by exact type or prefix (`Custom::`).
    pub(crate) fn helper(&self, ty: &str) -> Option<(&str, Option<&Helper>)> {
        if let Some(h) = self.helpers.get(ty) {
            return Some((h.why.as_str(), Some(h)));
        }
        self.helper_prefixes
            .iter()
            .find(|(p, _)| ty.starts_with(p.as_str()))
            .map(|(_, why)| (why.as_str(), None))
    }

    /// The connection kinds a statement's actions suggest, strongest first.
    pub(crate) fn kinds_for_actions(&self, actions: &[String]) -> Vec<String> {
        let mut set: Vec<&str> = Vec::new();
        for a in actions {
            if let Some((_, k)) = self.actions.iter().find(|(p, _)| glob(p, a)) {
                set.push(k);
            }
        }
        let mut out: Vec<String> = Vec::new();
        if set.contains(&"read") && set.contains(&"write") {
            out.push("read-write".into());
        }
        for k in &self.action_kinds {
            if set.contains(&k.as_str()) && !out.contains(k) {
                out.push(k.clone());
            }
        }
        out
    }
}

/// `*` matches any run of characters; comparison ignores case, as IAM does.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.to_ascii_lowercase(), text.to_ascii_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == t;
    }
    let mut rest = t.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_loads_and_names_known_kinds() {
        let rules = Rules::get();
        let catalog = crate::catalog::Catalog::builtin();
        for k in rules
            .reference_kinds
            .iter()
            .chain(&rules.action_kinds)
            .chain(rules.actions.values())
            .chain(rules.links.iter().flat_map(|l| &l.kinds))
        {
            assert!(
                catalog.connections.contains_key(k),
                "unknown connection kind `{k}`"
            );
        }
        for ty in rules.helpers.keys() {
            assert!(
                catalog.kind_for_cloudformation(ty).is_none(),
                "`{ty}` is both a helper and a kind"
            );
        }
        assert_eq!(
            rules.terraform["aws_lambda_function"],
            ["AWS::Lambda::Function"]
        );
    }

    #[test]
    fn actions_give_kinds() {
        let rules = Rules::get();
        let k = |a: &[&str]| {
            rules.kinds_for_actions(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(
            k(&["dynamodb:GetItem", "dynamodb:PutItem"])[0],
            "read-write"
        );
        assert_eq!(
            k(&["sqs:ReceiveMessage", "sqs:GetQueueAttributes"])[0],
            "consume"
        );
        assert_eq!(k(&["sns:Publish"])[0], "publish");
        assert_eq!(k(&["s3:GetObject"])[0], "read");
        assert!(glob("s3:get*", "S3:GetObject") && !glob("s3:Put*", "s3:GetObject"));
    }
}
