//! Groups and placement: the region, each VPC, subnets grouped by tier (public when their routes
//! reach an internet gateway, private-app through a NAT gateway, private-data without a default
//! route), and each component placed by the subnets it names, then where the catalog requires.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::fold::{Graph, Role};
use super::infer::{Component, Group, Model};
use super::refs::{norm, slug};
use crate::catalog::VpcPlacement;

/// What connections need of the network: each component's subnets and where routes lead.
pub(crate) struct Network {
    pub comp_subnets: Vec<Vec<usize>>,
    subnet_tables: BTreeMap<usize, Vec<usize>>,
    table_targets: BTreeMap<usize, Vec<usize>>,
}

impl Network {
    /// What the route tables of subnet `s` send traffic to (gateways).
    pub(crate) fn route_targets(&self, s: usize) -> Vec<usize> {
        self.subnet_tables
            .get(&s)
            .into_iter()
            .flatten()
            .flat_map(|t| self.table_targets.get(t).cloned().unwrap_or_default())
            .collect()
    }
}

pub(crate) fn place(g: &Graph, comps: &mut [Component], model: &mut Model) -> Network {
    let (rules, catalog, resources) = (g.rules, g.catalog, g.resources);
    let (index, refs, referrers, roles, comp_of) =
        (&g.index, &g.refs, &g.referrers, &g.roles, &g.comp_of);
    let _ = rules;
    let report = &mut model.report;
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
    let net = Network {
        comp_subnets: Vec::new(),
        subnet_tables,
        table_targets,
    };
    let route_targets = |s: usize| net.route_targets(s);
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
            || !net.subnet_tables.contains_key(&s)
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
        for r in g.held(c) {
            for x in refs[r].iter().filter(|x| !x.in_statement) {
                let j = index[x.target.as_str()];
                if subnets.contains(&j) && !comp_subnets[c].contains(&j) {
                    comp_subnets[c].push(j);
                }
                if let Some(v) = vpc_group.get(&j) {
                    comp_vpc[c].get_or_insert(v.clone());
                }
                // Through a shared helper (security group, gateway attachment).
                if g.is_shared(j) || matches!(roles[j], Role::Helper { .. }) {
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
                if g.is_shared(*j) {
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
    let Network {
        subnet_tables,
        table_targets,
        ..
    } = net;
    Network {
        comp_subnets,
        subnet_tables,
        table_targets,
    }
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
