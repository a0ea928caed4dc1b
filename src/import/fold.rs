//! Folding: what each resource is (a component of a catalog kind, a group, a helper, or
//! unclassified), components named and numbered copies merged, and the component each helper
//! serves. The rules are data (`catalog/import.yaml`) and written down in docs/import.md.

use std::collections::{BTreeMap, BTreeSet};

use super::Resource;
use super::infer::Component;
use super::refs::{Ref, collect_refs, norm, slug, words};
use super::rules::{Helper, Rules};
use crate::catalog::Catalog;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Role {
    Component,
    Group(String),
    Helper { why: String },
    Unclassified,
}

/// The resources with their references, roles and owners: what placement, connections and the
/// report read.
pub(crate) struct Graph<'a> {
    pub rules: &'a Rules,
    pub catalog: &'a Catalog,
    pub resources: &'a [Resource],
    pub ids: BTreeSet<&'a str>,
    pub index: BTreeMap<&'a str, usize>,
    pub refs: Vec<Vec<Ref>>,
    /// Who references each resource (outside policy statements), and through which property.
    pub referrers: Vec<Vec<(usize, String)>>,
    pub roles: Vec<Role>,
    /// Resource → component index, for resources that are components.
    pub comp_of: BTreeMap<usize, usize>,
    /// Resource → the component it is or serves.
    pub owner: BTreeMap<usize, usize>,
    pub used_ids: BTreeSet<String>,
}

impl Graph<'_> {
    pub(crate) fn helper_info(&self, i: usize) -> Option<&Helper> {
        self.rules.helpers.get(&self.resources[i].ty)
    }

    pub(crate) fn is_link(&self, i: usize) -> bool {
        self.rules
            .links
            .iter()
            .any(|l| l.ty == self.resources[i].ty)
    }

    /// Shared helpers (security groups, route tables) and bridges (target groups) serve many.
    pub(crate) fn is_shared(&self, i: usize) -> bool {
        self.helper_info(i).is_some_and(|h| h.shared || h.bridge)
    }

    /// The resources a component holds: itself and its helpers.
    pub(crate) fn held(&self, c: usize) -> Vec<usize> {
        self.owner
            .iter()
            .filter(|(_, o)| **o == c)
            .map(|(r, _)| *r)
            .collect()
    }

    /// The component a resource is or serves.
    pub(crate) fn target_comp(&self, j: usize) -> Option<usize> {
        self.owner.get(&j).copied()
    }
}

pub(crate) fn fold<'a>(
    rules: &'a Rules,
    catalog: &'a Catalog,
    resources: &'a [Resource],
) -> (Graph<'a>, Vec<Component>) {
    let ids: BTreeSet<&str> = resources.iter().map(|r| r.id.as_str()).collect();
    let index: BTreeMap<&str, usize> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let refs: Vec<Vec<Ref>> = resources
        .iter()
        .map(|r| {
            let mut out = Vec::new();
            collect_refs(&r.props, "", false, &ids, &mut out);
            out.retain(|x| x.target != r.id);
            out
        })
        .collect();
    // Who references each resource (outside policy statements).
    let mut referrers: Vec<Vec<(usize, String)>> = vec![Vec::new(); resources.len()];
    for (i, rs) in refs.iter().enumerate() {
        for r in rs.iter().filter(|r| !r.in_statement) {
            referrers[index[r.target.as_str()]].push((i, r.path.clone()));
        }
    }

    // 1. What each resource is.
    let mut roles: Vec<Role> = resources
        .iter()
        .map(|r| {
            if let Some(g) = rules.groups.get(&r.ty) {
                Role::Group(g.clone())
            } else if catalog.kind_for_cloudformation(&r.ty).is_some() {
                Role::Component
            } else if let Some((why, _)) = rules.helper(&r.ty) {
                Role::Helper {
                    why: why.to_string(),
                }
            } else {
                Role::Unclassified
            }
        })
        .collect();
    for (i, r) in resources.iter().enumerate() {
        if roles[i] != Role::Component {
            continue;
        }
        if let Some(props) = rules.part_of.get(&r.ty)
            && refs[i]
                .iter()
                .any(|x| props.iter().any(|p| norm(&x.path) == norm(p)))
        {
            roles[i] = Role::Helper {
                why: "part of the component it names".into(),
            };
            continue;
        }
        let by: Vec<(usize, String)> = referrers[i]
            .iter()
            // A helper that belongs to this resource (its bucket policy) does not count, nor does
            // a log group that names it (its own logs), nor an alarm watching it.
            .filter(|(j, path)| {
                !belongs(rules, &resources[*j], path)
                    && !rules.own_logs.names.iter().any(|p| norm(p) == norm(path))
                    && !watches(rules, catalog, &resources[*j], path)
            })
            .cloned()
            .collect();
        if !by.is_empty()
            && by.iter().all(|(_, path)| {
                rules
                    .folded_when_only_referenced_by
                    .iter()
                    .any(|p| norm(path).ends_with(&norm(p)) || norm(path).starts_with(&norm(p)))
            })
        {
            roles[i] = Role::Helper {
                why: format!(
                    "serves `{}` only (through `{}`)",
                    resources[by[0].0].id, by[0].1
                ),
            };
        }
    }
    // An alarm that watches only folded resources is folded with them.
    for j in 0..resources.len() {
        if roles[j] != Role::Component {
            continue;
        }
        let watched: Vec<usize> = refs[j]
            .iter()
            .filter(|x| watches(rules, catalog, &resources[j], &x.path))
            .map(|x| index[x.target.as_str()])
            .collect();
        if let Some(&first) = watched.first()
            && watched
                .iter()
                .all(|w| matches!(roles[*w], Role::Helper { .. }))
        {
            roles[j] = Role::Helper {
                why: format!("watches only `{}`, which is folded", resources[first].id),
            };
        }
    }
    // A component's own log group.
    for i in 0..resources.len() {
        let is_logs = catalog
            .kind_for_cloudformation(&resources[i].ty)
            .is_some_and(|k| k.kind == rules.own_logs.kind);
        if roles[i] != Role::Component || !is_logs {
            continue;
        }
        let named = refs[i].iter().find(|x| {
            rules
                .own_logs
                .names
                .iter()
                .any(|p| norm(p) == norm(&x.path))
                && catalog
                    .kind_for_cloudformation(&resources[index[x.target.as_str()]].ty)
                    .is_some()
        });
        let writers: Vec<&(usize, String)> = referrers[i]
            .iter()
            .filter(|(j, path)| !belongs(rules, &resources[*j], path))
            .collect();
        let only_writer = (writers.len() == 1
            && rules
                .own_logs
                .writers
                .iter()
                .any(|p| norm(&writers[0].1) == norm(p)))
        .then(|| resources[writers[0].0].id.clone());
        if let Some(of) = named.map(|x| x.target.clone()).or(only_writer) {
            roles[i] = Role::Helper {
                why: format!("the own log group of `{of}`"),
            };
        }
    }
    // Log groups only helpers write to (a flow log, a folded provider function).
    for i in 0..resources.len() {
        let kind = catalog
            .kind_for_cloudformation(&resources[i].ty)
            .map(|k| k.kind.clone());
        if roles[i] != Role::Component
            || !kind.is_some_and(|k| rules.folded_when_only_helpers_refer.contains(&k))
        {
            continue;
        }
        let by = &referrers[i];
        if !by.is_empty()
            && by
                .iter()
                .all(|(j, _)| matches!(roles[*j], Role::Helper { .. }))
        {
            roles[i] = Role::Helper {
                why: format!(
                    "written to only by `{}`, which is folded",
                    resources[by[0].0].id
                ),
            };
        }
    }
    // Helpers whose referrer is a custom resource (a provider's role, log group) follow it.
    let helper_info = |i: usize| rules.helpers.get(&resources[i].ty);
    let is_link = |i: usize| rules.links.iter().any(|l| l.ty == resources[i].ty);
    let is_shared = |i: usize| helper_info(i).is_some_and(|h| h.shared || h.bridge);

    // CDK constructs that are groups (a VPC): what sits under them is named by its own segment.
    let group_roots: BTreeSet<String> = resources
        .iter()
        .enumerate()
        .filter(|(i, _)| matches!(roles[*i], Role::Group(_)))
        .filter_map(|(_, r)| r.path.as_deref()?.split('/').nth(1).map(str::to_string))
        .collect();
    // 2. Components, numbered copies merged (`NatGateway1`, `NatGateway2` → one).
    let mut comp_of: BTreeMap<usize, usize> = BTreeMap::new(); // resource → component index
    let mut comps: Vec<Component> = Vec::new();
    let mut used_ids: BTreeSet<String> = BTreeSet::new();
    for (i, r) in resources.iter().enumerate() {
        if roles[i] != Role::Component {
            continue;
        }
        let kind = catalog
            .kind_for_cloudformation(&r.ty)
            .map(|k| k.kind.clone())
            .unwrap_or_default();
        // CDK: the construct's id (its path under the stack), not the hashed logical id.
        let construct = r
            .path
            .as_deref()
            .and_then(|p| construct_name(p, &group_roots));
        let base_name = construct.unwrap_or_else(|| r.id.rsplit('.').next().unwrap_or(&r.id));
        let stripped = base_name.trim_end_matches(|c: char| c.is_ascii_digit());
        if stripped.len() < base_name.len()
            && !stripped.is_empty()
            && let Some(ci) = comps.iter().position(|c| {
                c.ty == r.ty && {
                    let first = &c.name;
                    first.trim_end_matches(|ch: char| ch.is_ascii_digit()) == stripped
                }
            })
        {
            if comps[ci].label == words(&comps[ci].name) {
                comps[ci].label = words(stripped);
            }
            comps[ci].sources.push(r.id.clone());
            comp_of.insert(i, ci);
            continue;
        }
        let name = if stripped.len() < base_name.len() && !stripped.is_empty() {
            stripped
        } else {
            base_name
        };
        let mut id = slug(name);
        if used_ids.contains(&id) {
            id = format!("{id}_{}", kind.replace('-', "_"));
        }
        let mut n = 2;
        while used_ids.contains(&id) {
            id = format!("{}_{n}", slug(name));
            n += 1;
        }
        used_ids.insert(id.clone());
        comp_of.insert(i, comps.len());
        comps.push(Component {
            id,
            name: base_name.to_string(),
            kind,
            label: label_of(r, construct),
            group: None,
            file: r.file.clone(),
            line: r.line,
            sources: vec![r.id.clone()],
            ty: r.ty.clone(),
        });
    }

    // 3. Owners of helpers: the component that references it, or the one its `into` property
    //    names, or any component it references; through other helpers.
    let mut owner: BTreeMap<usize, usize> = comp_of.clone();
    for _ in 0..6 {
        let mut changed = false;
        for i in 0..resources.len() {
            if owner.contains_key(&i) || !matches!(roles[i], Role::Helper { .. }) || is_shared(i) {
                continue;
            }
            let into = helper_info(i).map(|h| h.into.clone()).unwrap_or_default();
            let via_into = refs[i]
                .iter()
                .filter(|x| {
                    !x.in_statement && into.iter().any(|p| norm(&x.path).starts_with(&norm(p)))
                })
                .find_map(|x| owner.get(&index[x.target.as_str()]).copied());
            let by_referrer = || {
                referrers[i]
                    .iter()
                    .filter(|(j, _)| !is_link(*j) && !is_shared(*j))
                    .find_map(|(j, _)| owner.get(j).copied())
            };
            let by_reference = || {
                refs[i]
                    .iter()
                    .filter(|x| !x.in_statement)
                    .map(|x| index[x.target.as_str()])
                    .filter(|j| !is_shared(*j))
                    .find_map(|j| comp_of.get(&j).copied())
            };
            let found = if into.is_empty() {
                by_referrer().or(via_into).or_else(by_reference)
            } else {
                via_into.or_else(by_referrer).or_else(by_reference)
            };
            if let Some(c) = found {
                owner.insert(i, c);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let graph = Graph {
        rules,
        catalog,
        resources,
        ids,
        index,
        refs,
        referrers,
        roles,
        comp_of,
        owner,
        used_ids,
    };
    (graph, comps)
}

/// The construct id a CDK resource is named by: the top construct under the stack, or, under a
/// construct that is a group (a VPC's NAT gateways), the last segment that is not `Resource`.
/// Whether `referrer` is a helper that belongs to what it names through `path` (a bucket's
/// policy through `Bucket`): such a reference says whose helper it is, not who uses the target.
fn belongs(rules: &Rules, referrer: &Resource, path: &str) -> bool {
    rules
        .helpers
        .get(&referrer.ty)
        .is_some_and(|h| h.into.iter().any(|p| norm(path).starts_with(&norm(p))))
}

fn construct_name<'a>(path: &'a str, group_roots: &BTreeSet<String>) -> Option<&'a str> {
    let parts: Vec<&str> = path
        .split('/')
        .skip(1)
        .filter(|p| !matches!(*p, "Resource" | "Default"))
        .collect();
    let top = *parts.first()?;
    let name = if group_roots.contains(top) && parts.len() > 1 {
        parts[parts.len() - 1]
    } else {
        top
    };
    (!name.is_empty() && !name.contains("::")).then_some(name)
}

/// A label: the `Name` tag or description when it is plain text, else the id's words.
fn label_of(r: &Resource, construct: Option<&str>) -> String {
    let from_tags = r.props.get("Tags").and_then(|t| match t {
        Value::Array(a) => a
            .iter()
            .find(|t| t.get("Key").and_then(Value::as_str) == Some("Name"))
            .and_then(|t| t.get("Value")?.as_str().map(str::to_string)),
        Value::Object(o) => o.get("Name").and_then(Value::as_str).map(str::to_string),
        _ => None,
    });
    let text = from_tags
        .or_else(|| {
            r.props
                .get("Description")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .filter(|t| !t.is_empty() && t.len() <= 60 && !t.contains("${") && !t.contains('/'));
    let base = construct.map(str::to_string);
    text.or(base).unwrap_or_else(|| words(&r.id))
}

/// Whether `r` references something through `path` only to watch it (an alarm's dimensions).
fn watches(rules: &Rules, catalog: &Catalog, r: &Resource, path: &str) -> bool {
    let w = &rules.folded_watchers;
    catalog
        .kind_for_cloudformation(&r.ty)
        .is_some_and(|k| k.kind == w.kind)
        && w.through.iter().any(|p| norm(path).starts_with(&norm(p)))
}
