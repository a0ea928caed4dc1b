//! Connections, strongest evidence first and one per ordered pair: links (permissions, event
//! source mappings, subscriptions, integrations), IAM statements, bridges (target groups,
//! listeners, VPC origins, Kubernetes Services), references, security-group ingress and default
//! routes. Each must be one the catalog allows between the two kinds.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::fold::Graph;
use super::infer::{Component, Connection};
use super::place::Network;
use super::refs::{collect_refs, find_statements, norm};

/// Adds a connection unless it loops or the pair is connected already; whether it was added.
pub(crate) fn add(
    conns: &mut Vec<Connection>,
    comps: &[Component],
    from: usize,
    to: usize,
    kind: &str,
    why: String,
) -> bool {
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
        properties: BTreeMap::new(),
    });
    true
}

pub(crate) fn connect(g: &Graph, comps: &[Component], net: &Network) -> Vec<Connection> {
    let (rules, catalog, resources) = (g.rules, g.catalog, g.resources);
    let (ids, index, refs, referrers, comp_of, owner) = (
        &g.ids,
        &g.index,
        &g.refs,
        &g.referrers,
        &g.comp_of,
        &g.owner,
    );
    // 5. Connections, strongest evidence first; one per ordered pair.
    let mut conns: Vec<Connection> = Vec::new();
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
                .filter_map(|x| g.target_comp(index[x.target.as_str()]))
                .collect()
        };
        for a in ends(&link.from) {
            for b in ends(&link.to) {
                for k in &link.kinds {
                    if may(a, k, b) {
                        add(&mut conns, comps, a, b, k, format!("{} ({})", r.id, r.ty));
                        break;
                    }
                    if may(b, k, a) {
                        add(&mut conns, comps, b, a, k, format!("{} ({})", r.id, r.ty));
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
                        collect_refs(v, "", false, ids, &mut found);
                    }
                }
                found
                    .iter()
                    .find_map(|x| g.target_comp(index[x.target.as_str()]))
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
                    collect_refs(v, "", false, ids, &mut found);
                }
            }
            for x in found {
                let Some(t) = g.target_comp(index[x.target.as_str()]) else {
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
                        comps,
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
        .filter(|i| g.helper_info(*i).is_some_and(|h| h.bridge))
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
            if let Some(c) = g.target_comp(index[x.target.as_str()]) {
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
                    add(&mut conns, comps, a, b, k, "target group / listener".into());
                }
            }
        }
    }
    // d. References between components.
    for (i, r) in resources.iter().enumerate() {
        let Some(a) = owner.get(&i).copied() else {
            continue;
        };
        if g.is_link(i) {
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
                        comps,
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
                    comps,
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
                            comps,
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
    for (c, in_subnets) in net.comp_subnets.iter().enumerate() {
        for &s in in_subnets {
            for t in net.route_targets(s) {
                if let Some(g) = comp_of.get(&t).copied()
                    && may(c, "route", g)
                {
                    add(
                        &mut conns,
                        comps,
                        c,
                        g,
                        "route",
                        "default route of its subnets".into(),
                    );
                }
            }
        }
    }
    conns
}
