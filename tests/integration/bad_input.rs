//! Every kind of bad input a user can hand archpat, as a table: pattern files (the hostile ones
//! are small files under `tests/fixtures/bad/`), `--set` values, `--patterns-dir`,
//! `--catalog-dir` and `--templates-dir` folders, and command lines. Each case runs the binary in
//! a fresh sandbox folder laid out by a fixture builder and asserts the exact message, the exit
//! code, an empty stdout, and that the sandbox is byte for byte what it was: nothing written, no
//! user file touched.
//!
//! To see what every case prints now (when adding cases): `ARCHPAT_BAD_INPUT_PRINT=1 cargo test
//! --test integration bad_input:: -- --nocapture`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{archpat, fixtures_dir};

/// What a case lays out in its sandbox before running.
#[derive(Clone, Copy)]
enum Setup {
    /// `tests/fixtures/bad/<name>.yaml`, copied to `<name>.yaml`.
    Bad(&'static str),
    /// `tests/fixtures/bad/<name>.yaml`, copied to another path.
    BadAt(&'static str, &'static str),
    File(&'static str, &'static str),
    Bytes(&'static str, &'static [u8]),
    /// A file of `n` `#` bytes.
    Filler(&'static str, usize),
    Dir(&'static str),
}

use Setup::*;

struct Case {
    name: &'static str,
    setup: &'static [Setup],
    args: &'static [&'static str],
    code: i32,
    /// Exactly what archpat prints on stderr.
    stderr: &'static str,
}

/// A sandbox folder built from a case's setup: the fixture builder.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new(setup: &[Setup]) -> Sandbox {
        let sandbox = Sandbox {
            dir: tempfile::tempdir().unwrap(),
        };
        for s in setup {
            match *s {
                Bad(name) => sandbox.copy_bad(name, &format!("{name}.yaml")),
                BadAt(name, to) => sandbox.copy_bad(name, to),
                File(path, text) => sandbox.write(path, text.as_bytes()),
                Bytes(path, bytes) => sandbox.write(path, bytes),
                Filler(path, n) => sandbox.write(path, &vec![b'#'; n]),
                Dir(path) => std::fs::create_dir_all(sandbox.path(path)).unwrap(),
            }
        }
        sandbox
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn copy_bad(&self, name: &str, to: &str) {
        let from = fixtures_dir().join("bad").join(format!("{name}.yaml"));
        let bytes = std::fs::read(&from)
            .unwrap_or_else(|e| panic!("fixture {} is missing: {e}", from.display()));
        self.write(to, &bytes);
    }

    /// Every folder and file under the sandbox with its bytes (`None` for a folder).
    fn snapshot(&self) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                let rel = p.strip_prefix(root).unwrap().to_path_buf();
                if p.is_dir() {
                    out.insert(rel, None);
                    walk(root, &p, out);
                } else {
                    out.insert(rel, Some(std::fs::read(&p).unwrap()));
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(self.dir.path(), self.dir.path(), &mut out);
        out
    }
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // ---- The loader: YAML syntax ----
    Case { name: "tab-indent", setup: &[Bad("tab-indent")], args: &["check", "--diagram-only", "tab-indent.yaml"], code: 1, stderr: "error: tab-indent.yaml:5:2: tabs disallowed within this context (block indentation)
  hint: see docs/patterns.md for the pattern file format
`tab-indent.yaml` has 1 error
" },
    Case { name: "unclosed-bracket", setup: &[Bad("unclosed-bracket")], args: &["check", "--diagram-only", "unclosed-bracket.yaml"], code: 1, stderr: "error: unclosed-bracket.yaml:4:13: unclosed bracket '['
  hint: see docs/patterns.md for the pattern file format
`unclosed-bracket.yaml` has 1 error
" },
    Case { name: "bad-indent", setup: &[Bad("bad-indent")], args: &["check", "--diagram-only", "bad-indent.yaml"], code: 1, stderr: "error: bad-indent.yaml:6:10: mapping values are not allowed in this context
  hint: see docs/patterns.md for the pattern file format
`bad-indent.yaml` has 1 error
" },
    Case { name: "two-documents", setup: &[Bad("two-documents")], args: &["check", "--diagram-only", "two-documents.yaml"], code: 1, stderr: "error: two-documents.yaml:7:1: a pattern file holds one YAML document; remove the `---` line and what follows it, or split the file in two
  hint: see docs/patterns.md for the pattern file format
`two-documents.yaml` has 1 error
" },
    Case { name: "top-level-list", setup: &[Bad("top-level-list")], args: &["check", "--diagram-only", "top-level-list.yaml"], code: 1, stderr: "error: top-level-list.yaml:1:1: expected a mapping of `key: value` lines here
  hint: see docs/patterns.md for the pattern file format
`top-level-list.yaml` has 1 error
" },
    Case { name: "top-level-scalar", setup: &[Bad("top-level-scalar")], args: &["check", "--diagram-only", "top-level-scalar.yaml"], code: 1, stderr: "error: top-level-scalar.yaml:1:1: expected a mapping of `key: value` lines here
  hint: see docs/patterns.md for the pattern file format
`top-level-scalar.yaml` has 1 error
" },
    Case { name: "unknown-alias", setup: &[Bad("unknown-alias")], args: &["check", "--diagram-only", "unknown-alias.yaml"], code: 1, stderr: "error: unknown-alias.yaml:6:5: alias references unknown anchor
  hint: see docs/patterns.md for the pattern file format
`unknown-alias.yaml` has 1 error
" },
    Case { name: "deep-nesting", setup: &[Bad("deep-nesting")], args: &["check", "--diagram-only", "deep-nesting.yaml"], code: 1, stderr: "error: deep-nesting.yaml:4:268: the file nests too deeply; a pattern is a few levels of plain YAML
  hint: see docs/patterns.md for the pattern file format
`deep-nesting.yaml` has 1 error
" },
    Case { name: "alias-bomb", setup: &[Bad("alias-bomb")], args: &["check", "--diagram-only", "alias-bomb.yaml"], code: 1, stderr: "error: alias-bomb.yaml:12:16: the file expands to too much YAML (anchors and aliases that repeat content, or very deep nesting); write the pattern out plainly
  hint: see docs/patterns.md for the pattern file format
`alias-bomb.yaml` has 1 error
" },
    // ---- The loader: what is not a pattern file at all ----
    Case { name: "empty", setup: &[File("empty.yaml", "")], args: &["check", "--diagram-only", "empty.yaml"], code: 1, stderr: "error: `empty.yaml` is empty; a pattern needs at least `id`, `title`, `summary` and `components`
" },
    Case { name: "comments-only", setup: &[Bad("comments-only")], args: &["check", "--diagram-only", "comments-only.yaml"], code: 1, stderr: "error: `comments-only.yaml` is empty; a pattern needs at least `id`, `title`, `summary` and `components`
" },
    Case { name: "binary", setup: &[Bytes("logo.yaml", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")], args: &["check", "--diagram-only", "logo.yaml"], code: 1, stderr: "error: `logo.yaml` is not a text file (it holds binary data); pass a YAML pattern file (see docs/patterns.md)
" },
    Case { name: "utf16", setup: &[Bytes("wide.yaml", b"\xff\xfei\0d\0:\0 \0d\0")], args: &["check", "--diagram-only", "wide.yaml"], code: 1, stderr: "error: `wide.yaml` is not a text file (it holds binary data); pass a YAML pattern file (see docs/patterns.md)
" },
    Case { name: "latin1", setup: &[Bytes("latin.yaml", b"id: demo\ntitle: D\xe9mo\nsummary: s\ncomponents:\n  - { id: a, kind: lambda }\n")], args: &["check", "--diagram-only", "latin.yaml"], code: 1, stderr: "error: `latin.yaml` is not UTF-8 text: line 2 holds a byte that is not UTF-8; save the file as UTF-8
" },
    Case { name: "huge", setup: &[Filler("huge.yaml", 1024 * 1024 + 1)], args: &["check", "--diagram-only", "huge.yaml"], code: 1, stderr: "error: `huge.yaml` is 1048577 bytes; pattern files are limited to 1048576 bytes, so this is probably not a pattern file
" },
    Case { name: "missing-file", setup: &[], args: &["check", "nowhere.yaml"], code: 1, stderr: "error: pattern file `nowhere.yaml` does not exist
" },
    Case { name: "missing-file-by-path", setup: &[], args: &["draw", "./sub/p.yaml"], code: 1, stderr: "error: pattern file `./sub/p.yaml` does not exist
" },
    // ---- The loader: unknown fields and wrong types ----
    Case { name: "unknown-field", setup: &[Bad("unknown-field")], args: &["check", "--diagram-only", "unknown-field.yaml"], code: 1, stderr: "error: unknown-field.yaml:4:1: unknown field `colour`, expected one of id, title, summary, topics, parameters, groups, components, connections, walkthrough
  hint: see docs/patterns.md for the pattern file format
`unknown-field.yaml` has 1 error
" },
    Case { name: "unknown-component-field", setup: &[Bad("unknown-component-field")], args: &["check", "--diagram-only", "unknown-component-field.yaml"], code: 1, stderr: "error: unknown-component-field.yaml:5:28: unknown field `size`, expected one of id, kind, label, group, when, properties
  hint: see docs/patterns.md for the pattern file format
`unknown-component-field.yaml` has 1 error
" },
    Case { name: "unknown-connection-field", setup: &[Bad("unknown-connection-field")], args: &["check", "--diagram-only", "unknown-connection-field.yaml"], code: 1, stderr: "error: unknown-connection-field.yaml:8:38: unknown field `colour`, expected one of from, to, kind, label, port, protocol, when, properties
  hint: see docs/patterns.md for the pattern file format
`unknown-connection-field.yaml` has 1 error
" },
    Case { name: "missing-id", setup: &[Bad("missing-id")], args: &["check", "--diagram-only", "missing-id.yaml"], code: 1, stderr: "error: missing-id.yaml:3:1: missing field `id`
  hint: see docs/patterns.md for the pattern file format
`missing-id.yaml` has 1 error
" },
    Case { name: "title-is-a-list", setup: &[Bad("title-is-a-list")], args: &["check", "--diagram-only", "title-is-a-list.yaml"], code: 1, stderr: "error: title-is-a-list.yaml:2:8: expected a text value here, not a list or a mapping
  hint: see docs/patterns.md for the pattern file format
`title-is-a-list.yaml` has 1 error
" },
    Case { name: "components-is-text", setup: &[Bad("components-is-text")], args: &["check", "--diagram-only", "components-is-text.yaml"], code: 1, stderr: "error: components-is-text.yaml:4:13: expected a list here (`- item` lines or `[a, b]`)
  hint: see docs/patterns.md for the pattern file format
`components-is-text.yaml` has 1 error
" },
    Case { name: "port-too-big", setup: &[Bad("port-too-big")], args: &["check", "--diagram-only", "port-too-big.yaml"], code: 1, stderr: "error: port-too-big.yaml:8:44: `port` must be a whole number from 1 to 65535, got 70000
  hint: see docs/patterns.md for the pattern file format
`port-too-big.yaml` has 1 error
" },
    Case { name: "port-not-a-number", setup: &[Bad("port-not-a-number")], args: &["check", "--diagram-only", "port-not-a-number.yaml"], code: 1, stderr: "error: port-not-a-number.yaml:8:44: `port` must be a whole number from 1 to 65535, got https
  hint: see docs/patterns.md for the pattern file format
`port-not-a-number.yaml` has 1 error
" },
    Case { name: "parameter-unknown-type", setup: &[Bad("parameter-unknown-type")], args: &["check", "--diagram-only", "parameter-unknown-type.yaml"], code: 1, stderr: "error: parameter-unknown-type.yaml:5:17: unknown variant `float`, expected one of string, integer, boolean
  hint: see docs/patterns.md for the pattern file format
`parameter-unknown-type.yaml` has 1 error
" },
    // ---- The loader: ids, kinds and connections ----
    Case { name: "bad-ids", setup: &[Bad("bad-ids")], args: &["check", "--diagram-only", "bad-ids.yaml"], code: 1, stderr: "error: bad-ids.yaml:1:5: pattern id `Demo_App` is not a valid id
  hint: use lowercase letters, digits and `-`, starting with a letter
bad-ids.yaml:5:11: component id `Fn` is not a valid id
  hint: use lowercase letters, digits, `-` and `_`, starting with a letter
`bad-ids.yaml` has 2 errors
" },
    Case { name: "unknown-kind", setup: &[Bad("unknown-kind")], args: &["check", "--diagram-only", "unknown-kind.yaml"], code: 1, stderr: "error: unknown-kind.yaml:5:20: unknown component kind `lamda`
  hint: did you mean `lambda`?
`unknown-kind.yaml` has 1 error
" },
    Case { name: "unknown-group-kind", setup: &[Bad("unknown-group-kind")], args: &["check", "--diagram-only", "unknown-group-kind.yaml"], code: 1, stderr: "error: unknown-group-kind.yaml:5:20: unknown group kind `regoin`
  hint: did you mean `region`?
`unknown-group-kind.yaml` has 1 error
" },
    Case { name: "unknown-connection-kind", setup: &[Bad("unknown-connection-kind")], args: &["check", "--diagram-only", "unknown-connection-kind.yaml"], code: 1, stderr: "error: unknown-connection-kind.yaml:8:29: unknown connection kind `pubish`
  hint: did you mean `publish`?
`unknown-connection-kind.yaml` has 1 error
" },
    Case { name: "bad-triple", setup: &[Bad("bad-triple")], args: &["check", "--diagram-only", "bad-triple.yaml"], code: 1, stderr: "error: bad-triple.yaml:8:30: a `lambda` cannot `origin` a `dynamodb-table` (`fn` -> `t`)
  hint: a `lambda` may connect to a `dynamodb-table` with: read-write, read, write
`bad-triple.yaml` has 1 error
" },
    Case { name: "proxy-two-databases", setup: &[Bad("proxy-two-databases")], args: &["check", "--diagram-only", "proxy-two-databases.yaml"], code: 1, stderr: "error: proxy-two-databases.yaml:14:20: `p` already has a `read-write` connection, to `a`: a `rds-proxy` has only one
  hint: a proxy has one target group, which holds one database; remove one, or add a second `rds-proxy`
`proxy-two-databases.yaml` has 1 error
" },
    Case { name: "dangling-connection", setup: &[Bad("dangling-connection")], args: &["check", "--diagram-only", "dangling-connection.yaml"], code: 1, stderr: "error: dangling-connection.yaml:7:21: connection refers to unknown component `tabel`
  hint: connections join component ids declared under `components`
`dangling-connection.yaml` has 1 error
" },
    Case { name: "duplicate-component", setup: &[Bad("duplicate-component")], args: &["check", "--diagram-only", "duplicate-component.yaml"], code: 1, stderr: "error: duplicate-component.yaml:6:11: duplicate component id `a`
  hint: give each component its own id
`duplicate-component.yaml` has 1 error
" },
    Case { name: "duplicate-group", setup: &[Bad("duplicate-group")], args: &["check", "--diagram-only", "duplicate-group.yaml"], code: 1, stderr: "error: duplicate-group.yaml:6:11: duplicate group id `r`
  hint: give each group its own id
`duplicate-group.yaml` has 1 error
" },
    Case { name: "duplicate-connection", setup: &[Bad("duplicate-connection")], args: &["check", "--diagram-only", "duplicate-connection.yaml"], code: 1, stderr: "error: duplicate-connection.yaml:9:13: duplicate connection `a` -> `q` (publish)
  hint: remove one of them
`duplicate-connection.yaml` has 1 error
" },
    Case { name: "no-components", setup: &[Bad("no-components")], args: &["check", "--diagram-only", "no-components.yaml"], code: 1, stderr: "error: no-components.yaml:4:13: `components` is empty
  hint: a pattern needs at least one component
`no-components.yaml` has 1 error
" },
    Case { name: "unknown-topic", setup: &[Bad("unknown-topic")], args: &["check", "--diagram-only", "unknown-topic.yaml"], code: 1, stderr: "error: unknown-topic.yaml:4:10: unknown roadmap topic `Lambda`
  hint: did you mean `Lambda (Serverless)`?
`unknown-topic.yaml` has 1 error
" },
    // ---- The loader: groups, CIDRs, placement and requirements ----
    Case { name: "group-cycle", setup: &[Bad("group-cycle")], args: &["check", "--diagram-only", "group-cycle.yaml"], code: 1, stderr: "error: group-cycle.yaml:5:11: groups form a cycle: `b` inside `a` and back
  hint: a group cannot contain itself; remove one `parent`
`group-cycle.yaml` has 1 error
" },
    Case { name: "group-in-itself", setup: &[Bad("group-in-itself")], args: &["check", "--diagram-only", "group-in-itself.yaml"], code: 1, stderr: "error: group-in-itself.yaml:5:11: groups form a cycle: `box` and back
  hint: a group cannot contain itself; remove one `parent`
`group-in-itself.yaml` has 1 error
" },
    Case { name: "unknown-parent", setup: &[Bad("unknown-parent")], args: &["check", "--diagram-only", "unknown-parent.yaml"], code: 1, stderr: "error: unknown-parent.yaml:6:35: group `vpc` has unknown parent `regon`
  hint: did you mean `region`?
`unknown-parent.yaml` has 1 error
" },
    Case { name: "subnet-at-top", setup: &[Bad("subnet-at-top")], args: &["check", "--diagram-only", "subnet-at-top.yaml"], code: 1, stderr: "error: subnet-at-top.yaml:5:20: a `subnet` group cannot sit at the top level
  hint: a `subnet` group may sit in: vpc, availability-zone
`subnet-at-top.yaml` has 1 error
" },
    Case { name: "unknown-group", setup: &[Bad("unknown-group")], args: &["check", "--diagram-only", "unknown-group.yaml"], code: 1, stderr: "error: unknown-group.yaml:5:36: component `fn` is in unknown group `nowhere`
  hint: declare it under `groups`
`unknown-group.yaml` has 1 error
" },
    Case { name: "public-cidr", setup: &[Bad("public-cidr")], args: &["check", "--diagram-only", "public-cidr.yaml"], code: 1, stderr: "error: public-cidr.yaml:6:63: bad value for property `cidr` of group kind `vpc`: expected a private IPv4 range ending in /16 such as 10.1.0.0/16, got `8.8.0.0/16`
  hint: The VPC's address range, a private /16; the subnet tiers take /24 and /20 ranges from it. Two VPCs of one pattern must not overlap, so that they can be peered.
`public-cidr.yaml` has 1 error
" },
    Case { name: "garbage-cidr", setup: &[Bad("garbage-cidr")], args: &["check", "--diagram-only", "garbage-cidr.yaml"], code: 1, stderr: "error: garbage-cidr.yaml:6:63: bad value for property `cidr` of group kind `vpc`: expected a private IPv4 range ending in /16 such as 10.1.0.0/16, got `10.300.0.0/16`
  hint: The VPC's address range, a private /16; the subnet tiers take /24 and /20 ranges from it. Two VPCs of one pattern must not overlap, so that they can be peered.
`garbage-cidr.yaml` has 1 error
" },
    Case { name: "overlapping-vpcs", setup: &[Bad("overlapping-vpcs")], args: &["check", "--diagram-only", "overlapping-vpcs.yaml"], code: 1, stderr: "error: overlapping-vpcs.yaml:7:11: VPCs `blue` and `green` both use the address range `10.0.0.0/16`
  hint: give one of them another `cidr` (such as 10.1.0.0/16) so they can be peered
`overlapping-vpcs.yaml` has 1 error
" },
    // ---- The loader: regions ----
    Case { name: "region-without-name", setup: &[Bad("region-without-name")], args: &["check", "--diagram-only", "region-without-name.yaml"], code: 1, stderr: "error: region-without-name.yaml:6:11: region group `dr` is a second region but names no `region`
  hint: give it `properties: { region: us-west-2 }` (any region code): the first region group, `main`, is where the project deploys
`region-without-name.yaml` has 1 error
" },
    Case { name: "same-region-twice", setup: &[Bad("same-region-twice")], args: &["check", "--diagram-only", "same-region-twice.yaml"], code: 1, stderr: "error: same-region-twice.yaml:6:11: region groups `main` and `dr` both name region `us-east-1`
  hint: each region group is a stack of its own in the region it names: give `dr` another region, or move its components into `main`
`same-region-twice.yaml` has 1 error
" },
    Case { name: "bad-region-name", setup: &[Bad("bad-region-name")], args: &["check", "--diagram-only", "bad-region-name.yaml"], code: 1, stderr: "error: bad-region-name.yaml:6:51: bad value for property `region` of group kind `region`: expected a region code such as eu-west-1, got `Oregon`
  hint: The region code (us-west-2). The first region group is where the project deploys and may leave it empty (the deploy-time choice); every other region group is a second stack in the region it names, reached only by `replicate` connections.
`bad-region-name.yaml` has 1 error
" },
    Case { name: "replicate-in-one-region", setup: &[Bad("replicate-in-one-region")], args: &["check", "--diagram-only", "replicate-in-one-region.yaml"], code: 1, stderr: "error: replicate-in-one-region.yaml:10:35: `replicate` copies to another region, but `data` and `copy` are both in region `main`
  hint: put `copy` in a second `region` group (with `properties: { region: us-west-2 }`)
`replicate-in-one-region.yaml` has 1 error
" },
    Case { name: "connection-across-regions", setup: &[Bad("connection-across-regions")], args: &["check", "--diagram-only", "connection-across-regions.yaml"], code: 1, stderr: "error: connection-across-regions.yaml:11:13: connection `fn` -> `copy` (read) joins region `main` to region `dr`
  hint: each region is a stack of its own; only `replicate` connections join two: put `fn` and `copy` in the same region
`connection-across-regions.yaml` has 1 error
" },
    Case { name: "replicate-bad-kinds", setup: &[Bad("replicate-bad-kinds")], args: &["check", "--diagram-only", "replicate-bad-kinds.yaml"], code: 1, stderr: "error: replicate-bad-kinds.yaml:11:37: a `s3-bucket` cannot `replicate` a `dynamodb-table` (`data` -> `orders`)
  hint: a `s3-bucket` cannot connect to a `dynamodb-table` at all; it may `replicate` a `s3-bucket`
`replicate-bad-kinds.yaml` has 1 error
" },
    Case { name: "database-outside-vpc", setup: &[Bad("database-outside-vpc")], args: &["check", "--diagram-only", "database-outside-vpc.yaml"], code: 1, stderr: "error: database-outside-vpc.yaml:9:42: component `db` (`rds-instance`) must sit in a VPC, in a subnet group of tier `private-data` or `private-app`
  hint: put it in a `subnet` group with `tier: private-data` inside a `vpc` group
`database-outside-vpc.yaml` has 1 error
" },
    Case { name: "service-without-cluster", setup: &[Bad("service-without-cluster")], args: &["check", "--diagram-only", "service-without-cluster.yaml"], code: 1, stderr: "error: service-without-cluster.yaml:9:11: component `svc` (`ecs-service`) needs a component of kind `ecs-cluster` in the pattern
  hint: add one: the service's tasks run in an ECS cluster
`service-without-cluster.yaml` has 1 error
" },
    Case { name: "stream-without-destination", setup: &[Bad("stream-without-destination")], args: &["check", "--diagram-only", "stream-without-destination.yaml"], code: 1, stderr: "error: stream-without-destination.yaml:5:11: component `stream` (`kinesis-firehose`) needs a connection of kind `ingest` to a component of kind `s3-bucket`
  hint: add `{ from: stream, to: <s3-bucket id>, kind: ingest }` under `connections`: a delivery stream needs a destination to deliver to
`stream-without-destination.yaml` has 1 error
" },
    // ---- The loader: properties, parameters, conditions, walkthrough ----
    Case { name: "unknown-property", setup: &[Bad("unknown-property")], args: &["check", "--diagram-only", "unknown-property.yaml"], code: 1, stderr: "error: unknown-property.yaml:5:54: unknown property `memroy_mb` for kind `lambda`
  hint: did you mean `memory_mb`?
`unknown-property.yaml` has 1 error
" },
    Case { name: "property-wrong-type", setup: &[Bad("property-wrong-type")], args: &["check", "--diagram-only", "property-wrong-type.yaml"], code: 1, stderr: "error: property-wrong-type.yaml:5:54: bad value for property `memory_mb` of kind `lambda`: expected an integer, got the string \"lots\"
  hint: Memory in MB; CPU grows with it.
`property-wrong-type.yaml` has 1 error
" },
    // A key name reaches state-machine items and handler code; a version becomes a CDK enum member.
    Case { name: "dynamodb-key-name", setup: &[File("key.yaml", "id: t\ntitle: T\nsummary: S\ncomponents:\n  - { id: t, kind: dynamodb-table, label: T, properties: { partition_key: \"a = b\" } }\n")], args: &["check", "--diagram-only", "key.yaml"], code: 1, stderr: "error: key.yaml:5:75: bad value for property `partition_key` of kind `dynamodb-table`: expected an attribute name of letters, digits, `_`, `-` and `.` such as user_id, got `a = b`
  hint: Name of the partition key attribute (a string).
`key.yaml` has 1 error
" },
    Case { name: "glue-version-not-a-choice", setup: &[File("glue.yaml", "id: g\ntitle: G\nsummary: S\ncomponents:\n  - { id: b, kind: s3-bucket, label: B }\n  - { id: j, kind: glue-job, label: J, properties: { glue_version: \"5_0, x: 1\" } }\n")], args: &["check", "--diagram-only", "glue.yaml"], code: 1, stderr: "error: glue.yaml:6:68: bad value for property `glue_version` of kind `glue-job`: expected one of 4.0, 5.0, got 5_0, x: 1
  hint: AWS Glue version, which fixes the Spark and Python versions.
`glue.yaml` has 1 error
" },
    // What a connection means is a property its `connects` rule declares, checked like a component's.
    Case { name: "connection-path-not-a-pattern", setup: &[File("path.yaml", "id: c\ntitle: C\nsummary: S\ncomponents:\n  - { id: cdn, kind: cloudfront, label: CDN }\n  - { id: site, kind: s3-bucket, label: Site }\n  - { id: api, kind: apigateway-http, label: API }\nconnections:\n  - { from: cdn, to: site, kind: origin }\n  - { from: cdn, to: api, kind: origin, properties: { path: \"api/*\" } }\n")], args: &["check", "--diagram-only", "path.yaml"], code: 1, stderr: "error: path.yaml:10:61: bad value for property `path` of connection `cdn` -> `api` (origin): expected a CloudFront path pattern such as /api/*: `/` then letters, digits and `_-.*$/~@:+&`, got `api/*`
  hint: The requests this origin serves, as a CloudFront path pattern such as /api/*; empty for the default behaviour (every other request). One origin of a distribution has none; another origin without one is served under /<origin id>/*.
`path.yaml` has 1 error
" },
    Case { name: "connection-property-set-bad", setup: &[File("p.yaml", "id: p\ntitle: P\nsummary: S\nparameters:\n  api_path: { type: string, default: \"/api/*\", help: Path. }\ncomponents:\n  - { id: cdn, kind: cloudfront }\n  - { id: site, kind: s3-bucket }\n  - { id: api, kind: apigateway-http }\nconnections:\n  - { from: cdn, to: site, kind: origin }\n  - { from: cdn, to: api, kind: origin, properties: { path: \"${api_path}\" } }\n")], args: &["draw", "p.yaml", "-f", "mermaid", "--set", "api_path=nope"], code: 1, stderr: "error: parameter values make property `path` of `cdn -> api` invalid: expected a CloudFront path pattern such as /api/*: `/` then letters, digits and `_-.*$/~@:+&`, got `nope`
" },
    Case { name: "connection-property-typo", setup: &[File("path.yaml", "id: c\ntitle: C\nsummary: S\ncomponents:\n  - { id: cdn, kind: cloudfront, label: CDN }\n  - { id: site, kind: s3-bucket, label: Site }\n  - { id: api, kind: apigateway-http, label: API }\nconnections:\n  - { from: cdn, to: site, kind: origin }\n  - { from: cdn, to: api, kind: origin, properties: { paht: \"/api/*\" } }\n")], args: &["check", "--diagram-only", "path.yaml"], code: 1, stderr: "error: path.yaml:10:61: unknown property `paht` for connection `cdn` -> `api` (origin)
  hint: did you mean `path`?
`path.yaml` has 1 error
" },
    Case { name: "connection-step-and-a-property-it-lacks", setup: &[File("step.yaml", "id: c\ntitle: C\nsummary: S\ncomponents:\n  - { id: pool, kind: cognito-user-pool, label: Pool }\n  - { id: fn, kind: lambda, label: Fn }\n  - { id: q, kind: sqs-queue, label: Q }\nconnections:\n  - { from: pool, to: fn, kind: trigger, properties: { step: after_login } }\n  - { from: fn, to: q, kind: publish, properties: { path: \"/x\" } }\n")], args: &["check", "--diagram-only", "step.yaml"], code: 1, stderr: "error: step.yaml:9:62: bad value for property `step` of connection `pool` -> `fn` (trigger): expected one of pre_sign_up, custom_message, post_confirmation, pre_authentication, post_authentication, define_auth_challenge, create_auth_challenge, verify_auth_challenge_response, pre_token_generation, user_migration, got after_login
  hint: The step of sign-up or sign-in at which Cognito runs the function, such as post_confirmation (after a user confirms the sign-up: create the user's record) or pre_token_generation (add claims to tokens). One function per step.
step.yaml:10:59: unknown property `path` for connection `fn` -> `q` (publish)
  hint: connection `fn` -> `q` (publish) takes no properties
`step.yaml` has 2 errors
" },
    // CloudWatch refuses an alarm over more than ten metrics at deploy; the loader says so first.
    Case { name: "alarm-over-ten-metrics", setup: &[File("alarm.yaml", "id: a\ntitle: A\nsummary: S\ncomponents:\n  - { id: alarm, kind: cloudwatch-alarm }\n  - { id: q1, kind: sqs-queue }\n  - { id: q2, kind: sqs-queue }\n  - { id: q3, kind: sqs-queue }\n  - { id: q4, kind: sqs-queue }\n  - { id: q5, kind: sqs-queue }\n  - { id: q6, kind: sqs-queue }\n  - { id: q7, kind: sqs-queue }\n  - { id: q8, kind: sqs-queue }\n  - { id: q9, kind: sqs-queue }\n  - { id: q10, kind: sqs-queue }\n  - { id: q11, kind: sqs-queue }\nconnections:\n  - { from: alarm, to: q1, kind: read }\n  - { from: alarm, to: q2, kind: read }\n  - { from: alarm, to: q3, kind: read }\n  - { from: alarm, to: q4, kind: read }\n  - { from: alarm, to: q5, kind: read }\n  - { from: alarm, to: q6, kind: read }\n  - { from: alarm, to: q7, kind: read }\n  - { from: alarm, to: q8, kind: read }\n  - { from: alarm, to: q9, kind: read }\n  - { from: alarm, to: q10, kind: read }\n  - { from: alarm, to: q11, kind: read }\n")], args: &["check", "--diagram-only", "alarm.yaml"], code: 1, stderr: "error: alarm.yaml:28:24: `alarm` already has 10 `read` connections (`q1`, `q2`, `q3`, `q4`, `q5`, `q6`, `q7`, `q8`, `q9` and `q10`): a `cloudwatch-alarm` has at most 10
  hint: CloudWatch evaluates at most 10 metrics in one alarm; remove one, or add a second `cloudwatch-alarm`
`alarm.yaml` has 1 error
" },
    // Firehose refuses PutRecord on a stream that reads Kinesis: the loader refuses the producer.
    Case { name: "firehose-fed-twice", setup: &[File("clicks.yaml", "id: c\ntitle: C\nsummary: S\ncomponents:\n  - { id: producer, kind: lambda }\n  - { id: clicks, kind: kinesis-stream }\n  - { id: delivery, kind: kinesis-firehose }\n  - { id: lake, kind: s3-bucket }\nconnections:\n  - { from: delivery, to: clicks, kind: consume }\n  - { from: delivery, to: lake, kind: ingest }\n  - { from: producer, to: delivery, kind: ingest }\n")], args: &["check", "--diagram-only", "clicks.yaml"], code: 1, stderr: "error: clicks.yaml:12:43: `producer` cannot `ingest` `delivery`: `delivery` already has a `consume` connection, to `clicks` (a `kinesis-stream`)
  hint: a Firehose stream that reads a Kinesis data stream refuses PutRecord; producers write to the Kinesis stream, and Firehose delivers what they write; remove one of the two
`clicks.yaml` has 1 error
" },
    Case { name: "property-unknown-parameter", setup: &[Bad("property-unknown-parameter")], args: &["check", "--diagram-only", "property-unknown-parameter.yaml"], code: 1, stderr: "error: property-unknown-parameter.yaml:7:54: property `memory_mb` refers to unknown parameter `memory`
  hint: did you mean `mem`?
`property-unknown-parameter.yaml` has 1 error
" },
    Case { name: "parameter-without-default", setup: &[Bad("parameter-without-default")], args: &["check", "--diagram-only", "parameter-without-default.yaml"], code: 1, stderr: "error: parameter-without-default.yaml:5:9: parameter `size` has no `default`
  hint: every parameter needs a default so the pattern works without `--set`
`parameter-without-default.yaml` has 1 error
" },
    Case { name: "default-not-a-choice", setup: &[Bad("default-not-a-choice")], args: &["check", "--diagram-only", "default-not-a-choice.yaml"], code: 1, stderr: "error: default-not-a-choice.yaml:5:7: default of parameter `rt` is invalid: expected one of nodejs22.x, python3.13, got ruby
`default-not-a-choice.yaml` has 1 error
" },
    Case { name: "min-above-max", setup: &[Bad("min-above-max")], args: &["check", "--diagram-only", "min-above-max.yaml"], code: 1, stderr: "error: min-above-max.yaml:5:6: parameter `m` has `min: 10` above `max: 1`
  hint: swap them, or drop one
`min-above-max.yaml` has 1 error
" },
    Case { name: "when-not-boolean", setup: &[Bad("when-not-boolean")], args: &["check", "--diagram-only", "when-not-boolean.yaml"], code: 1, stderr: "error: when-not-boolean.yaml:7:35: condition `rt` needs a boolean parameter; `rt` is a string
  hint: compare it instead: `rt == value`
`when-not-boolean.yaml` has 1 error
" },
    Case { name: "when-unreadable", setup: &[Bad("when-unreadable")], args: &["check", "--diagram-only", "when-unreadable.yaml"], code: 1, stderr: "error: when-unreadable.yaml:5:35: cannot read condition `a b c`; write `name`, `!name`, `name == value` or `name != value`
`when-unreadable.yaml` has 1 error
" },
    Case { name: "when-unknown-parameter", setup: &[Bad("when-unknown-parameter")], args: &["check", "--diagram-only", "when-unknown-parameter.yaml"], code: 1, stderr: "error: when-unknown-parameter.yaml:5:35: condition refers to unknown parameter `engine`
  hint: declare it under `parameters`
`when-unknown-parameter.yaml` has 1 error
" },
    Case { name: "step-connection-unreadable", setup: &[Bad("step-connection-unreadable")], args: &["check", "--diagram-only", "step-connection-unreadable.yaml"], code: 1, stderr: "error: step-connection-unreadable.yaml:9:19: cannot read connection `fn` in step 1
  hint: write it as `from->to`
`step-connection-unreadable.yaml` has 1 error
" },
    Case { name: "step-unknown-practice", setup: &[Bad("step-unknown-practice")], args: &["check", "--diagram-only", "step-unknown-practice.yaml"], code: 1, stderr: "error: step-unknown-practice.yaml:9:17: unknown best practice `be nice`
  hint: practices are the lines of the roadmap's best-practices checklist
`step-unknown-practice.yaml` has 1 error
" },
    Case { name: "step-misses-a-component", setup: &[Bad("step-misses-a-component")], args: &["check", "--diagram-only", "step-misses-a-component.yaml"], code: 1, stderr: "error: step-misses-a-component.yaml:6:11: component `q` is never introduced in the walkthrough
  hint: add it to one step's `adds`
`step-misses-a-component.yaml` has 1 error
" },
    // Every command that reads a pattern refuses it the same way, and `new` writes nothing.
    Case { name: "new-from-a-bad-file", setup: &[Bad("bad-triple")], args: &["new", "bad-triple.yaml", "--iac", "terraform", "--no-input", "-o", "out"], code: 1, stderr: "error: bad-triple.yaml:8:30: a `lambda` cannot `origin` a `dynamodb-table` (`fn` -> `t`)
  hint: a `lambda` may connect to a `dynamodb-table` with: read-write, read, write
`bad-triple.yaml` has 1 error
" },
    Case { name: "draw-a-bad-file", setup: &[Bad("overlapping-vpcs")], args: &["draw", "overlapping-vpcs.yaml", "-o", "d.svg"], code: 1, stderr: "error: overlapping-vpcs.yaml:7:11: VPCs `blue` and `green` both use the address range `10.0.0.0/16`
  hint: give one of them another `cidr` (such as 10.1.0.0/16) so they can be peered
`overlapping-vpcs.yaml` has 1 error
" },
    // ---- --set ----
    Case { name: "set-unknown-key", setup: &[], args: &["draw", "three-tier-web", "--set", "colour=red"], code: 1, stderr: "error: pattern `three-tier-web` has no parameter `colour`; its parameters are: instance_type, db_engine, multi_az, az_count, nat_per_az
" },
    Case { name: "set-typo", setup: &[], args: &["draw", "three-tier-web", "--set", "multi_za=true"], code: 1, stderr: "error: pattern `three-tier-web` has no parameter `multi_za`; did you mean `multi_az`?
" },
    Case { name: "set-no-parameters", setup: &[Bad("no-parameters")], args: &["show", "no-parameters.yaml", "--set", "size=1"], code: 1, stderr: "error: pattern `demo` has no parameter `size`; it takes no parameters
" },
    Case { name: "set-wrong-type-boolean", setup: &[], args: &["draw", "three-tier-web", "--set", "multi_az=maybe"], code: 1, stderr: "error: bad value for parameter `multi_az`: expected true or false, got `maybe`
" },
    Case { name: "set-wrong-type-integer", setup: &[], args: &["draw", "serverless-web", "--set", "memory_mb=lots"], code: 1, stderr: "error: bad value for parameter `memory_mb`: expected an integer, got `lots`
" },
    Case { name: "set-out-of-range", setup: &[], args: &["draw", "serverless-web", "--set", "memory_mb=99999"], code: 1, stderr: "error: bad value for parameter `memory_mb`: expected a number from 128 to 10240, got 99999
" },
    Case { name: "set-not-a-choice", setup: &[], args: &["draw", "serverless-web", "--set", "runtime=ruby3.3"], code: 1, stderr: "error: bad value for parameter `runtime`: expected one of nodejs22.x, python3.13, got ruby3.3
" },
    Case { name: "set-without-value", setup: &[], args: &["draw", "serverless-web", "--set", "memory_mb"], code: 1, stderr: "error: `--set memory_mb` is not of the form `name=value`
" },
    Case { name: "set-without-name", setup: &[], args: &["draw", "serverless-web", "--set", "=5"], code: 1, stderr: "error: `--set =5` is not of the form `name=value`
" },
    Case { name: "set-breaks-a-property", setup: &[Bad("runtime-parameter")], args: &["draw", "runtime-parameter.yaml", "--set", "rt=ruby3.3"], code: 1, stderr: "error: parameter values make property `runtime` of `fn` invalid: expected one of nodejs22.x, python3.13, got ruby3.3
" },
    Case { name: "zone-counts-disagree", setup: &[Bad("zone-counts")], args: &["draw", "zone-counts.yaml", "-o", "z.svg"], code: 1, stderr: "error: zone-counts.yaml:8:62: VPC `vpc` is drawn across 2 availability zones (`azs`) but parameter `az_count` deploys 3
  hint: write `azs: ${az_count}` so the two agree, or `azs: 1` to draw the tiers without zones
`zone-counts.yaml` has 1 error
" },
    Case { name: "set-makes-zone-counts-disagree", setup: &[Bad("zone-counts-set")], args: &["draw", "zone-counts-set.yaml", "--set", "az_count=3", "-o", "z.svg"], code: 1, stderr: "error: VPC `vpc` is drawn across 2 availability zones (`azs`) but parameter `az_count` deploys 3; give `azs` the value `${az_count}` so the two agree
" },
    Case { name: "set-makes-vpcs-overlap", setup: &[Bad("vpc-parameter")], args: &["new", "vpc-parameter.yaml", "--iac", "terraform", "--no-input", "-o", "out", "--set", "cidr=10.0.0.0/16"], code: 1, stderr: "error: VPCs `blue` and `green` both use the address range `10.0.0.0/16`; give one of them another `cidr` (such as 10.1.0.0/16) so they can be peered
" },
    // ---- --patterns-dir ----
    Case { name: "patterns-dir-missing", setup: &[], args: &["list", "--patterns-dir", "mine"], code: 1, stderr: "error: cannot read patterns folder `mine`
  caused by: No such file or directory (os error 2)
" },
    Case { name: "patterns-dir-is-a-file", setup: &[File("mine", "x")], args: &["list", "--patterns-dir", "mine"], code: 1, stderr: "error: cannot read patterns folder `mine`
  caused by: Not a directory (os error 20)
" },
    Case { name: "patterns-dir-broken-file", setup: &[BadAt("unclosed-bracket", "mine/demo.yaml")], args: &["list", "--patterns-dir", "mine"], code: 1, stderr: "error: mine/demo.yaml:4:13: unclosed bracket '['
  hint: see docs/patterns.md for the pattern file format
`mine/demo.yaml` has 1 error
" },
    Case { name: "patterns-dir-broken-file-by-id", setup: &[BadAt("unknown-kind", "mine/demo.yaml")], args: &["draw", "demo", "--patterns-dir", "mine", "-o", "d.dot"], code: 1, stderr: "error: mine/demo.yaml:5:20: unknown component kind `lamda`
  hint: did you mean `lambda`?
`mine/demo.yaml` has 1 error
" },
    Case { name: "patterns-dir-misnamed", setup: &[BadAt("no-parameters", "mine/other.yaml")], args: &["draw", "other", "--patterns-dir", "mine"], code: 1, stderr: "error: pattern file `mine/other.yaml` declares id `demo`; the file must be named `demo.yaml`
" },
    Case { name: "patterns-dir-unknown-id", setup: &[BadAt("no-parameters", "mine/demo.yaml")], args: &["draw", "dmeo", "--patterns-dir", "mine"], code: 1, stderr: "error: unknown pattern `dmeo` (did you mean `demo`?); run `archpat list` to see them all, or pass a path to a pattern file
" },
    // ---- --catalog-dir ----
    Case { name: "catalog-dir-missing", setup: &[], args: &["--catalog-dir", "cat", "list", "--kinds"], code: 3, stderr: "error: cannot read catalog folder `cat`
  caused by: No such file or directory (os error 2)
" },
    Case { name: "catalog-dir-broken-yaml", setup: &[File("cat/kinds/widget.yaml", "kind: [\n")], args: &["--catalog-dir", "cat", "list", "--kinds"], code: 1, stderr: "error: cannot parse catalog file `cat/kinds/widget.yaml`: line 1, column 7: expected a text value here, not a list or a mapping
" },
    Case { name: "catalog-dir-misnamed-kind", setup: &[File("cat/kinds/widget.yaml", "kind: gadget\nname: G\nservice: G\ncategory: compute\nshape: rect\ndescription: d\n")], args: &["--catalog-dir", "cat", "list", "--kinds"], code: 1, stderr: "error: catalog file `cat/kinds/widget.yaml` declares kind `gadget`; the file must be named `gadget.yaml`
" },
    Case { name: "catalog-dir-unknown-field", setup: &[File("cat/kinds/widget.yaml", "kind: widget\nname: W\nservice: W\ncategory: compute\nshape: rect\ndescription: d\ncolour: red\n")], args: &["--catalog-dir", "cat", "list", "--kinds"], code: 1, stderr: "error: cannot parse catalog file `cat/kinds/widget.yaml`: line 7, column 1: unknown field `colour`, expected one of kind, name, service, category, shape, description, diagram_only, properties, connects, service_principal, principal, access, config, port, metric, endpoint, needs_endpoints, connected_from, placement, requires, drawio, zones, imports
" },
    Case { name: "catalog-dir-bad-import-data", setup: &[File("cat/import.yaml", "helpers: {}\ncolour: red\n"), File("t.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")], args: &["--catalog-dir", "cat", "import", "t.yaml", "-o", "p.yaml"], code: 1, stderr: "error: cannot parse catalog file `cat/import.yaml`: line 2, column 1: unknown field `colour`, expected one of groups, helpers, helper_prefixes, folded_when_only_referenced_by, folded_when_only_helpers_refer, folded_watchers, placed_with_referrers, own_logs, implied, part_of, links, references, reference_kinds, identity_policy_types, not_policies, actions, action_kinds, policy_templates, sam_events, connection_properties
" },
    // ---- --templates-dir ----
    Case { name: "templates-dir-missing", setup: &[], args: &["--templates-dir", "tpl", "new", "serverless-web", "--iac", "terraform", "--no-input", "-o", "out"], code: 3, stderr: "error: cannot read templates folder `tpl`
  caused by: No such file or directory (os error 2)
" },
    Case { name: "templates-dir-broken-tera", setup: &[File("tpl/terraform/components/lambda.tf.tera", "{% if %}\n")], args: &["--templates-dir", "tpl", "new", "serverless-web", "--iac", "terraform", "--no-input", "-o", "out"], code: 1, stderr: "error: template `templates/terraform` failed: cannot parse `tpl/terraform/components/lambda.tf.tera`: line 1: unexpected end of block
" },
    Case { name: "templates-dir-broken-refs", setup: &[File("tpl/terraform/meta/refs.yaml", "lambda: [\n")], args: &["--templates-dir", "tpl", "new", "serverless-web", "--iac", "terraform", "--no-input", "-o", "out"], code: 1, stderr: "error: template `templates/terraform` failed: cannot parse `tpl/terraform/meta/refs.yaml`: line 1, column 9: expected a mapping of `key: value` lines here
" },
    // ---- The command line ----
    Case { name: "new-into-non-empty-folder", setup: &[File("out/README.md", "mine, keep it\n")], args: &["new", "serverless-web", "--iac", "terraform", "--no-input", "-o", "out"], code: 1, stderr: "error: output folder `out` is not empty; choose another with `-o` or pass `--force` to write into it
" },
    Case { name: "new-onto-a-file", setup: &[File("out", "mine, keep it\n")], args: &["new", "serverless-web", "--iac", "terraform", "--no-input", "-o", "out"], code: 1, stderr: "error: output path `out` exists and is not a folder
" },
    Case { name: "new-under-a-file", setup: &[File("out", "mine, keep it\n")], args: &["new", "serverless-web", "--iac", "terraform", "--no-input", "-o", "out/app"], code: 1, stderr: "error: output path `out/app` is inside `out`, which is a file
" },
    Case { name: "new-dry-run-onto-a-file", setup: &[File("out", "mine, keep it\n")], args: &["new", "serverless-web", "--iac", "cdk", "--no-input", "--dry-run", "-o", "out"], code: 1, stderr: "error: output path `out` exists and is not a folder
" },
    Case { name: "new-unknown-target", setup: &[], args: &["new", "serverless-web", "--iac", "pulumi", "--no-input", "-o", "out"], code: 2, stderr: "error: invalid value 'pulumi' for '--iac <IAC>'
  [possible values: cloudformation, terraform, cdk]

For more information, try '--help'.
" },
    Case { name: "new-without-target", setup: &[], args: &["new", "serverless-web", "--no-input", "-o", "out"], code: 2, stderr: "error: the following required arguments were not provided:
  --iac <IAC>

Usage: archpat new --iac <IAC> --no-input --output <OUTPUT> <PATTERN>

For more information, try '--help'.
" },
    Case { name: "new-bad-name", setup: &[], args: &["new", "serverless-web", "--iac", "terraform", "--no-input", "--name", "My_App", "-o", "out"], code: 1, stderr: "error: invalid project name `My_App`: it must start with a lowercase letter
" },
    Case { name: "new-name-escapes", setup: &[], args: &["new", "serverless-web", "--iac", "terraform", "--no-input", "--name", "../up"], code: 1, stderr: "error: invalid project name `../up`: it contains a path separator or `..`, which could write outside the output folder
" },
    Case { name: "new-bad-region", setup: &[], args: &["new", "serverless-web", "--iac", "terraform", "--no-input", "--region", "mars-1", "-o", "out"], code: 1, stderr: "error: invalid region `mars-1`: expected a region code such as `eu-west-1`
" },
    Case { name: "new-unknown-pattern", setup: &[], args: &["new", "serverles-web", "--iac", "terraform", "--no-input", "-o", "out"], code: 1, stderr: "error: unknown pattern `serverles-web` (did you mean `serverless-web`?); run `archpat list` to see them all, or pass a path to a pattern file
" },
    Case { name: "draw-unknown-format", setup: &[], args: &["draw", "serverless-web", "-f", "png2"], code: 2, stderr: "error: invalid value 'png2' for '--format <FORMAT>'
  [possible values: dot, mermaid, svg, png, drawio]

  tip: a similar value exists: 'png'

For more information, try '--help'.
" },
    Case { name: "draw-into-missing-folder", setup: &[], args: &["draw", "serverless-web", "-o", "nodir/d.svg"], code: 3, stderr: "error: cannot write `nodir/d.svg`: the folder `nodir` does not exist; create it first
" },
    Case { name: "draw-under-a-file", setup: &[File("notes", "mine, keep it\n")], args: &["draw", "serverless-web", "-o", "notes/d.dot"], code: 3, stderr: "error: cannot write `notes/d.dot`: `notes` is a file, not a folder
" },
    Case { name: "draw-onto-a-folder", setup: &[Dir("pics")], args: &["draw", "serverless-web", "-o", "pics"], code: 3, stderr: "error: cannot write `pics`: it is a folder; name a file inside it
" },
    Case { name: "draw-icons-missing-folder", setup: &[], args: &["draw", "serverless-web", "--icons", "aws-icons", "-o", "d.svg"], code: 1, stderr: "error: icon folder `aws-icons` does not exist; pass `--icons` (or set `ARCHPAT_ICONS` to) the folder you unpacked AWS's Architecture Icons asset package into, or leave it out to draw archpat's own glyphs
" },
    Case { name: "draw-icons-a-file", setup: &[File("icons.zip", "PK")], args: &["draw", "serverless-web", "--icons", "icons.zip", "-o", "d.png"], code: 1, stderr: "error: `icons.zip` is not a folder; pass `--icons` the folder you unpacked AWS's Architecture Icons asset package into, not a file in it
" },
    Case { name: "draw-icons-no-icons-in-it", setup: &[File("icons/README.txt", "unpack here\n")], args: &["draw", "serverless-web", "-f", "dot", "--icons", "icons"], code: 1, stderr: "error: icon folder `icons` holds no `.svg` or `.png` file; unpack AWS's Architecture Icons asset package into it (archpat looks in every folder below it)
" },
    Case { name: "walk-step-out-of-range", setup: &[], args: &["walk", "serverless-web", "--step", "0", "-f", "markdown"], code: 1, stderr: "error: pattern `serverless-web` has 6 steps, so `--step 0` is out of range (use 1 to 6)
" },
    Case { name: "walk-html-under-a-file", setup: &[File("notes", "mine, keep it\n")], args: &["walk", "serverless-web", "-f", "html", "-o", "notes/w.html"], code: 3, stderr: "error: cannot write `notes/w.html`: `notes` is a file, not a folder
" },
    Case { name: "compare-unknown-component", setup: &[], args: &["compare", "serverless-web", "--component", "nope"], code: 1, stderr: "error: pattern `serverless-web` has no component `nope`; its components are: `users`, `cdn`, `site`, `api`, `user_pool`, `api_fn`, `table`, `logs`
" },
    Case { name: "compare-unknown-format", setup: &[], args: &["compare", "serverless-web", "-f", "xml"], code: 2, stderr: "error: invalid value 'xml' for '--format <FORMAT>'
  [possible values: table, markdown, json, html]

  tip: a similar value exists: 'html'

For more information, try '--help'.
" },
    Case { name: "check-without-files", setup: &[], args: &["check"], code: 2, stderr: "error: the following required arguments were not provided:
  <FILES>...

Usage: archpat check <FILES>...

For more information, try '--help'.
" },
];

fn run(case: &Case) -> Result<(), String> {
    let sandbox = Sandbox::new(case.setup);
    let before = sandbox.snapshot();
    let out = archpat()
        .args(case.args)
        .current_dir(sandbox.dir.path())
        .env_remove("ARCHPAT_CATALOG_DIR")
        .env_remove("ARCHPAT_TEMPLATES_DIR")
        .env_remove("ARCHPAT_CDK_NODE_MODULES")
        .env_remove("ARCHPAT_ICONS")
        .output()
        .expect("archpat runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if std::env::var_os("ARCHPAT_BAD_INPUT_PRINT").is_some() {
        println!(
            "@@ {} {:?}\n{stderr}@@",
            case.name,
            out.status.code().unwrap_or(-1)
        );
    }
    let mut problems = Vec::new();
    if out.status.code() != Some(case.code) {
        problems.push(format!(
            "exit code {:?}, expected {}",
            out.status.code(),
            case.code
        ));
    }
    if stderr != case.stderr {
        problems.push(format!("stderr is\n{stderr}\nexpected\n{}", case.stderr));
    }
    if stderr.contains("panicked") {
        problems.push("archpat panicked".into());
    }
    if !out.stdout.is_empty() {
        problems.push(format!(
            "stdout is not empty:\n{}",
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    let after = sandbox.snapshot();
    if after != before {
        let changed: Vec<_> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .map(|k| k.display().to_string())
            .collect();
        problems.push(format!("the sandbox changed: {changed:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "case `{}` (archpat {}):\n{}",
            case.name,
            case.args.join(" "),
            problems.join("\n")
        ))
    }
}

#[test]
fn every_bad_input_is_refused_exactly_and_writes_nothing() {
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "two cases share a name");
    assert!(CASES.len() >= 50, "the issue asks for 50 cases or more");
    // Two at a time: the machine is small and each case is a process.
    let failures: Vec<String> = std::thread::scope(|s| {
        let (a, b) = CASES.split_at(CASES.len() / 2);
        let first = s.spawn(|| a.iter().filter_map(|c| run(c).err()).collect::<Vec<_>>());
        let mut all: Vec<String> = b.iter().filter_map(|c| run(c).err()).collect();
        let mut head = first.join().expect("worker");
        head.append(&mut all);
        head
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}

/// Every fixture under `tests/fixtures/bad/` is used by a case, so none rots unseen.
#[test]
fn every_bad_fixture_has_a_case() {
    let used: Vec<&str> = CASES
        .iter()
        .flat_map(|c| c.setup.iter())
        .filter_map(|s| match s {
            Bad(n) | BadAt(n, _) => Some(*n),
            _ => None,
        })
        .collect();
    for e in std::fs::read_dir(fixtures_dir().join("bad")).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        assert!(
            used.contains(&stem.as_str()),
            "tests/fixtures/bad/{stem}.yaml has no case"
        );
    }
}
