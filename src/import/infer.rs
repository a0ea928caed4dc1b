//! From resources to a design: [`fold`](super::fold) decides what each resource is and whom it
//! serves, [`place`](super::place) draws the network, [`connect`](super::connect) infers the
//! connections; this module adds what the code implies but does not declare (RDS's managed
//! secret, the users of public entry points, stand-ins for required parts) and the report.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::connect::{add, connect};
use super::fold::{Role, fold};
use super::place::place;
use super::properties;
use super::refs::slug;
use super::rules::Rules;
use super::{Report, Resource};
use crate::catalog::Catalog;

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
    /// What the input says about the connection (a CloudFront origin's path pattern).
    pub properties: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub(crate) struct Model {
    pub components: Vec<Component>,
    pub groups: Vec<Group>,
    pub connections: Vec<Connection>,
    pub unclassified: Vec<(String, String, String)>,
    pub report: Report,
}

pub(crate) fn infer(
    rules: &Rules,
    catalog: &Catalog,
    resources: &[Resource],
    skipped: &[(String, String)],
) -> Model {
    let (g, mut comps) = fold(rules, catalog, resources);
    let mut model = Model::default();
    for (id, why) in skipped {
        model.report.notes.push(format!("{id} left out: {why}"));
    }
    let net = place(&g, &mut comps, &mut model);
    let mut conns = connect(&g, &comps, &net);
    properties::read(&g, &comps, &mut conns);
    let (index, referrers, roles, comp_of, owner) =
        (&g.index, &g.referrers, &g.roles, &g.comp_of, &g.owner);
    let used_ids = &g.used_ids;
    let report = &mut model.report;

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
                    None if g.is_shared(i) || g.is_link(i) => {
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
