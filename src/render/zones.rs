//! Availability zones, for diagrams: a VPC whose `azs` property is above 1 is drawn as that many
//! zone columns, each with a subnet per tier, and each component whose kind runs in every zone
//! (`zones` in `catalog/kinds`) drawn once per zone.
//!
//! This is a drawing of the model, not a new model: [`expand`] returns a pattern made for the
//! renderers only, and scaffolding never sees it. Copies of a component are named
//! `{id}@az{n}` (`@` cannot occur in a pattern's ids); [`origin`] gives back the component's id.
//! Components of a zoned tier that span the zones (a load balancer, a Lambda function) are drawn
//! once, in the VPC beside the columns; containers inside a tier (an ECS cluster) are drawn where
//! their members are, so once per zone and once beside the zones when they hold both kinds.

use std::borrow::Cow;
use std::collections::HashMap;

use indexmap::IndexMap;
use petgraph::graph::{DiGraph, NodeIndex};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::model::{Component, Connection, Group, Pattern};

/// Marks a zone's copy of a subnet tier (its value: the tier group's id), so that renderers draw
/// the zone's subnet even when nothing runs in it in that zone.
pub const ZONE_OF: &str = "zone_of";

/// The id of the pattern component a diagram node stands for.
pub fn origin(id: &str) -> &str {
    id.split_once('@').map_or(id, |(base, _)| base)
}

/// The zone count a VPC group is drawn with.
fn zone_count(group: &Group) -> usize {
    if group.kind != "vpc" {
        return 1;
    }
    group
        .properties
        .get("azs")
        .and_then(Value::as_u64)
        .map_or(1, |n| n.max(1) as usize)
}

/// The pattern as diagrams draw it: borrowed unchanged when no VPC spans zones.
pub fn expand(pattern: &Pattern) -> Cow<'_, Pattern> {
    if pattern.groups.iter().all(|g| zone_count(g) <= 1) {
        return Cow::Borrowed(pattern);
    }
    Cow::Owned(Expansion::new(pattern).build())
}

/// Where an original group lives in the expanded pattern.
#[derive(Default)]
struct Placed {
    /// Its copy outside the zones, if it has one (every group but a zoned tier).
    spanning: Option<usize>,
    /// Its copy in each zone (zoned tiers and the groups inside them).
    zoned: Vec<usize>,
}

struct Expansion<'a> {
    pattern: &'a Pattern,
    groups: Vec<Group>,
    placed: Vec<Placed>,
}

impl<'a> Expansion<'a> {
    fn new(pattern: &'a Pattern) -> Self {
        Expansion {
            pattern,
            groups: Vec::new(),
            placed: Vec::new(),
        }
    }

    fn push(&mut self, group: Group) -> usize {
        self.groups.push(group);
        self.groups.len() - 1
    }

    /// The zone columns of a zoned VPC, by its original index, once made.
    fn zone_groups(&self, vpc_copy: usize) -> Vec<usize> {
        let prefix = format!("{}@az", self.groups[vpc_copy].id);
        (0..self.groups.len())
            .filter(|&g| {
                self.groups[g].parent == Some(vpc_copy) && self.groups[g].id.starts_with(&prefix)
            })
            .collect()
    }

    fn build(mut self) -> Pattern {
        let pattern = self.pattern;
        // Groups: parents come before children in the original, and so in the copy.
        for group in &pattern.groups {
            let parent = group.parent.map(|p| &self.placed[p]);
            let mut placed = Placed::default();
            let parent_zones = match parent {
                Some(p) if !p.zoned.is_empty() => Some(p.zoned.clone()),
                _ => None,
            };
            let zoned_vpc = group.parent.and_then(|p| {
                let vpc = &pattern.groups[p];
                (zone_count(vpc) > 1).then(|| self.placed[p].spanning.expect("a VPC spans"))
            });
            if let Some(zones) = parent_zones {
                // Inside a zoned tier: a copy per zone, and one beside the zones.
                placed.zoned = zones
                    .iter()
                    .enumerate()
                    .map(|(z, &parent)| {
                        self.push(Group {
                            id: format!("{}@az{}", group.id, z + 1),
                            parent: Some(parent),
                            ..group.clone()
                        })
                    })
                    .collect();
                let spanning_parent = self.placed[group.parent.unwrap()].spanning;
                placed.spanning = Some(self.push(Group {
                    parent: spanning_parent,
                    ..group.clone()
                }));
            } else if let (Some(vpc), "subnet") = (zoned_vpc, group.kind.as_str()) {
                // A tier of a zoned VPC: its subnet in each zone; what spans the zones sits in
                // the VPC itself.
                let label = match group.label.strip_suffix("subnets") {
                    Some(stem) => format!("{stem}subnet"),
                    None => group.label.clone(),
                };
                let zones = self.zone_groups(vpc);
                placed.zoned = zones
                    .iter()
                    .enumerate()
                    .map(|(z, &parent)| {
                        let mut properties = group.properties.clone();
                        properties.insert(ZONE_OF.into(), Value::String(group.id.clone()));
                        self.push(Group {
                            id: format!("{}@az{}", group.id, z + 1),
                            label: label.clone(),
                            parent: Some(parent),
                            properties,
                            ..group.clone()
                        })
                    })
                    .collect();
                placed.spanning = Some(vpc);
            } else {
                let parent = group.parent.and_then(|p| self.placed[p].spanning);
                let mut copy = Group {
                    parent,
                    ..group.clone()
                };
                let zones = zone_count(group);
                if zones > 1 {
                    // Drawn once, so that expanding again changes nothing.
                    copy.properties.insert("azs".into(), Value::from(1));
                }
                let me = self.push(copy);
                placed.spanning = Some(me);
                for z in (1..=zones).filter(|_| zones > 1) {
                    self.push(Group {
                        id: format!("{}@az{z}", group.id),
                        kind: "availability-zone".into(),
                        label: format!("Availability Zone {z}"),
                        parent: Some(me),
                        properties: IndexMap::new(),
                        line: group.line,
                    });
                }
            }
            self.placed.push(placed);
        }

        // Components: each copy, and which copies take connections.
        let catalog = Catalog::builtin();
        let mut graph: DiGraph<Component, Connection> = DiGraph::new();
        let mut copies: HashMap<NodeIndex, Vec<(Option<usize>, NodeIndex)>> = HashMap::new();
        for index in pattern.graph.node_indices() {
            let component = &pattern.graph[index];
            let placed = component.group.map(|g| &self.placed[g]);
            let zoned_groups = placed.map(|p| p.zoned.clone()).unwrap_or_default();
            let rule = catalog.kind(&component.kind).and_then(|k| k.zones.as_ref());
            let mut made = Vec::new();
            match rule {
                Some(rule) if !zoned_groups.is_empty() => {
                    let on = rule.when.as_ref().is_none_or(|p| {
                        component.properties.get(p).and_then(Value::as_bool) == Some(true)
                    });
                    let mut count = if on { zoned_groups.len() } else { 1 };
                    if on && !rule.roles.is_empty() {
                        count = count.min(rule.roles.len());
                    }
                    for (z, &group) in zoned_groups.iter().take(count).enumerate() {
                        let label = match rule.roles.get(z) {
                            Some(role) if on => format!("{} ({role})", component.label),
                            _ => component.label.clone(),
                        };
                        let node = graph.add_node(Component {
                            id: format!("{}@az{}", component.id, z + 1),
                            label,
                            group: Some(group),
                            ..component.clone()
                        });
                        // With roles, only the first copy (the primary) is connected.
                        let active = z == 0 || rule.roles.is_empty();
                        if active {
                            made.push((Some(z), node));
                        }
                    }
                }
                _ => {
                    let node = graph.add_node(Component {
                        group: placed.and_then(|p| p.spanning),
                        ..component.clone()
                    });
                    made.push((None, node));
                }
            }
            copies.insert(index, made);
        }

        // Connections: zone to zone where both ends run in zones, else to or from each copy;
        // the label is written once.
        for edge in pattern.graph.edge_indices() {
            let (from, to) = pattern
                .graph
                .edge_endpoints(edge)
                .expect("an edge has ends");
            let connection = &pattern.graph[edge];
            let (sources, targets) = (&copies[&from], &copies[&to]);
            let mut pairs = Vec::new();
            for &(zone, source) in sources {
                match zone {
                    Some(z) if targets.iter().any(|t| t.0.is_some()) => {
                        let target = targets
                            .iter()
                            .find(|t| t.0 == Some(z))
                            .unwrap_or(&targets[0]);
                        pairs.push((source, target.1));
                    }
                    _ if sources.len() == 1 => {
                        pairs.extend(targets.iter().map(|t| (source, t.1)));
                    }
                    _ => pairs.push((source, targets[0].1)),
                }
            }
            for (n, (source, target)) in pairs.into_iter().enumerate() {
                let connection = if n == 0 {
                    connection.clone()
                } else {
                    Connection {
                        label: Some(String::new()),
                        port: None,
                        protocol: None,
                        ..connection.clone()
                    }
                };
                graph.add_edge(source, target, connection);
            }
        }

        Pattern {
            groups: self.groups,
            graph,
            ..pattern.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Library;

    fn builtin(id: &str, set: &[(&str, &str)]) -> Pattern {
        let set: Vec<String> = set.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Library::default().load(id).unwrap().resolve(&set).unwrap()
    }

    fn ids(p: &Pattern) -> Vec<String> {
        p.components().map(|c| c.id.clone()).collect()
    }

    fn group_of<'a>(p: &'a Pattern, component: &str) -> &'a str {
        let c = p.component(component).unwrap();
        &p.groups[c.group.unwrap()].id
    }

    #[test]
    fn three_tier_draws_two_zones_with_a_subnet_per_tier() {
        let p = builtin("three-tier-web", &[]);
        let z = expand(&p);
        let groups: Vec<&str> = z.groups.iter().map(|g| g.id.as_str()).collect();
        for g in [
            "vpc@az1",
            "vpc@az2",
            "public@az1",
            "public@az2",
            "app@az1",
            "app@az2",
            "data@az1",
            "data@az2",
        ] {
            assert!(groups.contains(&g), "{g} missing from {groups:?}");
        }
        assert!(!groups.contains(&"public"), "the tier itself is split");
        // Instances in both zones, the primary and the standby, one shared NAT gateway.
        let all = ids(&z);
        for c in ["web@az1", "web@az2", "db@az1", "db@az2", "nat@az1"] {
            assert!(all.contains(&c.to_string()), "{c} missing from {all:?}");
        }
        assert!(!all.contains(&"nat@az2".to_string()));
        assert_eq!(group_of(&z, "web@az2"), "app@az2");
        assert_eq!(group_of(&z, "db@az2"), "data@az2");
        assert_eq!(
            z.component("db@az2").unwrap().label,
            "RDS database (standby)"
        );
        // The load balancer spans the zones: once, in the VPC.
        assert_eq!(group_of(&z, "alb"), "vpc");
        // Expanding twice changes nothing.
        assert_eq!(ids(&expand(&z)), all);
    }

    #[test]
    fn connections_follow_the_zones_and_skip_the_standby() {
        let p = builtin(
            "three-tier-web",
            &[("nat_per_az", "true"), ("az_count", "3")],
        );
        let z = expand(&p);
        let edges: Vec<(String, String, String)> = z
            .edges()
            .map(|e| {
                (
                    e.from.id.clone(),
                    e.to.id.clone(),
                    super::super::edge_text(e.connection),
                )
            })
            .collect();
        let has = |a: &str, b: &str| edges.iter().any(|(f, t, _)| f == a && t == b);
        for z in 1..=3 {
            assert!(has("alb", &format!("web@az{z}")), "{edges:?}");
            assert!(
                has(&format!("web@az{z}"), &format!("nat@az{z}")),
                "{edges:?}"
            );
            assert!(has(&format!("web@az{z}"), "db@az1"), "{edges:?}");
        }
        assert!(!edges.iter().any(|(_, t, _)| t == "db@az2"), "standby");
        assert!(
            !ids(&z).contains(&"db@az3".to_string()),
            "two roles at most"
        );
        // The label is drawn once per connection.
        let labelled = edges
            .iter()
            .filter(|(f, _, l)| f == "alb" && !l.is_empty())
            .count();
        assert_eq!(labelled, 1, "{edges:?}");
    }

    #[test]
    fn containers_in_a_tier_are_drawn_per_zone_and_beside_the_zones() {
        let ecs = builtin("microservices-ecs", &[]);
        let z = expand(&ecs);
        assert_eq!(group_of(&z, "orders@az2"), "cluster@az2");
        assert_eq!(group_of(&z, "ecs"), "cluster");
        assert_eq!(
            z.groups[z.component("ecs").unwrap().group.unwrap()]
                .parent
                .map(|p| z.groups[p].id.as_str()),
            Some("vpc")
        );
        let eks = builtin("microservices-eks", &[]);
        let z = expand(&eks);
        assert_eq!(group_of(&z, "nodes@az1"), "cluster@az1");
    }

    #[test]
    fn patterns_without_zones_are_borrowed() {
        let p = builtin("serverless-web", &[]);
        assert!(matches!(expand(&p), Cow::Borrowed(_)));
        let p = builtin("three-tier-web", &[]);
        assert!(matches!(expand(&p), Cow::Owned(_)));
        assert_eq!(origin("web@az2"), "web");
        assert_eq!(origin("web"), "web");
    }
}
