//! From resources to a design: which resources are components (catalog kinds), which are helpers
//! folded into a component or a connection, which are groups (VPCs, subnet tiers), and which
//! connections the references, IAM statements, links, target groups, security-group rules and
//! routes imply. The folding rules are written down in docs/import.md.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::refs::{Ref, collect_refs, find_statements, norm, slug, words};
use super::rules::Rules;
use super::{Report, Resource};
use crate::catalog::{Catalog, VpcPlacement};

#[derive(Debug, Clone)]
pub(crate) struct Component {
    pub id: String,
    /// The name the id came from (logical id, construct id or Terraform name).
    pub name: String,
    pub kind: String,
    pub label: String,
    pub group: Option<String>,
    /// Where it came from: file, line, resource ids and type.
    pub file: String,
    pub line: Option<usize>,
    pub sources: Vec<String>,
    pub ty: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub id: String,
    pub kind: String,
    pub parent: Option<String>,
    pub label: String,
    pub tier: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub from: String,
    pub to: String,
    pub kind: String,
    pub why: String,
}

#[derive(Debug, Default)]
pub(crate) struct Model {
    pub components: Vec<Component>,
    pub groups: Vec<Group>,
    pub connections: Vec<Connection>,
    pub unclassified: Vec<(String, String, String)>,
    pub report: Report,
}

#[derive(Debug, Clone, PartialEq)]
enum Role {
    Component,
    Group(String),
    Helper { why: String },
    Unclassified,
}

pub(crate) fn infer(
    rules: &Rules,
    catalog: &Catalog,
    resources: &[Resource],
    skipped: &[(String, String)],
) -> Model {
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
            // a log group that names it (its own logs).
            .filter(|(j, path)| {
                rules
                    .helpers
                    .get(&resources[*j].ty)
                    .is_none_or(|h| !h.into.iter().any(|p| norm(path).starts_with(&norm(p))))
                    && !rules.own_logs.names.iter().any(|p| norm(p) == norm(path))
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
            .filter(|(j, path)| {
                rules
                    .helpers
                    .get(&resources[*j].ty)
                    .is_none_or(|h| !h.into.iter().any(|p| norm(path).starts_with(&norm(p))))
            })
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
    // Resources each component holds: itself and its helpers.
    let held = |c: usize| -> Vec<usize> {
        owner
            .iter()
            .filter(|(_, o)| **o == c)
            .map(|(r, _)| *r)
            .collect()
    };
    let target_comp = |j: usize| -> Option<usize> { owner.get(&j).copied() };

    let mut model = Model::default();
    let report = &mut model.report;
    for (id, why) in skipped {
        report.notes.push(format!("{id} left out: {why}"));
    }

    // 4. Groups: region, VPCs, subnet tiers.
    let vpcs: Vec<usize> = (0..resources.len())
        .filter(|i| roles[*i] == Role::Group("vpc".into()))
        .collect();
    let subnets: Vec<usize> = (0..resources.len())
        .filter(|i| roles[*i] == Role::Group("subnet".into()))
        .collect();
    let is_ty = |j: usize, kind: &str| comp_of.get(&j).is_some_and(|c| comps[*c].kind == kind);
    // Route tables → what their default routes reach.
    let mut table_targets: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, r) in resources.iter().enumerate() {
        if r.ty == "AWS::EC2::RouteTable" {
            for x in refs[i]
                .iter()
                .filter(|x| norm(&x.path).starts_with("route"))
            {
                table_targets
                    .entry(i)
                    .or_default()
                    .push(index[x.target.as_str()]);
            }
        }
        if r.ty == "AWS::EC2::Route" {
            let table = refs[i]
                .iter()
                .find(|x| norm(&x.path) == "routetableid")
                .map(|x| index[x.target.as_str()]);
            if let Some(t) = table {
                for x in refs[i].iter().filter(|x| norm(&x.path) != "routetableid") {
                    table_targets
                        .entry(t)
                        .or_default()
                        .push(index[x.target.as_str()]);
                }
            }
        }
    }
    let mut subnet_tables: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, r) in resources.iter().enumerate() {
        if r.ty == "AWS::EC2::SubnetRouteTableAssociation" {
            let s = refs[i]
                .iter()
                .find(|x| norm(&x.path) == "subnetid")
                .map(|x| index[x.target.as_str()]);
            let t = refs[i]
                .iter()
                .find(|x| norm(&x.path) == "routetableid")
                .map(|x| index[x.target.as_str()]);
            if let (Some(s), Some(t)) = (s, t) {
                subnet_tables.entry(s).or_default().push(t);
            }
        }
    }
    let route_targets = |s: usize| -> Vec<usize> {
        subnet_tables
            .get(&s)
            .into_iter()
            .flatten()
            .flat_map(|t| table_targets.get(t).cloned().unwrap_or_default())
            .collect()
    };
    let vpc_of_subnet = |s: usize| -> Option<usize> {
        refs[s]
            .iter()
            .map(|x| index[x.target.as_str()])
            .find(|j| vpcs.contains(j))
    };
    let tier_of = |s: usize| -> &'static str {
        let targets = route_targets(s);
        if targets.iter().any(|t| is_ty(*t, "internet-gateway"))
            || resources[s]
                .props
                .get("MapPublicIpOnLaunch")
                .and_then(Value::as_bool)
                == Some(true)
            || resources[s]
                .props
                .get("map_public_ip_on_launch")
                .and_then(Value::as_bool)
                == Some(true)
        {
            "public"
        } else if targets.iter().any(|t| is_ty(*t, "nat-gateway"))
            || !subnet_tables.contains_key(&s)
        {
            "private-app"
        } else {
            "private-data"
        }
    };
    let region = Group {
        id: "region".into(),
        kind: "region".into(),
        parent: None,
        label: "AWS Region".into(),
        tier: None,
        note: None,
    };
    model.groups.push(region);
    let mut vpc_group: BTreeMap<usize, String> = BTreeMap::new();
    for (n, v) in vpcs.iter().enumerate() {
        let id = if vpcs.len() == 1 {
            "vpc".to_string()
        } else {
            format!("vpc_{}", slug(&resources[*v].id))
        };
        let cidr = resources[*v]
            .props
            .get("CidrBlock")
            .or(resources[*v].props.get("cidr_block"))
            .and_then(Value::as_str);
        model.groups.push(Group {
            id: id.clone(),
            kind: "vpc".into(),
            parent: Some("region".into()),
            label: match cidr {
                Some(c) => format!("VPC {c}"),
                None if vpcs.len() > 1 => format!("VPC {}", n + 1),
                None => "VPC".into(),
            },
            tier: None,
            note: Some(format!("{}: {}", resources[*v].file, resources[*v].id)),
        });
        vpc_group.insert(*v, id);
        report.folded.push((
            resources[*v].id.clone(),
            resources[*v].ty.clone(),
            format!("the `{}` group", vpc_group[v]),
        ));
    }
    let mut tier_groups: BTreeMap<(String, &'static str), String> = BTreeMap::new();
    let mut subnet_group: BTreeMap<usize, String> = BTreeMap::new();
    for s in &subnets {
        let vpc_id = vpc_of_subnet(*s).and_then(|v| vpc_group.get(&v).cloned());
        let vpc_id = match vpc_id {
            Some(v) => v,
            None => ensure_vpc(&mut model.groups),
        };
        let tier = tier_of(*s);
        let key = (vpc_id.clone(), tier);
        let gid = tier_groups
            .entry(key)
            .or_insert_with(|| {
                let short = match tier {
                    "public" => "public",
                    "private-app" => "app",
                    _ => "data",
                };
                let id = if vpc_id == "vpc" {
                    short.to_string()
                } else {
                    format!("{vpc_id}_{short}")
                };
                model.groups.push(tier_group(&id, &vpc_id, tier));
                id
            })
            .clone();
        report.folded.push((
            resources[*s].id.clone(),
            resources[*s].ty.clone(),
            format!("the `{gid}` group ({tier} tier)"),
        ));
        subnet_group.insert(*s, gid);
    }

    // Placement of each component.
    let mut comp_subnets: Vec<Vec<usize>> = vec![Vec::new(); comps.len()];
    let mut comp_vpc: Vec<Option<String>> = vec![None; comps.len()];
    for c in 0..comps.len() {
        for r in held(c) {
            for x in refs[r].iter().filter(|x| !x.in_statement) {
                let j = index[x.target.as_str()];
                if subnets.contains(&j) && !comp_subnets[c].contains(&j) {
                    comp_subnets[c].push(j);
                }
                if let Some(v) = vpc_group.get(&j) {
                    comp_vpc[c].get_or_insert(v.clone());
                }
                // Through a shared helper (security group, gateway attachment).
                if is_shared(j) || matches!(roles[j], Role::Helper { .. }) {
                    for y in &refs[j] {
                        if let Some(v) = vpc_group.get(&index[y.target.as_str()]) {
                            comp_vpc[c].get_or_insert(v.clone());
                        }
                    }
                }
            }
            // Shared helpers that reference this component and a VPC (an internet gateway's
            // attachment).
            for (j, _) in &referrers[r] {
                if is_shared(*j) {
                    for y in &refs[*j] {
                        if let Some(v) = vpc_group.get(&index[y.target.as_str()]) {
                            comp_vpc[c].get_or_insert(v.clone());
                        }
                    }
                }
            }
        }
    }
    for (c, comp) in comps.iter_mut().enumerate() {
        let tiers: BTreeSet<&String> = comp_subnets[c]
            .iter()
            .filter_map(|s| subnet_group.get(s))
            .collect();
        comp.group = match tiers.len() {
            1 => tiers.into_iter().next().cloned(),
            // In several tiers: the VPC that spans them.
            n if n > 1 => comp_subnets[c]
                .iter()
                .filter_map(|s| vpc_of_subnet(*s))
                .find_map(|v| vpc_group.get(&v).cloned())
                .or(Some("vpc".into())),
            _ => comp_vpc[c].clone().or(Some("region".into())),
        };
        if matches!(comp.kind.as_str(), "cloudfront" | "users") {
            comp.group = None;
        }
    }
    // Fix placement the catalog asks for (a kind that must sit in a VPC or in given tiers). A
    // component in subnets of several tiers goes in the first of them the catalog allows.
    let own_tiers: Vec<Vec<String>> = comp_subnets
        .iter()
        .map(|subs| {
            subs.iter()
                .filter_map(|s| subnet_group.get(s))
                .filter_map(|g| model.groups.iter().find(|x| &x.id == g)?.tier.clone())
                .collect()
        })
        .collect();
    for (c, comp) in comps.iter_mut().enumerate() {
        let Some(p) = catalog.kind(&comp.kind).and_then(|k| k.placement.as_ref()) else {
            continue;
        };
        let group_of = |id: &Option<String>| {
            id.as_ref()
                .and_then(|g| model.groups.iter().find(|x| &x.id == g))
                .cloned()
        };
        let g = group_of(&comp.group);
        let in_vpc = g
            .as_ref()
            .is_some_and(|g| g.kind == "vpc" || g.kind == "subnet");
        if !in_vpc && p.vpc == VpcPlacement::Optional {
            continue;
        }
        let vpc = match &g {
            Some(g) if g.kind == "vpc" => g.id.clone(),
            Some(g) if g.kind == "subnet" => g.parent.clone().unwrap_or_default(),
            _ => ensure_vpc(&mut model.groups),
        };
        let tier_ok = g
            .as_ref()
            .and_then(|g| g.tier.clone())
            .is_some_and(|t| p.tiers.is_empty() || p.tiers.contains(&t));
        let plain_vpc_ok = p.tiers.is_empty() && g.as_ref().is_some_and(|g| g.kind == "vpc");
        if tier_ok || plain_vpc_ok {
            continue;
        }
        let want = p
            .tiers
            .iter()
            .find(|t| own_tiers[c].contains(t))
            .or(p.tiers.first())
            .cloned();
        let new_group = match want {
            None => vpc.clone(),
            Some(t) => {
                let existing = model
                    .groups
                    .iter()
                    .find(|x| x.parent.as_deref() == Some(&vpc) && x.tier.as_deref() == Some(&t));
                match existing {
                    Some(x) => x.id.clone(),
                    None => {
                        let short = match t.as_str() {
                            "public" => "public",
                            "private-app" => "app",
                            _ => "data",
                        };
                        let id = if vpc == "vpc" {
                            short.to_string()
                        } else {
                            format!("{vpc}_{short}")
                        };
                        model.groups.push(tier_group(&id, &vpc, &t));
                        id
                    }
                }
            }
        };
        let mut spans: Vec<&String> = own_tiers[c].iter().collect();
        spans.sort();
        spans.dedup();
        let was = match g.as_ref().and_then(|g| g.tier.clone()) {
            _ if spans.len() > 1 => format!(
                "the input puts it in subnets of tiers {}, and",
                spans
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Some(t) => format!("the input puts it in {t} subnets, but"),
            None => "the input does not show its subnets, and".to_string(),
        };
        report.notes.push(format!(
            "`{}` ({}) placed in `{new_group}`: {was} the catalog places kind `{}` {}",
            comp.id,
            comp.sources[0],
            comp.kind,
            if p.tiers.is_empty() {
                "in a VPC".to_string()
            } else {
                format!("in tier {}", p.tiers.join(" or "))
            }
        ));
        comp.group = Some(new_group);
    }

    // 5. Connections, strongest evidence first; one per ordered pair.
    let mut conns: Vec<Connection> = Vec::new();
    let add = |conns: &mut Vec<Connection>,
               comps: &[Component],
               from: usize,
               to: usize,
               kind: &str,
               why: String| {
        if from == to {
            return false;
        }
        let (f, t) = (&comps[from].id, &comps[to].id);
        if conns.iter().any(|c| &c.from == f && &c.to == t) {
            return false;
        }
        conns.push(Connection {
            from: f.clone(),
            to: t.clone(),
            kind: kind.to_string(),
            why,
        });
        true
    };
    let may = |from: usize, kind: &str, to: usize| {
        catalog
            .kind(&comps[from].kind)
            .is_some_and(|k| k.may_connect(kind, &comps[to].kind))
    };
    // a. Links: helpers that are connections.
    for (i, r) in resources.iter().enumerate() {
        let Some(link) = rules.links.iter().find(|l| l.ty == r.ty) else {
            continue;
        };
        let ends = |props: &[String]| -> Vec<usize> {
            refs[i]
                .iter()
                .filter(|x| props.iter().any(|p| norm(&x.path).starts_with(&norm(p))))
                .filter_map(|x| target_comp(index[x.target.as_str()]))
                .collect()
        };
        for a in ends(&link.from) {
            for b in ends(&link.to) {
                for k in &link.kinds {
                    if may(a, k, b) {
                        add(&mut conns, &comps, a, b, k, format!("{} ({})", r.id, r.ty));
                        break;
                    }
                    if may(b, k, a) {
                        add(&mut conns, &comps, b, a, k, format!("{} ({})", r.id, r.ty));
                        break;
                    }
                }
            }
        }
    }
    // b. IAM statements of identity policies.
    for (i, r) in resources.iter().enumerate() {
        if !rules.identity_policy_types.contains(&r.ty) {
            continue;
        }
        let mut statements = Vec::new();
        find_statements(&r.props, &rules.not_policies, &mut statements);
        // A policy attached to nothing in the input (for people, such as analysts) speaks for
        // the component its first statement is about.
        let first_target = || {
            statements.iter().find_map(|s| {
                let mut found = Vec::new();
                for key in ["Resource", "resources"] {
                    if let Some(v) = s.get(key) {
                        collect_refs(v, "", false, &ids, &mut found);
                    }
                }
                found
                    .iter()
                    .find_map(|x| target_comp(index[x.target.as_str()]))
            })
        };
        let Some(p) = owner.get(&i).copied().or_else(first_target) else {
            continue;
        };
        for s in statements {
            let allow = s
                .get("Effect")
                .or(s.get("effect"))
                .and_then(Value::as_str)
                .is_none_or(|e| e == "Allow");
            if !allow {
                continue;
            }
            let mut actions = Vec::new();
            for key in ["Action", "actions"] {
                match s.get(key) {
                    Some(Value::String(a)) => actions.push(a.clone()),
                    Some(Value::Array(l)) => {
                        actions.extend(l.iter().filter_map(Value::as_str).map(str::to_string))
                    }
                    _ => {}
                }
            }
            let kinds = rules.kinds_for_actions(&actions);
            let mut found = Vec::new();
            for key in ["Resource", "resources"] {
                if let Some(v) = s.get(key) {
                    collect_refs(v, "", false, &ids, &mut found);
                }
            }
            for x in found {
                let Some(t) = target_comp(index[x.target.as_str()]) else {
                    continue;
                };
                // Data access the catalog names otherwise between these kinds (Athena `query`
                // where the actions read) takes the first kind it allows.
                let data = kinds
                    .iter()
                    .any(|k| matches!(k.as_str(), "read" | "write" | "read-write"));
                let fallback = || {
                    data.then(|| rules.reference_kinds.iter().find(|k| may(p, k, t)))
                        .flatten()
                };
                if let Some(k) = kinds.iter().find(|k| may(p, k, t)).or_else(fallback) {
                    add(
                        &mut conns,
                        &comps,
                        p,
                        t,
                        k,
                        format!("IAM statement in {} ({})", r.id, actions.join(", ")),
                    );
                }
            }
        }
    }
    // c. Bridges (target groups, listeners, VPC origins): the components on either side.
    let bridges: Vec<usize> = (0..resources.len())
        .filter(|i| helper_info(*i).is_some_and(|h| h.bridge))
        .collect();
    let mut bridge_set: BTreeMap<usize, usize> = bridges.iter().map(|b| (*b, *b)).collect();
    let find = |m: &BTreeMap<usize, usize>, mut x: usize| {
        while m[&x] != x {
            x = m[&x];
        }
        x
    };
    for b in &bridges {
        for x in &refs[*b] {
            let j = index[x.target.as_str()];
            if bridge_set.contains_key(&j) {
                let (ra, rb) = (find(&bridge_set, *b), find(&bridge_set, j));
                bridge_set.insert(ra, rb);
            }
        }
    }
    let mut sides: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for b in &bridges {
        let root = find(&bridge_set, *b);
        let entry = sides.entry(root).or_default();
        for x in &refs[*b] {
            if let Some(c) = target_comp(index[x.target.as_str()]) {
                entry.insert(c);
            }
        }
        for (j, _) in &referrers[*b] {
            if let Some(c) = owner.get(j) {
                entry.insert(*c);
            }
        }
    }
    for set in sides.values() {
        let list: Vec<usize> = set.iter().copied().collect();
        for &a in &list {
            for &b in &list {
                if let Some(k) = ["origin", "route", "invoke"]
                    .iter()
                    .find(|k| may(a, k, b) && !may(b, k, a))
                {
                    add(
                        &mut conns,
                        &comps,
                        a,
                        b,
                        k,
                        "target group / listener".into(),
                    );
                }
            }
        }
    }
    // d. References between components.
    for (i, r) in resources.iter().enumerate() {
        let Some(a) = owner.get(&i).copied() else {
            continue;
        };
        if is_link(i) {
            continue;
        }
        for x in refs[i].iter().filter(|x| !x.in_statement) {
            let j = index[x.target.as_str()];
            let first = x.path.split('.').next().unwrap_or("");
            let rule = rules
                .references
                .iter()
                .find(|q| q.ty == r.ty && norm(&q.property) == norm(first));
            let b = match comp_of.get(&j) {
                Some(b) => *b,
                None if rule.is_some() => match owner.get(&j) {
                    Some(b) => *b,
                    None => continue,
                },
                None => continue,
            };
            if let Some(rule) = rule {
                let (f, t) = if rule.reverse { (b, a) } else { (a, b) };
                if may(f, &rule.kind, t) {
                    add(
                        &mut conns,
                        &comps,
                        f,
                        t,
                        &rule.kind,
                        format!("{}.{}", r.id, x.path),
                    );
                }
                continue;
            }
            if let Some(k) = rules.reference_kinds.iter().find(|k| may(a, k, b)) {
                add(
                    &mut conns,
                    &comps,
                    a,
                    b,
                    k,
                    format!("{} references {} ({})", r.id, resources[j].id, x.path),
                );
            }
        }
    }
    // e. Security-group ingress from another group.
    let holders = |sg: usize| -> Vec<usize> {
        let mut out: Vec<usize> = referrers[sg]
            .iter()
            .filter_map(|(j, _)| owner.get(j).copied())
            .collect();
        out.sort();
        out.dedup();
        out
    };
    for (i, r) in resources.iter().enumerate() {
        let pairs: Vec<(usize, usize)> = match r.ty.as_str() {
            "AWS::EC2::SecurityGroupIngress" => {
                let get = |names: &[&str]| {
                    refs[i]
                        .iter()
                        .find(|x| names.contains(&norm(&x.path).as_str()))
                        .map(|x| index[x.target.as_str()])
                };
                match (
                    get(&[
                        "sourcesecuritygroupid",
                        "referencedsecuritygroupid",
                        "sourcesecuritygroupname",
                    ]),
                    get(&["groupid", "securitygroupid", "groupname"]),
                ) {
                    (Some(s), Some(t)) => vec![(s, t)],
                    _ => vec![],
                }
            }
            "AWS::EC2::SecurityGroup" => refs[i]
                .iter()
                .filter(|x| {
                    let p = norm(&x.path);
                    p.starts_with("securitygroupingress") || p.starts_with("ingress")
                })
                .map(|x| (index[x.target.as_str()], i))
                .collect(),
            _ => vec![],
        };
        for (s, t) in pairs {
            for a in holders(s) {
                for b in holders(t) {
                    if let Some(k) = rules.reference_kinds.iter().find(|k| may(a, k, b)) {
                        add(
                            &mut conns,
                            &comps,
                            a,
                            b,
                            k,
                            format!("security group rule {}", r.id),
                        );
                    }
                }
            }
        }
    }
    // f. Default routes: a component in subnets whose route leads to a NAT or internet gateway.
    for (c, in_subnets) in comp_subnets.iter().enumerate() {
        for &s in in_subnets {
            for t in route_targets(s) {
                if let Some(g) = comp_of.get(&t).copied()
                    && may(c, "route", g)
                {
                    add(
                        &mut conns,
                        &comps,
                        c,
                        g,
                        "route",
                        "default route of its subnets".into(),
                    );
                }
            }
        }
    }
    // Implied by a property: an RDS managed master password is a secret the database writes.
    let n = comps.len();
    for c in 0..n {
        let src = &resources[index[comps[c].sources[0].as_str()]];
        for imp in rules.implied.iter().filter(|x| x.ty == src.ty) {
            let on = src
                .props
                .get(&imp.property)
                .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"));
            if !on {
                continue;
            }
            let id = format!("{}_secret", comps[c].id);
            comps.push(Component {
                id: id.clone(),
                name: id.clone(),
                kind: imp.kind.clone(),
                label: imp.label.clone(),
                group: Some("region".into()),
                file: comps[c].file.clone(),
                line: comps[c].line,
                sources: Vec::new(),
                ty: format!("{}.{}", src.ty, imp.property),
            });
            let s = comps.len() - 1;
            add(
                &mut conns,
                &comps,
                c,
                s,
                &imp.connection,
                format!("{} of {}", imp.property, src.id),
            );
        }
    }
    for c in 0..comps.len() {
        if !rules.placed_with_referrers.contains(&comps[c].kind)
            || comps[c].group.as_deref() != Some("region")
        {
            continue;
        }
        let mut places: BTreeSet<Option<String>> = BTreeSet::new();
        for r in comps[c].sources.iter().map(|s| index[s.as_str()]) {
            for (j, _) in &referrers[r] {
                if let Some(o) = owner.get(j).filter(|o| **o != c) {
                    places.insert(comps[*o].group.clone());
                }
            }
        }
        if places.len() == 1
            && let Some(Some(g)) = places.into_iter().next()
        {
            comps[c].group = Some(g);
        }
    }
    // g. Users: the entry points nothing else routes to.
    let entry_kinds = ["cloudfront", "alb", "apigateway-http"];
    let fronted: BTreeSet<String> = conns
        .iter()
        .filter(|c| matches!(c.kind.as_str(), "origin" | "route" | "invoke"))
        .map(|c| c.to.clone())
        .collect();
    let mut users_to: Vec<usize> = Vec::new();
    for (c, comp) in comps.iter().enumerate() {
        if !entry_kinds.contains(&comp.kind.as_str()) || fronted.contains(&comp.id) {
            continue;
        }
        let internal = comp.sources.iter().any(|s| {
            let p = &resources[index[s.as_str()]].props;
            p.get("Scheme").and_then(Value::as_str) == Some("internal")
                || p.get("internal").and_then(Value::as_bool) == Some(true)
        });
        if !internal {
            users_to.push(c);
        }
    }
    if !users_to.is_empty() {
        let id = if used_ids.contains("users") {
            "internet_users".to_string()
        } else {
            "users".to_string()
        };
        comps.push(Component {
            id: id.clone(),
            name: id.clone(),
            kind: "users".into(),
            label: "Users".into(),
            group: None,
            file: String::new(),
            line: None,
            sources: Vec::new(),
            ty: String::new(),
        });
        let u = comps.len() - 1;
        for t in users_to {
            add(
                &mut conns,
                &comps,
                u,
                t,
                "route",
                "a public entry point".into(),
            );
        }
        report.notes.push(format!(
            "`{id}` added: the public entry points need someone who calls them"
        ));
    }

    // What a kind cannot be without (an ECS cluster for a service, a destination for a delivery
    // stream) but the input keeps outside (a parameter, another stack): a stand-in, reported.
    let mut c = 0;
    while c < comps.len() {
        let Some(kind) = catalog.kind(&comps[c].kind) else {
            c += 1;
            continue;
        };
        for req in &kind.requires {
            let (needed, connection) = match (&req.kind, &req.connection) {
                (Some(k), None) => (vec![k.clone()], None),
                (None, Some(conn)) => {
                    let to: Vec<String> = if req.to.is_empty() {
                        kind.connects
                            .iter()
                            .filter(|r| &r.kind == conn)
                            .flat_map(|r| r.to.clone())
                            .collect()
                    } else {
                        req.to.clone()
                    };
                    (to, Some(conn.clone()))
                }
                _ => continue,
            };
            let me = comps[c].id.clone();
            let satisfied = match &connection {
                None => comps.iter().any(|o| needed.contains(&o.kind)),
                Some(conn) => conns.iter().any(|x| {
                    x.from == me
                        && &x.kind == conn
                        && comps
                            .iter()
                            .any(|o| o.id == x.to && needed.contains(&o.kind))
                }),
            };
            if satisfied {
                continue;
            }
            let existing: Vec<usize> = (0..comps.len())
                .filter(|o| needed.contains(&comps[*o].kind))
                .collect();
            let target = if (connection.is_some() && existing.len() == 1)
                || (connection.is_none() && !existing.is_empty())
            {
                existing[0]
            } else {
                let k = needed[0].clone();
                let name = catalog
                    .kind(&k)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| k.clone());
                let mut id = slug(&k);
                while comps.iter().any(|o| o.id == id) {
                    id.push_str("_0");
                }
                let group = if catalog.kind(&k).is_some_and(|x| x.placement.is_some()) {
                    comps[c].group.clone()
                } else {
                    Some("region".into())
                };
                comps.push(Component {
                    id: id.clone(),
                    name: id.clone(),
                    kind: k.clone(),
                    label: format!("{name} (outside the input)"),
                    group,
                    file: String::new(),
                    line: None,
                    sources: Vec::new(),
                    ty: String::new(),
                });
                report.notes.push(format!(
                    "`{id}` ({k}) added as a stand-in: `{me}` needs one ({}), and the input names it only through a parameter or not at all",
                    req.why
                ));
                comps.len() - 1
            };
            if let Some(conn) = &connection {
                add(
                    &mut conns,
                    &comps,
                    c,
                    target,
                    conn,
                    format!("required: {}", req.why),
                );
            }
        }
        c += 1;
    }

    // 6. The report.
    for (i, r) in resources.iter().enumerate() {
        match &roles[i] {
            Role::Component => {
                let c = &comps[comp_of[&i]];
                report
                    .mapped
                    .push((r.id.clone(), r.ty.clone(), c.id.clone(), c.kind.clone()));
            }
            Role::Group(_) => {}
            Role::Helper { why } => {
                let into = match owner.get(&i) {
                    Some(c) => format!("into `{}`: {why}", comps[*c].id),
                    None if is_shared(i) || is_link(i) => {
                        format!("into the network and connections: {why}")
                    }
                    None => format!("not drawn: {why}"),
                };
                report.folded.push((r.id.clone(), r.ty.clone(), into));
            }
            Role::Unclassified => {
                report.unclassified.push((r.id.clone(), r.ty.clone()));
                model.unclassified.push((
                    r.id.clone(),
                    r.ty.clone(),
                    format!(
                        "{}{}",
                        r.file,
                        r.line.map(|l| format!(" line {l}")).unwrap_or_default()
                    ),
                ));
            }
        }
    }
    if !model.unclassified.is_empty() {
        model.groups.push(Group {
            id: "unclassified".into(),
            kind: "container".into(),
            parent: Some("region".into()),
            label: format!(
                "Unclassified: {}",
                model
                    .unclassified
                    .iter()
                    .map(|u| u.1.as_str())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            tier: None,
            note: None,
        });
    }
    // Groups nothing sits in are left out, except the region and the unclassified box.
    let used: BTreeSet<String> = comps.iter().filter_map(|c| c.group.clone()).collect();
    let mut keep: BTreeSet<String> = used.clone();
    for g in &model.groups {
        if g.id == "unclassified" || g.id == "region" || g.note.is_some() || g.kind == "subnet" {
            keep.insert(g.id.clone());
        }
    }
    for _ in 0..4 {
        for g in &model.groups {
            if keep.contains(&g.id)
                && let Some(p) = &g.parent
            {
                keep.insert(p.clone());
            }
        }
    }
    model.groups.retain(|g| keep.contains(&g.id));
    report.groups = model.groups.len();
    report.connections = conns.len();
    model.components = comps;
    model.connections = conns;
    model
}

fn tier_group(id: &str, vpc: &str, tier: &str) -> Group {
    Group {
        id: id.to_string(),
        kind: "subnet".into(),
        parent: Some(vpc.to_string()),
        label: match tier {
            "public" => "Public subnets".into(),
            "private-app" => "Private app subnets".into(),
            _ => "Private data subnets".into(),
        },
        tier: Some(tier.to_string()),
        note: None,
    }
}

/// The VPC group for components the catalog places in a VPC when the template shows none (it
/// takes the VPC and subnets as parameters).
fn ensure_vpc(groups: &mut Vec<Group>) -> String {
    if let Some(g) = groups.iter().find(|g| g.kind == "vpc") {
        return g.id.clone();
    }
    groups.push(Group {
        id: "vpc".into(),
        kind: "vpc".into(),
        parent: Some("region".into()),
        label: "VPC (given as a parameter)".into(),
        tier: None,
        note: Some("not declared in the input; its resources are placed by the catalog".into()),
    });
    "vpc".into()
}

/// The construct id a CDK resource is named by: the top construct under the stack, or, under a
/// construct that is a group (a VPC's NAT gateways), the last segment that is not `Resource`.
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
