//! Connection properties read back from the resource that makes the connection, as
//! `catalog/import.yaml` (`connection_properties`) says: a CloudFront cache behaviour's path
//! pattern becomes the `path` of the distribution's origin connection it sends requests to.

use std::collections::BTreeSet;

use serde_json::Value;

use super::fold::Graph;
use super::infer::{Component, Connection};
use super::refs::collect_refs;
use super::rules::ConnectionProperty;

pub(crate) fn read(g: &Graph, comps: &[Component], conns: &mut [Connection]) {
    for rule in &g.rules.connection_properties {
        for conn in conns.iter_mut().filter(|c| c.kind == rule.kind) {
            let (Some(from), Some(to)) = (
                comps.iter().find(|c| c.id == conn.from),
                comps.iter().position(|c| c.id == conn.to),
            ) else {
                continue;
            };
            let found = from
                .sources
                .iter()
                .filter_map(|s| g.index.get(s.as_str()))
                .map(|i| &g.resources[*i])
                .filter(|r| r.ty == rule.ty)
                .find_map(|r| value_for(g, rule, &r.props, to));
            if let Some(value) = found {
                conn.properties.insert(rule.property.clone(), value);
            }
        }
    }
}

/// The first item's value whose target entry references component `to`.
fn value_for(g: &Graph, rule: &ConnectionProperty, props: &Value, to: usize) -> Option<String> {
    let targets = list_at(props, &rule.targets);
    list_at(props, &rule.items).into_iter().find_map(|item| {
        let key = string_at(item, &rule.key)?;
        let value = string_at(item, &rule.value)?;
        let entry = targets
            .iter()
            .find(|t| string_at(t, &rule.target_key).as_deref() == Some(key.as_str()))?;
        references(g, entry).contains(&to).then_some(value)
    })
}

/// The components an entry references: directly, or through a bridge it names (a VPC origin
/// names the load balancer behind it).
fn references(g: &Graph, entry: &Value) -> BTreeSet<usize> {
    let mut refs = Vec::new();
    collect_refs(entry, "", false, &g.ids, &mut refs);
    let mut out = BTreeSet::new();
    for r in refs {
        let j = g.index[r.target.as_str()];
        match g.target_comp(j) {
            Some(c) => {
                out.insert(c);
            }
            None if g.helper_info(j).is_some_and(|h| h.bridge) => {
                out.extend(
                    g.refs[j]
                        .iter()
                        .filter_map(|x| g.target_comp(g.index[x.target.as_str()])),
                );
            }
            None => {}
        }
    }
    out
}

/// The objects at the first of `paths` (keys joined by `.`) that exists; lists on the way
/// (Terraform blocks) are walked through.
fn list_at<'v>(v: &'v Value, paths: &[String]) -> Vec<&'v Value> {
    paths
        .iter()
        .map(|p| {
            p.split('.').fold(vec![v], |at, key| {
                at.into_iter()
                    .filter_map(|x| x.get(key))
                    .flat_map(|x| match x {
                        Value::Array(a) => a.iter().collect::<Vec<_>>(),
                        other => vec![other],
                    })
                    .collect()
            })
        })
        .find(|found| !found.is_empty())
        .unwrap_or_default()
}

fn string_at(v: &Value, keys: &[String]) -> Option<String> {
    keys.iter()
        .find_map(|k| v.get(k).and_then(Value::as_str))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    /// A distribution with a site bucket as default origin and a queue API behind `/api/*`: the
    /// path lands on the API's origin connection only.
    #[test]
    fn a_cache_behaviours_path_pattern_becomes_its_origins_path() {
        let template = r#"
Resources:
  Site:
    Type: AWS::S3::Bucket
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: { Name: api, ProtocolType: HTTP }
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Origins:
          - { Id: site, DomainName: !GetAtt Site.RegionalDomainName, S3OriginConfig: {} }
          - Id: api
            DomainName: !Sub "${Api}.execute-api.${AWS::Region}.amazonaws.com"
            CustomOriginConfig: { OriginProtocolPolicy: https-only }
        DefaultCacheBehavior: { TargetOriginId: site, ViewerProtocolPolicy: redirect-to-https }
        CacheBehaviors:
          - { PathPattern: "/api/*", TargetOriginId: api, ViewerProtocolPolicy: https-only }
"#;
        let files =
            std::collections::BTreeMap::from([("t.yaml".to_string(), template.to_string())]);
        let p = crate::import::import_files("t.yaml", "t", &files)
            .unwrap()
            .pattern;
        assert!(
            p.contains(r#"- { from: cdn, to: api, kind: origin, properties: { path: "/api/*" } }"#),
            "{p}"
        );
        assert!(p.contains("- { from: cdn, to: site, kind: origin }"), "{p}");
    }
}
