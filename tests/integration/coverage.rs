//! Coverage patterns derived from the catalog: `tests/fixtures/coverage/coverage-<kind>.yaml`, one
//! per kind that starts a connection, so that every (from kind, connection kind, to kind) triple
//! the catalog allows and every kind with infrastructure code appears in a pattern the target
//! tests generate and validate. Nothing here names a kind: where a kind sits (`placement`) and
//! what it cannot generate without (`requires`) are catalog data, so a new kind or a new
//! `connects` entry changes the fixtures and needs no new test code.
//!
//! The files are committed so that a change to them shows in review; the first test fails when
//! they drift from the catalog, and `ARCHPAT_UPDATE_COVERAGE=1` rewrites them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use archpat::catalog::{Catalog, ComponentKind, VpcPlacement};

const UPDATE_VAR: &str = "ARCHPAT_UPDATE_COVERAGE";

pub fn coverage_dir() -> PathBuf {
    crate::support::fixtures_dir().join("coverage")
}

/// The subnet groups a coverage pattern may declare: tier, group id, label, in file order.
const SUBNETS: [(&str, &str, &str); 3] = [
    ("public", "public", "Public subnets"),
    ("private-app", "app", "Private app subnets"),
    ("private-data", "data", "Private data subnets"),
];

struct Comp {
    id: String,
    kind: String,
    label: String,
    /// Group id: `region`, `vpc` or one of [`SUBNETS`]' ids.
    group: &'static str,
    /// In the second region (the target of a connection that `crosses` regions): its groups
    /// are the first region's with `_2` appended.
    second: bool,
}

impl Comp {
    fn group_id(&self) -> String {
        if self.second {
            format!("{}_2", self.group)
        } else {
            self.group.to_string()
        }
    }
}

struct Builder<'a> {
    catalog: &'a Catalog,
    comps: Vec<Comp>,
    /// `(from id, to id, connection kind)`.
    conns: Vec<(String, String, String)>,
}

fn snake(name: &str) -> String {
    name.replace('-', "_")
}

fn is_drawn_only(catalog: &Catalog, kind: &str) -> bool {
    catalog.kind(kind).is_none_or(|k| k.diagram_only.is_some())
}

/// The `(connection, target kind)` pairs a kind may start, in catalog order, without
/// diagram-only targets.
fn triples_from<'a>(catalog: &'a Catalog, kind: &'a ComponentKind) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    for rule in &kind.connects {
        for to in &rule.to {
            if !is_drawn_only(catalog, to) && !out.contains(&(rule.kind.as_str(), to.as_str())) {
                out.push((rule.kind.as_str(), to.as_str()));
            }
        }
    }
    out
}

/// Whether a kind must sit in a VPC.
fn needs_vpc(kind: &ComponentKind) -> bool {
    kind.placement
        .as_ref()
        .is_some_and(|p| p.vpc == VpcPlacement::Required)
}

impl Builder<'_> {
    /// Where a component of `kind` goes: its preferred tier's subnets when it has a placement
    /// (an optional VPC only when `into_vpc`), else the region.
    fn place(&self, kind: &ComponentKind, into_vpc: bool) -> &'static str {
        let Some(p) = &kind.placement else {
            return "region";
        };
        if p.vpc == VpcPlacement::Optional && !into_vpc {
            return "region";
        }
        match p.tiers.first() {
            None => "vpc",
            Some(tier) => SUBNETS
                .iter()
                .find(|(t, _, _)| t == tier)
                .map(|(_, id, _)| *id)
                .unwrap_or_else(|| panic!("kind `{}`: unknown tier `{tier}`", kind.kind)),
        }
    }

    fn unique_id(&self, base: &str) -> String {
        let taken = |id: &str| self.comps.iter().any(|c| c.id == id);
        if !taken(base) {
            return base.to_string();
        }
        (2..)
            .map(|n| format!("{base}_{n}"))
            .find(|id| !taken(id))
            .unwrap()
    }

    fn add(&mut self, base_id: &str, kind: &str, label: String, into_vpc: bool) -> String {
        self.add_in(base_id, kind, label, into_vpc, false)
    }

    fn add_in(
        &mut self,
        base_id: &str,
        kind: &str,
        label: String,
        into_vpc: bool,
        second: bool,
    ) -> String {
        let k = &self.catalog.kinds[kind];
        let id = self.unique_id(base_id);
        let group = self.place(k, into_vpc);
        self.comps.push(Comp {
            id: id.clone(),
            kind: kind.to_string(),
            label,
            group,
            second,
        });
        id
    }

    /// In a VPC, and in which region's: companions that must share a VPC compare this.
    fn in_vpc(&self, i: usize) -> (bool, bool) {
        (self.comps[i].group != "region", self.comps[i].second)
    }

    /// Adds what each component `requires` and the pattern lacks, including what the added
    /// companions require in turn.
    fn add_companions(&mut self) {
        let catalog = self.catalog;
        let mut i = 0;
        while i < self.comps.len() {
            let kind = &catalog.kinds[&self.comps[i].kind];
            for req in &kind.requires {
                if let Some(needed) = &req.kind {
                    let needed_kind = &catalog.kinds[needed];
                    let same_vpc = needs_vpc(kind) && needs_vpc(needed_kind);
                    let present = self.comps.iter().enumerate().any(|(j, c)| {
                        &c.kind == needed && (!same_vpc || self.in_vpc(j) == self.in_vpc(i))
                    });
                    if !present {
                        let (into_vpc, second) = self.in_vpc(i);
                        self.add_in(
                            &snake(needed),
                            needed,
                            needed_kind.name.clone(),
                            into_vpc,
                            second,
                        );
                    }
                } else if let Some(connection) = &req.connection {
                    let from = self.comps[i].id.clone();
                    let has = self.conns.iter().any(|(f, t, k)| {
                        f == &from
                            && k == connection
                            && (req.to.is_empty()
                                || self
                                    .comps
                                    .iter()
                                    .any(|c| &c.id == t && req.to.contains(&c.kind)))
                    });
                    if !has {
                        let target = req
                            .to
                            .iter()
                            .map(String::as_str)
                            .chain(
                                triples_from(catalog, kind)
                                    .into_iter()
                                    .filter(|(c, _)| c == connection)
                                    .map(|(_, t)| t),
                            )
                            .find(|t| !is_drawn_only(catalog, t))
                            .unwrap_or_else(|| {
                                panic!("kind `{}` requires `{connection}` to nothing", kind.kind)
                            })
                            .to_string();
                        let label =
                            format!("{} ({connection} of {from})", catalog.kinds[&target].name);
                        let second = self.comps[i].second;
                        let to = self.add_in(&snake(&target), &target, label, false, second);
                        self.conns.push((from, to, connection.clone()));
                    }
                }
            }
            i += 1;
        }
    }
}

/// The coverage pattern of one source kind, as YAML text.
fn pattern_for(catalog: &Catalog, kind: &ComponentKind) -> String {
    let triples = triples_from(catalog, kind);
    let mut b = Builder {
        catalog,
        comps: Vec::new(),
        conns: Vec::new(),
    };
    // An optional-VPC source (a Lambda) sits in the VPC when a target must: that is the case
    // where the wiring differs (security group rules, a VPC configuration).
    let into_vpc = triples.iter().any(|(_, t)| needs_vpc(&catalog.kinds[*t]));
    let first = b.add(&snake(&kind.kind), &kind.kind, kind.name.clone(), into_vpc);
    // A rule with a `limit` of connections per component gets a further source each time the
    // current one is full.
    let mut sources: BTreeMap<&str, (String, usize)> = BTreeMap::new();
    for (connection, to) in &triples {
        let max = kind
            .rule(connection, to)
            .and_then(|r| r.limit.as_ref())
            .map_or(usize::MAX, |l| l.max);
        let (current, used) = sources
            .entry(connection)
            .or_insert_with(|| (first.clone(), 0));
        if *used == max {
            *current = b.add(&snake(&kind.kind), &kind.kind, kind.name.clone(), into_vpc);
            *used = 0;
        }
        *used += 1;
        let source = current.clone();
        let label = format!("{} ({connection})", catalog.kinds[*to].name);
        // A connection that crosses regions (`replicate`) goes to a component of the second.
        let second = catalog.connections[*connection].crosses.is_some();
        let id = b.add_in(
            &format!("{}_{}", snake(connection), snake(to)),
            to,
            label,
            false,
            second,
        );
        b.conns.push((source, id, connection.to_string()));
    }
    b.add_companions();
    render(kind, &b)
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn render(kind: &ComponentKind, b: &Builder<'_>) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# Generated from the catalog by tests/integration/coverage.rs; do not edit.\n\
         # Regenerate: {UPDATE_VAR}=1 cargo test --test integration coverage::\n\
         id: coverage-{}\n\
         title: {}\n\
         summary: >-\n  \
         Every connection a component of kind `{}` may start, each towards a component of its\n  \
         own, and the components those need to generate.\n",
        kind.kind,
        quote(&format!("Coverage: {}", kind.name)),
        kind.kind,
    ));
    out.push_str("groups:\n");
    // The first region, and a second one (another region code and address range) only for the
    // targets of connections that cross regions.
    for second in [false, true] {
        let here = |c: &&Comp| c.second == second;
        if second && !b.comps.iter().any(|c| here(&c)) {
            continue;
        }
        let sfx = if second { "_2" } else { "" };
        if second {
            out.push_str("  - { id: region_2, kind: region, label: \"Second region\", properties: { region: us-west-2 } }\n");
        } else {
            out.push_str("  - { id: region, kind: region, label: \"AWS Region\" }\n");
        }
        let used = |g: &str| b.comps.iter().filter(here).any(|c| c.group == g);
        if b.comps.iter().filter(here).any(|c| c.group != "region") {
            if second {
                out.push_str("  - { id: vpc_2, kind: vpc, parent: region_2, label: \"VPC\", properties: { cidr: 10.1.0.0/16 } }\n");
            } else {
                out.push_str("  - { id: vpc, kind: vpc, parent: region, label: \"VPC\" }\n");
            }
            for (tier, id, label) in SUBNETS {
                if used(id) {
                    out.push_str(&format!(
                        "  - {{ id: {id}{sfx}, kind: subnet, parent: vpc{sfx}, label: {}, properties: {{ tier: {tier} }} }}\n",
                        quote(label)
                    ));
                }
            }
        }
    }
    out.push_str("components:\n");
    for c in &b.comps {
        out.push_str(&format!(
            "  - {{ id: {}, kind: {}, label: {}, group: {} }}\n",
            c.id,
            c.kind,
            quote(&c.label),
            c.group_id()
        ));
    }
    if !b.conns.is_empty() {
        out.push_str("connections:\n");
        for (from, to, k) in &b.conns {
            out.push_str(&format!("  - {{ from: {from}, to: {to}, kind: {k} }}\n"));
        }
    }
    out
}

/// Every coverage pattern, by file name: one per kind with code that starts a connection, and
/// one for each such kind that nothing connects to and that starts nothing.
pub fn generate(catalog: &Catalog) -> BTreeMap<String, String> {
    let coded: Vec<&ComponentKind> = catalog
        .kinds
        .values()
        .filter(|k| k.diagram_only.is_none())
        .collect();
    let targets: BTreeSet<&str> = coded
        .iter()
        .flat_map(|k| triples_from(catalog, k))
        .map(|(_, t)| t)
        .collect();
    coded
        .iter()
        .filter(|k| !triples_from(catalog, k).is_empty() || !targets.contains(k.kind.as_str()))
        .map(|k| (format!("coverage-{}.yaml", k.kind), pattern_for(catalog, k)))
        .collect()
}

/// The committed coverage patterns, sorted.
pub fn committed() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(coverage_dir())
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("coverage-") && n.ends_with(".yaml"))
    });
    v.sort();
    v
}

/// With `ARCHPAT_UPDATE_COVERAGE=1`, rewrites the folder from the catalog, once per run, before
/// either test reads it.
fn update_if_asked() -> bool {
    static DONE: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    if std::env::var_os(UPDATE_VAR).is_none_or(|v| v != "1") {
        return false;
    }
    let mut done = DONE.lock().unwrap();
    if !*done {
        let wanted = generate(Catalog::builtin());
        let dir = coverage_dir();
        std::fs::create_dir_all(&dir).unwrap();
        for stale in committed() {
            let name = stale.file_name().unwrap().to_str().unwrap().to_string();
            if !wanted.contains_key(&name) {
                std::fs::remove_file(&stale).unwrap();
            }
        }
        for (name, text) in &wanted {
            let path = dir.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                std::fs::write(&path, text).unwrap();
            }
        }
        *done = true;
    }
    true
}

#[test]
fn coverage_fixtures_match_the_catalog() {
    if update_if_asked() {
        return;
    }
    let wanted = generate(Catalog::builtin());
    let mut problems = Vec::new();
    let have: BTreeMap<String, String> = committed()
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_str().unwrap().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    for (name, text) in &wanted {
        match have.get(name) {
            None => problems.push(format!("{name} is missing")),
            Some(t) if t != text => problems.push(format!("{name} differs")),
            Some(_) => {}
        }
    }
    for name in have.keys().filter(|n| !wanted.contains_key(*n)) {
        problems.push(format!("{name} is no longer generated"));
    }
    assert!(
        problems.is_empty(),
        "tests/fixtures/coverage/ is out of date with the catalog:\n  {}\n\
         regenerate it with `{UPDATE_VAR}=1 cargo test --test integration coverage::` and review the diff",
        problems.join("\n  ")
    );
}

#[test]
fn coverage_fixtures_load_and_cover_every_triple_and_kind() {
    update_if_asked();
    let catalog = Catalog::builtin();
    let mut covered_triples = BTreeSet::new();
    let mut covered_kinds = BTreeSet::new();
    let mut problems = Vec::new();
    for path in committed() {
        let pattern = match archpat::loader::load_file(&path) {
            Ok(def) => def.resolve(&[]).unwrap(),
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        for c in pattern.components() {
            covered_kinds.insert(c.kind.clone());
        }
        for e in pattern.edges() {
            covered_triples.insert((
                e.from.kind.clone(),
                e.connection.kind.clone(),
                e.to.kind.clone(),
            ));
        }
    }
    for kind in catalog.kinds.values().filter(|k| k.diagram_only.is_none()) {
        if !covered_kinds.contains(&kind.kind) {
            problems.push(format!("kind `{}` is in no coverage pattern", kind.kind));
        }
        for (connection, to) in triples_from(catalog, kind) {
            let triple = (kind.kind.clone(), connection.to_string(), to.to_string());
            if !covered_triples.contains(&triple) {
                problems.push(format!(
                    "`{} {connection} {to}` is in no coverage pattern",
                    kind.kind
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nregenerate tests/fixtures/coverage/ with `{UPDATE_VAR}=1 cargo test --test integration coverage::`",
        problems.join("\n")
    );
}
